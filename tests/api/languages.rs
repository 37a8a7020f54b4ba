//! Problem texts follow `Accept-Language` (Vietnamese or English); codes never change.

use serde_json::json;

use crate::helpers::{district, Reply, TestApp};

async fn get_in(app: &TestApp, path: &str, token: Option<&str>, lang: Option<&str>) -> Reply {
    let mut request = app.request("GET", path, token);
    if let Some(lang) = lang {
        request = request.insert_header(("Accept-Language", lang));
    }
    app.send(request, None).await
}

async fn post_in(app: &TestApp, path: &str, lang: &str, body: serde_json::Value) -> Reply {
    let request = app
        .request("POST", path, Some(&app.admin))
        .insert_header(("Accept-Language", lang));
    app.send(request, Some(body)).await
}

#[actix_web::test]
async fn a_not_found_problem_is_in_vietnamese_when_asked() {
    let app = TestApp::spawn().await;
    let path = "/api/v1/organisations/0193a5c2-7b4e-7c1a-9f00-3b1e2d4c5c01";
    let vi = get_in(
        &app,
        path,
        Some(&app.admin),
        Some("vi-VN,vi;q=0.9,en;q=0.8"),
    )
    .await;
    assert_eq!(vi.status, 404);
    assert_eq!(vi.body["code"], "not_found");
    assert_eq!(vi.body["title"], "Không tìm thấy");
    assert_eq!(
        vi.body["detail"],
        "Không có bản ghi này, hoặc bản ghi nằm ngoài phạm vi của bạn."
    );
    assert_eq!(vi.header("content-language").as_deref(), Some("vi"));
}

#[actix_web::test]
async fn problems_are_in_english_by_default_and_for_other_languages() {
    let app = TestApp::spawn().await;
    for lang in [None, Some("fr"), Some("en-GB")] {
        let reply = get_in(&app, "/api/v1/organisations", None, lang).await;
        assert_eq!(reply.status, 401);
        assert_eq!(reply.body["code"], "unauthenticated");
        assert_eq!(reply.body["title"], "Authentication required");
        assert_eq!(reply.header("content-language").as_deref(), Some("en"));
    }
}

#[actix_web::test]
async fn field_messages_with_parameters_are_translated_with_the_same_codes() {
    let app = TestApp::spawn().await;
    let path = "/api/v1/organisations?limit=9999";
    let vi = get_in(&app, path, Some(&app.admin), Some("vi")).await;
    let en = get_in(&app, path, Some(&app.admin), Some("en")).await;
    assert_eq!(vi.status, 400);
    assert_eq!(vi.body["code"], en.body["code"]);
    assert_eq!(vi.body["errors"][0]["code"], "out_of_range");
    assert_eq!(en.body["errors"][0]["code"], "out_of_range");
    assert_eq!(
        vi.body["errors"][0]["message"],
        "limit phải nằm trong khoảng từ 1 đến 500"
    );
    assert_eq!(
        en.body["errors"][0]["message"],
        "limit must be between 1 and 500"
    );
    assert_eq!(vi.body["detail"], vi.body["errors"][0]["message"]);
}

#[actix_web::test]
async fn a_broken_party_rule_is_explained_in_vietnamese() {
    let app = TestApp::spawn().await;
    let d = district(&app).await;
    let member = app.member(&d.cell, "2016-03-15", None).await;
    let path = format!("/api/v1/members/{member}/recognition");
    let body = json!({"decided_on": "2016-09-01", "decision_number": "12-QĐ/HU"});
    let vi = post_in(&app, &path, "vi", body.clone()).await;
    assert_eq!(vi.status, 422, "{}", vi.text);
    assert_eq!(vi.body["code"], "probation_not_over");
    assert_eq!(vi.body["title"], "Vi phạm quy định");
    assert_eq!(
        vi.body["detail"],
        "thời gian dự bị 12 tháng kết thúc vào ngày 2017-03-15"
    );
    let en = post_in(&app, &path, "en", body).await;
    assert_eq!(en.body["code"], "probation_not_over");
    assert_eq!(
        en.body["detail"],
        "the 12-month probation ends on 2017-03-15"
    );
}

#[actix_web::test]
async fn a_duplicate_code_names_the_code_in_either_language() {
    let app = TestApp::spawn().await;
    app.organisation("DB", "provincial_committee", None).await;
    let body = json!({"code": "DB", "name": "Đảng bộ tỉnh", "kind": "provincial_committee"});
    let vi = post_in(&app, "/api/v1/organisations", "vi", body).await;
    assert_eq!(vi.status, 409);
    assert_eq!(vi.body["code"], "duplicate_code");
    assert_eq!(vi.body["title"], "Xung đột");
    assert_eq!(vi.body["detail"], "đã có tổ chức đảng mang mã DB");
}

#[actix_web::test]
async fn serde_body_errors_are_localised_by_field() {
    let app = TestApp::spawn().await;
    let body = json!({"code": "X", "name": "X", "kind": "provincial_committee", "nmae": "typo"});
    let vi = post_in(&app, "/api/v1/organisations", "vi", body).await;
    assert_eq!(vi.status, 400);
    assert_eq!(vi.body["errors"][0]["code"], "unknown_field");
    assert_eq!(vi.body["errors"][0]["field"], "nmae");
    assert_eq!(
        vi.body["errors"][0]["message"],
        "trường không được chấp nhận: nmae"
    );
}

#[actix_web::test]
async fn import_line_errors_are_in_the_language_asked_for() {
    let app = TestApp::spawn().await;
    let request = app
        .request("POST", "/api/v1/imports", Some(&app.admin))
        .insert_header(("Content-Type", "application/x-ndjson"))
        .insert_header(("Accept-Language", "vi"));
    let body = "{\"type\":\"award\",\"year\":2016}\nnot json\n".to_owned();
    let reply = app.send_raw(request, body).await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    let first = &reply.body["results"][0]["errors"][0];
    assert_eq!(first["code"], "type_not_importable");
    assert!(
        first["message"]
            .as_str()
            .is_some_and(|m| m.starts_with("bản ghi loại award không có mã định danh")),
        "{first}"
    );
    let second = &reply.body["results"][1]["errors"][0];
    assert_eq!(second["code"], "malformed_line");
    assert!(
        second["message"]
            .as_str()
            .is_some_and(|m| m.starts_with("dòng không phải JSON hợp lệ")),
        "{second}"
    );
}
