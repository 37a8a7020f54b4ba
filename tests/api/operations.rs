use crate::helpers::TestApp;

#[actix_web::test]
async fn healthz_answers_without_a_token() {
    let app = TestApp::spawn().await;
    let reply = app.get("/healthz", None).await;
    assert_eq!(reply.status, 200);
    assert_eq!(reply.body["status"], "ok");
}

#[actix_web::test]
async fn readyz_reports_the_database_ready() {
    let app = TestApp::spawn().await;
    let reply = app.get("/readyz", None).await;
    assert_eq!(reply.status, 200, "{}", reply.text);
}

#[actix_web::test]
async fn metrics_are_prometheus_text() {
    let app = TestApp::spawn().await;
    app.get("/healthz", None).await;
    let reply = app.get("/metrics", None).await;
    assert_eq!(reply.status, 200);
    assert!(reply
        .text
        .contains("http_requests_total{status_class=\"2xx\"}"));
    assert!(reply.text.contains("db_pool_connections"));
}

#[actix_web::test]
async fn the_docs_page_and_spec_are_served() {
    let app = TestApp::spawn().await;
    assert_eq!(app.get("/docs/", None).await.status, 200);
    let spec = app.get("/openapi.json", None).await;
    assert_eq!(spec.status, 200);
    assert_eq!(spec.body["openapi"], "3.1.0");
}

#[actix_web::test]
async fn vocabularies_list_the_54_ethnic_groups() {
    let app = TestApp::spawn().await;
    let reply = app.get("/api/v1/vocabularies", Some(&app.admin)).await;
    assert_eq!(reply.status, 200);
    assert_eq!(reply.body["ethnicities"].as_array().map(Vec::len), Some(54));
    assert_eq!(
        reply.body["organisation_kinds"][0]["code"],
        "provincial_committee"
    );
}
