use serde_json::json;

use crate::helpers::{district, TestApp};

fn ids(reply: &crate::helpers::Reply) -> Vec<String> {
    reply.body["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|i| i["id"].as_str().expect("id").to_owned())
        .collect()
}

#[actix_web::test]
async fn recognition_is_due_on_the_twelve_month_day_not_the_day_before() {
    let app = TestApp::spawn().await;
    let d = district(&app).await;
    let id = app.member(&d.cell, "2016-03-15", None).await;
    let before = app
        .get(
            "/api/v1/worklists/recognition-due?by=2017-03-14",
            Some(&app.admin),
        )
        .await;
    assert_eq!(before.status, 200, "{}", before.text);
    assert!(ids(&before).is_empty());
    let on_the_day = app
        .get(
            "/api/v1/worklists/recognition-due?by=2017-03-15",
            Some(&app.admin),
        )
        .await;
    assert_eq!(ids(&on_the_day), vec![id]);
}

#[actix_web::test]
async fn a_member_admitted_on_29_february_is_due_on_28_february() {
    let app = TestApp::spawn().await;
    let d = district(&app).await;
    let id = app.member(&d.cell, "2016-02-29", None).await;
    let due = app
        .get(
            "/api/v1/worklists/recognition-due?by=2017-02-28",
            Some(&app.admin),
        )
        .await;
    assert_eq!(ids(&due), vec![id]);
}

#[actix_web::test]
async fn cards_are_due_for_official_members_without_one() {
    let app = TestApp::spawn().await;
    let d = district(&app).await;
    let official = app.member(&d.cell, "2010-01-10", Some("2011-01-10")).await;
    app.member(&d.cell, "2016-01-10", None).await;
    let due = app
        .get("/api/v1/worklists/cards-due", Some(&app.admin))
        .await;
    assert_eq!(ids(&due), vec![official.clone()]);
    app.post(
        &format!("/api/v1/members/{official}/cards"),
        Some(&app.admin),
        json!({"card_number": "C1", "issued_on": "2016-06-01"}),
    )
    .await;
    let after = app
        .get("/api/v1/worklists/cards-due", Some(&app.admin))
        .await;
    assert!(ids(&after).is_empty());
}

#[actix_web::test]
async fn badges_are_due_in_the_milestone_year_until_awarded() {
    let app = TestApp::spawn().await;
    let d = district(&app).await;
    let thirty = app.member(&d.cell, "1986-12-31", Some("1987-12-31")).await;
    app.member(&d.cell, "1987-01-01", Some("1988-01-01")).await;
    let due = app
        .get("/api/v1/worklists/badges-due?year=2016", Some(&app.admin))
        .await;
    assert_eq!(due.status, 200, "{}", due.text);
    assert_eq!(due.body["items"].as_array().map(Vec::len), Some(1));
    assert_eq!(due.body["items"][0]["member"]["id"], thirty.as_str());
    assert_eq!(due.body["items"][0]["milestone"], 30);
    assert_eq!(due.body["items"][0]["reached_on"], "2016-12-31");
    app.post(
        &format!("/api/v1/members/{thirty}/badges"),
        Some(&app.admin),
        json!({"milestone": 30, "status": "awarded", "on": "2016-12-31"}),
    )
    .await;
    let after = app
        .get("/api/v1/worklists/badges-due?year=2016", Some(&app.admin))
        .await;
    assert_eq!(after.body["items"].as_array().map(Vec::len), Some(0));
}

#[actix_web::test]
async fn candidates_are_ready_only_when_every_rule_holds() {
    let app = TestApp::spawn().await;
    let d = district(&app).await;
    let a = app.member(&d.cell, "2005-01-10", Some("2006-01-10")).await;
    let b = app.member(&d.cell, "2006-01-10", Some("2007-01-10")).await;
    let body = |name: &str, awareness: Option<&str>| {
        json!({
            "person": {"full_name": name, "gender": "male", "date_of_birth": "1994-08-20", "ethnicity": "thai", "general_education": 12},
            "organisation_id": d.cell, "source": "youth_union", "identified_on": "2015-03-01",
            "introducer_member_ids": [a, b], "awareness_class_completed_on": awareness
        })
    };
    let ready = app
        .post(
            "/api/v1/candidates",
            Some(&app.admin),
            body("Sẵn Sàng", Some("2015-10-01")),
        )
        .await
        .id();
    app.post(
        "/api/v1/candidates",
        Some(&app.admin),
        body("Chưa Học", None),
    )
    .await;
    let list = app
        .get(
            "/api/v1/worklists/candidates-ready?on=2016-05-19",
            Some(&app.admin),
        )
        .await;
    assert_eq!(list.status, 200, "{}", list.text);
    assert_eq!(ids(&list), vec![ready]);
}

#[actix_web::test]
async fn worklists_stay_inside_the_callers_scope() {
    let app = TestApp::spawn().await;
    let d = district(&app).await;
    app.member(&d.other_cell, "2010-01-10", Some("2011-01-10"))
        .await;
    let organiser = app.user("scoped", "organiser", Some(&d.commune)).await;
    let due = app
        .get("/api/v1/worklists/cards-due", Some(&organiser))
        .await;
    assert!(ids(&due).is_empty());
}
