use serde_json::{json, Value};

use crate::helpers::{district, District, TestApp};

struct Pipeline {
    d: District,
    introducers: Vec<String>,
}

async fn pipeline(app: &TestApp) -> Pipeline {
    let d = district(app).await;
    let a = app.member(&d.cell, "2005-01-10", Some("2006-01-10")).await;
    let b = app.member(&d.cell, "2006-01-10", Some("2007-01-10")).await;
    Pipeline {
        d,
        introducers: vec![a, b],
    }
}

async fn candidate(app: &TestApp, p: &Pipeline, overrides: Value) -> String {
    let mut body = json!({
        "person": {"full_name": "Quàng Văn Dũng", "gender": "male", "date_of_birth": "1994-08-20", "ethnicity": "thai", "general_education": 12},
        "organisation_id": p.d.cell, "source": "militia", "identified_on": "2015-03-01",
        "mentor_member_id": p.introducers[0], "introducer_member_ids": p.introducers,
        "awareness_class_completed_on": "2015-10-01"
    });
    for (k, v) in overrides.as_object().expect("object") {
        body[k] = v.clone();
    }
    let reply = app.post("/api/v1/candidates", Some(&app.admin), body).await;
    assert_eq!(reply.status, 201, "{}", reply.text);
    reply.id()
}

async fn admit(app: &TestApp, id: &str, extra: Value) -> crate::helpers::Reply {
    let mut body = json!({"admitted_on": "2016-05-19", "decision_number": "102-QĐ/HU", "member_number": format!("N-{id}")});
    for (k, v) in extra.as_object().expect("object") {
        body[k] = v.clone();
    }
    app.post(
        &format!("/api/v1/candidates/{id}/admission"),
        Some(&app.admin),
        body,
    )
    .await
}

async fn members_count(app: &TestApp) -> i64 {
    app.get("/api/v1/members?count=true", Some(&app.admin))
        .await
        .body["total"]
        .as_i64()
        .expect("total")
}

async fn assert_refused(app: &TestApp, id: &str, extra: Value, code: &str) {
    let before = members_count(app).await;
    let reply = admit(app, id, extra).await;
    assert_eq!(reply.status, 422, "{}", reply.text);
    assert_eq!(reply.body["code"], code, "{}", reply.text);
    assert_eq!(
        members_count(app).await,
        before,
        "a refused admission creates no member"
    );
    let candidate = app
        .get(&format!("/api/v1/candidates/{id}"), Some(&app.admin))
        .await;
    assert_ne!(candidate.body["stage"], "admitted");
}

#[actix_web::test]
async fn an_eligible_candidate_becomes_a_probationary_member_of_the_same_person() {
    let app = TestApp::spawn().await;
    let p = pipeline(&app).await;
    let id = candidate(&app, &p, json!({})).await;
    let reply = admit(&app, &id, json!({})).await;
    assert_eq!(reply.status, 201, "{}", reply.text);
    assert_eq!(reply.body["status"], "probationary");
    assert_eq!(reply.body["admitted_on"], "2016-05-19");
    assert_eq!(reply.body["mentor_member_id"], p.introducers[0].as_str());
    let candidate = app
        .get(&format!("/api/v1/candidates/{id}"), Some(&app.admin))
        .await;
    assert_eq!(candidate.body["stage"], "admitted");
    assert_eq!(candidate.body["member_id"], reply.body["id"]);
    assert_eq!(candidate.body["person_id"], reply.body["person_id"]);
    let again = admit(&app, &id, json!({})).await;
    assert_eq!(again.status, 409);
}

#[actix_web::test]
async fn a_dropped_candidate_cannot_be_admitted() {
    let app = TestApp::spawn().await;
    let p = pipeline(&app).await;
    let id = candidate(&app, &p, json!({"stage": "dropped"})).await;
    assert_eq!(admit(&app, &id, json!({})).await.status, 409);
}

#[actix_web::test]
async fn too_young_is_refused() {
    let app = TestApp::spawn().await;
    let p = pipeline(&app).await;
    let id = candidate(&app, &p, json!({"person": {"full_name": "Trẻ", "gender": "male", "date_of_birth": "1998-05-20", "ethnicity": "thai", "general_education": 12}})).await;
    assert_refused(&app, &id, json!({}), "too_young").await;
}

#[actix_web::test]
async fn too_old_is_refused_without_the_exception() {
    let app = TestApp::spawn().await;
    let p = pipeline(&app).await;
    let id = candidate(&app, &p, json!({"person": {"full_name": "Cao Tuổi", "gender": "male", "date_of_birth": "1950-01-01", "ethnicity": "thai", "general_education": 12}})).await;
    assert_refused(&app, &id, json!({}), "too_old").await;
    assert_eq!(
        admit(&app, &id, json!({"age_exception_approved": true}))
            .await
            .status,
        201
    );
}

#[actix_web::test]
async fn a_missing_or_stale_awareness_class_is_refused() {
    let app = TestApp::spawn().await;
    let p = pipeline(&app).await;
    let id = candidate(
        &app,
        &p,
        json!({"awareness_class_completed_on": "2011-05-18"}),
    )
    .await;
    assert_refused(&app, &id, json!({}), "awareness_class_missing").await;
}

#[actix_web::test]
async fn one_introducer_is_refused_without_a_youth_union_introduction() {
    let app = TestApp::spawn().await;
    let p = pipeline(&app).await;
    let id = candidate(
        &app,
        &p,
        json!({"introducer_member_ids": [p.introducers[0]]}),
    )
    .await;
    assert_refused(&app, &id, json!({}), "introducers_required").await;
    let youth = candidate(&app, &p, json!({"introducer_member_ids": [p.introducers[0]], "youth_union_introduction": true,
        "person": {"full_name": "Đoàn Viên", "gender": "female", "date_of_birth": "1996-01-01", "ethnicity": "kinh", "general_education": 12}})).await;
    assert_eq!(admit(&app, &youth, json!({})).await.status, 201);
}

#[actix_web::test]
async fn a_probationary_introducer_is_refused() {
    let app = TestApp::spawn().await;
    let p = pipeline(&app).await;
    let probationary = app.member(&p.d.cell, "2016-01-10", None).await;
    let id = candidate(
        &app,
        &p,
        json!({"introducer_member_ids": [p.introducers[0], probationary]}),
    )
    .await;
    assert_refused(&app, &id, json!({}), "introducer_not_official").await;
}

#[actix_web::test]
async fn low_education_or_a_pending_upgrade_is_refused() {
    let app = TestApp::spawn().await;
    let p = pipeline(&app).await;
    let id = candidate(&app, &p, json!({"person": {"full_name": "Lớp Tám", "gender": "male", "date_of_birth": "1990-01-01", "ethnicity": "hmong", "general_education": 8}})).await;
    assert_refused(&app, &id, json!({}), "education_upgrade_pending").await;
    assert_eq!(
        admit(&app, &id, json!({"education_exception": true}))
            .await
            .status,
        201
    );
    let pending = candidate(&app, &p, json!({"education_upgrade": {"required": true, "enrolled_on": "2015-09-05"},
        "person": {"full_name": "Đang Học", "gender": "male", "date_of_birth": "1991-01-01", "ethnicity": "hmong", "general_education": 12}})).await;
    assert_refused(&app, &pending, json!({}), "education_upgrade_pending").await;
}

#[actix_web::test]
async fn a_scoped_organiser_cannot_see_candidates_of_another_subtree() {
    let app = TestApp::spawn().await;
    let p = pipeline(&app).await;
    let id = candidate(&app, &p, json!({})).await;
    let outsider = app.user("other", "organiser", Some(&p.d.other_cell)).await;
    assert_eq!(
        app.get(&format!("/api/v1/candidates/{id}"), Some(&outsider))
            .await
            .status,
        404
    );
    assert_eq!(
        app.post(
            &format!("/api/v1/candidates/{id}/admission"),
            Some(&outsider),
            json!({"admitted_on": "2016-05-19"})
        )
        .await
        .status,
        404
    );
    assert_eq!(
        app.get("/api/v1/candidates?count=true", Some(&outsider))
            .await
            .body["total"],
        0
    );
}
