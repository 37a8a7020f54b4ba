use serde_json::{json, Value};

use crate::helpers::{district, TestApp};

async fn class(app: &TestApp, body: Value) -> String {
    let reply = app
        .post("/api/v1/training-classes", Some(&app.admin), body)
        .await;
    assert_eq!(reply.status, 201, "{}", reply.text);
    reply.id()
}

/// A member's person id.
async fn person_of_member(app: &TestApp, member: &str) -> String {
    let reply = app
        .get(&format!("/api/v1/members/{member}"), Some(&app.admin))
        .await;
    reply.body["person_id"]
        .as_str()
        .expect("person_id")
        .to_owned()
}

#[actix_web::test]
async fn a_class_round_trips_and_codes_are_unique() {
    let app = TestApp::spawn().await;
    let d = district(&app).await;
    let id = class(
        &app,
        json!({"code": "LLCT-2016-01", "title": "Lớp sơ cấp lý luận chính trị", "kind": "political_theory_elementary",
               "organiser_organisation_id": d.district, "starts_on": "2016-03-14", "ends_on": "2016-04-14", "capacity": 50}),
    )
    .await;
    let path = format!("/api/v1/training-classes/{id}");
    let read = app.get(&path, Some(&app.admin)).await;
    assert_eq!(read.body["kind"], "political_theory_elementary");
    assert_eq!(read.header("etag").as_deref(), Some("\"1\""));
    let patched = app
        .patch(&path, Some(&app.admin), json!({"venue": "Mường Ảng"}))
        .await;
    assert_eq!(patched.body["version"], 2);
    let again = app
        .post(
            "/api/v1/training-classes",
            Some(&app.admin),
            json!({"code": "LLCT-2016-01", "title": "Lớp khác", "kind": "other",
                   "organiser_organisation_id": d.district, "starts_on": "2016-05-01"}),
        )
        .await;
    assert_eq!(again.status, 409);
    assert_eq!(again.body["code"], "duplicate_code");
    let year = app
        .get(
            "/api/v1/training-classes?year=2016&q=SO%20CAP&count=true",
            Some(&app.admin),
        )
        .await;
    assert_eq!(year.body["total"], 1, "{}", year.text);
    let other_year = app
        .get(
            "/api/v1/training-classes?year=2017&count=true",
            Some(&app.admin),
        )
        .await;
    assert_eq!(other_year.body["total"], 0);
}

#[actix_web::test]
async fn capacity_is_enforced_and_a_person_enrols_once() {
    let app = TestApp::spawn().await;
    let d = district(&app).await;
    let id = class(
        &app,
        json!({"code": "NM-2016", "title": "Bồi dưỡng đảng viên mới", "kind": "new_member",
               "organiser_organisation_id": d.commune, "starts_on": "2016-06-01", "capacity": 2}),
    )
    .await;
    let mut people = Vec::new();
    for _ in 0..3 {
        let member = app.member(&d.cell, "2016-01-10", None).await;
        people.push(person_of_member(&app, &member).await);
    }
    let enrolments = format!("/api/v1/training-classes/{id}/enrolments");
    let first = app
        .post(
            &enrolments,
            Some(&app.admin),
            json!({"person_id": people[0]}),
        )
        .await;
    assert_eq!(first.status, 201, "{}", first.text);
    assert_eq!(first.body["status"], "enrolled");
    let twice = app
        .post(
            &enrolments,
            Some(&app.admin),
            json!({"person_id": people[0]}),
        )
        .await;
    assert_eq!(twice.status, 409);
    assert_eq!(twice.body["code"], "already_enrolled");
    let second = app
        .post(
            &enrolments,
            Some(&app.admin),
            json!({"person_id": people[1]}),
        )
        .await;
    assert_eq!(second.status, 201);
    let third = app
        .post(
            &enrolments,
            Some(&app.admin),
            json!({"person_id": people[2]}),
        )
        .await;
    assert_eq!(third.status, 409, "{}", third.text);
    assert_eq!(third.body["code"], "class_full");
    let count = app
        .get(&format!("{enrolments}?count=true"), Some(&app.admin))
        .await;
    assert_eq!(count.body["total"], 2, "the refusal created nothing");

    // A withdrawal frees the seat.
    let withdrawn = app
        .patch(
            &format!("{enrolments}/{}", second.id()),
            Some(&app.admin),
            json!({"status": "withdrawn"}),
        )
        .await;
    assert_eq!(withdrawn.status, 200, "{}", withdrawn.text);
    let third = app
        .post(
            &enrolments,
            Some(&app.admin),
            json!({"person_id": people[2]}),
        )
        .await;
    assert_eq!(third.status, 201, "{}", third.text);
    let back = app
        .patch(
            &format!("{enrolments}/{}", second.id()),
            Some(&app.admin),
            json!({"status": "enrolled"}),
        )
        .await;
    assert_eq!(back.status, 409);
    assert_eq!(back.body["code"], "class_full");
    let shrink = app
        .patch(
            &format!("/api/v1/training-classes/{id}"),
            Some(&app.admin),
            json!({"capacity": 1}),
        )
        .await;
    assert_eq!(shrink.status, 409);
    let no_date = app
        .patch(
            &format!("{enrolments}/{}", first.id()),
            Some(&app.admin),
            json!({"status": "completed"}),
        )
        .await;
    assert_eq!(no_date.status, 400);
}

#[actix_web::test]
async fn completing_an_awareness_class_records_it_on_the_candidate() {
    let app = TestApp::spawn().await;
    let d = district(&app).await;
    let candidate = app
        .post(
            "/api/v1/candidates",
            Some(&app.admin),
            json!({"person": {"full_name": "Quàng Văn Dũng", "gender": "male", "date_of_birth": "1994-08-20", "ethnicity": "thai", "general_education": 12},
                   "organisation_id": d.cell, "source": "militia", "identified_on": "2015-03-01"}),
        )
        .await;
    assert_eq!(candidate.status, 201, "{}", candidate.text);
    let person = candidate.body["person_id"]
        .as_str()
        .expect("person")
        .to_owned();
    let id = class(
        &app,
        json!({"code": "NT-2016-01", "title": "Bồi dưỡng nhận thức về Đảng", "kind": "party_awareness",
               "organiser_organisation_id": d.commune, "starts_on": "2016-03-14"}),
    )
    .await;
    let enrolments = format!("/api/v1/training-classes/{id}/enrolments");
    let enrolled = app
        .post(&enrolments, Some(&app.admin), json!({"person_id": person}))
        .await;
    assert_eq!(enrolled.status, 201, "{}", enrolled.text);
    let path = format!("/api/v1/candidates/{}", candidate.id());
    let before = app.get(&path, Some(&app.admin)).await;
    assert_eq!(before.body["awareness_class_completed_on"], Value::Null);
    assert_eq!(before.body["version"], 1);
    let completed = app
        .patch(
            &format!("{enrolments}/{}", enrolled.id()),
            Some(&app.admin),
            json!({"status": "completed", "completed_on": "2016-03-18", "certificate_number": "=1+2"}),
        )
        .await;
    assert_eq!(completed.status, 200, "{}", completed.text);
    let after = app.get(&path, Some(&app.admin)).await;
    assert_eq!(after.body["awareness_class_completed_on"], "2016-03-18");
    assert_eq!(after.body["version"], 2);
    let events = app
        .get(
            &format!(
                "/api/v1/audit-events?resource_type=candidate&resource_id={}",
                candidate.id()
            ),
            Some(&app.admin),
        )
        .await;
    assert!(events.text.contains("\"update\""), "{}", events.text);

    let csv = app
        .get(&format!("{enrolments}?format=csv"), Some(&app.admin))
        .await;
    assert_eq!(csv.status, 200);
    assert!(csv
        .header("content-type")
        .unwrap_or_default()
        .starts_with("text/csv"));
    let mut lines = csv.text.lines();
    assert_eq!(
        lines.next(),
        Some("full_name,gender,date_of_birth,status,completed_on,certificate_number")
    );
    assert_eq!(
        lines.next(),
        Some("Quàng Văn Dũng,male,1994-08-20,completed,2016-03-18,'=1+2")
    );
    let viewer = app.user("viewer", "viewer", None).await;
    let csv = app
        .get(&format!("{enrolments}?format=csv"), Some(&viewer))
        .await;
    assert_eq!(
        csv.text.lines().next(),
        Some("full_name,gender,status,completed_on,certificate_number")
    );
}

#[actix_web::test]
async fn a_scoped_organiser_cannot_see_or_touch_classes_elsewhere() {
    let app = TestApp::spawn().await;
    let d = district(&app).await;
    let theirs = class(
        &app,
        json!({"code": "CA-2016", "title": "Lớp chi bộ Co Ả", "kind": "other",
               "organiser_organisation_id": d.other_cell, "starts_on": "2016-03-14"}),
    )
    .await;
    let member = app
        .member(&d.other_cell, "2010-01-10", Some("2011-01-10"))
        .await;
    let their_person = person_of_member(&app, &member).await;
    let organiser = app.user("scoped", "organiser", Some(&d.commune)).await;
    let path = format!("/api/v1/training-classes/{theirs}");
    assert_eq!(app.get(&path, Some(&organiser)).await.status, 404);
    assert_eq!(
        app.patch(&path, Some(&organiser), json!({"venue": "x"}))
            .await
            .status,
        404
    );
    assert_eq!(app.delete(&path, Some(&organiser)).await.status, 404);
    assert_eq!(
        app.get(&format!("{path}/enrolments?format=csv"), Some(&organiser))
            .await
            .status,
        404
    );
    assert_eq!(
        app.get("/api/v1/training-classes?count=true", Some(&organiser))
            .await
            .body["total"],
        0
    );
    let smuggled = app
        .post(
            "/api/v1/training-classes",
            Some(&organiser),
            json!({"code": "X-1", "title": "X", "kind": "other", "organiser_organisation_id": d.other_cell, "starts_on": "2016-03-14"}),
        )
        .await;
    assert_eq!(smuggled.status, 404);
    let own = app
        .post(
            "/api/v1/training-classes",
            Some(&organiser),
            json!({"code": "X-2", "title": "X", "kind": "other", "organiser_organisation_id": d.commune, "starts_on": "2016-03-14"}),
        )
        .await;
    assert_eq!(own.status, 201, "{}", own.text);
    let smuggled = app
        .post(
            &format!("/api/v1/training-classes/{}/enrolments", own.id()),
            Some(&organiser),
            json!({"person_id": their_person}),
        )
        .await;
    assert_eq!(smuggled.status, 404);
    assert_eq!(smuggled.body["code"], "reference_not_found");
}
