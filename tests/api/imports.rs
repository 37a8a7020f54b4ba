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

/// A district with two cells, then people, members and a class keyed by
/// their human codes, with references by code.
const REGISTER: &str = concat!(
    r#"{"type":"organisation","code":"MA-MD","name":"Đảng bộ xã Mường Đăng","kind":"grassroots_committee","parent_code":"DB-MA"}"#,
    "\n",
    r#"{"type":"organisation","code":"MA-MD-POMU","name":"Chi bộ bản Pọng","kind":"subordinate_cell","parent_code":"MA-MD"}"#,
    "\n",
    r#"{"type":"person","national_id":"011190001234","full_name":"Lò Văn Pọm","gender":"male","date_of_birth":"1970-02-01","ethnicity":"thai"}"#,
    "\n",
    r#"{"type":"member","member_number":"MA-0001","person_code":"011190001234","organisation_code":"MA-MD-POMU","admitted_on":"1995-05-19","official_on":"1996-05-19"}"#,
    "\n",
    r#"{"type":"member","member_number":"MA-0002","person":{"national_id":"011195004321","full_name":"Quàng Thị Ánh","gender":"female","date_of_birth":"1995-09-02","ethnicity":"thai"},"organisation_code":"MA-MD-POMU","admitted_on":"2016-03-15","mentor_member_code":"MA-0001"}"#,
    "\n",
    r#"{"type":"training_class","code":"NTVD-2016-01","title":"Lớp nhận thức về Đảng 1/2016","kind":"party_awareness","organiser_organisation_code":"DB-MA","starts_on":"2016-03-14","capacity":120}"#,
    "\n",
);

#[actix_web::test]
async fn people_members_and_classes_import_by_their_human_keys() {
    let app = TestApp::spawn().await;
    let body = format!("{TREE}{REGISTER}");
    let first = import(&app, &body, "", "application/x-ndjson").await;
    assert_eq!(first.status, 200, "{}", first.text);
    assert_eq!(first.body["created"], 9, "{}", first.text);
    let results = first.body["results"].as_array().expect("results");
    let codes: Vec<&str> = results.iter().filter_map(|r| r["code"].as_str()).collect();
    assert_eq!(
        codes[5..],
        ["011190001234", "MA-0001", "MA-0002", "NTVD-2016-01"]
    );
    let pom = results[6]["id"].as_str().expect("id").to_owned();
    let anh = results[7]["id"].as_str().expect("id").to_owned();
    let member = app
        .get(&format!("/api/v1/members/{anh}"), Some(&app.admin))
        .await;
    assert_eq!(member.body["mentor_member_id"], pom.as_str());
    assert_eq!(member.body["status"], "probationary");
    assert_eq!(member.body["person"]["full_name"], "Quàng Thị Ánh");
    let pom_member = app
        .get(&format!("/api/v1/members/{pom}"), Some(&app.admin))
        .await;
    assert_eq!(pom_member.body["person_id"], results[5]["id"]);
    assert_eq!(pom_member.body["status"], "official");

    // Re-sending the file changes nothing and bumps no version.
    let again = import(&app, &body, "", "application/x-ndjson").await;
    assert_eq!(again.body["unchanged"], 9, "{}", again.text);
    let reread = app
        .get(&format!("/api/v1/members/{anh}"), Some(&app.admin))
        .await;
    assert_eq!(reread.body["version"], member.body["version"]);

    // Status, cell and dates change through the dated actions, not imports.
    let promoted = r#"{"type":"member","member_number":"MA-0002","status":"official","organisation_code":"MA-DIFFERENT"}"#;
    let refused = import(&app, promoted, "", "application/x-ndjson").await;
    assert_eq!(refused.body["errors"], 1);
    assert_eq!(
        refused.body["results"][0]["errors"][0]["code"],
        "reference_not_found"
    );
    let promoted = r#"{"type":"member","member_number":"MA-0002","status":"official"}"#;
    let refused = import(&app, promoted, "", "application/x-ndjson").await;
    assert_eq!(
        refused.body["results"][0]["errors"][0]["code"], "action_required",
        "{}",
        refused.text
    );
    assert_eq!(refused.body["results"][0]["errors"][0]["field"], "status");
    // The mentor is ordinary data: an import may change it.
    let unmentored = r#"{"type":"member","member_number":"MA-0002","mentor_member_id":null}"#;
    let updated = import(&app, unmentored, "", "application/x-ndjson").await;
    assert_eq!(updated.body["updated"], 1, "{}", updated.text);

    // Types with no human key are refused per line.
    let award = r#"{"type":"award","year":2016}"#;
    let refused = import(&app, award, "", "application/x-ndjson").await;
    assert_eq!(
        refused.body["results"][0]["errors"][0]["code"],
        "type_not_importable"
    );
}

#[actix_web::test]
async fn exported_people_members_and_classes_import_back_unchanged() {
    let app = TestApp::spawn().await;
    let first = import(
        &app,
        &format!("{TREE}{REGISTER}"),
        "",
        "application/x-ndjson",
    )
    .await;
    assert_eq!(first.body["created"], 9, "{}", first.text);
    let token = app.sync_token(None).await;
    for record_type in ["person", "member", "training_class"] {
        let export = app
            .get(&format!("/api/v1/exports/{record_type}"), Some(&token))
            .await;
        assert_eq!(export.status, 200, "{}", export.text);
        let lines: String = export
            .text
            .lines()
            .map(|l| {
                let mut v: serde_json::Value = serde_json::from_str(l).expect("json");
                v["type"] = json!(record_type);
                format!("{v}\n")
            })
            .collect();
        let expected = lines.lines().count();
        assert!(expected > 0);
        let reply = import(&app, &lines, "", "application/x-ndjson").await;
        assert_eq!(
            reply.body["unchanged"], expected,
            "{record_type}: {}",
            reply.text
        );
    }
}

#[actix_web::test]
async fn a_scoped_importer_cannot_place_a_member_outside_its_subtree() {
    let app = TestApp::spawn().await;
    let body = format!(
        "{TREE}{REGISTER}{}\n",
        r#"{"type":"organisation","code":"MA-CA","name":"Chi bộ Ẳng Cang","kind":"grassroots_cell","parent_code":"DB-MA"}"#
    );
    let first = import(&app, &body, "", "application/x-ndjson").await;
    assert_eq!(first.body["errors"], 0, "{}", first.text);
    let commune = first.body["results"][3]["id"]
        .as_str()
        .expect("id")
        .to_owned();
    let scoped = app.user("organiser.xa", "organiser", Some(&commune)).await;
    let line = r#"{"type":"member","member_number":"MA-0009","person":{"full_name":"Lường Văn Sơn","gender":"male","date_of_birth":"1990-01-01","ethnicity":"thai"},"organisation_code":"MA-CA","admitted_on":"2016-03-15"}"#;
    let request = app
        .request("POST", "/api/v1/imports", Some(&scoped))
        .insert_header(("Content-Type", "application/x-ndjson"));
    let reply = app.send_raw(request, line.to_owned()).await;
    assert_eq!(
        reply.body["results"][0]["errors"][0]["code"], "reference_not_found",
        "{}",
        reply.text
    );
    assert_eq!(
        reply.body["results"][0]["errors"][0]["field"],
        "organisation_code"
    );
    // Members inside the subtree are found by their number.
    let peek = r#"{"type":"member","member_number":"MA-0001","mentor_member_id":null}"#;
    let request = app
        .request("POST", "/api/v1/imports", Some(&scoped))
        .insert_header(("Content-Type", "application/x-ndjson"));
    let reply = app.send_raw(request, peek.to_owned()).await;
    assert_eq!(
        reply.body["results"][0]["status"], "unchanged",
        "{}",
        reply.text
    );
}

#[actix_web::test]
async fn an_import_larger_than_the_body_limit_streams_in_batches() {
    let mut config = crate::helpers::test_config();
    config.max_import_bytes = 400 * 1024;
    let app = TestApp::spawn_with(config).await;
    // 2,500 lines, about 4 times the 64 KiB limit of ordinary bodies, and
    // more than two batches of 1,000.
    let mut body = String::from(
        "{\"type\":\"locality\",\"code\":\"L-DB\",\"name\":\"Tỉnh Điện Biên\",\"kind\":\"province\"}\n",
    );
    for n in 0..2_499 {
        body.push_str(&format!(
            "{{\"type\":\"locality\",\"code\":\"L-DB-{n:04}\",\"name\":\"Huyện số {n} của tỉnh\",\"kind\":\"district\",\"parent_code\":\"L-DB\"}}\n"
        ));
    }
    assert!(body.len() > 4 * 64 * 1024);
    let reply = import(&app, &body, "", "application/x-ndjson").await;
    assert_eq!(
        reply.status,
        200,
        "{}",
        &reply.text[..reply.text.len().min(500)]
    );
    assert_eq!(reply.body["created"], 2_500, "{}", &reply.text[..500]);
    assert_eq!(reply.body["results"][2_499]["line"], 2_500);
    let again = import(&app, &body, "?atomic=true", "application/x-ndjson").await;
    assert_eq!(again.body["unchanged"], 2_500);

    // Past MAX_IMPORT_BYTES: 413, and nothing of it is written.
    let mut huge = body.replace("L-DB-", "L-XX-");
    while huge.len() <= 400 * 1024 {
        huge.push_str(&huge.clone());
    }
    let refused = import(&app, &huge, "", "application/x-ndjson").await;
    assert_eq!(refused.status, 413, "{}", refused.text);
    let found = app
        .get("/api/v1/localities?q=L-XX-0001", Some(&app.admin))
        .await;
    assert_eq!(found.body["items"].as_array().map(Vec::len), Some(0));
}

#[actix_web::test]
async fn quotas_import_by_organisation_and_year_from_ndjson_and_csv() {
    let app = TestApp::spawn().await;
    let tree = import(&app, TREE, "", "application/x-ndjson").await;
    assert_eq!(tree.body["created"], 3);
    let line = r#"{"type":"admission_quota","organisation_code":"DB-MA","year":2016,"target":120}"#;
    let first = import(&app, line, "", "application/x-ndjson").await;
    assert_eq!(first.body["created"], 1, "{}", first.text);
    assert_eq!(first.body["results"][0]["code"], "DB-MA/2016");
    let again = import(&app, line, "", "application/x-ndjson").await;
    assert_eq!(again.body["unchanged"], 1, "{}", again.text);
    // The same quota from a CSV sheet, with a new target: an update.
    let csv = "organisation_code,year,target\nDB-MA,2016,130\nDB-MA,2017,140\n";
    let sheet = import(&app, csv, "?type=admission_quota", "text/csv").await;
    assert_eq!(sheet.body["updated"], 1, "{}", sheet.text);
    assert_eq!(sheet.body["created"], 1, "{}", sheet.text);
    let district = tree.body["results"][1]["id"].as_str().expect("id");
    let quotas = app
        .get(
            &format!("/api/v1/admission-quotas?organisation_id={district}&year=2016"),
            Some(&app.admin),
        )
        .await;
    assert_eq!(quotas.body["items"][0]["target"], 130, "{}", quotas.text);
    assert_eq!(quotas.body["items"][0]["version"], 2);
    let keyless = r#"{"type":"admission_quota","year":2016,"target":1}"#;
    let refused = import(&app, keyless, "", "application/x-ndjson").await;
    assert_eq!(
        refused.body["results"][0]["errors"][0]["field"],
        "organisation_code"
    );
}

#[actix_web::test]
async fn people_and_classes_import_from_csv_sheets() {
    let app = TestApp::spawn().await;
    let tree = import(&app, TREE, "", "application/x-ndjson").await;
    assert_eq!(tree.body["created"], 3);
    let people = "national_id,full_name,gender,date_of_birth,ethnicity,general_education,residence_locality_code\n\
                  011190001234,Lò Văn Pọm,male,1970-02-01,thai,12,L-DB\n\
                  011195004321,\"Quàng Thị Ánh, con\",female,1995-09-02,thai,9,\n";
    let reply = import(&app, people, "?type=person", "text/csv").await;
    assert_eq!(reply.body["created"], 2, "{}", reply.text);
    let again = import(&app, people, "?type=person", "text/csv").await;
    assert_eq!(again.body["unchanged"], 2, "{}", again.text);
    let person = reply.body["results"][1]["id"].as_str().expect("id");
    let read = app
        .get(&format!("/api/v1/people/{person}"), Some(&app.admin))
        .await;
    assert_eq!(read.body["general_education"], 9);
    assert_eq!(read.body["full_name"], "Quàng Thị Ánh, con");

    let classes = "code,title,kind,organiser_organisation_code,starts_on,capacity\n\
                   NTVD-2016-01,Lớp nhận thức về Đảng 1/2016,party_awareness,DB-MA,2016-03-14,120\n";
    let reply = import(&app, classes, "?type=training_class", "text/csv").await;
    assert_eq!(reply.body["created"], 1, "{}", reply.text);
    let class = reply.body["results"][0]["id"].as_str().expect("id");
    let read = app
        .get(
            &format!("/api/v1/training-classes/{class}"),
            Some(&app.admin),
        )
        .await;
    assert_eq!(read.body["capacity"], 120);
}

/// Drops what differs between any two records (ids, keys, instants) and
/// keeps what a registration decides.
fn decided(mut value: serde_json::Value) -> serde_json::Value {
    const VARYING: [&str; 9] = [
        "id",
        "person_id",
        "member_id",
        "member_number",
        "national_id",
        "full_name",
        "search_name",
        "created_at",
        "updated_at",
    ];
    match &mut value {
        serde_json::Value::Object(object) => {
            for field in VARYING {
                object.remove(field);
            }
            for (_, inner) in object.iter_mut() {
                *inner = decided(inner.take());
            }
        }
        serde_json::Value::Array(items) => {
            for item in items.iter_mut() {
                *item = decided(item.take());
            }
        }
        _ => {}
    }
    value
}

/// What the register holds and journals of one member: the record, its
/// history, and for it, its person and each event, the audit's writes
/// (reads left out: this very function reads) and the change feed's entries.
async fn registered(app: &TestApp, member: &str) -> serde_json::Value {
    let record = app
        .get(&format!("/api/v1/members/{member}"), Some(&app.admin))
        .await;
    let events = app
        .get(
            &format!("/api/v1/members/{member}/events"),
            Some(&app.admin),
        )
        .await;
    let person = record.body["person_id"]
        .as_str()
        .expect("person")
        .to_owned();
    let mut journalled = Vec::new();
    let mut ids = vec![person.clone(), member.to_owned()];
    let items = events.body["items"].as_array().expect("events").clone();
    ids.extend(
        items
            .iter()
            .map(|e| e["id"].as_str().expect("id").to_owned()),
    );
    for id in ids {
        let audit = app
            .get(
                &format!("/api/v1/audit-events?resource_id={id}"),
                Some(&app.admin),
            )
            .await;
        let audit: Vec<serde_json::Value> = audit.body["items"]
            .as_array()
            .expect("audit items")
            .iter()
            .filter(|a| a["action"] != "read")
            .map(|a| json!([a["action"], a["resource_type"], a["after"]]))
            .collect();
        journalled.push(json!(audit));
    }
    let feed = app
        .get("/api/v1/changes?limit=1000", Some(&app.admin))
        .await;
    let mine: Vec<serde_json::Value> = feed.body["changes"]
        .as_array()
        .expect("changes")
        .iter()
        .filter(|c| {
            c["id"] == person || c["id"] == member || items.iter().any(|e| e["id"] == c["id"])
        })
        .map(|c| json!([c["type"], c["op"], c["version"], c["data"]]))
        .collect();
    decided(json!({"record": record.body, "events": items, "audit": journalled, "feed": mine}))
}

#[actix_web::test]
async fn an_imported_member_is_registered_and_journalled_as_a_posted_one() {
    let app = TestApp::spawn().await;
    let district = crate::helpers::district(&app).await;
    let commune = app
        .post(
            "/api/v1/localities",
            Some(&app.admin),
            json!({"code": "L-MD", "name": "Xã Mường Đăng", "kind": "commune"}),
        )
        .await;
    assert_eq!(commune.status, 201, "{}", commune.text);
    let village = app
        .post(
            "/api/v1/localities",
            Some(&app.admin),
            json!({"code": "L-PO", "name": "Bản Pọng", "kind": "village", "parent_id": commune.id()}),
        )
        .await;
    assert_eq!(village.status, 201, "{}", village.text);
    let village = village.id();
    let person = |national_id: &str| {
        json!({"full_name": "Lò Thị Nhập", "gender": "female", "date_of_birth": "1990-01-01",
               "ethnicity": "thai", "national_id": national_id, "residence_locality_id": village})
    };
    for (status, official_on) in [
        (None, Some("2017-03-15")),
        (None, None),
        (Some("probationary"), None),
        (Some("exempt"), Some("2017-03-15")),
    ] {
        let n = format!("{status:?}{official_on:?}").len();
        let mut body = json!({"organisation_id": district.cell, "admitted_on": "2016-03-15",
            "official_on": official_on, "card_number": null, "person": person(&format!("0011900{n:05}"))});
        if let Some(status) = status {
            body["status"] = json!(status);
        }
        let posted = app
            .post("/api/v1/members", Some(&app.admin), body.clone())
            .await;
        assert_eq!(posted.status, 201, "{}", posted.text);
        body["type"] = json!("member");
        body["member_number"] = json!(format!("MA-IMP-{n}"));
        body["person"] = person(&format!("0011910{n:05}"));
        let reply = import(&app, &format!("{body}\n"), "", "application/x-ndjson").await;
        assert_eq!(reply.body["created"], 1, "{}", reply.text);
        let imported = reply.body["results"][0]["id"]
            .as_str()
            .expect("id")
            .to_owned();
        let journalled = registered(&app, &imported).await;
        // A person, a member and at least its joining: each audited once
        // and in the feed, the events with their spans.
        let feed = journalled["feed"].as_array().expect("feed");
        assert!(feed.len() >= 3, "{journalled}");
        assert_eq!(feed[0][0], "person");
        assert_eq!(feed[1][0], "member");
        assert!(
            journalled["audit"]
                .as_array()
                .expect("audit")
                .iter()
                .all(|a| a.as_array().is_some_and(|a| a.len() == 1)),
            "{journalled}"
        );
        assert_eq!(
            journalled["events"].as_array().expect("events").len(),
            feed.len() - 2
        );
        assert_eq!(
            journalled,
            registered(&app, &posted.id()).await,
            "status {status:?}, official on {official_on:?}"
        );
    }
}

#[actix_web::test]
async fn registrations_in_one_run_answer_line_by_line_in_order() {
    let app = TestApp::spawn().await;
    let district = crate::helpers::district(&app).await;
    let line = |number: &str, national_id: &str, admitted_on: &str| {
        json!({"type": "member", "member_number": number, "organisation_id": district.cell,
               "admitted_on": admitted_on, "official_on": null,
               "person": {"full_name": "Quàng Văn Một", "gender": "male", "date_of_birth": "1990-01-01",
                          "ethnicity": "thai", "national_id": national_id}})
        .to_string()
    };
    let body = [
        line("R-1", "011190000001", "2016-03-15"),
        // Refused by a rule: nothing of it is written, the run goes on.
        line("R-2", "011190000002", "2999-01-01"),
        // The same number again: an update of the member line 1 created.
        line("R-1", "011190000009", "2016-03-15"),
        // The same citizen id as line 1: that person is already a member.
        line("R-4", "011190000001", "2016-03-15"),
        // Not in scope of anything: an unknown cell.
        line("R-5", "011190000005", "2016-03-15").replace(&district.cell, "no-such-cell"),
        line("R-6", "011190000006", "2016-03-15"),
        line("R-2", "011190000002", "2016-03-15"),
    ]
    .join("\n");
    let reply = import(&app, &body, "", "application/x-ndjson").await;
    let statuses: Vec<&str> = reply.body["results"]
        .as_array()
        .expect("results")
        .iter()
        .map(|r| r["status"].as_str().expect("status"))
        .collect();
    assert_eq!(
        statuses,
        [
            "created",
            "error",
            "unchanged",
            "error",
            "error",
            "created",
            "created"
        ],
        "{}",
        reply.text
    );
    let codes: Vec<&str> = reply.body["results"]
        .as_array()
        .expect("results")
        .iter()
        .map(|r| r["errors"][0]["code"].as_str().unwrap_or(""))
        .collect();
    assert_eq!(
        codes,
        [
            "",
            "in_the_future",
            "",
            "already_member",
            "reference_not_found",
            "",
            ""
        ],
        "{}",
        reply.text
    );
    let lines: Vec<u64> = reply.body["results"]
        .as_array()
        .expect("results")
        .iter()
        .map(|r| r["line"].as_u64().expect("line"))
        .collect();
    assert_eq!(lines, [1, 2, 3, 4, 5, 6, 7]);
    let members = app
        .get(
            &format!("/api/v1/members?organisation_id={}", district.cell),
            Some(&app.admin),
        )
        .await;
    assert_eq!(members.body["items"].as_array().expect("items").len(), 3);
    // Registered in bulk, they are in the name-search index as well.
    let named = app
        .get(
            "/api/v1/members?q=quang%20van%20mot&count=true",
            Some(&app.admin),
        )
        .await;
    assert_eq!(named.body["total"], 3, "{}", named.text);
    let created = app
        .get(
            "/api/v1/audit-events?resource_type=member&action=create",
            Some(&app.admin),
        )
        .await;
    assert_eq!(created.body["items"].as_array().expect("items").len(), 3);
}
