use serde_json::json;

use crate::helpers::{district, TestApp};

async fn locality(
    app: &TestApp,
    code: &str,
    name: &str,
    kind: &str,
    parent: Option<&str>,
) -> String {
    let reply = app
        .post(
            "/api/v1/localities",
            Some(&app.admin),
            json!({"code": code, "name": name, "kind": kind, "parent_id": parent}),
        )
        .await;
    assert_eq!(reply.status, 201, "{}", reply.text);
    reply.id()
}

#[actix_web::test]
async fn a_village_lives_under_a_commune() {
    let app = TestApp::spawn().await;
    let province = locality(&app, "DB", "Tỉnh Điện Biên", "province", None).await;
    let commune = locality(&app, "MD", "Xã Mường Đăng", "commune", Some(&province)).await;
    let village = locality(&app, "POMU", "Bản Pơ Mu", "village", Some(&commune)).await;
    let read = app
        .get(&format!("/api/v1/localities/{village}"), Some(&app.admin))
        .await;
    assert_eq!(read.body["parent_id"], commune.as_str());
    let refused = app
        .post(
            "/api/v1/localities",
            Some(&app.admin),
            json!({"code": "X", "name": "Bản X", "kind": "village", "parent_id": province}),
        )
        .await;
    assert_eq!(refused.status, 422);
    assert_eq!(refused.body["code"], "parent_kind_not_allowed");
}

#[actix_web::test]
async fn localities_filter_by_subtree_kind_and_accent_free_name() {
    let app = TestApp::spawn().await;
    let province = locality(&app, "DB", "Tỉnh Điện Biên", "province", None).await;
    let commune = locality(&app, "MD", "Xã Mường Đăng", "commune", Some(&province)).await;
    locality(&app, "POMU", "Bản Pơ Mu", "village", Some(&commune)).await;
    locality(&app, "HON", "Bản Hón", "village", Some(&commune)).await;
    let villages = app
        .get(
            &format!("/api/v1/localities?ancestor_id={province}&kind=village&count=true"),
            Some(&app.admin),
        )
        .await;
    assert_eq!(villages.body["total"], 2);
    let found = app
        .get("/api/v1/localities?q=po%20mu", Some(&app.admin))
        .await;
    assert_eq!(found.body["items"][0]["code"], "POMU");
}

#[actix_web::test]
async fn a_locality_in_use_cannot_be_deleted() {
    let app = TestApp::spawn().await;
    let province = locality(&app, "DB", "Tỉnh Điện Biên", "province", None).await;
    let reply = app.post("/api/v1/organisations", Some(&app.admin),
        json!({"code": "P", "name": "Đảng bộ tỉnh", "kind": "provincial_committee", "locality_id": province})).await;
    assert_eq!(reply.status, 201, "{}", reply.text);
    let delete = app
        .delete(&format!("/api/v1/localities/{province}"), Some(&app.admin))
        .await;
    assert_eq!(delete.status, 409);
    assert_eq!(delete.body["code"], "in_use");
}

#[actix_web::test]
async fn an_organisation_naming_no_locality_is_404_by_field() {
    let app = TestApp::spawn().await;
    let reply = app.post("/api/v1/organisations", Some(&app.admin),
        json!({"code": "P", "name": "Đảng bộ tỉnh", "kind": "provincial_committee", "locality_id": "0193a5c2-7b4e-7c1a-9f00-3b1e2d4c5b99"})).await;
    assert_eq!(reply.status, 404);
    assert_eq!(reply.body["errors"][0]["field"], "locality_id");
}

#[actix_web::test]
async fn scoped_callers_read_the_map_but_cannot_redraw_it() {
    let app = TestApp::spawn().await;
    let d = district(&app).await;
    let province = locality(&app, "DB", "Tỉnh Điện Biên", "province", None).await;
    let organiser = app.user("scoped", "organiser", Some(&d.commune)).await;
    assert_eq!(
        app.get(&format!("/api/v1/localities/{province}"), Some(&organiser))
            .await
            .status,
        200
    );
    let create = app
        .post(
            "/api/v1/localities",
            Some(&organiser),
            json!({"code": "X", "name": "Xã X", "kind": "commune", "parent_id": province}),
        )
        .await;
    assert_eq!(create.status, 403);
    let patch = app
        .patch(
            &format!("/api/v1/localities/{province}"),
            Some(&organiser),
            json!({"name": "x"}),
        )
        .await;
    assert_eq!(patch.status, 403);
    assert_eq!(
        app.get(&format!("/api/v1/localities/{province}"), Some(&app.admin))
            .await
            .body["version"],
        1
    );
}
