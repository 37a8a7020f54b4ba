use serde_json::json;

use crate::helpers::{district, TestApp};

#[actix_web::test]
async fn one_quota_per_organisation_and_year() {
    let app = TestApp::spawn().await;
    let d = district(&app).await;
    let first = app
        .post(
            "/api/v1/admission-quotas",
            Some(&app.admin),
            json!({"organisation_id": d.district, "year": 2016, "target": 120}),
        )
        .await;
    assert_eq!(first.status, 201, "{}", first.text);
    let again = app
        .post(
            "/api/v1/admission-quotas",
            Some(&app.admin),
            json!({"organisation_id": d.district, "year": 2016, "target": 90}),
        )
        .await;
    assert_eq!(again.status, 409);
    let next_year = app
        .post(
            "/api/v1/admission-quotas",
            Some(&app.admin),
            json!({"organisation_id": d.district, "year": 2017, "target": 90}),
        )
        .await;
    assert_eq!(next_year.status, 201);
    let list = app
        .get(
            "/api/v1/admission-quotas?year=2016&count=true",
            Some(&app.admin),
        )
        .await;
    assert_eq!(list.body["total"], 1);
    let patched = app
        .patch(
            &format!("/api/v1/admission-quotas/{}", first.id()),
            Some(&app.admin),
            json!({"target": 130}),
        )
        .await;
    assert_eq!(patched.body["target"], 130);
    assert_eq!(patched.body["version"], 2);
}

#[actix_web::test]
async fn a_negative_target_is_refused() {
    let app = TestApp::spawn().await;
    let d = district(&app).await;
    let reply = app
        .post(
            "/api/v1/admission-quotas",
            Some(&app.admin),
            json!({"organisation_id": d.district, "year": 2016, "target": -1}),
        )
        .await;
    assert_eq!(reply.status, 400);
}

#[actix_web::test]
async fn a_scoped_organiser_cannot_see_or_set_quotas_elsewhere() {
    let app = TestApp::spawn().await;
    let d = district(&app).await;
    let theirs = app
        .post(
            "/api/v1/admission-quotas",
            Some(&app.admin),
            json!({"organisation_id": d.other_cell, "year": 2016, "target": 3}),
        )
        .await;
    let organiser = app.user("scoped", "organiser", Some(&d.commune)).await;
    assert_eq!(
        app.get(
            &format!("/api/v1/admission-quotas/{}", theirs.id()),
            Some(&organiser)
        )
        .await
        .status,
        404
    );
    let set = app
        .post(
            "/api/v1/admission-quotas",
            Some(&organiser),
            json!({"organisation_id": d.other_cell, "year": 2017, "target": 3}),
        )
        .await;
    assert_eq!(set.status, 404);
    let own = app
        .post(
            "/api/v1/admission-quotas",
            Some(&organiser),
            json!({"organisation_id": d.commune, "year": 2016, "target": 10}),
        )
        .await;
    assert_eq!(own.status, 201);
    assert_eq!(
        app.get("/api/v1/admission-quotas?count=true", Some(&organiser))
            .await
            .body["total"],
        1
    );
}
