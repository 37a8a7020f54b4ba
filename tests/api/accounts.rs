use serde_json::json;

use crate::helpers::{district, TestApp};

#[actix_web::test]
async fn only_admins_manage_accounts() {
    let app = TestApp::spawn().await;
    let organiser = app.user("organiser", "organiser", None).await;
    assert_eq!(app.get("/api/v1/users", Some(&organiser)).await.status, 403);
    let create = app
        .post(
            "/api/v1/users",
            Some(&organiser),
            json!({"username": "x.y.z", "password": "long-enough", "role": "admin"}),
        )
        .await;
    assert_eq!(create.status, 403);
}

#[actix_web::test]
async fn passwords_are_never_shown_and_weak_ones_refused() {
    let app = TestApp::spawn().await;
    let weak = app
        .post(
            "/api/v1/users",
            Some(&app.admin),
            json!({"username": "weak", "password": "short", "role": "viewer"}),
        )
        .await;
    assert_eq!(weak.status, 400);
    assert_eq!(weak.body["errors"][0]["code"], "password_too_short");
    let created = app
        .post(
            "/api/v1/users",
            Some(&app.admin),
            json!({"username": "strong", "password": "long-enough", "role": "viewer"}),
        )
        .await;
    assert_eq!(created.status, 201);
    assert!(!created.text.contains("password"));
    let duplicate = app
        .post(
            "/api/v1/users",
            Some(&app.admin),
            json!({"username": "strong", "password": "long-enough", "role": "viewer"}),
        )
        .await;
    assert_eq!(duplicate.status, 409);
}

#[actix_web::test]
async fn a_scoped_admin_manages_only_accounts_inside_its_subtree() {
    let app = TestApp::spawn().await;
    let d = district(&app).await;
    let scoped_admin = app.user("commune.admin", "admin", Some(&d.commune)).await;
    let outside = app.post("/api/v1/users", Some(&scoped_admin),
        json!({"username": "elsewhere", "password": "long-enough", "role": "viewer", "scope_organisation_id": d.other_cell})).await;
    assert_eq!(outside.status, 404);
    let unscoped = app
        .post(
            "/api/v1/users",
            Some(&scoped_admin),
            json!({"username": "everywhere", "password": "long-enough", "role": "viewer"}),
        )
        .await;
    assert_eq!(unscoped.status, 403);
    let inside = app.post("/api/v1/users", Some(&scoped_admin),
        json!({"username": "inside", "password": "long-enough", "role": "viewer", "scope_organisation_id": d.cell})).await;
    assert_eq!(inside.status, 201, "{}", inside.text);
    let listed = app
        .get("/api/v1/users?count=true", Some(&scoped_admin))
        .await;
    assert_eq!(listed.body["total"], 2, "{}", listed.text);
    let root_admin_id = app.user_id("admin").await;
    assert_eq!(
        app.get(
            &format!("/api/v1/users/{root_admin_id}"),
            Some(&scoped_admin)
        )
        .await
        .status,
        404
    );
}

#[actix_web::test]
async fn a_rotated_client_secret_replaces_the_old_one() {
    let app = TestApp::spawn().await;
    let created = app
        .post(
            "/api/v1/clients",
            Some(&app.admin),
            json!({"name": "Sync", "role": "sync"}),
        )
        .await;
    let client_id = created.body["client_id"]
        .as_str()
        .expect("client_id")
        .to_owned();
    let old_secret = created.body["client_secret"]
        .as_str()
        .expect("secret")
        .to_owned();
    let rotated = app
        .post(
            &format!("/api/v1/clients/{}/secret", created.id()),
            Some(&app.admin),
            json!({}),
        )
        .await;
    assert_eq!(rotated.status, 200, "{}", rotated.text);
    let new_secret = rotated.body["client_secret"].as_str().expect("secret");
    let old = app
        .post(
            "/api/v1/auth/token",
            None,
            json!({"client_id": client_id, "client_secret": old_secret}),
        )
        .await;
    assert_eq!(old.status, 401);
    let new = app
        .post(
            "/api/v1/auth/token",
            None,
            json!({"client_id": client_id, "client_secret": new_secret}),
        )
        .await;
    assert_eq!(new.status, 200);
}
