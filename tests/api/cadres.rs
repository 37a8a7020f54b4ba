use serde_json::json;

use crate::helpers::{a_person, district, TestApp};

async fn cadre(app: &TestApp, organisation: &str, name: &str) -> String {
    let reply = app
        .post(
            "/api/v1/cadres",
            Some(&app.admin),
            json!({"person": a_person(name, "1975-02-01"), "organisation_id": organisation,
                   "category": "leadership", "full_time": true}),
        )
        .await;
    assert_eq!(reply.status, 201, "{}", reply.text);
    reply.id()
}

#[actix_web::test]
async fn a_cadre_round_trips_with_person_and_current_appointments() {
    let app = TestApp::spawn().await;
    let d = district(&app).await;
    let id = cadre(&app, &d.district, "Lò Văn Pọm").await;
    let read = app
        .get(&format!("/api/v1/cadres/{id}"), Some(&app.admin))
        .await;
    assert_eq!(read.status, 200);
    assert_eq!(read.header("etag").as_deref(), Some("\"1\""));
    assert_eq!(read.body["person"]["full_name"], "Lò Văn Pọm");
    assert_eq!(read.body["planned_positions"], json!([]));
    assert_eq!(read.body["current_appointments"], json!([]));

    let patched = app
        .patch(
            &format!("/api/v1/cadres/{id}"),
            Some(&app.admin),
            json!({"in_planning": true, "planned_positions": ["Phó Bí thư Huyện ủy"]}),
        )
        .await;
    assert_eq!(patched.status, 200, "{}", patched.text);
    assert_eq!(patched.body["version"], 2);
    assert_eq!(
        patched.body["planned_positions"],
        json!(["Phó Bí thư Huyện ủy"])
    );
    let same = app
        .patch(
            &format!("/api/v1/cadres/{id}"),
            Some(&app.admin),
            json!({"in_planning": true}),
        )
        .await;
    assert_eq!(
        same.body["version"], 2,
        "a patch that changes nothing keeps the version"
    );

    let position = app
        .post(
            "/api/v1/positions",
            Some(&app.admin),
            json!({"title": "Bí thư Đảng ủy xã", "body": "party", "organisation_id": d.commune}),
        )
        .await;
    assert_eq!(position.status, 201, "{}", position.text);
    let current = app
        .post(
            "/api/v1/appointments",
            Some(&app.admin),
            json!({"cadre_id": id, "position_id": position.id(), "starts_on": "2020-09-01", "kind": "elected"}),
        )
        .await;
    assert_eq!(current.status, 201, "{}", current.text);
    let past = app
        .post(
            "/api/v1/appointments",
            Some(&app.admin),
            json!({"cadre_id": id, "position_id": position.id(), "starts_on": "2015-09-01", "ends_on": "2020-09-01"}),
        )
        .await;
    assert_eq!(past.status, 201, "{}", past.text);
    let read = app
        .get(&format!("/api/v1/cadres/{id}"), Some(&app.admin))
        .await;
    let held = read.body["current_appointments"].as_array().expect("array");
    assert_eq!(held.len(), 1, "{}", read.text);
    assert_eq!(held[0]["title"], "Bí thư Đảng ủy xã");
    assert_eq!(held[0]["appointment_id"], current.id().as_str());

    let found = app
        .get(
            "/api/v1/cadres?q=LO%20VAN%20POM&count=true",
            Some(&app.admin),
        )
        .await;
    assert_eq!(found.body["total"], 1, "{}", found.text);
    let planned = app
        .get(
            "/api/v1/cadres?in_planning=false&count=true",
            Some(&app.admin),
        )
        .await;
    assert_eq!(planned.body["total"], 0);

    let stale = app
        .send(
            app.request("DELETE", &format!("/api/v1/cadres/{id}"), Some(&app.admin))
                .insert_header(("If-Match", "\"1\"")),
            None,
        )
        .await;
    assert_eq!(stale.status, 412);
    let gone = app
        .delete(&format!("/api/v1/cadres/{id}"), Some(&app.admin))
        .await;
    assert_eq!(gone.status, 204);
    assert_eq!(
        app.get(&format!("/api/v1/cadres/{id}"), Some(&app.admin))
            .await
            .status,
        404
    );
}

#[actix_web::test]
async fn oversight_is_of_grassroots_organisations_and_shows_current_overseers() {
    let app = TestApp::spawn().await;
    let d = district(&app).await;
    let id = cadre(&app, &d.district, "Quàng Thị Hoa").await;
    let refused = app
        .post(
            &format!("/api/v1/cadres/{id}/oversights"),
            Some(&app.admin),
            json!({"organisation_id": d.cell, "starts_on": "2020-10-01"}),
        )
        .await;
    assert_eq!(refused.status, 422, "{}", refused.text);
    assert_eq!(refused.body["code"], "not_grassroots");
    let backwards = app
        .post(
            &format!("/api/v1/cadres/{id}/oversights"),
            Some(&app.admin),
            json!({"organisation_id": d.commune, "starts_on": "2020-10-01", "ends_on": "2020-01-01"}),
        )
        .await;
    assert_eq!(backwards.status, 400);
    let list = app
        .get(
            &format!("/api/v1/cadres/{id}/oversights?count=true"),
            Some(&app.admin),
        )
        .await;
    assert_eq!(list.body["total"], 0, "refusals changed nothing");

    let made = app
        .post(
            &format!("/api/v1/cadres/{id}/oversights"),
            Some(&app.admin),
            json!({"organisation_id": d.commune, "starts_on": "2020-10-01"}),
        )
        .await;
    assert_eq!(made.status, 201, "{}", made.text);
    let path = format!("/api/v1/cadres/{id}/oversights/{}", made.id());
    let read = app.get(&path, Some(&app.admin)).await;
    assert_eq!(read.body["organisation_id"], d.commune.as_str());
    let ended = app
        .patch(&path, Some(&app.admin), json!({"ends_on": "2025-06-30"}))
        .await;
    assert_eq!(ended.status, 200, "{}", ended.text);
    assert_eq!(ended.body["version"], 2);
    assert_eq!(app.delete(&path, Some(&app.admin)).await.status, 204);
    assert_eq!(app.get(&path, Some(&app.admin)).await.status, 404);
}

#[actix_web::test]
async fn a_scoped_organiser_cannot_see_or_touch_cadres_elsewhere() {
    let app = TestApp::spawn().await;
    let d = district(&app).await;
    let theirs = cadre(&app, &d.other_cell, "Cà Văn Khoa").await;
    let organiser = app.user("scoped", "organiser", Some(&d.commune)).await;
    let path = format!("/api/v1/cadres/{theirs}");
    assert_eq!(app.get(&path, Some(&organiser)).await.status, 404);
    assert_eq!(
        app.patch(&path, Some(&organiser), json!({"notes": "x"}))
            .await
            .status,
        404
    );
    assert_eq!(app.delete(&path, Some(&organiser)).await.status, 404);
    assert_eq!(
        app.get(&format!("{path}/oversights"), Some(&organiser))
            .await
            .status,
        404
    );
    let smuggled = app
        .post(
            "/api/v1/cadres",
            Some(&organiser),
            json!({"person": a_person("Lường Văn Tám", "1980-01-01"), "organisation_id": d.other_cell}),
        )
        .await;
    assert_eq!(smuggled.status, 404);
    assert_eq!(smuggled.body["code"], "reference_not_found");

    // Without organisation_id a scoped organiser's cadre lands in its scope root.
    let own = app
        .post(
            "/api/v1/cadres",
            Some(&organiser),
            json!({"person": a_person("Lường Văn Tám", "1980-01-01")}),
        )
        .await;
    assert_eq!(own.status, 201, "{}", own.text);
    assert_eq!(own.body["organisation_id"], d.commune.as_str());
    let oversight = app
        .post(
            &format!("/api/v1/cadres/{}/oversights", own.id()),
            Some(&organiser),
            json!({"organisation_id": d.other_cell, "starts_on": "2020-10-01"}),
        )
        .await;
    assert_eq!(oversight.status, 404);
    let list = app.get("/api/v1/cadres?count=true", Some(&organiser)).await;
    assert_eq!(list.body["total"], 1);
    assert_eq!(list.body["items"][0]["id"], own.id().as_str());
    // Its register organisation cannot be emptied (the cadre would vanish from its scope).
    let emptied = app
        .patch(
            &format!("/api/v1/cadres/{}", own.id()),
            Some(&organiser),
            json!({"organisation_id": null}),
        )
        .await;
    assert_eq!(emptied.status, 400);
}

#[actix_web::test]
async fn an_organisation_shows_its_current_overseers() {
    let app = TestApp::spawn().await;
    let d = district(&app).await;
    let cadre = app.post("/api/v1/cadres", Some(&app.admin), serde_json::json!({
        "person": {"full_name": "Trương Quang Hải", "gender": "male", "date_of_birth": "1970-01-01", "ethnicity": "kinh"},
        "organisation_id": d.district, "category": "leadership", "full_time": true
    })).await;
    assert_eq!(cadre.status, 201, "{}", cadre.text);
    let oversight = app
        .post(
            &format!("/api/v1/cadres/{}/oversights", cadre.id()),
            Some(&app.admin),
            serde_json::json!({"organisation_id": d.commune, "starts_on": "2016-01-01"}),
        )
        .await;
    assert_eq!(oversight.status, 201, "{}", oversight.text);
    let commune = app
        .get(
            &format!("/api/v1/organisations/{}", d.commune),
            Some(&app.admin),
        )
        .await;
    assert_eq!(
        commune.body["current_overseers"][0]["full_name"],
        "Trương Quang Hải"
    );
    let scoped = app
        .user("district.viewer", "viewer", Some(&d.district))
        .await;
    let person = app
        .get(
            &format!(
                "/api/v1/people/{}",
                cadre.body["person_id"].as_str().expect("person_id")
            ),
            Some(&scoped),
        )
        .await;
    assert_eq!(
        person.status, 200,
        "a person known as a cadre of the subtree is visible"
    );
}
