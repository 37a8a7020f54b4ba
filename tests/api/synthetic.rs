//! `seed synthetic` writes a register the whole API can work with: reports,
//! search, the constraints and the change feed behave as over real data.

use serde_json::json;

use crate::helpers::{test_config, TestApp};

#[actix_web::test]
async fn a_synthetic_register_reports_searches_and_keeps_its_constraints() {
    let config = test_config();
    let db = party_registry::db::Db::connect(&config.database_url, 2).expect("connect");
    db.migrate().expect("migrate");
    let summary = party_registry::seed::synthetic::generate(&db, 3500, 11).expect("seeds");
    assert_eq!(summary.members, 3500);
    let app = TestApp::spawn_with(config).await;
    let admin = Some(app.admin.as_str());

    let province = app
        .get("/api/v1/organisations?kind=provincial_committee", admin)
        .await
        .body["items"][0]["id"]
        .as_str()
        .expect("a province")
        .to_owned();
    let last_year = chrono::Datelike::year(&chrono::Utc::now()) - 1;
    let report = app
        .get(
            &format!("/api/v1/reports/annual?year={last_year}&organisation_id={province}"),
            admin,
        )
        .await;
    assert_eq!(report.status, 200, "{}", report.text);
    let r = &report.body;
    let total = r["members"]["total"].as_i64().expect("a total");
    assert!(
        (3000..3500).contains(&total),
        "members on 31 December: {total}"
    );
    let rated = r["ratings"]["members"]["rated"].as_i64().expect("rated");
    assert!(rated > 2500 && rated <= total, "{rated} rated of {total}");
    assert!(r["ratings"]["grassroots"]["rated"].as_i64() > Some(0));
    let committees = app
        .get(
            "/api/v1/organisations?kind=grassroots_committee&limit=200",
            admin,
        )
        .await
        .body["items"]
        .as_array()
        .map_or(0, Vec::len) as i64;
    assert!(committees > 0);
    assert_eq!(
        r["training"]["classes"], committees,
        "an awareness class each"
    );
    assert!(r["training"]["participants"].as_i64() > Some(0));
    assert!(r["admissions"]["admitted"].as_i64() > Some(0));

    let congress = app
        .get(
            &format!("/api/v1/reports/annual?year=2020&organisation_id={province}"),
            admin,
        )
        .await;
    assert_eq!(
        congress.body["personnel"]["appointments"], committees,
        "each committee's secretary elected in 2020"
    );

    // The name-search index holds every member (rebuilt after a bulk load).
    let member = app.get("/api/v1/members?limit=1", admin).await.body["items"][0].clone();
    let name = member["person"]["full_name"].as_str().expect("a name");
    let found = app
        .get(
            &format!("/api/v1/members?q={}&limit=200", urlencode(name)),
            admin,
        )
        .await;
    assert_eq!(found.status, 200, "{}", found.text);
    assert!(
        found.body["items"]
            .as_array()
            .is_some_and(|items| items.iter().any(|m| m["id"] == member["id"])),
        "{name} is found by name"
    );

    // The unique indexes are back: a second person with a seeded citizen id
    // is refused.
    let national_id = member["person"]["national_id"].clone();
    assert!(national_id.is_string(), "{member}");
    let duplicate = app
        .post(
            "/api/v1/people",
            admin,
            json!({"full_name": "Lò Văn Trùng", "gender": "male", "date_of_birth": "1970-01-01",
                   "ethnicity": "thai", "national_id": national_id}),
        )
        .await;
    assert_eq!(duplicate.status, 409, "{}", duplicate.text);

    // Every member reaches the change feed.
    let feed = app
        .get("/api/v1/changes?limit=1000&types=member", admin)
        .await;
    assert_eq!(feed.status, 200, "{}", feed.text);
    assert!(feed.body["changes"]
        .as_array()
        .is_some_and(|c| c.len() == 1000));
}

fn urlencode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}
