//! Races: many clients at once, spread over two instances of the service on
//! one database (one PostgreSQL, or one SQLite file), must not lose an
//! update, admit a candidate twice or overfill a class.

use futures_util::future::join_all;
use serde_json::json;

use crate::helpers::{district, metric, on_postgres, two_instances, Reply, TestApp};

/// How many clients race in each test.
const CLIENTS: usize = 12;

fn statuses(replies: &[Reply]) -> Vec<u16> {
    let mut statuses: Vec<u16> = replies.iter().map(|r| r.status).collect();
    statuses.sort_unstable();
    statuses
}

#[actix_web::test]
async fn of_many_updates_with_the_same_if_match_exactly_one_wins() {
    let (first, second) = two_instances().await;
    let id = first.organisation("DB", "provincial_committee", None).await;
    let path = format!("/api/v1/organisations/{id}");
    let patches = (0..CLIENTS).map(|n| {
        let app = if n % 2 == 0 { &first } else { &second };
        let request = app
            .request("PATCH", &path, Some(&app.admin))
            .insert_header(("If-Match", "\"1\""));
        app.send(request, Some(json!({"name": format!("Tên {n}")})))
    });
    let replies = join_all(patches).await;

    let mut expected = vec![412; CLIENTS - 1];
    expected.insert(0, 200);
    assert_eq!(statuses(&replies), expected, "one winner, the rest 412");
    for loser in replies.iter().filter(|r| r.status == 412) {
        assert_eq!(loser.body["code"], "precondition_failed", "{}", loser.text);
    }
    let winner = replies.iter().find(|r| r.status == 200).expect("a winner");
    let read = second.get(&path, Some(&second.admin)).await;
    assert_eq!(read.body["version"], 2, "exactly one update applied");
    assert_eq!(read.body["name"], winner.body["name"]);
    let audit = first
        .get(
            &format!("/api/v1/audit-events?resource_id={id}&count=true"),
            Some(&first.admin),
        )
        .await;
    assert_eq!(audit.status, 200, "{}", audit.text);
    assert_eq!(audit.body["total"], 2, "a create and one update audited");
}

#[actix_web::test]
async fn concurrent_admissions_of_one_candidate_create_exactly_one_member() {
    let (first, second) = two_instances().await;
    let d = district(&first).await;
    let a = first
        .member(&d.cell, "2005-01-10", Some("2006-01-10"))
        .await;
    let b = first
        .member(&d.cell, "2006-01-10", Some("2007-01-10"))
        .await;
    let candidate = first
        .post(
            "/api/v1/candidates",
            Some(&first.admin),
            json!({
                "person": {"full_name": "Quàng Văn Dũng", "gender": "male", "date_of_birth": "1994-08-20", "ethnicity": "thai", "general_education": 12},
                "organisation_id": d.cell, "source": "militia", "identified_on": "2015-03-01",
                "mentor_member_id": a, "introducer_member_ids": [a, b],
                "awareness_class_completed_on": "2015-10-01"
            }),
        )
        .await;
    assert_eq!(candidate.status, 201, "{}", candidate.text);
    let path = format!("/api/v1/candidates/{}/admission", candidate.id());
    let before = members_total(&first).await;

    // Each clerk types another member number, so no unique index can hide a race.
    let admissions = (0..CLIENTS).map(|n| {
        let app = if n % 2 == 0 { &first } else { &second };
        app.post(
            &path,
            Some(&app.admin),
            json!({"admitted_on": "2016-05-19", "decision_number": "102-QĐ/HU", "member_number": format!("N-{n}")}),
        )
    });
    let replies = join_all(admissions).await;

    let admitted: Vec<&Reply> = replies.iter().filter(|r| r.status == 201).collect();
    assert_eq!(admitted.len(), 1, "{:?}", statuses(&replies));
    for refused in replies.iter().filter(|r| r.status != 201) {
        assert!(
            [409, 412, 422].contains(&refused.status),
            "a losing admission is a documented refusal: {}",
            refused.text
        );
    }
    assert_eq!(members_total(&second).await, before + 1);
    let people = first
        .get(
            "/api/v1/members?q=quang%20van%20dung&count=true",
            Some(&first.admin),
        )
        .await;
    assert_eq!(people.body["total"], 1, "{}", people.text);
}

async fn members_total(app: &TestApp) -> i64 {
    let reply = app
        .get("/api/v1/members?count=true", Some(&app.admin))
        .await;
    reply.body["total"].as_i64().expect("total")
}

#[actix_web::test]
async fn concurrent_enrolments_never_exceed_a_class_capacity() {
    let (first, second) = two_instances().await;
    let d = district(&first).await;
    let class = first
        .post(
            "/api/v1/training-classes",
            Some(&first.admin),
            json!({"code": "NM-2016", "title": "Bồi dưỡng đảng viên mới", "kind": "new_member",
                   "organiser_organisation_id": d.commune, "starts_on": "2016-06-01", "capacity": 3}),
        )
        .await;
    assert_eq!(class.status, 201, "{}", class.text);
    let mut people = Vec::new();
    for _ in 0..CLIENTS {
        let member = first.member(&d.cell, "2016-01-10", None).await;
        let read = first
            .get(&format!("/api/v1/members/{member}"), Some(&first.admin))
            .await;
        people.push(read.body["person_id"].as_str().expect("person").to_owned());
    }
    let path = format!("/api/v1/training-classes/{}/enrolments", class.id());

    let enrolments = people.iter().enumerate().map(|(n, person)| {
        let app = if n % 2 == 0 { &first } else { &second };
        app.post(&path, Some(&app.admin), json!({"person_id": person}))
    });
    let replies = join_all(enrolments).await;

    let mut expected = vec![201; 3];
    expected.extend(vec![409; CLIENTS - 3]);
    assert_eq!(statuses(&replies), expected);
    for refused in replies.iter().filter(|r| r.status == 409) {
        assert_eq!(refused.body["code"], "class_full", "{}", refused.text);
    }
    let listed = second
        .get(&format!("{path}?count=true"), Some(&second.admin))
        .await;
    assert_eq!(listed.body["total"], 3);
}

/// Writes arriving together share one transaction (group commit), each in
/// its own savepoint: a refused write must leave nothing behind and must not
/// take the others of its group with it.
#[actix_web::test]
async fn writes_committed_together_each_succeed_or_fail_on_their_own() {
    let app = TestApp::spawn().await;
    let province = app.organisation("GC", "provincial_committee", None).await;
    // 24 writes at once over 12 codes: codes 0–7 are sent twice, so one of
    // each pair is a duplicate; the second sending of codes 8–11 has a kind
    // that does not exist, so those are created once.
    let writes = (0..CLIENTS * 2).map(|n| {
        let kind = if n >= 20 { "no_such_kind" } else { "district_committee" };
        app.post(
            "/api/v1/organisations",
            Some(&app.admin),
            json!({"code": format!("H{}", n % 12), "name": format!("Huyện {n}"), "kind": kind, "parent_id": province}),
        )
    });
    let replies = join_all(writes).await;

    let count = |status: u16| replies.iter().filter(|r| r.status == status).count();
    assert_eq!(count(201), 12, "{:?}", statuses(&replies));
    assert_eq!(count(409), 8, "{:?}", statuses(&replies));
    assert_eq!(count(400) + count(422), 4, "{:?}", statuses(&replies));
    let listed = app
        .get(
            &format!("/api/v1/organisations?parent_id={province}&count=true"),
            Some(&app.admin),
        )
        .await;
    assert_eq!(listed.body["total"], 12, "{}", listed.text);
    // Each created record was audited and journalled once; the refused
    // ones left neither.
    let audited = app
        .get(
            "/api/v1/audit-events?resource_type=organisation&action=create&count=true",
            Some(&app.admin),
        )
        .await;
    assert_eq!(audited.body["total"], 13, "{}", audited.text);
    let token = app.sync_token(None).await;
    let feed = app.get("/api/v1/changes?limit=100", Some(&token)).await;
    assert_eq!(feed.status, 200, "{}", feed.text);
    let organisations = feed.body["changes"]
        .as_array()
        .expect("changes")
        .iter()
        .filter(|c| c["type"] == "organisation")
        .count();
    assert_eq!(organisations, 13, "{}", feed.text);
    // And on SQLite they did share transactions: fewer groups than writes
    // (24 writes sent at once queue behind the first group's commit).
    if on_postgres() {
        return;
    }
    let metrics = app.get("/metrics", None).await.text;
    let total =
        |name: &str| metric(&metrics, name).unwrap_or_else(|| panic!("{name} in {metrics}"));
    assert!(
        total("db_write_groups_total") < total("db_writes_total"),
        "{metrics}"
    );
}
