use serde_json::json;

use crate::helpers::TestApp;

#[actix_web::test]
async fn a_safe_client_request_id_is_echoed_and_lands_in_problems() {
    let app = TestApp::spawn().await;
    let request = app
        .request("GET", "/api/v1/organisations/unknown", Some(&app.admin))
        .insert_header(("X-Request-Id", "trace-42.a_b"));
    let reply = app.send(request, None).await;
    assert_eq!(reply.status, 404);
    assert_eq!(
        reply.header("x-request-id").as_deref(),
        Some("trace-42.a_b")
    );
    assert_eq!(reply.body["request_id"], "trace-42.a_b");
    assert_eq!(
        reply.header("content-type").as_deref(),
        Some("application/problem+json")
    );
}

#[actix_web::test]
async fn an_unsafe_request_id_is_replaced() {
    let app = TestApp::spawn().await;
    let request = app
        .request("GET", "/healthz", None)
        .insert_header(("X-Request-Id", "bad id with spaces"));
    let reply = app.send(request, None).await;
    let id = reply.header("x-request-id").expect("id");
    assert_ne!(id, "bad id with spaces");
    assert!(!id.is_empty());
}

#[actix_web::test]
async fn unknown_routes_are_problem_404s() {
    let app = TestApp::spawn().await;
    let reply = app.get("/api/v1/nothing-here", None).await;
    assert_eq!(reply.status, 404);
    assert_eq!(reply.body["code"], "not_found");
}

#[actix_web::test]
async fn malformed_json_is_a_400_problem_and_creates_nothing() {
    let app = TestApp::spawn().await;
    let request = app
        .request("POST", "/api/v1/organisations", Some(&app.admin))
        .insert_header(("Content-Type", "application/json"));
    let reply = app.send_raw(request, "{\"code\": ".to_owned()).await;
    assert_eq!(reply.status, 400);
    assert_eq!(reply.body["status"], 400);
    let list = app
        .get("/api/v1/organisations?count=true", Some(&app.admin))
        .await;
    assert_eq!(list.body["total"], 0);
}

#[actix_web::test]
async fn an_unknown_field_is_refused_by_name() {
    let app = TestApp::spawn().await;
    let reply = app
        .post(
            "/api/v1/organisations",
            Some(&app.admin),
            json!({"code": "X", "nmae": "typo", "kind": "provincial_committee"}),
        )
        .await;
    assert_eq!(reply.status, 400);
    assert_eq!(reply.body["errors"][0]["field"], "nmae");
    assert_eq!(reply.body["errors"][0]["code"], "unknown_field");
}

#[actix_web::test]
async fn a_wrong_content_type_is_415() {
    let app = TestApp::spawn().await;
    let request = app
        .request("POST", "/api/v1/organisations", Some(&app.admin))
        .insert_header(("Content-Type", "text/plain"));
    let reply = app.send_raw(request, "{}".to_owned()).await;
    assert_eq!(reply.status, 415);
    assert_eq!(reply.body["code"], "unsupported_media_type");
}

#[actix_web::test]
async fn a_body_over_the_limit_is_413() {
    let app = TestApp::spawn().await;
    let huge = "x".repeat(100 * 1024);
    let reply = app
        .post(
            "/api/v1/organisations",
            Some(&app.admin),
            json!({"code": "X", "name": huge, "kind": "provincial_committee"}),
        )
        .await;
    assert_eq!(reply.status, 413);
    assert_eq!(reply.body["code"], "payload_too_large");
}

#[actix_web::test]
async fn a_bad_query_parameter_is_400() {
    let app = TestApp::spawn().await;
    let reply = app
        .get("/api/v1/organisations?limit=abc", Some(&app.admin))
        .await;
    assert_eq!(reply.status, 400);
    let reply = app
        .get(
            "/api/v1/organisations?active_on=yesterday",
            Some(&app.admin),
        )
        .await;
    assert_eq!(reply.status, 400);
}

#[actix_web::test]
async fn cors_is_closed_by_default_and_opens_for_configured_origins() {
    let app = TestApp::spawn().await;
    let request = app
        .request("OPTIONS", "/api/v1/organisations", None)
        .insert_header(("Origin", "https://front.example"))
        .insert_header(("Access-Control-Request-Method", "GET"));
    let reply = app.send(request, None).await;
    assert!(reply.header("access-control-allow-origin").is_none());

    let mut config = crate::helpers::test_config();
    config.cors_allowed_origins = vec!["https://front.example".into()];
    let open = TestApp::spawn_with(config).await;
    let request = open
        .request("OPTIONS", "/api/v1/organisations", None)
        .insert_header(("Origin", "https://front.example"))
        .insert_header(("Access-Control-Request-Method", "GET"));
    let reply = open.send(request, None).await;
    assert_eq!(
        reply.header("access-control-allow-origin").as_deref(),
        Some("https://front.example")
    );
}

#[actix_web::test]
async fn a_retried_post_with_the_same_idempotency_key_creates_nothing_new() {
    let app = TestApp::spawn().await;
    let body = json!({"code": "DB", "name": "Điện Biên", "kind": "provincial_committee"});
    let first = app
        .send(
            app.request("POST", "/api/v1/organisations", Some(&app.admin))
                .insert_header(("Idempotency-Key", "k-1")),
            Some(body.clone()),
        )
        .await;
    assert_eq!(first.status, 201, "{}", first.text);
    let again = app
        .send(
            app.request("POST", "/api/v1/organisations", Some(&app.admin))
                .insert_header(("Idempotency-Key", "k-1")),
            Some(body),
        )
        .await;
    assert_eq!(again.status, 201);
    assert_eq!(again.id(), first.id());
    assert_eq!(again.header("location"), first.header("location"));
    assert_eq!(again.header("idempotent-replayed").as_deref(), Some("true"));
    let count = app
        .get("/api/v1/organisations?count=true", Some(&app.admin))
        .await;
    assert_eq!(count.body["total"], 1);
}

#[actix_web::test]
async fn the_same_idempotency_key_with_another_body_is_422() {
    let app = TestApp::spawn().await;
    let request = |code: &str| {
        (
            app.request("POST", "/api/v1/organisations", Some(&app.admin))
                .insert_header(("Idempotency-Key", "k-2")),
            json!({"code": code, "name": "x", "kind": "provincial_committee"}),
        )
    };
    let (r, b) = request("A");
    assert_eq!(app.send(r, Some(b)).await.status, 201);
    let (r, b) = request("B");
    let reply = app.send(r, Some(b)).await;
    assert_eq!(reply.status, 422);
    assert_eq!(reply.body["code"], "idempotency_key_reused");
}

#[actix_web::test]
async fn idempotency_keys_are_kept_per_caller() {
    let app = TestApp::spawn().await;
    let other_admin = app.user("admin2", "admin", None).await;
    let body = json!({"code": "A", "name": "x", "kind": "provincial_committee"});
    let first = app
        .send(
            app.request("POST", "/api/v1/organisations", Some(&app.admin))
                .insert_header(("Idempotency-Key", "shared")),
            Some(body),
        )
        .await;
    assert_eq!(first.status, 201);
    let body = json!({"code": "B", "name": "x", "kind": "provincial_committee"});
    let second = app
        .send(
            app.request("POST", "/api/v1/organisations", Some(&other_admin))
                .insert_header(("Idempotency-Key", "shared")),
            Some(body),
        )
        .await;
    assert_eq!(second.status, 201, "{}", second.text);
    assert_ne!(second.id(), first.id());
}
