//! Spawns the real application on port 0 against a fresh database — a SQLite
//! file, or a fresh schema of the PostgreSQL named by `TEST_DATABASE_URL` —
//! and talks to it over real HTTP.

use std::sync::atomic::{AtomicU32, Ordering};

use awc::http::header::HeaderMap;
use diesel::connection::SimpleConnection;
use diesel::Connection;
use party_registry::{Application, Config};
use serde_json::{json, Value};

pub const ADMIN_PASSWORD: &str = "admin-password";
pub const JWT_SECRET: &str = "test-signing-secret";

/// A running app and an admin token.
pub struct TestApp {
    pub base: String,
    pub admin: String,
    client: awc::Client,
}

/// A response, read whole.
pub struct Reply {
    pub status: u16,
    pub headers: HeaderMap,
    pub body: Value,
    pub text: String,
}

impl Reply {
    pub fn header(&self, name: &str) -> Option<String> {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    }

    pub fn id(&self) -> String {
        self.body["id"].as_str().expect("id in body").to_owned()
    }
}

static COUNTER: AtomicU32 = AtomicU32::new(0);

/// A database URL of its own for one test.
pub fn fresh_database() -> String {
    let unique = format!(
        "t{}_{}_{}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed),
        uuid::Uuid::new_v4().simple()
    );
    match std::env::var("TEST_DATABASE_URL") {
        Ok(base) if !base.is_empty() => {
            let mut conn =
                diesel::PgConnection::establish(&base).expect("connect to TEST_DATABASE_URL");
            conn.batch_execute(&format!("CREATE SCHEMA {unique}"))
                .expect("create schema");
            let separator = if base.contains('?') { '&' } else { '?' };
            format!("{base}{separator}options=-csearch_path%3D{unique}")
        }
        _ => {
            let dir = std::env::temp_dir().join("party-registry-tests");
            std::fs::create_dir_all(&dir).expect("temp dir");
            format!("sqlite://{}", dir.join(format!("{unique}.db")).display())
        }
    }
}

/// Whether this run's tests talk to PostgreSQL (`TEST_DATABASE_URL`).
pub fn on_postgres() -> bool {
    std::env::var("TEST_DATABASE_URL").is_ok_and(|url| !url.is_empty())
}

/// The value of `name` in a /metrics text, if it is there.
pub fn metric(text: &str, name: &str) -> Option<u64> {
    text.lines()
        .find_map(|line| line.strip_prefix(name)?.strip_prefix(' ')?.parse().ok())
}

/// The configuration every test app starts from.
pub fn test_config() -> Config {
    let mut config = Config::for_database(&fresh_database());
    config.bootstrap_admin_password = Some(ADMIN_PASSWORD.to_owned());
    config.jwt_secret = Some(JWT_SECRET.to_owned());
    config.workers = Some(1);
    config.db_pool_size = Some(4);
    config.max_body_bytes = 64 * 1024;
    config
}

/// Two instances of the service on one database, each with its admin token.
pub async fn two_instances() -> (TestApp, TestApp) {
    let config = test_config();
    let url = config.database_url.clone();
    let first = TestApp::spawn_with(config).await;
    let mut second_config = test_config();
    second_config.database_url = url;
    let second = TestApp::spawn_with(second_config).await;
    (first, second)
}

impl TestApp {
    pub async fn spawn() -> Self {
        Self::spawn_with(test_config()).await
    }

    pub async fn spawn_with(config: Config) -> Self {
        let app = Application::build(config).await.expect("app starts");
        let base = format!("http://127.0.0.1:{}", app.port());
        actix_web::rt::spawn(app.run_until_stopped());
        let client = awc::Client::builder()
            .timeout(std::time::Duration::from_secs(30))
            .finish();
        let mut test = Self {
            base,
            admin: String::new(),
            client,
        };
        test.admin = test.login("admin", ADMIN_PASSWORD).await;
        test
    }

    pub async fn login(&self, username: &str, password: &str) -> String {
        let reply = self
            .post(
                "/api/v1/auth/token",
                None,
                json!({"username": username, "password": password}),
            )
            .await;
        assert_eq!(reply.status, 200, "login {username}: {}", reply.text);
        reply.body["access_token"]
            .as_str()
            .expect("token")
            .to_owned()
    }

    pub fn request(&self, method: &str, path: &str, token: Option<&str>) -> awc::ClientRequest {
        let method = awc::http::Method::from_bytes(method.as_bytes()).expect("method");
        let mut request = self.client.request(method, format!("{}{path}", self.base));
        if let Some(token) = token {
            request = request.insert_header(("Authorization", format!("Bearer {token}")));
        }
        request
    }

    pub async fn send(&self, request: awc::ClientRequest, body: Option<Value>) -> Reply {
        let response = match body {
            Some(body) => request.send_json(&body).await,
            None => request.send().await,
        };
        read(response.expect("request sent")).await
    }

    pub async fn send_raw(&self, request: awc::ClientRequest, body: String) -> Reply {
        read(request.send_body(body).await.expect("request sent")).await
    }

    pub async fn get(&self, path: &str, token: Option<&str>) -> Reply {
        self.send(self.request("GET", path, token), None).await
    }

    pub async fn post(&self, path: &str, token: Option<&str>, body: Value) -> Reply {
        self.send(self.request("POST", path, token), Some(body))
            .await
    }

    pub async fn patch(&self, path: &str, token: Option<&str>, body: Value) -> Reply {
        self.send(self.request("PATCH", path, token), Some(body))
            .await
    }

    pub async fn delete(&self, path: &str, token: Option<&str>) -> Reply {
        self.send(self.request("DELETE", path, token), None).await
    }

    /// Creates an organisation as admin and returns its id.
    pub async fn organisation(&self, code: &str, kind: &str, parent: Option<&str>) -> String {
        let reply = self
            .post("/api/v1/organisations", Some(&self.admin), json!({"code": code, "name": format!("Tổ chức {code}"), "kind": kind, "parent_id": parent}))
            .await;
        assert_eq!(reply.status, 201, "{}", reply.text);
        reply.id()
    }

    /// Creates an API client with the `sync` role (and a scope) and returns a token for it.
    pub async fn sync_token(&self, scope: Option<&str>) -> String {
        let created = self
            .post(
                "/api/v1/clients",
                Some(&self.admin),
                json!({"name": "Sync", "role": "sync", "scope_organisation_id": scope}),
            )
            .await;
        assert_eq!(created.status, 201, "{}", created.text);
        let token = self
            .post("/api/v1/auth/token", None, json!({"client_id": created.body["client_id"], "client_secret": created.body["client_secret"]}))
            .await;
        token.body["access_token"]
            .as_str()
            .expect("token")
            .to_owned()
    }

    /// The id of the user account named `username`, as an admin lists it.
    pub async fn user_id(&self, username: &str) -> String {
        let users = self.get("/api/v1/users?limit=500", Some(&self.admin)).await;
        users.body["items"]
            .as_array()
            .expect("items")
            .iter()
            .find(|u| u["username"] == username)
            .unwrap_or_else(|| panic!("no user {username}"))["id"]
            .as_str()
            .expect("id")
            .to_owned()
    }

    /// Creates a user with a role and scope, and returns a token for it.
    pub async fn user(&self, username: &str, role: &str, scope: Option<&str>) -> String {
        let reply = self
            .post("/api/v1/users", Some(&self.admin), json!({"username": username, "password": "user-password", "role": role, "scope_organisation_id": scope}))
            .await;
        assert_eq!(reply.status, 201, "{}", reply.text);
        self.login(username, "user-password").await
    }
}

async fn read<S>(mut response: awc::ClientResponse<S>) -> Reply
where
    S: futures_util::Stream<Item = Result<actix_web::web::Bytes, awc::error::PayloadError>> + Unpin,
{
    let status = response.status().as_u16();
    let headers = response.headers().clone();
    let bytes = response
        .body()
        .limit(16 * 1024 * 1024)
        .await
        .expect("body read");
    let text = String::from_utf8_lossy(&bytes).into_owned();
    let body = serde_json::from_str(&text).unwrap_or(Value::Null);
    Reply {
        status,
        headers,
        body,
        text,
    }
}

/// A small district: province → district → grassroots committee → cell,
/// and a second grassroots cell elsewhere.
pub struct District {
    pub province: String,
    pub district: String,
    pub commune: String,
    pub cell: String,
    pub other_cell: String,
}

pub async fn district(app: &TestApp) -> District {
    let province = app.organisation("DB", "provincial_committee", None).await;
    let district = app
        .organisation("MA", "district_committee", Some(&province))
        .await;
    let commune = app
        .organisation("MA-MD", "grassroots_committee", Some(&district))
        .await;
    let cell = app
        .organisation("MA-MD-POMU", "subordinate_cell", Some(&commune))
        .await;
    let other_cell = app
        .organisation("MA-CA", "grassroots_cell", Some(&district))
        .await;
    District {
        province,
        district,
        commune,
        cell,
        other_cell,
    }
}

static PERSON_COUNTER: AtomicU32 = AtomicU32::new(0);

/// An inline person for a member or candidate.
pub fn a_person(full_name: &str, date_of_birth: &str) -> Value {
    let _ = PERSON_COUNTER.fetch_add(1, Ordering::Relaxed);
    json!({"full_name": full_name, "gender": "male", "date_of_birth": date_of_birth, "ethnicity": "thai", "general_education": 12})
}

impl TestApp {
    /// Registers a member in a cell; official when `official_on` is given.
    pub async fn member(&self, cell: &str, admitted_on: &str, official_on: Option<&str>) -> String {
        let n = PERSON_COUNTER.fetch_add(1, Ordering::Relaxed);
        let reply = self
            .post(
                "/api/v1/members",
                Some(&self.admin),
                json!({
                    "person": a_person(&format!("Đảng viên {n}"), "1980-01-01"),
                    "organisation_id": cell, "admitted_on": admitted_on, "official_on": official_on,
                }),
            )
            .await;
        assert_eq!(reply.status, 201, "{}", reply.text);
        reply.id()
    }
}
