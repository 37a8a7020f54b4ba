use serde_json::json;

use crate::helpers::{a_person, district, TestApp};

async fn cadre(app: &TestApp, organisation: &str) -> String {
    let reply = app
        .post(
            "/api/v1/cadres",
            Some(&app.admin),
            json!({"person": a_person("Lò Văn Pọm", "1975-02-01"), "organisation_id": organisation}),
        )
        .await;
    assert_eq!(reply.status, 201, "{}", reply.text);
    reply.id()
}

#[actix_web::test]
async fn a_rotation_moves_planned_active_completed() {
    let app = TestApp::spawn().await;
    let d = district(&app).await;
    let cadre = cadre(&app, &d.district).await;
    let made = app
        .post(
            "/api/v1/rotations",
            Some(&app.admin),
            json!({"cadre_id": cadre, "kind": "rotation", "purpose": "grassroots_reinforcement",
                   "to_organisation_id": d.commune, "starts_on": "2016-04-01", "planned_ends_on": "2019-04-01"}),
        )
        .await;
    assert_eq!(made.status, 201, "{}", made.text);
    assert_eq!(made.body["status"], "planned");
    let path = format!("/api/v1/rotations/{}", made.id());

    let skipped = app
        .patch(
            &path,
            Some(&app.admin),
            json!({"status": "completed", "ended_on": "2019-04-01"}),
        )
        .await;
    assert_eq!(skipped.status, 422, "{}", skipped.text);
    assert_eq!(skipped.body["code"], "invalid_status_transition");
    let unchanged = app.get(&path, Some(&app.admin)).await;
    assert_eq!(unchanged.body["version"], 1);
    assert_eq!(unchanged.body["status"], "planned");

    let active = app
        .patch(&path, Some(&app.admin), json!({"status": "active"}))
        .await;
    assert_eq!(active.status, 200, "{}", active.text);
    assert_eq!(active.body["version"], 2);
    let no_end = app
        .patch(&path, Some(&app.admin), json!({"status": "completed"}))
        .await;
    assert_eq!(no_end.status, 400, "{}", no_end.text);
    let done = app
        .patch(
            &path,
            Some(&app.admin),
            json!({"status": "completed", "ended_on": "2019-04-01"}),
        )
        .await;
    assert_eq!(done.status, 200, "{}", done.text);
    assert_eq!(done.body["ended_on"], "2019-04-01");
    let back = app
        .patch(&path, Some(&app.admin), json!({"status": "active"}))
        .await;
    assert_eq!(back.status, 422);
    assert_eq!(back.body["code"], "invalid_status_transition");
    let cancel = app
        .patch(&path, Some(&app.admin), json!({"status": "cancelled"}))
        .await;
    assert_eq!(cancel.status, 422);

    let listed = app
        .get(
            &format!("/api/v1/rotations?cadre_id={cadre}&status=completed&starts_from=2016-01-01&starts_to=2016-12-31&count=true"),
            Some(&app.admin),
        )
        .await;
    assert_eq!(listed.body["total"], 1, "{}", listed.text);
}

#[actix_web::test]
async fn active_rotations_of_one_cadre_do_not_overlap() {
    let app = TestApp::spawn().await;
    let d = district(&app).await;
    let cadre = cadre(&app, &d.district).await;
    let first = app
        .post(
            "/api/v1/rotations",
            Some(&app.admin),
            json!({"cadre_id": cadre, "kind": "secondment", "starts_on": "2016-04-01",
                   "planned_ends_on": "2017-04-01", "status": "active"}),
        )
        .await;
    assert_eq!(first.status, 201, "{}", first.text);
    let overlapping = app
        .post(
            "/api/v1/rotations",
            Some(&app.admin),
            json!({"cadre_id": cadre, "kind": "transfer", "starts_on": "2016-10-01", "status": "active"}),
        )
        .await;
    assert_eq!(overlapping.status, 422, "{}", overlapping.text);
    assert_eq!(overlapping.body["code"], "overlapping_rotation");
    let planned = app
        .post(
            "/api/v1/rotations",
            Some(&app.admin),
            json!({"cadre_id": cadre, "kind": "transfer", "starts_on": "2016-10-01"}),
        )
        .await;
    assert_eq!(planned.status, 201, "a planned rotation may overlap");
    let activate = app
        .patch(
            &format!("/api/v1/rotations/{}", planned.id()),
            Some(&app.admin),
            json!({"status": "active"}),
        )
        .await;
    assert_eq!(activate.status, 422);
    assert_eq!(activate.body["code"], "overlapping_rotation");
    let count = app
        .get(
            &format!("/api/v1/rotations?cadre_id={cadre}&status=active&count=true"),
            Some(&app.admin),
        )
        .await;
    assert_eq!(count.body["total"], 1, "refusals changed nothing");
    let after = app
        .post(
            "/api/v1/rotations",
            Some(&app.admin),
            json!({"cadre_id": cadre, "kind": "transfer", "starts_on": "2017-04-01", "status": "active"}),
        )
        .await;
    assert_eq!(
        after.status, 201,
        "a rotation starting when the last ends is fine: {}",
        after.text
    );
}

#[actix_web::test]
async fn a_scoped_organiser_cannot_see_or_touch_rotations_elsewhere() {
    let app = TestApp::spawn().await;
    let d = district(&app).await;
    let theirs = cadre(&app, &d.other_cell).await;
    let rotation = app
        .post(
            "/api/v1/rotations",
            Some(&app.admin),
            json!({"cadre_id": theirs, "kind": "rotation", "starts_on": "2016-04-01"}),
        )
        .await;
    assert_eq!(rotation.status, 201);
    let organiser = app.user("scoped", "organiser", Some(&d.commune)).await;
    let path = format!("/api/v1/rotations/{}", rotation.id());
    assert_eq!(app.get(&path, Some(&organiser)).await.status, 404);
    assert_eq!(
        app.patch(&path, Some(&organiser), json!({"status": "active"}))
            .await
            .status,
        404
    );
    assert_eq!(app.delete(&path, Some(&organiser)).await.status, 404);
    assert_eq!(
        app.get("/api/v1/rotations?count=true", Some(&organiser))
            .await
            .body["total"],
        0
    );
    let smuggled = app
        .post(
            "/api/v1/rotations",
            Some(&organiser),
            json!({"cadre_id": theirs, "kind": "rotation", "starts_on": "2016-04-01"}),
        )
        .await;
    assert_eq!(smuggled.status, 404);
    let own = app
        .post(
            "/api/v1/cadres",
            Some(&organiser),
            json!({"person": a_person("Lường Văn Tám", "1980-01-01")}),
        )
        .await;
    let smuggled = app
        .post(
            "/api/v1/rotations",
            Some(&organiser),
            json!({"cadre_id": own.id(), "kind": "rotation", "starts_on": "2016-04-01", "to_organisation_id": d.other_cell}),
        )
        .await;
    assert_eq!(smuggled.status, 404);
    assert_eq!(smuggled.body["errors"][0]["field"], "to_organisation_id");
}
