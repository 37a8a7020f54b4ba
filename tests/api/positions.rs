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

async fn position(app: &TestApp, title: &str, organisation: &str) -> String {
    let reply = app
        .post(
            "/api/v1/positions",
            Some(&app.admin),
            json!({"title": title, "body": "party", "organisation_id": organisation}),
        )
        .await;
    assert_eq!(reply.status, 201, "{}", reply.text);
    reply.id()
}

#[actix_web::test]
async fn a_position_round_trips() {
    let app = TestApp::spawn().await;
    let d = district(&app).await;
    let id = position(&app, "Bí thư Đảng ủy xã", &d.commune).await;
    let path = format!("/api/v1/positions/{id}");
    let read = app.get(&path, Some(&app.admin)).await;
    assert_eq!(read.body["body"], "party");
    assert_eq!(read.header("etag").as_deref(), Some("\"1\""));
    let patched = app
        .patch(
            &path,
            Some(&app.admin),
            json!({"title": "Phó Bí thư Đảng ủy xã"}),
        )
        .await;
    assert_eq!(patched.body["version"], 2);
    let found = app
        .get(
            "/api/v1/positions?q=pho%20bi%20thu&count=true",
            Some(&app.admin),
        )
        .await;
    assert_eq!(found.body["total"], 1);
    let bad = app
        .post(
            "/api/v1/positions",
            Some(&app.admin),
            json!({"title": "X", "body": "party", "titel": 1}),
        )
        .await;
    assert_eq!(bad.status, 400);
}

#[actix_web::test]
async fn concurrent_positions_are_allowed_but_not_the_same_one_twice() {
    let app = TestApp::spawn().await;
    let d = district(&app).await;
    let cadre = cadre(&app, &d.district).await;
    let secretary = position(&app, "Bí thư Đảng ủy xã", &d.commune).await;
    let chair = position(&app, "Chủ tịch HĐND xã", &d.commune).await;
    let first = app
        .post(
            "/api/v1/appointments",
            Some(&app.admin),
            json!({"cadre_id": cadre, "position_id": secretary, "starts_on": "2020-09-01", "kind": "elected"}),
        )
        .await;
    assert_eq!(first.status, 201, "{}", first.text);
    let concurrent = app
        .post(
            "/api/v1/appointments",
            Some(&app.admin),
            json!({"cadre_id": cadre, "position_id": chair, "starts_on": "2021-06-01", "kind": "concurrent"}),
        )
        .await;
    assert_eq!(concurrent.status, 201, "{}", concurrent.text);
    let twice = app
        .post(
            "/api/v1/appointments",
            Some(&app.admin),
            json!({"cadre_id": cadre, "position_id": secretary, "starts_on": "2022-01-01"}),
        )
        .await;
    assert_eq!(twice.status, 422, "{}", twice.text);
    assert_eq!(twice.body["code"], "overlapping_appointment");
    let count = app
        .get(
            &format!("/api/v1/appointments?cadre_id={cadre}&count=true"),
            Some(&app.admin),
        )
        .await;
    assert_eq!(count.body["total"], 2, "the refusal created nothing");

    // Ending the first term lets the next one start that day.
    let path = format!("/api/v1/appointments/{}", first.id());
    let ended = app
        .patch(&path, Some(&app.admin), json!({"ends_on": "2022-01-01"}))
        .await;
    assert_eq!(ended.status, 200, "{}", ended.text);
    assert_eq!(ended.body["version"], 2);
    let next = app
        .post(
            "/api/v1/appointments",
            Some(&app.admin),
            json!({"cadre_id": cadre, "position_id": secretary, "starts_on": "2022-01-01"}),
        )
        .await;
    assert_eq!(next.status, 201, "{}", next.text);
    let reopen = app
        .patch(&path, Some(&app.admin), json!({"ends_on": null}))
        .await;
    assert_eq!(reopen.status, 422);
    assert_eq!(app.get(&path, Some(&app.admin)).await.body["version"], 2);
    let backwards = app
        .patch(&path, Some(&app.admin), json!({"ends_on": "2019-01-01"}))
        .await;
    assert_eq!(backwards.status, 400);

    let filtered = app
        .get(
            &format!(
                "/api/v1/appointments?organisation_id={}&starts_from=2021-01-01&count=true",
                d.commune
            ),
            Some(&app.admin),
        )
        .await;
    assert_eq!(filtered.body["total"], 2, "{}", filtered.text);
}

#[actix_web::test]
async fn a_scoped_organiser_cannot_see_or_use_positions_and_appointments_elsewhere() {
    let app = TestApp::spawn().await;
    let d = district(&app).await;
    let theirs = position(&app, "Bí thư Chi bộ", &d.other_cell).await;
    let their_cadre = cadre(&app, &d.other_cell).await;
    let appointment = app
        .post(
            "/api/v1/appointments",
            Some(&app.admin),
            json!({"cadre_id": their_cadre, "position_id": theirs, "starts_on": "2020-01-01"}),
        )
        .await;
    assert_eq!(appointment.status, 201);
    let organiser = app.user("scoped", "organiser", Some(&d.commune)).await;
    assert_eq!(
        app.get(&format!("/api/v1/positions/{theirs}"), Some(&organiser))
            .await
            .status,
        404
    );
    let path = format!("/api/v1/appointments/{}", appointment.id());
    assert_eq!(app.get(&path, Some(&organiser)).await.status, 404);
    assert_eq!(
        app.patch(&path, Some(&organiser), json!({"ends_on": "2021-01-01"}))
            .await
            .status,
        404
    );
    assert_eq!(app.delete(&path, Some(&organiser)).await.status, 404);
    assert_eq!(
        app.get("/api/v1/appointments?count=true", Some(&organiser))
            .await
            .body["total"],
        0
    );
    assert_eq!(
        app.get("/api/v1/positions?count=true", Some(&organiser))
            .await
            .body["total"],
        0
    );
    let own_cadre = app
        .post(
            "/api/v1/cadres",
            Some(&organiser),
            json!({"person": a_person("Lường Văn Tám", "1980-01-01")}),
        )
        .await;
    let smuggled = app
        .post(
            "/api/v1/appointments",
            Some(&organiser),
            json!({"cadre_id": own_cadre.id(), "position_id": theirs, "starts_on": "2020-01-01"}),
        )
        .await;
    assert_eq!(smuggled.status, 404);
    assert_eq!(smuggled.body["errors"][0]["field"], "position_id");
    let smuggled = app
        .post(
            "/api/v1/positions",
            Some(&organiser),
            json!({"title": "X", "body": "party", "organisation_id": d.other_cell}),
        )
        .await;
    assert_eq!(smuggled.status, 404);
}
