use serde_json::json;

use crate::helpers::{district, TestApp};

async fn locality(app: &TestApp, code: &str, kind: &str, parent: Option<&str>) -> String {
    let reply = app
        .post(
            "/api/v1/localities",
            Some(&app.admin),
            json!({"code": code, "name": format!("Địa bàn {code}"), "kind": kind, "parent_id": parent}),
        )
        .await;
    assert_eq!(reply.status, 201, "{}", reply.text);
    reply.id()
}

#[actix_web::test]
async fn a_member_takes_charge_of_a_village() {
    let app = TestApp::spawn().await;
    let d = district(&app).await;
    let province = locality(&app, "DB", "province", None).await;
    let commune = locality(&app, "MD", "commune", Some(&province)).await;
    let village = locality(&app, "POMU", "village", Some(&commune)).await;
    let member = app.member(&d.cell, "2010-01-10", Some("2011-01-10")).await;
    let charges = format!("/api/v1/members/{member}/village-charges");
    let not_village = app
        .post(
            &charges,
            Some(&app.admin),
            json!({"locality_id": commune, "starts_on": "2016-01-15"}),
        )
        .await;
    assert_eq!(not_village.status, 422, "{}", not_village.text);
    assert_eq!(not_village.body["code"], "not_a_village");
    let backwards = app
        .post(
            &charges,
            Some(&app.admin),
            json!({"locality_id": village, "starts_on": "2016-01-15", "ends_on": "2015-01-01"}),
        )
        .await;
    assert_eq!(backwards.status, 400);
    assert_eq!(
        app.get(&format!("{charges}?count=true"), Some(&app.admin))
            .await
            .body["total"],
        0,
        "refusals created nothing"
    );
    let made = app
        .post(
            &charges,
            Some(&app.admin),
            json!({"locality_id": village, "starts_on": "2016-01-15"}),
        )
        .await;
    assert_eq!(made.status, 201, "{}", made.text);
    let one = format!("{charges}/{}", made.id());
    let read = app.get(&one, Some(&app.admin)).await;
    assert_eq!(read.body["locality_id"], village.as_str());
    assert_eq!(read.header("etag").as_deref(), Some("\"1\""));
    let ended = app
        .patch(&one, Some(&app.admin), json!({"ends_on": "2018-06-30"}))
        .await;
    assert_eq!(ended.body["version"], 2);
    let same = app
        .patch(&one, Some(&app.admin), json!({"ends_on": "2018-06-30"}))
        .await;
    assert_eq!(same.body["version"], 2);
    assert_eq!(app.delete(&one, Some(&app.admin)).await.status, 204);
    assert_eq!(app.get(&one, Some(&app.admin)).await.status, 404);
}

#[actix_web::test]
async fn a_scoped_organiser_cannot_see_or_touch_charges_elsewhere() {
    let app = TestApp::spawn().await;
    let d = district(&app).await;
    let province = locality(&app, "DB", "province", None).await;
    let commune = locality(&app, "MD", "commune", Some(&province)).await;
    let village = locality(&app, "POMU", "village", Some(&commune)).await;
    let theirs = app
        .member(&d.other_cell, "2010-01-10", Some("2011-01-10"))
        .await;
    let made = app
        .post(
            &format!("/api/v1/members/{theirs}/village-charges"),
            Some(&app.admin),
            json!({"locality_id": village, "starts_on": "2016-01-15"}),
        )
        .await;
    assert_eq!(made.status, 201);
    let organiser = app.user("scoped", "organiser", Some(&d.commune)).await;
    let charges = format!("/api/v1/members/{theirs}/village-charges");
    let one = format!("{charges}/{}", made.id());
    assert_eq!(app.get(&charges, Some(&organiser)).await.status, 404);
    assert_eq!(app.get(&one, Some(&organiser)).await.status, 404);
    assert_eq!(
        app.patch(&one, Some(&organiser), json!({"ends_on": "2017-01-01"}))
            .await
            .status,
        404
    );
    assert_eq!(app.delete(&one, Some(&organiser)).await.status, 404);
    assert_eq!(
        app.post(
            &charges,
            Some(&organiser),
            json!({"locality_id": village, "starts_on": "2016-01-15"})
        )
        .await
        .status,
        404
    );
    let own = app.member(&d.cell, "2010-01-10", Some("2011-01-10")).await;
    let unknown = app
        .post(
            &format!("/api/v1/members/{own}/village-charges"),
            Some(&organiser),
            json!({"locality_id": uuid::Uuid::now_v7().to_string(), "starts_on": "2016-01-15"}),
        )
        .await;
    assert_eq!(unknown.status, 404);
    assert_eq!(unknown.body["code"], "reference_not_found");
}
