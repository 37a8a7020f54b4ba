//! Faults: the database going away under a running service, the service
//! itself killed (SIGKILL) or stopped (SIGTERM) in the middle of its work,
//! and a second instance that must not trust what it kept. The kill tests
//! and the second instance run the real binary as a child process.

use std::cell::RefCell;
use std::io::{Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::process::{Child, Command, Stdio};
use std::rc::Rc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use diesel::sql_types::BigInt;
use diesel::{Connection, QueryableByName, RunQueryDsl};
use serde_json::{json, Value};

use crate::helpers::{
    a_person, fresh_database, metric, on_postgres, test_config, TestApp, ADMIN_PASSWORD, JWT_SECRET,
};

/// A generous bound for "answers quickly, does not hang".
const NO_HANG: Duration = Duration::from_secs(20);

/// Waits, within `NO_HANG`, until `done` holds of the value `name` has in
/// the /metrics text that `metrics` fetches, and answers that value.
async fn metric_until<F, Fut>(metrics: F, name: &str, done: impl Fn(u64) -> bool) -> u64
where
    F: Fn() -> Fut,
    Fut: std::future::Future<Output = Option<String>>,
{
    let deadline = Instant::now() + NO_HANG;
    loop {
        let value = metrics().await.and_then(|text| metric(&text, name));
        if let Some(value) = value.filter(|v| done(*v)) {
            return value;
        }
        assert!(Instant::now() < deadline, "{name} never got there");
        actix_web::rt::time::sleep(Duration::from_millis(20)).await;
    }
}

// ---------------------------------------------------------------------------
// A database outage, simulated by a TCP proxy between the service and
// PostgreSQL (the shared server itself is never stopped).

/// Forwards TCP connections to PostgreSQL until told the database is "down":
/// then it cuts every open connection and drops new ones at once.
struct DatabaseProxy {
    port: u16,
    up: Arc<AtomicBool>,
    open: Arc<Mutex<Vec<TcpStream>>>,
}

impl DatabaseProxy {
    fn start(upstream: String) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").expect("proxy binds");
        let port = listener.local_addr().expect("proxy address").port();
        let up = Arc::new(AtomicBool::new(true));
        let open = Arc::new(Mutex::new(Vec::new()));
        let (accept_up, accept_open) = (up.clone(), open.clone());
        std::thread::spawn(move || {
            for client in listener.incoming() {
                let Ok(client) = client else { continue };
                if !accept_up.load(Ordering::SeqCst) {
                    let _ = client.shutdown(Shutdown::Both);
                    continue;
                }
                let Ok(server) = TcpStream::connect(&upstream) else {
                    continue;
                };
                let mut open = accept_open.lock().expect("proxy lock");
                for stream in [&client, &server] {
                    if let Ok(clone) = stream.try_clone() {
                        open.push(clone);
                    }
                }
                let (Ok(client_copy), Ok(server_copy)) = (client.try_clone(), server.try_clone())
                else {
                    continue;
                };
                std::thread::spawn(move || pipe(client, server));
                std::thread::spawn(move || pipe(server_copy, client_copy));
            }
        });
        Self { port, up, open }
    }

    /// "Stops the database": every connection is cut, new ones are refused.
    fn stop(&self) {
        self.up.store(false, Ordering::SeqCst);
        for stream in self.open.lock().expect("proxy lock").drain(..) {
            let _ = stream.shutdown(Shutdown::Both);
        }
    }

    /// "The database returns".
    fn resume(&self) {
        self.up.store(true, Ordering::SeqCst);
    }
}

fn pipe(mut from: TcpStream, mut to: TcpStream) {
    let mut buffer = [0u8; 16 * 1024];
    loop {
        match from.read(&mut buffer) {
            Ok(0) | Err(_) => break,
            Ok(n) => {
                if to.write_all(&buffer[..n]).is_err() {
                    break;
                }
            }
        }
    }
    let _ = to.shutdown(Shutdown::Both);
    let _ = from.shutdown(Shutdown::Both);
}

/// `host:port` of a `postgres://user@host:port/db?…` URL.
fn authority(url: &str) -> &str {
    let rest = url.split_once("://").map_or(url, |(_, rest)| rest);
    let rest = rest.split_once('@').map_or(rest, |(_, rest)| rest);
    rest.split(['/', '?']).next().unwrap_or(rest)
}

#[actix_web::test]
async fn with_postgresql_gone_data_is_503_health_stays_up_and_the_service_heals_itself() {
    let mut config = test_config();
    if !config.database_url.starts_with("postgres") {
        eprintln!("skipped: the outage test needs TEST_DATABASE_URL (PostgreSQL)");
        return;
    }
    let named = authority(&config.database_url).to_owned();
    let upstream = if named.contains(':') {
        named.clone()
    } else {
        format!("{named}:5432")
    };
    let proxy = DatabaseProxy::start(upstream);
    config.database_url =
        config
            .database_url
            .replacen(&named, &format!("127.0.0.1:{}", proxy.port), 1);
    let app = TestApp::spawn_with(config).await;
    let created = app
        .post(
            "/api/v1/organisations",
            Some(&app.admin),
            json!({"code": "DB", "name": "Tỉnh", "kind": "provincial_committee"}),
        )
        .await;
    assert_eq!(created.status, 201, "{}", created.text);

    proxy.stop();

    for path in ["/api/v1/organisations", "/api/v1/members", "/api/v1/me"] {
        let started = Instant::now();
        let reply = app.get(path, Some(&app.admin)).await;
        assert!(started.elapsed() < NO_HANG, "{path} hung");
        assert_eq!(reply.status, 503, "{path}: {}", reply.text);
        assert_eq!(reply.body["code"], "database_unavailable");
        assert_eq!(
            reply.header("content-type").as_deref(),
            Some("application/problem+json")
        );
    }
    let started = Instant::now();
    let write = app
        .post(
            "/api/v1/organisations",
            Some(&app.admin),
            json!({"code": "LOST", "name": "Lost", "kind": "provincial_committee"}),
        )
        .await;
    assert!(started.elapsed() < NO_HANG, "a write hung");
    assert_eq!(write.status, 503, "{}", write.text);
    assert_eq!(app.get("/healthz", None).await.status, 200);
    let ready = app.get("/readyz", None).await;
    assert_eq!(ready.status, 503, "{}", ready.text);
    assert_eq!(ready.body["code"], "database_unavailable");
    // The account listener lost its connection too: nothing is kept now,
    // since another instance's changes would go unheard (`auth::listener`).
    let metrics = || async { Some(app.get("/metrics", None).await.text) };
    metric_until(metrics, "account_listener_up", |up| up == 0).await;

    proxy.resume();

    let deadline = Instant::now() + NO_HANG;
    loop {
        let reply = app.get("/readyz", None).await;
        if reply.status == 200 {
            break;
        }
        assert!(Instant::now() < deadline, "never recovered: {}", reply.text);
        actix_web::rt::time::sleep(Duration::from_millis(200)).await;
    }
    // And it listens again.
    metric_until(metrics, "account_listener_up", |up| up == 1).await;
    // Once ready, every request is served again: no dead pooled connection
    // is handed out.
    for _ in 0..8 {
        let listed = app
            .get("/api/v1/organisations?count=true", Some(&app.admin))
            .await;
        assert_eq!(listed.status, 200, "{}", listed.text);
        assert_eq!(listed.body["total"], 1, "the refused write created nothing");
    }
    let after = app
        .post(
            "/api/v1/organisations",
            Some(&app.admin),
            json!({"code": "BACK", "name": "Back", "kind": "provincial_committee"}),
        )
        .await;
    assert_eq!(after.status, 201, "{}", after.text);
}

// ---------------------------------------------------------------------------
// The real binary, killed or stopped.

/// The service binary running as a child process on a given database.
struct Server {
    child: Child,
    base: String,
    client: awc::Client,
}

impl Server {
    fn start(database_url: &str) -> Self {
        let port = TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .expect("a free port")
            .port();
        let child = Command::new(env!("CARGO_BIN_EXE_party-registry"))
            .arg("serve")
            .env("DATABASE_URL", database_url)
            .env("BIND_ADDRESS", format!("127.0.0.1:{port}"))
            .env("BOOTSTRAP_ADMIN_PASSWORD", ADMIN_PASSWORD)
            .env("JWT_SECRET", JWT_SECRET)
            .env("WORKERS", "2")
            .env("DB_POOL_SIZE", "4")
            .env("RUST_LOG", "error")
            .stdout(Stdio::null())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("the server binary starts");
        Self {
            child,
            base: format!("http://127.0.0.1:{port}"),
            client: awc::Client::builder()
                .timeout(Duration::from_secs(60))
                .finish(),
        }
    }

    async fn ready(&self) {
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            if let Ok(response) = self
                .client
                .get(format!("{}/readyz", self.base))
                .send()
                .await
            {
                if response.status() == 200 {
                    return;
                }
            }
            assert!(Instant::now() < deadline, "the server never became ready");
            actix_web::rt::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Sends a JSON request; `None` when the connection failed.
    async fn call(
        &self,
        method: &str,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
    ) -> Option<(u16, Value)> {
        let method = awc::http::Method::from_bytes(method.as_bytes()).expect("method");
        let mut request = self.client.request(method, format!("{}{path}", self.base));
        if let Some(token) = token {
            request = request.insert_header(("Authorization", format!("Bearer {token}")));
        }
        let mut response = match body {
            Some(body) => request.send_json(&body).await,
            None => request.send().await,
        }
        .ok()?;
        let bytes = response.body().limit(16 * 1024 * 1024).await.ok()?;
        Some((
            response.status().as_u16(),
            serde_json::from_slice(&bytes).unwrap_or(Value::Null),
        ))
    }

    async fn expect(
        &self,
        method: &str,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
    ) -> Value {
        let (status, body) = self
            .call(method, path, token, body)
            .await
            .expect("the server answers");
        assert!(
            (200..300).contains(&status),
            "{method} {path}: {status} {body}"
        );
        body
    }

    /// The server's /metrics text; `None` when it did not answer.
    async fn metrics(&self) -> Option<String> {
        let mut response = self
            .client
            .get(format!("{}/metrics", self.base))
            .send()
            .await
            .ok()?;
        let text = response.body().await.ok()?;
        String::from_utf8(text.to_vec()).ok()
    }

    async fn admin_token(&self) -> String {
        let body = self
            .expect(
                "POST",
                "/api/v1/auth/token",
                None,
                Some(json!({"username": "admin", "password": ADMIN_PASSWORD})),
            )
            .await;
        body["access_token"].as_str().expect("token").to_owned()
    }

    fn signal(&self, signal: &str) {
        let status = Command::new("kill")
            .arg(format!("-{signal}"))
            .arg(self.child.id().to_string())
            .status()
            .expect("kill runs");
        assert!(status.success());
    }

    /// Waits for the process to end, within `NO_HANG`.
    async fn exited(&mut self) -> std::process::ExitStatus {
        let deadline = Instant::now() + Duration::from_secs(45);
        loop {
            if let Some(status) = self.child.try_wait().expect("wait on child") {
                return status;
            }
            assert!(Instant::now() < deadline, "the server did not exit");
            actix_web::rt::time::sleep(Duration::from_millis(50)).await;
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[derive(QueryableByName)]
struct Count {
    #[diesel(sql_type = BigInt)]
    n: i64,
}

/// Runs `SELECT COUNT(*) AS n …` queries straight on the database.
fn counts(database_url: &str, queries: &[(&str, &str)]) -> Vec<(String, i64)> {
    let run = |query: &str| -> i64 {
        let result = if database_url.starts_with("postgres") {
            let mut conn = diesel::PgConnection::establish(database_url).expect("connect");
            diesel::sql_query(query).get_result::<Count>(&mut conn)
        } else {
            let path = database_url.trim_start_matches("sqlite://");
            let mut conn = diesel::SqliteConnection::establish(path).expect("open");
            diesel::sql_query(query).get_result::<Count>(&mut conn)
        };
        result.unwrap_or_else(|e| panic!("{query}: {e}")).n
    };
    queries
        .iter()
        .map(|(name, query)| ((*name).to_owned(), run(query)))
        .collect()
}

/// Queries that must each count zero on a consistent register.
const BROKEN_RECORDS: &[(&str, &str)] = &[
    ("members without their person", "SELECT COUNT(*) AS n FROM members m WHERE NOT EXISTS (SELECT 1 FROM people p WHERE p.id = m.person_id)"),
    ("members without any event", "SELECT COUNT(*) AS n FROM members m WHERE NOT EXISTS (SELECT 1 FROM member_events e WHERE e.member_id = m.id)"),
    ("events without their member", "SELECT COUNT(*) AS n FROM member_events e WHERE NOT EXISTS (SELECT 1 FROM members m WHERE m.id = e.member_id)"),
    ("members without a create audit", "SELECT COUNT(*) AS n FROM members m WHERE NOT EXISTS (SELECT 1 FROM audit_events a WHERE a.resource_type = 'member' AND a.resource_id = m.id AND a.action = 'create')"),
    ("member audits without the member", "SELECT COUNT(*) AS n FROM audit_events a WHERE a.resource_type = 'member' AND NOT EXISTS (SELECT 1 FROM members m WHERE m.id = a.resource_id)"),
    ("people audits without the person", "SELECT COUNT(*) AS n FROM audit_events a WHERE a.resource_type = 'person' AND NOT EXISTS (SELECT 1 FROM people p WHERE p.id = a.resource_id)"),
    ("members without a feed entry", "SELECT COUNT(*) AS n FROM members m WHERE NOT EXISTS (SELECT 1 FROM changes c WHERE c.record_type = 'member' AND c.record_id = m.id)"),
    ("feed entries without their member", "SELECT COUNT(*) AS n FROM changes c WHERE c.record_type = 'member' AND NOT EXISTS (SELECT 1 FROM members m WHERE m.id = c.record_id)"),
    ("people without a member", "SELECT COUNT(*) AS n FROM people p WHERE NOT EXISTS (SELECT 1 FROM members m WHERE m.person_id = p.id)"),
];

#[actix_web::test]
async fn a_server_killed_mid_writes_loses_no_acknowledged_write_and_leaves_no_partial_record() {
    let database_url = fresh_database();
    let mut server = Server::start(&database_url);
    server.ready().await;
    let token = server.admin_token().await;
    let province = server
        .expect(
            "POST",
            "/api/v1/organisations",
            Some(&token),
            Some(json!({"code": "DB", "name": "Tỉnh", "kind": "provincial_committee"})),
        )
        .await;
    let cell = server
        .expect("POST", "/api/v1/organisations", Some(&token), Some(json!({"code": "DB-01", "name": "Chi bộ 1", "kind": "grassroots_cell", "parent_id": province["id"]})))
        .await["id"]
        .as_str()
        .expect("id")
        .to_owned();

    let acknowledged: Rc<RefCell<Vec<String>>> = Rc::default();
    let killed = Rc::new(std::cell::Cell::new(false));
    let writers = (0..6).map(|w| {
        let (server, token, cell) = (&server, &token, &cell);
        let (acknowledged, killed) = (acknowledged.clone(), killed.clone());
        async move {
            for n in 0.. {
                if killed.get() {
                    break;
                }
                let body = json!({"person": a_person(&format!("Người {w}-{n}"), "1980-01-01"),
                                  "organisation_id": cell, "admitted_on": "2016-01-10"});
                match server
                    .call("POST", "/api/v1/members", Some(token), Some(body))
                    .await
                {
                    Some((201, body)) => acknowledged
                        .borrow_mut()
                        .push(body["id"].as_str().expect("id").to_owned()),
                    Some((status, body)) => panic!("write refused: {status} {body}"),
                    None => break,
                }
            }
        }
    });
    let killer = {
        let (acknowledged, killed) = (acknowledged.clone(), killed.clone());
        let server = &server;
        async move {
            while acknowledged.borrow().len() < 40 {
                actix_web::rt::time::sleep(Duration::from_millis(5)).await;
            }
            server.signal("KILL");
            killed.set(true);
        }
    };
    futures_util::future::join(futures_util::future::join_all(writers), killer).await;
    let status = server.exited().await;
    assert!(!status.success(), "killed, not stopped: {status:?}");
    drop(server);

    let server = Server::start(&database_url);
    server.ready().await;
    let token = server.admin_token().await;
    let acknowledged = acknowledged.borrow().clone();
    assert!(acknowledged.len() >= 40);
    for id in &acknowledged {
        let (status, body) = server
            .call("GET", &format!("/api/v1/members/{id}"), Some(&token), None)
            .await
            .expect("answers");
        assert_eq!(status, 200, "acknowledged member {id} lost: {body}");
    }
    let listed = server
        .expect(
            "GET",
            "/api/v1/members?count=true&limit=1",
            Some(&token),
            None,
        )
        .await;
    let total = listed["total"].as_i64().expect("total");
    assert!(total >= acknowledged.len() as i64);
    for (name, n) in counts(&database_url, BROKEN_RECORDS) {
        assert_eq!(n, 0, "{name}");
    }
    let stored = counts(
        &database_url,
        &[(
            "members",
            "SELECT COUNT(*) AS n FROM members WHERE deleted_at IS NULL",
        )],
    );
    assert_eq!(stored[0].1, total, "the API and the tables agree");
}

#[actix_web::test]
async fn sigterm_lets_an_in_flight_request_finish_then_stops() {
    let database_url = fresh_database();
    let mut server = Server::start(&database_url);
    server.ready().await;
    let token = server.admin_token().await;
    let client = server
        .expect(
            "POST",
            "/api/v1/clients",
            Some(&token),
            Some(json!({"name": "Sync", "role": "sync"})),
        )
        .await;
    let sync = server
        .expect(
            "POST",
            "/api/v1/auth/token",
            None,
            Some(
                json!({"client_id": client["client_id"], "client_secret": client["client_secret"]}),
            ),
        )
        .await["access_token"]
        .as_str()
        .expect("token")
        .to_owned();
    // The feed is empty (accounts do not sync), so a long-poll is held for
    // its 3 s, and SIGTERM arrives while it waits.
    let poll = server.call("GET", "/api/v1/changes?wait=3", Some(&sync), None);
    let stop = async {
        actix_web::rt::time::sleep(Duration::from_millis(500)).await;
        server.signal("TERM");
    };
    let (reply, ()) = futures_util::future::join(poll, stop).await;
    let (status, body) = reply.expect("the in-flight request got its answer");
    assert_eq!(status, 200, "{body}");
    assert!(body["changes"].is_array(), "{body}");
    let exit = server.exited().await;
    assert!(exit.success(), "a clean stop: {exit:?}");
}

// ---------------------------------------------------------------------------
// Two instances on one database, each keeping the accounts it read.

/// An account kept by one instance stops working there as soon as another
/// instance disables it: the change is announced at commit and heard by
/// every instance (`auth::listener`), not left to the kept entry's expiry.
#[actix_web::test]
async fn an_account_disabled_through_one_instance_is_refused_by_another_at_once() {
    // One SQLite file is served by one process (README, Scaling): instances
    // that must hear each other are PostgreSQL's.
    if !on_postgres() {
        return;
    }
    let config = test_config();
    let database_url = config.database_url.clone();
    let first = TestApp::spawn_with(config).await;
    let token = first.user("kept.viewer", "viewer", None).await;
    let second = Server::start(&database_url);
    second.ready().await;
    let metrics = || second.metrics();
    metric_until(metrics, "account_listener_up", |up| up == 1).await;
    let me = || async { second.call("GET", "/api/v1/me", Some(&token), None).await };
    assert_eq!(me().await.map(|(status, _)| status), Some(200));
    let heard = metric_until(metrics, "account_changes_heard_total", |_| true).await;

    let id = first.user_id("kept.viewer").await;
    let disabled = first
        .patch(
            &format!("/api/v1/users/{id}"),
            Some(&first.admin),
            json!({"disabled": true}),
        )
        .await;
    assert_eq!(disabled.status, 200, "{}", disabled.text);
    metric_until(metrics, "account_changes_heard_total", |now| now > heard).await;
    assert_eq!(me().await.map(|(status, _)| status), Some(401));
}
