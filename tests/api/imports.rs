use serde_json::json;

use crate::helpers::TestApp;

const TREE: &str = concat!(
    r#"{"type":"organisation","code":"DB","name":"Đảng bộ tỉnh Điện Biên","kind":"provincial_committee"}"#,
    "\n",
    r#"{"type":"organisation","code":"DB-MA","name":"Đảng bộ huyện Mường Ảng","kind":"district_committee","parent_code":"DB"}"#,
    "\n",
    r#"{"type":"locality","code":"L-DB","name":"Tỉnh Điện Biên","kind":"province"}"#,
    "\n",
);

async fn import(
    app: &TestApp,
    body: &str,
    query: &str,
    content_type: &str,
) -> crate::helpers::Reply {
    let request = app
        .request("POST", &format!("/api/v1/imports{query}"), Some(&app.admin))
        .insert_header(("Content-Type", content_type));
    app.send_raw(request, body.to_owned()).await
}

#[actix_web::test]
async fn an_import_creates_then_resending_it_changes_nothing() {
    let app = TestApp::spawn().await;
    let first = import(&app, TREE, "", "application/x-ndjson").await;
    assert_eq!(first.status, 200, "{}", first.text);
    assert_eq!(first.body["created"], 3);
    let district = first.body["results"][1]["id"]
        .as_str()
        .expect("id")
        .to_owned();
    let again = import(&app, TREE, "", "application/x-ndjson").await;
    assert_eq!(again.body["unchanged"], 3, "{}", again.text);
    let read = app
        .get(
            &format!("/api/v1/organisations/{district}"),
            Some(&app.admin),
        )
        .await;
    assert_eq!(read.body["version"], 1);
    assert_eq!(read.body["parent_id"], first.body["results"][0]["id"]);
    let renamed = TREE.replace("Đảng bộ huyện Mường Ảng", "Đảng bộ xã Mường Ảng (cũ)");
    let third = import(&app, &renamed, "", "application/x-ndjson").await;
    assert_eq!(third.body["updated"], 1);
    assert_eq!(third.body["unchanged"], 2);
}

#[actix_web::test]
async fn a_broken_line_is_reported_and_changes_nothing() {
    let app = TestApp::spawn().await;
    let body = format!(
        "{TREE}{}\n{}\n",
        r#"{"type":"organisation","code":"BAD","name":"x","kind":"subordinate_cell","parent_code":"DB"}"#,
        "not json"
    );
    let reply = import(&app, &body, "", "application/x-ndjson").await;
    assert_eq!(reply.status, 200);
    assert_eq!(reply.body["created"], 3);
    assert_eq!(reply.body["errors"], 2);
    assert_eq!(
        reply.body["results"][3]["errors"][0]["code"],
        "parent_kind_not_allowed"
    );
    assert_eq!(
        app.get("/api/v1/organisations?q=BAD&count=true", Some(&app.admin))
            .await
            .body["total"],
        0
    );
}

#[actix_web::test]
async fn an_atomic_import_with_a_broken_line_writes_nothing() {
    let app = TestApp::spawn().await;
    let body = format!(
        "{TREE}{}\n",
        r#"{"type":"organisation","code":"BAD","name":"x","kind":"subordinate_cell","parent_code":"NOPE"}"#
    );
    let reply = import(&app, &body, "?atomic=true", "application/x-ndjson").await;
    assert_eq!(reply.status, 422, "{}", reply.text);
    assert_eq!(reply.body["code"], "import_failed");
    assert_eq!(
        app.get("/api/v1/organisations?count=true", Some(&app.admin))
            .await
            .body["total"],
        0
    );
}

#[actix_web::test]
async fn a_csv_import_names_its_type() {
    let app = TestApp::spawn().await;
    let csv = "code,name,kind\nDB,\"Đảng bộ tỉnh, Điện Biên\",provincial_committee\n";
    assert_eq!(import(&app, csv, "", "text/csv").await.status, 400);
    let reply = import(&app, csv, "?type=organisation", "text/csv").await;
    assert_eq!(reply.body["created"], 1, "{}", reply.text);
    let list = app.get("/api/v1/organisations", Some(&app.admin)).await;
    assert_eq!(list.body["items"][0]["name"], "Đảng bộ tỉnh, Điện Biên");
}

#[actix_web::test]
async fn imports_obey_scope_and_roles() {
    let app = TestApp::spawn().await;
    import(&app, TREE, "", "application/x-ndjson").await;
    let other = app
        .organisation("OTHER", "provincial_committee", None)
        .await;
    let district = app
        .get("/api/v1/organisations?q=DB-MA", Some(&app.admin))
        .await
        .body["items"][0]["id"]
        .as_str()
        .expect("id")
        .to_owned();
    let scoped = app.user("scoped", "organiser", Some(&district)).await;
    let request = app
        .request("POST", "/api/v1/imports", Some(&scoped))
        .insert_header(("Content-Type", "application/x-ndjson"));
    let body = r#"{"type":"organisation","code":"SNEAK","name":"x","kind":"district_committee","parent_code":"OTHER"}"#;
    let reply = app.send_raw(request, body.to_owned()).await;
    assert_eq!(
        reply.body["results"][0]["errors"][0]["code"], "reference_not_found",
        "{}",
        reply.text
    );
    let _ = other;
    let viewer = app.user("viewer", "viewer", None).await;
    let request = app
        .request("POST", "/api/v1/imports", Some(&viewer))
        .insert_header(("Content-Type", "application/x-ndjson"));
    assert_eq!(app.send_raw(request, TREE.to_owned()).await.status, 403);
    let _ = json!(null);
}

#[actix_web::test]
async fn an_exported_file_imports_back_unchanged() {
    let app = TestApp::spawn().await;
    import(&app, TREE, "", "application/x-ndjson").await;
    let token = app.sync_token(None).await;
    let export = app.get("/api/v1/exports/organisation", Some(&token)).await;
    let lines: String = export
        .text
        .lines()
        .map(|l| {
            let mut v: serde_json::Value = serde_json::from_str(l).expect("json");
            v["type"] = json!("organisation");
            format!("{v}\n")
        })
        .collect();
    let reply = import(&app, &lines, "", "application/x-ndjson").await;
    assert_eq!(reply.body["unchanged"], 2, "{}", reply.text);
}
