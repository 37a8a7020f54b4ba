use serde_json::json;

use crate::helpers::{district, TestApp};

#[actix_web::test]
async fn a_campaign_and_its_participations_round_trip() {
    let app = TestApp::spawn().await;
    let d = district(&app).await;
    let made = app
        .post(
            "/api/v1/study-campaigns",
            Some(&app.admin),
            json!({"title": "Học tập Nghị quyết Đại hội XII", "year": 2016, "documents": ["Nghị quyết Đại hội XII"], "organisation_id": d.district}),
        )
        .await;
    assert_eq!(made.status, 201, "{}", made.text);
    assert_eq!(made.body["documents"], json!(["Nghị quyết Đại hội XII"]));
    let path = format!("/api/v1/study-campaigns/{}", made.id());
    let patched = app
        .patch(
            &path,
            Some(&app.admin),
            json!({"documents": ["Nghị quyết Đại hội XII", "Chỉ thị 05-CT/TW"]}),
        )
        .await;
    assert_eq!(patched.body["version"], 2);
    let found = app
        .get(
            "/api/v1/study-campaigns?q=nghi%20quyet&year=2016&count=true",
            Some(&app.admin),
        )
        .await;
    assert_eq!(found.body["total"], 1);

    let participations = format!("{path}/participations");
    let held = app
        .post(
            &participations,
            Some(&app.admin),
            json!({"organisation_id": d.commune, "held": true, "members_attended": 45, "masses_invited": 200, "masses_attended": 172}),
        )
        .await;
    assert_eq!(held.status, 201, "{}", held.text);
    let twice = app
        .post(
            &participations,
            Some(&app.admin),
            json!({"organisation_id": d.commune}),
        )
        .await;
    assert_eq!(twice.status, 409);
    let not_grassroots = app
        .post(
            &participations,
            Some(&app.admin),
            json!({"organisation_id": d.cell}),
        )
        .await;
    assert_eq!(not_grassroots.status, 422);
    assert_eq!(not_grassroots.body["code"], "not_grassroots");
    let too_many = app
        .post(
            &participations,
            Some(&app.admin),
            json!({"organisation_id": d.other_cell, "masses_invited": 10, "masses_attended": 11}),
        )
        .await;
    assert_eq!(too_many.status, 422);
    assert_eq!(too_many.body["code"], "attended_exceeds_invited");
    let negative = app
        .post(
            &participations,
            Some(&app.admin),
            json!({"organisation_id": d.other_cell, "members_attended": -1}),
        )
        .await;
    assert_eq!(negative.status, 400);
    let count = app
        .get(&format!("{participations}?count=true"), Some(&app.admin))
        .await;
    assert_eq!(count.body["total"], 1, "refusals created nothing");

    let one = format!("{participations}/{}", held.id());
    let refused = app
        .patch(&one, Some(&app.admin), json!({"masses_attended": 201}))
        .await;
    assert_eq!(refused.status, 422);
    assert_eq!(
        app.get(&one, Some(&app.admin)).await.body["masses_attended"],
        172
    );
    let changed = app
        .patch(&one, Some(&app.admin), json!({"members_attended": 47}))
        .await;
    assert_eq!(changed.status, 200, "{}", changed.text);
    assert_eq!(changed.body["version"], 2);
}

#[actix_web::test]
async fn a_scoped_organiser_cannot_see_or_touch_campaigns_elsewhere() {
    let app = TestApp::spawn().await;
    let d = district(&app).await;
    let theirs = app
        .post(
            "/api/v1/study-campaigns",
            Some(&app.admin),
            json!({"title": "Chỉ thị 05", "year": 2016, "organisation_id": d.other_cell}),
        )
        .await;
    let organiser = app.user("scoped", "organiser", Some(&d.commune)).await;
    let path = format!("/api/v1/study-campaigns/{}", theirs.id());
    assert_eq!(app.get(&path, Some(&organiser)).await.status, 404);
    assert_eq!(
        app.patch(&path, Some(&organiser), json!({"year": 2017}))
            .await
            .status,
        404
    );
    assert_eq!(app.delete(&path, Some(&organiser)).await.status, 404);
    assert_eq!(
        app.get(&format!("{path}/participations"), Some(&organiser))
            .await
            .status,
        404
    );
    assert_eq!(
        app.get("/api/v1/study-campaigns?count=true", Some(&organiser))
            .await
            .body["total"],
        0
    );
    let own = app
        .post(
            "/api/v1/study-campaigns",
            Some(&organiser),
            json!({"title": "Nghị quyết xã", "year": 2016}),
        )
        .await;
    assert_eq!(own.status, 201, "{}", own.text);
    assert_eq!(own.body["organisation_id"], d.commune.as_str());
    let smuggled = app
        .post(
            &format!("/api/v1/study-campaigns/{}/participations", own.id()),
            Some(&organiser),
            json!({"organisation_id": d.other_cell}),
        )
        .await;
    assert_eq!(smuggled.status, 404);
    assert_eq!(smuggled.body["code"], "reference_not_found");
}
