//! `seed demo` reproduces every figure of the source document for 2016.

use serde_json::json;

use crate::helpers::{test_config, TestApp};

#[actix_web::test]
async fn the_demo_district_reports_the_articles_figures_for_2016() {
    let config = test_config();
    let db = party_registry::db::Db::connect(&config.database_url, 2).expect("connect");
    db.migrate().expect("migrate");
    let summary = party_registry::seed::demo::load(&db).expect("demo loads");
    let app = TestApp::spawn_with(config).await;
    let reply = app
        .get(
            &format!(
                "/api/v1/reports/annual?year=2016&organisation_id={}",
                summary.district_id
            ),
            Some(&app.admin),
        )
        .await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    let r = reply.body;
    assert_eq!(r["organisations"]["grassroots"], 49);
    assert_eq!(r["members"]["total"], 2128);
    assert_eq!(r["admissions"]["admitted"], 152);
    assert_eq!(r["admissions"]["achievement"]["percent"], 126.7);
    assert_eq!(r["recognitions"], 171);
    assert_eq!(r["cards"]["issued"], 173);
    assert_eq!(r["badges"]["proposed"], 52);
    assert_eq!(r["training"]["classes"], 14);
    assert_eq!(r["training"]["participants"], 1118);
    assert_eq!(
        r["ratings"]["all_organisations"]["excellent"]["percent"],
        62.5
    );
    assert_eq!(r["ratings"]["all_organisations"]["good"]["percent"], 36.8);
    assert_eq!(
        r["awards"],
        json!({"grassroots": 10, "subordinate_cells": 4, "members": 2})
    );
    assert_eq!(
        r["personnel"],
        json!({"appointments": 80, "rotations": 2, "transfers": 1, "secondments": 0})
    );
    assert_eq!(r["villages"]["without_members"], 1);
    assert_eq!(r["villages"]["without_cell"], 26);
    assert_eq!(r["villages"]["unstable"], 5);
    let study = &r["study"][0];
    assert_eq!(study["organisations_held"]["percent"], 100.0);
    assert_eq!(study["members_attended"]["percent"], 98.0);
    assert_eq!(study["masses_attended"]["percent"], 85.0);
    let again = party_registry::seed::demo::load(&db);
    assert!(again.is_err(), "loading the demo twice is refused");
}
