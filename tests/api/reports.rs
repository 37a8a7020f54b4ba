use chrono::Datelike;
use serde_json::{json, Value};

use crate::helpers::{a_person, TestApp};

/// A tiny district: one commune committee with a cell in a village, and a
/// grassroots cell in another village; a third village has no cell.
struct Small {
    district: String,
    commune: String,
    cell: String,
    other_cell: String,
    villages: Vec<String>,
}

async fn small_district(app: &TestApp) -> Small {
    let loc = |code: &str, name: &str, kind: &str, parent: Option<String>| json!({"code": code, "name": name, "kind": kind, "parent_id": parent});
    let area = app
        .post(
            "/api/v1/localities",
            Some(&app.admin),
            loc("MA", "Huyện Mường Ảng", "district", None),
        )
        .await
        .id();
    let commune_area = app
        .post(
            "/api/v1/localities",
            Some(&app.admin),
            loc("MD", "Xã Mường Đăng", "commune", Some(area.clone())),
        )
        .await
        .id();
    let mut villages = Vec::new();
    for (code, name) in [
        ("HON", "Bản Hón"),
        ("POMU", "Bản Pơ Mu"),
        ("XOM", "Bản Xôm"),
    ] {
        villages.push(
            app.post(
                "/api/v1/localities",
                Some(&app.admin),
                loc(code, name, "village", Some(commune_area.clone())),
            )
            .await
            .id(),
        );
    }
    let org = |code: &str, kind: &str, parent: Option<&str>, locality: &str, established: &str| {
        json!({
            "code": code, "name": format!("Tổ chức {code}"), "kind": kind, "parent_id": parent, "locality_id": locality, "established_on": established
        })
    };
    let district = app
        .post(
            "/api/v1/organisations",
            Some(&app.admin),
            org("D", "district_committee", None, &area, "1990-01-01"),
        )
        .await
        .id();
    let commune = app
        .post(
            "/api/v1/organisations",
            Some(&app.admin),
            org(
                "C",
                "grassroots_committee",
                Some(&district),
                &commune_area,
                "1990-01-01",
            ),
        )
        .await
        .id();
    let cell = app
        .post(
            "/api/v1/organisations",
            Some(&app.admin),
            org(
                "C-HON",
                "subordinate_cell",
                Some(&commune),
                &villages[0],
                "1990-01-01",
            ),
        )
        .await
        .id();
    let other_cell = app
        .post(
            "/api/v1/organisations",
            Some(&app.admin),
            org(
                "G-POMU",
                "grassroots_cell",
                Some(&district),
                &villages[1],
                "1990-01-01",
            ),
        )
        .await
        .id();
    Small {
        district,
        commune,
        cell,
        other_cell,
        villages,
    }
}

async fn register(
    app: &TestApp,
    cell: &str,
    admitted: &str,
    official: Option<&str>,
    gender: &str,
    ethnicity: &str,
    village: Option<&str>,
) -> String {
    let mut person = a_person("Thành Viên", "1980-01-01");
    person["gender"] = json!(gender);
    person["ethnicity"] = json!(ethnicity);
    person["residence_locality_id"] = json!(village);
    let reply = app.post("/api/v1/members", Some(&app.admin), json!({"person": person, "organisation_id": cell, "admitted_on": admitted, "official_on": official})).await;
    assert_eq!(reply.status, 201, "{}", reply.text);
    reply.id()
}

async fn annual(app: &TestApp, year: i32, organisation: &str) -> Value {
    let reply = app
        .get(
            &format!("/api/v1/reports/annual?year={year}&organisation_id={organisation}"),
            Some(&app.admin),
        )
        .await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    reply.body
}

#[actix_web::test]
async fn members_on_31_december_are_counted_by_status_gender_and_ethnicity() {
    let app = TestApp::spawn().await;
    let s = small_district(&app).await;
    register(
        &app,
        &s.cell,
        "2000-01-10",
        Some("2001-01-10"),
        "female",
        "thai",
        Some(&s.villages[0]),
    )
    .await;
    register(
        &app,
        &s.cell,
        "2016-03-01",
        None,
        "male",
        "kinh",
        Some(&s.villages[0]),
    )
    .await;
    register(
        &app,
        &s.other_cell,
        "2016-12-31",
        None,
        "male",
        "hmong",
        None,
    )
    .await;
    register(
        &app,
        &s.other_cell,
        "2017-01-01",
        None,
        "male",
        "kinh",
        None,
    )
    .await;
    let report = annual(&app, 2016, &s.district).await;
    assert_eq!(report["as_of"], "2016-12-31");
    assert_eq!(report["members"]["total"], 3);
    assert_eq!(
        report["members"]["by_status"],
        json!({"official": 1, "probationary": 2, "exempt": 0})
    );
    assert_eq!(report["members"]["female"], 1);
    assert_eq!(report["members"]["ethnic_minority"], 2);
    assert_eq!(report["admissions"]["admitted"], 2);
    assert_eq!(report["organisations"]["grassroots"], 2);
    assert_eq!(report["organisations"]["by_kind"]["subordinate_cell"], 1);
}

#[actix_web::test]
async fn a_past_report_does_not_change_when_later_events_are_recorded() {
    let app = TestApp::spawn().await;
    let s = small_district(&app).await;
    let member = register(
        &app,
        &s.cell,
        "2000-01-10",
        Some("2001-01-10"),
        "male",
        "thai",
        None,
    )
    .await;
    let mover = register(
        &app,
        &s.cell,
        "2000-01-10",
        Some("2001-01-10"),
        "male",
        "thai",
        None,
    )
    .await;
    let before = annual(&app, 2016, &s.district).await;
    app.post(
        &format!("/api/v1/members/{member}/status"),
        Some(&app.admin),
        json!({"status": "deceased", "on": "2017-01-01"}),
    )
    .await;
    app.post(
        &format!("/api/v1/members/{mover}/transfers"),
        Some(&app.admin),
        json!({"out": true, "destination": "Lai Châu", "on": "2017-03-01"}),
    )
    .await;
    app.post("/api/v1/organisations", Some(&app.admin), json!({"code": "NEW", "name": "Chi bộ mới", "kind": "grassroots_cell", "parent_id": s.district, "established_on": "2017-02-01"})).await;
    let after = annual(&app, 2016, &s.district).await;
    assert_eq!(before, after);
    let next_year = annual(&app, 2017, &s.district).await;
    assert_eq!(next_year["members"]["total"], 0);
    assert_eq!(next_year["organisations"]["grassroots"], 3);
}

#[actix_web::test]
async fn a_death_on_31_december_is_out_of_that_years_count() {
    let app = TestApp::spawn().await;
    let s = small_district(&app).await;
    let member = register(
        &app,
        &s.cell,
        "2000-01-10",
        Some("2001-01-10"),
        "male",
        "thai",
        None,
    )
    .await;
    app.post(
        &format!("/api/v1/members/{member}/status"),
        Some(&app.admin),
        json!({"status": "deceased", "on": "2016-12-31"}),
    )
    .await;
    assert_eq!(annual(&app, 2016, &s.district).await["members"]["total"], 0);
    assert_eq!(annual(&app, 2015, &s.district).await["members"]["total"], 1);
}

#[actix_web::test]
async fn a_transfer_counts_the_member_in_the_new_cells_subtree_from_its_date() {
    let app = TestApp::spawn().await;
    let s = small_district(&app).await;
    let member = register(
        &app,
        &s.cell,
        "2000-01-10",
        Some("2001-01-10"),
        "male",
        "thai",
        None,
    )
    .await;
    app.post(
        &format!("/api/v1/members/{member}/transfers"),
        Some(&app.admin),
        json!({"to_organisation_id": s.other_cell, "on": "2016-07-01"}),
    )
    .await;
    assert_eq!(annual(&app, 2015, &s.commune).await["members"]["total"], 1);
    assert_eq!(annual(&app, 2016, &s.commune).await["members"]["total"], 0);
    assert_eq!(
        annual(&app, 2016, &s.other_cell).await["members"]["total"],
        1
    );
}

/// A commune committee moved to another district today: the reports of
/// years ended before the move still count it under its old district (the
/// subtree rebuilt from the dated moves), those of this year under the new
/// one (the subtree as it stands, read by its path range).
#[actix_web::test]
async fn a_subtree_moved_since_the_year_counts_where_it_stood_then() {
    let app = TestApp::spawn().await;
    let s = small_district(&app).await;
    register(
        &app,
        &s.cell,
        "2000-01-10",
        Some("2001-01-10"),
        "female",
        "kinh",
        None,
    )
    .await;
    register(
        &app,
        &s.other_cell,
        "2000-01-10",
        None,
        "male",
        "thai",
        None,
    )
    .await;
    let area = app
        .get(
            &format!("/api/v1/organisations/{}", s.district),
            Some(&app.admin),
        )
        .await
        .body["locality_id"]
        .clone();
    let new_district = app
        .post(
            "/api/v1/organisations",
            Some(&app.admin),
            json!({"code": "D2", "name": "Huyện ủy mới", "kind": "district_committee", "locality_id": area, "established_on": "1990-01-01"}),
        )
        .await
        .id();
    let moved = app
        .patch(
            &format!("/api/v1/organisations/{}", s.commune),
            Some(&app.admin),
            json!({"parent_id": new_district}),
        )
        .await;
    assert_eq!(moved.status, 200, "{}", moved.text);

    let last_year = chrono::Utc::now().year() - 1;
    let this_year = last_year + 1;
    let total = |report: Value| report["members"]["total"].clone();
    assert_eq!(total(annual(&app, last_year, &s.district).await), 2);
    assert_eq!(total(annual(&app, last_year, &new_district).await), 0);
    assert_eq!(total(annual(&app, this_year, &s.district).await), 1);
    assert_eq!(total(annual(&app, this_year, &new_district).await), 1);
    let moved_figures = annual(&app, this_year, &new_district).await;
    assert_eq!(moved_figures["members"]["female"], 1);
    assert_eq!(moved_figures["organisations"]["grassroots"], 1);
}

#[actix_web::test]
async fn admissions_recognitions_cards_and_badges_of_the_year() {
    let app = TestApp::spawn().await;
    let s = small_district(&app).await;
    app.post(
        "/api/v1/admission-quotas",
        Some(&app.admin),
        json!({"organisation_id": s.district, "year": 2016, "target": 1}),
    )
    .await;
    app.post(
        "/api/v1/admission-quotas",
        Some(&app.admin),
        json!({"organisation_id": s.commune, "year": 2016, "target": 2}),
    )
    .await;
    let probationary = register(&app, &s.cell, "2015-03-01", None, "male", "thai", None).await;
    register(&app, &s.cell, "2016-02-01", None, "male", "thai", None).await;
    register(&app, &s.cell, "2016-05-01", None, "male", "thai", None).await;
    register(&app, &s.cell, "2016-06-01", None, "male", "thai", None).await;
    app.post(
        &format!("/api/v1/members/{probationary}/recognition"),
        Some(&app.admin),
        json!({"decided_on": "2016-03-20"}),
    )
    .await;
    app.post(
        &format!("/api/v1/members/{probationary}/cards"),
        Some(&app.admin),
        json!({"card_number": "T-1", "issued_on": "2016-05-19"}),
    )
    .await;
    let veteran = register(
        &app,
        &s.other_cell,
        "1986-03-01",
        Some("1987-03-01"),
        "male",
        "thai",
        None,
    )
    .await;
    let badge = app
        .post(
            &format!("/api/v1/members/{veteran}/badges"),
            Some(&app.admin),
            json!({"milestone": 30, "status": "proposed", "on": "2016-02-03"}),
        )
        .await;
    assert_eq!(badge.status, 200, "{}", badge.text);
    // Registered by mistake, then deleted: one admitted in the year, one
    // recognised and carded in it. None of it counts.
    let admitted_by_mistake =
        register(&app, &s.cell, "2016-01-10", None, "male", "thai", None).await;
    let mistaken = register(&app, &s.cell, "2015-02-01", None, "male", "thai", None).await;
    for (action, body) in [
        ("recognition", json!({"decided_on": "2016-04-01"})),
        (
            "cards",
            json!({"card_number": "T-2", "issued_on": "2016-06-01"}),
        ),
    ] {
        let reply = app
            .post(
                &format!("/api/v1/members/{mistaken}/{action}"),
                Some(&app.admin),
                body,
            )
            .await;
        assert_eq!(reply.status, 200, "{}", reply.text);
    }
    for member in [admitted_by_mistake, mistaken] {
        let path = format!("/api/v1/members/{member}");
        assert_eq!(app.delete(&path, Some(&app.admin)).await.status, 204);
    }
    let report = annual(&app, 2016, &s.district).await;
    assert_eq!(report["admissions"]["admitted"], 3);
    assert_eq!(report["admissions"]["target"], 3);
    assert_eq!(
        report["admissions"]["achievement"],
        json!({"count": 3, "of": 3, "percent": 100.0})
    );
    assert_eq!(report["recognitions"], 1);
    assert_eq!(report["cards"], json!({"issued": 1, "reissued": 0}));
    assert_eq!(report["badges"]["proposed"], 1);
    assert_eq!(report["badges"]["by_milestone"], json!({"30": 1}));
}

#[actix_web::test]
async fn villages_without_members_without_a_cell_or_unstable() {
    let app = TestApp::spawn().await;
    let s = small_district(&app).await;
    for _ in 0..3 {
        register(
            &app,
            &s.cell,
            "2000-01-10",
            Some("2001-01-10"),
            "male",
            "thai",
            Some(&s.villages[0]),
        )
        .await;
    }
    register(
        &app,
        &s.other_cell,
        "2000-01-10",
        Some("2001-01-10"),
        "male",
        "thai",
        Some(&s.villages[2]),
    )
    .await;
    let report = annual(&app, 2016, &s.district).await;
    // Hón: 3 official residents and a cell. Pơ Mu: a cell, nobody resides. Xôm: one resident, no cell.
    assert_eq!(
        report["villages"],
        json!({"total": 3, "without_members": 1, "without_cell": 1, "unstable": 1})
    );
    let list = app
        .get(
            &format!(
                "/api/v1/reports/villages?year=2016&organisation_id={}",
                s.district
            ),
            Some(&app.admin),
        )
        .await;
    assert_eq!(list.body["without_members"][0]["name"], "Bản Pơ Mu");
    assert_eq!(list.body["without_cell"][0]["name"], "Bản Xôm");
    assert_eq!(list.body["unstable"][0]["name"], "Bản Xôm");
}

#[actix_web::test]
async fn the_report_is_also_csv() {
    let app = TestApp::spawn().await;
    let s = small_district(&app).await;
    register(
        &app,
        &s.cell,
        "2000-01-10",
        Some("2001-01-10"),
        "male",
        "thai",
        None,
    )
    .await;
    let reply = app
        .get(
            &format!(
                "/api/v1/reports/annual?year=2016&organisation_id={}&format=csv",
                s.district
            ),
            Some(&app.admin),
        )
        .await;
    assert_eq!(reply.status, 200);
    assert!(reply.text.starts_with("field,value\n"));
    assert!(reply.text.contains("\nmembers.total,1\n"), "{}", reply.text);
}

#[actix_web::test]
async fn a_scoped_caller_reports_only_its_subtree() {
    let app = TestApp::spawn().await;
    let s = small_district(&app).await;
    register(
        &app,
        &s.cell,
        "2000-01-10",
        Some("2001-01-10"),
        "male",
        "thai",
        None,
    )
    .await;
    register(
        &app,
        &s.other_cell,
        "2000-01-10",
        Some("2001-01-10"),
        "male",
        "thai",
        None,
    )
    .await;
    let viewer = app.user("commune.viewer", "viewer", Some(&s.commune)).await;
    let own = app
        .get("/api/v1/reports/annual?year=2016", Some(&viewer))
        .await;
    assert_eq!(own.status, 200, "{}", own.text);
    assert_eq!(own.body["organisation_id"], s.commune.as_str());
    assert_eq!(own.body["members"]["total"], 1);
    let outside = app
        .get(
            &format!(
                "/api/v1/reports/annual?year=2016&organisation_id={}",
                s.district
            ),
            Some(&viewer),
        )
        .await;
    assert_eq!(outside.status, 404);
}

#[actix_web::test]
async fn data_quality_lists_the_records_to_fix_with_reasons() {
    let app = TestApp::spawn().await;
    let s = small_district(&app).await;
    let good = app.post("/api/v1/members", Some(&app.admin), json!({
        "person": {"full_name": "Đủ Thông Tin", "gender": "female", "date_of_birth": "1990-05-01", "ethnicity": "thai",
                   "national_id": "011190001234", "residence_locality_id": s.villages[0]},
        "organisation_id": s.cell, "admitted_on": "2012-03-15", "official_on": "2013-03-15", "card_number": "OK-1"
    })).await;
    assert_eq!(good.status, 201, "{}", good.text);
    let bad = app.post("/api/v1/members", Some(&app.admin), json!({
        "person": {"full_name": "Thiếu Thông Tin", "gender": "male", "date_of_birth": "1990-05-01", "ethnicity": "thai", "national_id": "011190001235"},
        "organisation_id": s.cell, "admitted_on": "2012-03-15", "official_on": "2013-03-15"
    })).await.id();
    let reply = app
        .get(
            &format!(
                "/api/v1/reports/data-quality?organisation_id={}",
                s.district
            ),
            Some(&app.admin),
        )
        .await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    assert_eq!(
        reply.body["complete"],
        json!({"count": 1, "of": 2, "percent": 50.0})
    );
    let fix = &reply.body["records_to_fix"][0];
    assert_eq!(fix["member_id"], bad.as_str());
    let reasons: Vec<&str> = fix["reasons"]
        .as_array()
        .expect("reasons")
        .iter()
        .filter_map(|r| r.as_str())
        .collect();
    assert_eq!(
        reasons,
        vec![
            "national_id_gender_mismatch",
            "residence_missing",
            "card_missing"
        ]
    );
}
