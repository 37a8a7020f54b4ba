use jsonwebtoken::{encode, EncodingKey, Header};
use serde_json::json;

use crate::helpers::{district, TestApp, JWT_SECRET};

fn claims(offset_exp: i64, offset_nbf: i64, iss: &str, aud: &str) -> serde_json::Value {
    let now = chrono::Utc::now().timestamp();
    json!({"sub": "user:00000000-0000-0000-0000-000000000000", "role": "admin", "scope": null,
           "iat": now, "nbf": now + offset_nbf, "exp": now + offset_exp, "iss": iss, "aud": aud})
}

fn kid() -> String {
    use sha2::Digest;
    hex::encode(&sha2::Sha256::digest(JWT_SECRET.as_bytes())[..8])
}

fn sign(claims: &serde_json::Value, secret: &str, kid: Option<String>) -> String {
    let mut header = Header::new(jsonwebtoken::Algorithm::HS256);
    header.kid = kid;
    encode(
        &header,
        claims,
        &EncodingKey::from_secret(secret.as_bytes()),
    )
    .expect("sign")
}

async fn me_status(app: &TestApp, token: &str) -> u16 {
    app.get("/api/v1/me", Some(token)).await.status
}

#[actix_web::test]
async fn a_valid_login_gives_a_bearer_token_that_works() {
    let app = TestApp::spawn().await;
    let reply = app
        .post(
            "/api/v1/auth/token",
            None,
            json!({"username": "admin", "password": "admin-password"}),
        )
        .await;
    assert_eq!(reply.status, 200);
    assert_eq!(reply.body["token_type"], "Bearer");
    assert!(reply.body["expires_in"].as_i64().unwrap_or(0) > 0);
    let me = app
        .get("/api/v1/me", reply.body["access_token"].as_str())
        .await;
    assert_eq!(me.status, 200);
    assert_eq!(me.body["role"], "admin");
    assert_eq!(me.body["name"], "admin");
}

#[actix_web::test]
async fn no_token_is_401_with_www_authenticate() {
    let app = TestApp::spawn().await;
    let reply = app.get("/api/v1/organisations", None).await;
    assert_eq!(reply.status, 401);
    assert_eq!(reply.header("www-authenticate").as_deref(), Some("Bearer"));
    assert_eq!(reply.body["code"], "unauthenticated");
}

#[actix_web::test]
async fn wrong_password_and_unknown_user_get_the_same_answer() {
    let app = TestApp::spawn().await;
    let wrong = app
        .post(
            "/api/v1/auth/token",
            None,
            json!({"username": "admin", "password": "nope-nope"}),
        )
        .await;
    let unknown = app
        .post(
            "/api/v1/auth/token",
            None,
            json!({"username": "ghost", "password": "nope-nope"}),
        )
        .await;
    assert_eq!(wrong.status, 401);
    assert_eq!(unknown.status, 401);
    assert_eq!(wrong.body["detail"], unknown.body["detail"]);
}

#[actix_web::test]
async fn repeated_failed_logins_are_throttled_with_retry_after() {
    let app = TestApp::spawn().await;
    for _ in 0..5 {
        let reply = app
            .post(
                "/api/v1/auth/token",
                None,
                json!({"username": "admin", "password": "wrong-one"}),
            )
            .await;
        assert_eq!(reply.status, 401);
    }
    let reply = app
        .post(
            "/api/v1/auth/token",
            None,
            json!({"username": "admin", "password": "admin-password"}),
        )
        .await;
    assert_eq!(reply.status, 429);
    assert!(reply
        .header("retry-after")
        .and_then(|v| v.parse::<u64>().ok())
        .is_some_and(|s| s > 0));
}

#[actix_web::test]
async fn tampered_expired_early_and_foreign_tokens_are_refused() {
    let app = TestApp::spawn().await;
    let tampered = format!("{}x", app.admin);
    assert_eq!(me_status(&app, &tampered).await, 401);
    let expired = sign(
        &claims(-120, -200, "party-registry", "party-registry-api"),
        JWT_SECRET,
        Some(kid()),
    );
    assert_eq!(me_status(&app, &expired).await, 401);
    let early = sign(
        &claims(600, 300, "party-registry", "party-registry-api"),
        JWT_SECRET,
        Some(kid()),
    );
    assert_eq!(me_status(&app, &early).await, 401);
    let wrong_iss = sign(
        &claims(600, 0, "someone-else", "party-registry-api"),
        JWT_SECRET,
        Some(kid()),
    );
    assert_eq!(me_status(&app, &wrong_iss).await, 401);
    let wrong_aud = sign(
        &claims(600, 0, "party-registry", "other-api"),
        JWT_SECRET,
        Some(kid()),
    );
    assert_eq!(me_status(&app, &wrong_aud).await, 401);
    let unknown_kid = sign(
        &claims(600, 0, "party-registry", "party-registry-api"),
        JWT_SECRET,
        Some("0000".into()),
    );
    assert_eq!(me_status(&app, &unknown_kid).await, 401);
    let wrong_key = sign(
        &claims(600, 0, "party-registry", "party-registry-api"),
        "another-secret",
        Some(kid()),
    );
    assert_eq!(me_status(&app, &wrong_key).await, 401);
}

#[actix_web::test]
async fn an_unsigned_alg_none_token_is_refused() {
    use base64::Engine;
    let app = TestApp::spawn().await;
    let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let header = b64.encode(format!(r#"{{"alg":"none","typ":"JWT","kid":"{}"}}"#, kid()));
    let body = b64.encode(claims(600, 0, "party-registry", "party-registry-api").to_string());
    assert_eq!(me_status(&app, &format!("{header}.{body}.")).await, 401);
}

#[actix_web::test]
async fn a_disabled_accounts_token_stops_working_at_once() {
    let mut config = crate::helpers::test_config();
    config.account_cache = Some(true);
    let app = TestApp::spawn_with(config).await;
    let token = app.user("viewer1", "viewer", None).await;
    assert_eq!(me_status(&app, &token).await, 200);
    let id = app.user_id("viewer1").await;
    let reply = app
        .patch(
            &format!("/api/v1/users/{id}"),
            Some(&app.admin),
            json!({"disabled": true}),
        )
        .await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    assert_eq!(me_status(&app, &token).await, 401);
}

/// Reads keep accounts between requests (`auth::cache`; on PostgreSQL
/// when a single instance says so): a changed scope, and a move of the
/// scope's organisation, must still apply to the very next read.
#[actix_web::test]
async fn a_changed_scope_applies_to_the_next_read() {
    let mut config = crate::helpers::test_config();
    config.account_cache = Some(true);
    let app = TestApp::spawn_with(config).await;
    let d = district(&app).await;
    let mine = app.member(&d.cell, "2010-01-10", Some("2011-01-10")).await;
    let theirs = app
        .member(&d.other_cell, "2010-01-10", Some("2011-01-10"))
        .await;
    let token = app.user("scoped", "viewer", Some(&d.commune)).await;
    let status = |path: String| {
        let (app, token) = (&app, &token);
        async move { app.get(&path, Some(token)).await.status }
    };
    assert_eq!(status(format!("/api/v1/members/{mine}")).await, 200);
    assert_eq!(status(format!("/api/v1/members/{theirs}")).await, 404);

    let id = app.user_id("scoped").await;
    let rescoped = app
        .patch(
            &format!("/api/v1/users/{id}"),
            Some(&app.admin),
            json!({"scope_organisation_id": d.other_cell}),
        )
        .await;
    assert_eq!(rescoped.status, 200, "{}", rescoped.text);
    assert_eq!(status(format!("/api/v1/members/{mine}")).await, 404);
    assert_eq!(status(format!("/api/v1/members/{theirs}")).await, 200);

    // The scope's organisation moves: its path, and the caller's, change.
    let other_district = app
        .organisation("TG", "district_committee", Some(&d.province))
        .await;
    let moved = app
        .patch(
            &format!("/api/v1/organisations/{}", d.other_cell),
            Some(&app.admin),
            json!({"parent_id": other_district}),
        )
        .await;
    assert_eq!(moved.status, 200, "{}", moved.text);
    assert_eq!(status(format!("/api/v1/members/{theirs}")).await, 200);
    assert_eq!(status(format!("/api/v1/members/{mine}")).await, 404);
}

#[actix_web::test]
async fn api_clients_log_in_with_their_secret() {
    let app = TestApp::spawn().await;
    let created = app
        .post(
            "/api/v1/clients",
            Some(&app.admin),
            json!({"name": "Provincial sync", "role": "sync"}),
        )
        .await;
    assert_eq!(created.status, 201, "{}", created.text);
    let client_id = created.body["client_id"].as_str().expect("client_id");
    let secret = created.body["client_secret"]
        .as_str()
        .expect("secret shown once");
    let token = app
        .post(
            "/api/v1/auth/token",
            None,
            json!({"client_id": client_id, "client_secret": secret}),
        )
        .await;
    assert_eq!(token.status, 200, "{}", token.text);
    let me = app
        .get("/api/v1/me", token.body["access_token"].as_str())
        .await;
    assert_eq!(me.body["kind"], "client");
    assert_eq!(me.body["role"], "sync");
    let read_back = app
        .get(
            &format!("/api/v1/clients/{}", created.id()),
            Some(&app.admin),
        )
        .await;
    assert!(read_back.body.get("client_secret").is_none());
}

#[actix_web::test]
async fn a_token_signed_with_the_previous_key_survives_rotation() {
    let first = crate::helpers::test_config();
    let database_url = first.database_url.clone();
    let app = TestApp::spawn_with(first).await;
    let old_token = app.admin.clone();
    let mut rotated = crate::helpers::test_config();
    rotated.database_url = database_url;
    rotated.jwt_secret = Some("the-next-secret".into());
    rotated.jwt_previous_secret = Some(JWT_SECRET.into());
    let next = TestApp::spawn_with(rotated).await;
    assert_eq!(me_status(&next, &old_token).await, 200);
}
