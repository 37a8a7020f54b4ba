//! Access control as one table: every role against every kind of resource and
//! action, and the token attacks not covered in `auth.rs`.

use jsonwebtoken::{encode, EncodingKey, Header};
use serde_json::{json, Value};

use crate::helpers::{district, TestApp, JWT_SECRET};

const ROLES: [&str; 5] = ["admin", "organiser", "viewer", "auditor", "sync"];

/// What a role may do, as SPEC section 4 states it.
fn may(role: &str, action: &str) -> bool {
    match action {
        "read" => true,
        "write" => matches!(role, "admin" | "organiser"),
        "audit" => matches!(role, "admin" | "auditor"),
        "sync" => matches!(role, "admin" | "sync"),
        "import" => matches!(role, "admin" | "organiser" | "sync"),
        "accounts" => role == "admin",
        other => panic!("unknown action {other}"),
    }
}

/// A resource of the matrix: its collection and a valid create body.
struct Resource {
    path: &'static str,
    create: Value,
    patch: Value,
}

fn resources(cell: &str, commune: &str) -> Vec<Resource> {
    let person = json!({"full_name": "Lò Văn Minh", "gender": "male", "date_of_birth": "1985-03-04", "ethnicity": "thai"});
    vec![
        Resource {
            path: "/api/v1/localities",
            create: json!({"code": "{code}", "name": "Tỉnh", "kind": "province"}),
            patch: json!({"name": "Tỉnh mới"}),
        },
        Resource {
            path: "/api/v1/organisations",
            create: json!({"code": "{code}", "name": "Đảng bộ", "kind": "provincial_committee"}),
            patch: json!({"name": "Đảng bộ mới"}),
        },
        Resource {
            path: "/api/v1/people",
            create: person.clone(),
            patch: json!({"phone": "0912345678"}),
        },
        Resource {
            path: "/api/v1/members",
            create: json!({"person": person, "organisation_id": cell, "admitted_on": "2016-01-10"}),
            patch: json!({"member_number": "{code}"}),
        },
        Resource {
            path: "/api/v1/training-classes",
            create: json!({"code": "{code}", "title": "Lớp", "kind": "new_member", "organiser_organisation_id": commune,
                           "starts_on": "2016-06-01", "capacity": 10}),
            patch: json!({"capacity": 20}),
        },
    ]
}

/// Replaces `{code}` placeholders so each create is unique.
fn fill(template: &Value, code: &str) -> Value {
    serde_json::from_str(&template.to_string().replace("{code}", code)).expect("json")
}

async fn total(app: &TestApp, path: &str) -> i64 {
    let reply = app
        .get(&format!("{path}?count=true&limit=1"), Some(&app.admin))
        .await;
    reply.body["total"].as_i64().expect("total")
}

#[actix_web::test]
async fn every_role_gets_exactly_its_rights_on_every_resource_and_action() {
    let app = TestApp::spawn().await;
    let d = district(&app).await;
    let mut tokens = Vec::new();
    for role in ROLES {
        let token = if role == "admin" {
            app.admin.clone()
        } else if role == "sync" {
            app.sync_token(None).await
        } else {
            app.user(&format!("matrix.{role}"), role, None).await
        };
        tokens.push((role, token));
    }
    let mut serial = 0;
    for resource in resources(&d.cell, &d.commune) {
        for (role, token) in &tokens {
            let cell = |action: &str| format!("{role} {action} {}", resource.path);
            serial += 1;
            let code = format!("M{serial}");
            // A record to act on, made by the admin.
            let target = app
                .post(
                    resource.path,
                    Some(&app.admin),
                    fill(&resource.create, &format!("{code}A")),
                )
                .await;
            assert_eq!(target.status, 201, "{}: {}", resource.path, target.text);
            let item = format!("{}/{}", resource.path, target.id());

            let listed = app.get(resource.path, Some(token)).await;
            assert_eq!(listed.status, 200, "{}: {}", cell("list"), listed.text);
            let read = app.get(&item, Some(token)).await;
            assert_eq!(read.status, 200, "{}: {}", cell("read"), read.text);
            if resource.path == "/api/v1/people" {
                // Law 91/2025/QH15: viewers and auditors never get these fields.
                let personal = matches!(*role, "admin" | "organiser" | "sync");
                for field in ["date_of_birth", "ethnicity"] {
                    let shown = read.body.get(field).is_some_and(|v| !v.is_null());
                    assert_eq!(shown, personal, "{} {field}: {}", cell("read"), read.text);
                }
            }

            let allowed = may(role, "write");
            let before = total(&app, resource.path).await;
            let created = app
                .post(
                    resource.path,
                    Some(token),
                    fill(&resource.create, &format!("{code}B")),
                )
                .await;
            let patched = app
                .patch(
                    &item,
                    Some(token),
                    fill(&resource.patch, &format!("{code}C")),
                )
                .await;
            let after_patch = app.get(&item, Some(&app.admin)).await;
            let deleted = app.delete(&item, Some(token)).await;
            let after_delete = app.get(&item, Some(&app.admin)).await;
            if allowed {
                assert_eq!(created.status, 201, "{}: {}", cell("create"), created.text);
                assert_eq!(patched.status, 200, "{}: {}", cell("update"), patched.text);
                assert_eq!(deleted.status, 204, "{}: {}", cell("delete"), deleted.text);
                assert_eq!(after_delete.status, 404);
            } else {
                for (action, reply) in [
                    ("create", &created),
                    ("update", &patched),
                    ("delete", &deleted),
                ] {
                    assert_eq!(reply.status, 403, "{}: {}", cell(action), reply.text);
                    assert_eq!(reply.body["code"], "forbidden", "{}", cell(action));
                }
                assert_eq!(
                    total(&app, resource.path).await,
                    before,
                    "{}",
                    cell("create")
                );
                assert_eq!(after_patch.body["version"], 1, "{}", cell("update"));
                assert_eq!(after_delete.status, 200, "{}", cell("delete"));
            }
        }
    }

    // Endpoints with rights of their own.
    let user = app
        .post(
            "/api/v1/users",
            Some(&app.admin),
            json!({"username": "someone", "password": "user-password", "role": "viewer"}),
        )
        .await;
    assert_eq!(user.status, 201, "{}", user.text);
    let ndjson =
        r#"{"type":"organisation","code":"IMP{n}","name":"Nhập","kind":"provincial_committee"}"#;
    for (n, (role, token)) in tokens.iter().enumerate() {
        let gets = [
            ("audit", "/api/v1/audit-events".to_owned()),
            ("sync", "/api/v1/changes".to_owned()),
            ("sync", "/api/v1/exports/organisation".to_owned()),
            ("accounts", "/api/v1/users".to_owned()),
            ("accounts", format!("/api/v1/users/{}", user.id())),
            ("accounts", "/api/v1/clients".to_owned()),
            (
                "read",
                format!(
                    "/api/v1/reports/annual?year=2016&organisation_id={}",
                    d.district
                ),
            ),
            (
                "read",
                format!(
                    "/api/v1/reports/villages?year=2016&organisation_id={}",
                    d.district
                ),
            ),
            (
                "read",
                format!(
                    "/api/v1/reports/data-quality?organisation_id={}",
                    d.district
                ),
            ),
            ("read", "/api/v1/worklists/recognition-due".to_owned()),
        ];
        for (right, path) in gets {
            let reply = app.get(&path, Some(token)).await;
            let expected = if may(role, right) { 200 } else { 403 };
            assert_eq!(reply.status, expected, "{role} GET {path}: {}", reply.text);
        }
        let request = app
            .request("POST", "/api/v1/imports", Some(token))
            .insert_header(("Content-Type", "application/x-ndjson"));
        let reply = app
            .send_raw(request, ndjson.replace("{n}", &n.to_string()))
            .await;
        let expected = if may(role, "import") { 200 } else { 403 };
        assert_eq!(reply.status, expected, "{role} import: {}", reply.text);
        let reply = app
            .post("/api/v1/users", Some(token), json!({"username": format!("new{n}"), "password": "user-password", "role": "viewer"}))
            .await;
        let expected = if may(role, "accounts") { 201 } else { 403 };
        assert_eq!(reply.status, expected, "{role} create user: {}", reply.text);
    }
}

fn kid() -> String {
    use sha2::Digest;
    hex::encode(&sha2::Sha256::digest(JWT_SECRET.as_bytes())[..8])
}

#[actix_web::test]
async fn a_token_signed_with_another_hmac_algorithm_and_the_right_key_is_refused() {
    let app = TestApp::spawn().await;
    let me = app.get("/api/v1/me", Some(&app.admin)).await;
    let now = chrono::Utc::now().timestamp();
    let claims = json!({"sub": format!("user:{}", me.body["id"].as_str().expect("id")), "role": "admin", "scope": null,
                        "iat": now, "nbf": now, "exp": now + 600, "iss": "party-registry", "aud": "party-registry-api"});
    let signed = |algorithm| {
        let mut header = Header::new(algorithm);
        header.kid = Some(kid());
        encode(
            &header,
            &claims,
            &EncodingKey::from_secret(JWT_SECRET.as_bytes()),
        )
        .expect("sign")
    };
    for algorithm in [
        jsonwebtoken::Algorithm::HS384,
        jsonwebtoken::Algorithm::HS512,
    ] {
        let reply = app.get("/api/v1/me", Some(&signed(algorithm))).await;
        assert_eq!(reply.status, 401, "{algorithm:?}: {}", reply.text);
    }
    // The same claims under the pinned algorithm do work: only the algorithm differs.
    let pinned = signed(jsonwebtoken::Algorithm::HS256);
    assert_eq!(app.get("/api/v1/me", Some(&pinned)).await.status, 200);
}

#[actix_web::test]
async fn a_deleted_users_token_stops_working_at_once() {
    let app = TestApp::spawn().await;
    let token = app.user("leaving", "organiser", None).await;
    let me = app.get("/api/v1/me", Some(&token)).await;
    assert_eq!(me.status, 200, "{}", me.text);
    let id = me.body["id"].as_str().expect("id");
    let deleted = app
        .delete(&format!("/api/v1/users/{id}"), Some(&app.admin))
        .await;
    assert_eq!(deleted.status, 204, "{}", deleted.text);
    let reply = app.get("/api/v1/me", Some(&token)).await;
    assert_eq!(reply.status, 401, "{}", reply.text);
    assert_eq!(reply.body["code"], "unauthenticated", "{}", reply.text);
    let write = app
        .post(
            "/api/v1/organisations",
            Some(&token),
            json!({"code": "X", "name": "X", "kind": "provincial_committee"}),
        )
        .await;
    assert_eq!(write.status, 401);
}

/// Strings that break a query built by string concatenation, and LIKE
/// wildcards that would match everything if passed through unescaped.
/// `d_ng` and `d%ng` would match "Đảng viên …" if `_` and `%` reached LIKE
/// as wildcards.
const HOSTILE: [&str; 10] = [
    "' OR '1'='1",
    "x'; DROP TABLE members; --",
    "\" OR 1=1 --",
    "%",
    "_",
    "d_ng",
    "d%ng",
    "%' OR 'a' LIKE '%",
    "\\",
    "1) UNION SELECT password_hash FROM users --",
];

/// Every string query parameter of every list in the committed document.
fn string_filters() -> Vec<(String, String)> {
    let document: Value =
        serde_json::from_str(include_str!("../../openapi/openapi.json")).expect("document");
    let mut filters = Vec::new();
    for (path, item) in document["paths"].as_object().expect("paths") {
        let Some(get) = item.get("get") else { continue };
        if path.contains('{') && !path.ends_with("{type}") {
            continue;
        }
        let path = path.replace("{type}", "member");
        for parameter in get["parameters"].as_array().into_iter().flatten() {
            let plain_string = parameter["schema"]["type"] == "string"
                && parameter["schema"].get("format").is_none();
            if parameter["in"] == "query" && plain_string && parameter["name"] != "cursor" {
                let name = parameter["name"].as_str().expect("name").to_owned();
                filters.push((path.clone(), name));
            }
        }
    }
    filters
}

#[actix_web::test]
async fn injection_strings_and_wildcards_in_every_filter_are_harmless() {
    let app = TestApp::spawn().await;
    let d = district(&app).await;
    app.member(&d.cell, "2010-01-10", Some("2011-01-10")).await;
    let filters = string_filters();
    assert!(filters.len() > 30, "the document lists the filters");
    for (path, name) in &filters {
        for hostile in HOSTILE {
            let encoded: String = hostile.bytes().map(|b| format!("%{b:02X}")).collect();
            let url = format!("{path}?{name}={encoded}");
            let reply = app.get(&url, Some(&app.admin)).await;
            assert!(
                [200, 400, 404].contains(&reply.status),
                "GET {url}: {} {}",
                reply.status,
                reply.text
            );
            if reply.status == 200 && name == "q" {
                let items = reply.body["items"].as_array().expect("items").len();
                if hostile.chars().any(char::is_alphanumeric) {
                    assert_eq!(items, 0, "GET {url} matched {}", reply.text);
                } else {
                    // Search folds punctuation away: no word left, no filter.
                    let all = app.get(path, Some(&app.admin)).await;
                    let all = all.body["items"].as_array().expect("items").len();
                    assert_eq!(items, all, "GET {url}");
                }
            }
        }
    }
    // Everything is still there.
    let organisations = app
        .get("/api/v1/organisations?count=true", Some(&app.admin))
        .await;
    assert_eq!(organisations.body["total"], 5);
    let members = app
        .get("/api/v1/members?count=true", Some(&app.admin))
        .await;
    assert_eq!(members.body["total"], 1);
}

#[actix_web::test]
async fn a_scoped_sync_client_exports_and_follows_only_its_subtree() {
    let app = TestApp::spawn().await;
    let d = district(&app).await;
    let inside = app.member(&d.cell, "2010-01-10", Some("2011-01-10")).await;
    let outside = app
        .member(&d.other_cell, "2010-01-10", Some("2011-01-10"))
        .await;
    let sync = app.sync_token(Some(&d.commune)).await;

    let export = app.get("/api/v1/exports/member", Some(&sync)).await;
    assert_eq!(export.status, 200, "{}", export.text);
    assert!(export.text.contains(&inside), "{}", export.text);
    assert!(
        !export.text.contains(&outside),
        "an export leaked another subtree"
    );

    let feed = app.get("/api/v1/changes?limit=500", Some(&sync)).await;
    assert_eq!(feed.status, 200, "{}", feed.text);
    assert!(feed.text.contains(&inside));
    assert!(
        !feed.text.contains(&outside),
        "the feed leaked another subtree"
    );
    assert!(!feed.text.contains(&d.other_cell));

    for path in [
        format!(
            "/api/v1/reports/annual?year=2016&organisation_id={}",
            d.other_cell
        ),
        format!(
            "/api/v1/reports/villages?year=2016&organisation_id={}",
            d.other_cell
        ),
        format!(
            "/api/v1/reports/data-quality?organisation_id={}",
            d.other_cell
        ),
        format!("/api/v1/members/{outside}"),
        format!("/api/v1/members/{outside}/events"),
        format!("/api/v1/organisations/{}/tree", d.other_cell),
    ] {
        let reply = app.get(&path, Some(&sync)).await;
        assert_eq!(reply.status, 404, "GET {path}: {}", reply.text);
    }
}
