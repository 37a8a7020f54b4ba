use serde_json::json;

use crate::helpers::{district, TestApp};

#[actix_web::test]
async fn an_award_round_trips_and_filters() {
    let app = TestApp::spawn().await;
    let d = district(&app).await;
    let made = app
        .post(
            "/api/v1/awards",
            Some(&app.admin),
            json!({"recipient_type": "organisation", "recipient_id": d.commune, "year": 2016,
                   "form": "certificate_of_merit", "issuer": "Huyện ủy Mường Ảng", "decided_on": "2017-01-20"}),
        )
        .await;
    assert_eq!(made.status, 201, "{}", made.text);
    assert_eq!(made.body["organisation_id"], d.commune.as_str());
    let member = app.member(&d.cell, "2010-01-10", Some("2011-01-10")).await;
    let to_member = app
        .post(
            "/api/v1/awards",
            Some(&app.admin),
            json!({"recipient_type": "member", "recipient_id": member, "year": 2016, "form": "merit"}),
        )
        .await;
    assert_eq!(to_member.status, 201, "{}", to_member.text);
    assert_eq!(to_member.body["organisation_id"], d.cell.as_str());
    let path = format!("/api/v1/awards/{}", made.id());
    let read = app.get(&path, Some(&app.admin)).await;
    assert_eq!(read.header("etag").as_deref(), Some("\"1\""));
    let patched = app
        .patch(&path, Some(&app.admin), json!({"form": "merit"}))
        .await;
    assert_eq!(patched.body["version"], 2);
    let same = app
        .patch(&path, Some(&app.admin), json!({"form": "merit"}))
        .await;
    assert_eq!(same.body["version"], 2);
    let members = app
        .get(
            &format!(
                "/api/v1/awards?year=2016&recipient_type=member&organisation_id={}&count=true",
                d.commune
            ),
            Some(&app.admin),
        )
        .await;
    assert_eq!(members.body["total"], 1, "{}", members.text);
    let bad = app
        .post(
            "/api/v1/awards",
            Some(&app.admin),
            json!({"recipient_type": "organisation", "recipient_id": d.commune, "year": 2016, "form": "medal"}),
        )
        .await;
    assert_eq!(bad.status, 400);
}

#[actix_web::test]
async fn a_scoped_organiser_cannot_see_or_award_elsewhere() {
    let app = TestApp::spawn().await;
    let d = district(&app).await;
    let theirs = app
        .post(
            "/api/v1/awards",
            Some(&app.admin),
            json!({"recipient_type": "organisation", "recipient_id": d.other_cell, "year": 2016, "form": "merit"}),
        )
        .await;
    let organiser = app.user("scoped", "organiser", Some(&d.commune)).await;
    let path = format!("/api/v1/awards/{}", theirs.id());
    assert_eq!(app.get(&path, Some(&organiser)).await.status, 404);
    assert_eq!(
        app.patch(&path, Some(&organiser), json!({"reason": "x"}))
            .await
            .status,
        404
    );
    assert_eq!(app.delete(&path, Some(&organiser)).await.status, 404);
    assert_eq!(
        app.get("/api/v1/awards?count=true", Some(&organiser))
            .await
            .body["total"],
        0
    );
    let smuggled = app
        .post(
            "/api/v1/awards",
            Some(&organiser),
            json!({"recipient_type": "organisation", "recipient_id": d.other_cell, "year": 2017, "form": "merit"}),
        )
        .await;
    assert_eq!(smuggled.status, 404);
    assert_eq!(smuggled.body["code"], "reference_not_found");
}
