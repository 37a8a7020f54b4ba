use std::collections::HashMap;

use serde_json::{json, Value};

use crate::helpers::{district, test_config, two_instances, TestApp};

/// Follows the feed from `cursor` to its end; returns the changes and the last cursor.
async fn follow(
    app: &TestApp,
    token: &str,
    mut cursor: Option<String>,
    types: &str,
) -> (Vec<Value>, Option<String>) {
    let mut all = Vec::new();
    loop {
        let mut path = format!("/api/v1/changes?limit=37{types}");
        if let Some(c) = &cursor {
            path.push_str(&format!("&cursor={c}"));
        }
        let page = app.get(&path, Some(token)).await;
        assert_eq!(page.status, 200, "{}", page.text);
        let changes = page.body["changes"].as_array().expect("changes").clone();
        cursor = page.body["next_cursor"].as_str().map(str::to_owned);
        let done = changes.is_empty() || !page.body["has_more"].as_bool().unwrap_or(false);
        all.extend(changes);
        if done {
            return (all, cursor);
        }
    }
}

#[actix_web::test]
async fn the_feed_replays_creates_updates_and_deletes_in_order() {
    let app = TestApp::spawn().await;
    let d = district(&app).await;
    let token = app.sync_token(None).await;
    let (first, cursor) = follow(&app, &token, None, "&types=organisation").await;
    assert_eq!(first.len(), 5);
    assert!(first
        .iter()
        .all(|c| c["op"] == "upsert" && c["type"] == "organisation"));
    app.patch(
        &format!("/api/v1/organisations/{}", d.other_cell),
        Some(&app.admin),
        json!({"name": "Tên mới"}),
    )
    .await;
    app.delete(
        &format!("/api/v1/organisations/{}", d.other_cell),
        Some(&app.admin),
    )
    .await;
    let (next, _) = follow(&app, &token, cursor, "&types=organisation").await;
    let ops: Vec<(&str, i64)> = next
        .iter()
        .map(|c| {
            (
                c["op"].as_str().unwrap_or(""),
                c["version"].as_i64().unwrap_or(0),
            )
        })
        .collect();
    assert_eq!(ops, vec![("upsert", 2), ("delete", 3)]);
    assert_eq!(next[0]["data"]["name"], "Tên mới");
}

#[actix_web::test]
async fn a_member_leaving_the_subtree_is_a_delete_for_its_old_scope() {
    let app = TestApp::spawn().await;
    let d = district(&app).await;
    let member = app.member(&d.cell, "2010-01-10", Some("2011-01-10")).await;
    let scoped = app.sync_token(Some(&d.commune)).await;
    let (before, cursor) = follow(&app, &scoped, None, "&types=member").await;
    assert_eq!(before.len(), 1);
    app.post(
        &format!("/api/v1/members/{member}/transfers"),
        Some(&app.admin),
        json!({"to_organisation_id": d.other_cell, "on": "2016-01-01"}),
    )
    .await;
    let (after, _) = follow(&app, &scoped, cursor, "&types=member").await;
    assert_eq!(after.len(), 1, "{after:?}");
    assert_eq!(after[0]["op"], "delete");
    assert_eq!(after[0]["id"], member.as_str());
}

#[actix_web::test]
async fn a_moved_subtree_leaves_the_old_scope_and_arrives_in_the_new_one() {
    let app = TestApp::spawn().await;
    let d = district(&app).await;
    let member = app.member(&d.cell, "2010-01-10", Some("2011-01-10")).await;
    let other_commune = app
        .organisation("MA-NL", "grassroots_committee", Some(&d.district))
        .await;
    let old_scope = app.sync_token(Some(&d.commune)).await;
    let new_scope = app.sync_token(Some(&other_commune)).await;
    let (_, old_cursor) = follow(&app, &old_scope, None, "").await;
    let (_, new_cursor) = follow(&app, &new_scope, None, "").await;

    // The cell, with its member and the member's person, moves commune.
    let moved = app
        .patch(
            &format!("/api/v1/organisations/{}", d.cell),
            Some(&app.admin),
            json!({ "parent_id": other_commune }),
        )
        .await;
    assert_eq!(moved.status, 200, "{}", moved.text);

    let (left, _) = follow(&app, &old_scope, old_cursor, "").await;
    let gone = |id: &str| left.iter().any(|c| c["id"] == id && c["op"] == "delete");
    assert!(gone(&d.cell), "{left:?}");
    assert!(gone(&member), "{left:?}");
    assert!(left.iter().all(|c| c["op"] == "delete"), "{left:?}");

    let (arrived, _) = follow(&app, &new_scope, new_cursor, "").await;
    let came = |id: &str| arrived.iter().any(|c| c["id"] == id && c["op"] == "upsert");
    assert!(came(&d.cell), "{arrived:?}");
    assert!(came(&member), "{arrived:?}");
    let member_change = arrived
        .iter()
        .find(|c| c["id"] == member.as_str() && c["type"] == "member")
        .expect("member arrives");
    assert_eq!(member_change["data"]["organisation_id"], d.cell.as_str());

    // An unscoped follower sees, per record, the tombstone before the image.
    let token = app.sync_token(None).await;
    let (all, _) = follow(&app, &token, None, "&types=member").await;
    let last = all
        .iter()
        .rev()
        .find(|c| c["id"] == member.as_str())
        .expect("member");
    assert_eq!(last["op"], "upsert");
}

#[actix_web::test]
async fn feed_mistakes_are_400_and_viewers_are_403() {
    let app = TestApp::spawn().await;
    let token = app.sync_token(None).await;
    assert_eq!(
        app.get("/api/v1/changes?types=secret", Some(&token))
            .await
            .status,
        400
    );
    assert_eq!(
        app.get("/api/v1/changes?cursor=zzz", Some(&token))
            .await
            .status,
        400
    );
    assert_eq!(
        app.get("/api/v1/changes?wait=61", Some(&token))
            .await
            .status,
        400
    );
    let viewer = app.user("viewer", "viewer", None).await;
    assert_eq!(app.get("/api/v1/changes", Some(&viewer)).await.status, 403);
}

#[actix_web::test]
async fn a_long_poll_returns_as_soon_as_a_change_commits() {
    let app = TestApp::spawn().await;
    let token = app.sync_token(None).await;
    let (_, cursor) = follow(&app, &token, None, "").await;
    let cursor = cursor.expect("cursor");
    let writer = async {
        actix_web::rt::time::sleep(std::time::Duration::from_millis(400)).await;
        app.organisation("LATE", "provincial_committee", None).await
    };
    let path = format!("/api/v1/changes?cursor={cursor}&wait=20");
    let poll = app.get(&path, Some(&token));
    let (reply, _) = futures_util::future::join(poll, writer).await;
    // Without the long-poll, the page read before the write would be empty.
    assert_eq!(reply.body["changes"][0]["data"]["code"], "LATE");
}

#[actix_web::test]
async fn two_instances_writing_concurrently_lose_no_change_in_the_feed() {
    let (first, second) = two_instances().await;
    let province = first.organisation("P", "provincial_committee", None).await;
    let token = first.sync_token(None).await;
    let mut latest: HashMap<String, (String, i64)> = HashMap::new();
    let mut cursor = None;
    for round in 0..5 {
        let writes = (0..8).map(|w| {
            let app = if w % 2 == 0 { &first } else { &second };
            let province = province.clone();
            async move {
                let code = format!("D{round}-{w}");
                let created = app.post("/api/v1/organisations", Some(&app.admin), json!({"code": code, "name": code, "kind": "district_committee", "parent_id": province})).await;
                assert_eq!(created.status, 201, "{}", created.text);
                let patched = app.patch(&format!("/api/v1/organisations/{}", created.id()), Some(&app.admin), json!({"name": format!("{code} đổi")})).await;
                assert_eq!(patched.status, 200, "{}", patched.text);
            }
        });
        let reader = follow(&second, &token, cursor.clone(), "&types=organisation");
        let (_, (changes, next)) =
            futures_util::future::join(futures_util::future::join_all(writes), reader).await;
        for change in changes {
            latest.insert(
                change["id"].as_str().unwrap_or("").to_owned(),
                (
                    change["op"].as_str().unwrap_or("").to_owned(),
                    change["version"].as_i64().unwrap_or(0),
                ),
            );
        }
        cursor = next;
    }
    let (changes, _) = follow(&first, &token, cursor, "&types=organisation").await;
    for change in changes {
        latest.insert(
            change["id"].as_str().unwrap_or("").to_owned(),
            (
                change["op"].as_str().unwrap_or("").to_owned(),
                change["version"].as_i64().unwrap_or(0),
            ),
        );
    }
    let listed = first
        .get("/api/v1/organisations?limit=500", Some(&first.admin))
        .await;
    let state: HashMap<String, (String, i64)> = listed.body["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|o| {
            (
                o["id"].as_str().unwrap_or("").to_owned(),
                ("upsert".to_owned(), o["version"].as_i64().unwrap_or(0)),
            )
        })
        .collect();
    assert_eq!(state.len(), 41);
    assert_eq!(latest, state, "the feed reproduces exactly the final state");
}

#[actix_web::test]
async fn an_export_then_the_feed_from_its_cursor_gives_the_whole_state() {
    let app = TestApp::spawn().await;
    let d = district(&app).await;
    let member = app.member(&d.cell, "2010-01-10", Some("2011-01-10")).await;
    app.member(&d.other_cell, "2010-01-10", Some("2011-01-10"))
        .await;
    let token = app.sync_token(Some(&d.commune)).await;
    let export = app.get("/api/v1/exports/member", Some(&token)).await;
    assert_eq!(export.status, 200, "{}", export.text);
    assert_eq!(
        export.header("content-type").as_deref(),
        Some("application/x-ndjson")
    );
    let lines: Vec<Value> = export
        .text
        .lines()
        .map(|l| serde_json::from_str(l).expect("json line"))
        .collect();
    assert_eq!(lines.len(), 1, "only the member of the scope");
    assert_eq!(lines[0]["id"], member.as_str());
    assert_eq!(
        lines[0]["person"]["full_name"]
            .as_str()
            .map(|n| n.starts_with("Đảng viên")),
        Some(true)
    );
    let cursor = export.header("x-change-cursor").expect("cursor");
    app.post(
        &format!("/api/v1/members/{member}/status"),
        Some(&app.admin),
        json!({"status": "deceased", "on": "2016-01-01"}),
    )
    .await;
    let (changes, _) = follow(&app, &token, Some(cursor), "&types=member").await;
    assert_eq!(changes.len(), 1);
    assert_eq!(changes[0]["data"]["status"], "deceased");
}

#[actix_web::test]
async fn a_csv_export_escapes_formulas_and_keeps_vietnamese() {
    let app = TestApp::spawn().await;
    app.post(
        "/api/v1/organisations",
        Some(&app.admin),
        json!({"code": "EVIL", "name": "=HYPERLINK(\"x\")", "kind": "provincial_committee"}),
    )
    .await;
    app.post(
        "/api/v1/organisations",
        Some(&app.admin),
        json!({"code": "DB", "name": "Đảng bộ tỉnh Điện Biên", "kind": "provincial_committee"}),
    )
    .await;
    let token = app.sync_token(None).await;
    let export = app
        .get("/api/v1/exports/organisation?format=csv", Some(&token))
        .await;
    assert_eq!(export.status, 200, "{}", export.text);
    assert!(export
        .text
        .lines()
        .next()
        .is_some_and(|h| h.contains("code")));
    assert!(export.text.contains("Đảng bộ tỉnh Điện Biên"));
    assert!(
        export.text.contains("\"'=HYPERLINK(\"\"x\"\")\""),
        "{}",
        export.text
    );
    assert_eq!(
        app.get("/api/v1/exports/secrets", Some(&token))
            .await
            .status,
        404
    );
}

#[actix_web::test]
async fn compaction_keeps_the_latest_image_and_old_cursors_answer_410() {
    let mut config = test_config();
    // Everything already written is past its retention; compact every second.
    config.change_retention_days = 0;
    config.change_compaction_interval_seconds = 1;
    let app = TestApp::spawn_with(config).await;
    let d = district(&app).await;
    let token = app.sync_token(None).await;
    let (start, _) = follow(&app, &token, None, "&types=organisation").await;
    let first_cursor = start[0]["cursor"].as_str().expect("cursor").to_owned();
    for name in ["Tên thứ hai", "Tên thứ ba"] {
        let reply = app
            .patch(
                &format!("/api/v1/organisations/{}", d.cell),
                Some(&app.admin),
                json!({ "name": name }),
            )
            .await;
        assert_eq!(reply.status, 200, "{}", reply.text);
    }
    let deleted = app
        .delete(
            &format!("/api/v1/organisations/{}", d.other_cell),
            Some(&app.admin),
        )
        .await;
    assert!(deleted.status < 300, "{}", deleted.text);

    // The compaction runs in the background: wait for the old cursor to expire.
    let mut expired = None;
    for _ in 0..50 {
        let reply = app
            .get(
                &format!("/api/v1/changes?cursor={first_cursor}"),
                Some(&token),
            )
            .await;
        if reply.status == 410 {
            expired = Some(reply);
            break;
        }
        actix_web::rt::time::sleep(std::time::Duration::from_millis(200)).await;
    }
    let expired = expired.expect("the old cursor expires once compacted");
    assert_eq!(expired.body["code"], "cursor_expired");

    // From the start, the feed is the current state: one entry per live
    // organisation, at its latest version; the deleted one is gone.
    let (now, _) = follow(&app, &token, None, "&types=organisation").await;
    let mut seen: HashMap<String, i64> = HashMap::new();
    for change in &now {
        let id = change["id"].as_str().expect("id").to_owned();
        assert!(seen
            .insert(id, change["version"].as_i64().unwrap_or(0))
            .is_none());
        assert_eq!(change["op"], "upsert");
    }
    assert_eq!(now.len(), start.len() - 1);
    assert_eq!(seen.get(&d.cell), Some(&3));
    assert!(!seen.contains_key(&d.other_cell));
    let cell = now
        .iter()
        .find(|c| c["id"] == d.cell.as_str())
        .expect("cell");
    assert_eq!(cell["data"]["name"], "Tên thứ ba");

    // An export still has every live organisation.
    let export = app.get("/api/v1/exports/organisation", Some(&token)).await;
    assert_eq!(export.status, 200, "{}", export.text);
    assert_eq!(export.text.lines().count(), now.len());
}
