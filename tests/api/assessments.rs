use serde_json::json;

use crate::helpers::{district, TestApp};

async fn rate(
    app: &TestApp,
    subject_type: &str,
    subject: &str,
    year: i32,
    rating: &str,
) -> crate::helpers::Reply {
    app.post(
        "/api/v1/assessments",
        Some(&app.admin),
        json!({"subject_type": subject_type, "subject_id": subject, "year": year, "rating": rating}),
    )
    .await
}

#[actix_web::test]
async fn the_rating_label_is_the_wording_of_its_year() {
    let app = TestApp::spawn().await;
    let d = district(&app).await;
    let old = rate(&app, "organisation", &d.commune, 2016, "excellent").await;
    assert_eq!(old.status, 201, "{}", old.text);
    assert_eq!(old.body["rating_label"], "Trong sạch vững mạnh");
    assert_eq!(old.body["organisation_id"], d.commune.as_str());
    let new = rate(&app, "organisation", &d.commune, 2018, "excellent").await;
    assert_eq!(new.body["rating_label"], "Hoàn thành xuất sắc nhiệm vụ");
    let member = app.member(&d.cell, "2010-01-10", Some("2011-01-10")).await;
    let rated = rate(&app, "member", &member, 2016, "unsatisfactory").await;
    assert_eq!(rated.body["rating_label"], "Không hoàn thành nhiệm vụ");
    assert_eq!(
        rated.body["organisation_id"],
        d.cell.as_str(),
        "rated under the home cell"
    );

    let path = format!("/api/v1/assessments/{}", old.id());
    let read = app.get(&path, Some(&app.admin)).await;
    assert_eq!(read.header("etag").as_deref(), Some("\"1\""));
    let patched = app
        .patch(&path, Some(&app.admin), json!({"rating": "good"}))
        .await;
    assert_eq!(patched.body["version"], 2);
    assert_eq!(patched.body["rating_label"], "Hoàn thành tốt nhiệm vụ");
    let same = app
        .patch(&path, Some(&app.admin), json!({"rating": "good"}))
        .await;
    assert_eq!(same.body["version"], 2);
}

#[actix_web::test]
async fn one_rating_per_subject_and_year_and_points_only_from_2025() {
    let app = TestApp::spawn().await;
    let d = district(&app).await;
    assert_eq!(
        rate(&app, "organisation", &d.cell, 2024, "good")
            .await
            .status,
        201
    );
    let again = rate(&app, "organisation", &d.cell, 2024, "excellent").await;
    assert_eq!(again.status, 409);
    assert_eq!(again.body["code"], "duplicate_assessment");
    let early = app
        .post(
            "/api/v1/assessments",
            Some(&app.admin),
            json!({"subject_type": "organisation", "subject_id": d.cell, "year": 2023, "rating": "good", "points": 80}),
        )
        .await;
    assert_eq!(early.status, 422);
    assert_eq!(early.body["code"], "points_not_applicable");
    let scored = app
        .post(
            "/api/v1/assessments",
            Some(&app.admin),
            json!({"subject_type": "organisation", "subject_id": d.cell, "year": 2025, "rating": "good", "points": 82}),
        )
        .await;
    assert_eq!(scored.status, 201, "{}", scored.text);
    let too_many = app
        .patch(
            &format!("/api/v1/assessments/{}", scored.id()),
            Some(&app.admin),
            json!({"points": 101}),
        )
        .await;
    assert_eq!(too_many.status, 400);
    let count = app
        .get(
            &format!("/api/v1/assessments?subject_id={}&count=true", d.cell),
            Some(&app.admin),
        )
        .await;
    assert_eq!(count.body["total"], 2, "refusals created nothing");
}

#[actix_web::test]
async fn the_summary_counts_ratings_and_flags_too_many_excellent() {
    let app = TestApp::spawn().await;
    let d = district(&app).await;
    let mut cells = vec![d.cell.clone()];
    for code in ["MA-MD-A", "MA-MD-B", "MA-MD-C", "MA-MD-D", "MA-MD-E"] {
        cells.push(
            app.organisation(code, "subordinate_cell", Some(&d.commune))
                .await,
        );
    }
    for year in [2017, 2018] {
        assert_eq!(
            rate(&app, "organisation", &cells[0], year, "excellent")
                .await
                .status,
            201
        );
        assert_eq!(
            rate(&app, "organisation", &cells[1], year, "excellent")
                .await
                .status,
            201
        );
        for cell in &cells[2..] {
            assert_eq!(
                rate(&app, "organisation", cell, year, "good").await.status,
                201
            );
        }
    }
    let member = app.member(&d.cell, "2010-01-10", Some("2011-01-10")).await;
    assert_eq!(
        rate(&app, "member", &member, 2018, "good").await.status,
        201
    );
    // Outside the commune: not counted in its summary.
    assert_eq!(
        rate(&app, "organisation", &d.other_cell, 2018, "unsatisfactory")
            .await
            .status,
        201
    );

    let summary = app
        .get(
            &format!(
                "/api/v1/assessments/summary?year=2018&organisation_id={}",
                d.commune
            ),
            Some(&app.admin),
        )
        .await;
    assert_eq!(summary.status, 200, "{}", summary.text);
    assert_eq!(summary.body["organisations"]["rated"], 6);
    assert_eq!(summary.body["organisations"]["excellent"], 2);
    assert_eq!(summary.body["organisations"]["good"], 4);
    assert_eq!(summary.body["organisations"]["unsatisfactory"], 0);
    assert_eq!(
        summary.body["organisations"]["excellent_quota_exceeded"],
        true
    );
    assert_eq!(summary.body["members"]["rated"], 1);
    assert_eq!(summary.body["members"]["excellent_quota_exceeded"], false);
    assert_eq!(summary.body["excellent_quota_exceeded"], true);

    let before_cap = app
        .get(
            &format!(
                "/api/v1/assessments/summary?year=2017&organisation_id={}",
                d.commune
            ),
            Some(&app.admin),
        )
        .await;
    assert_eq!(before_cap.body["organisations"]["excellent"], 2);
    assert_eq!(
        before_cap.body["excellent_quota_exceeded"], false,
        "no cap before 2018"
    );

    let everything = app
        .get("/api/v1/assessments/summary?year=2018", Some(&app.admin))
        .await;
    assert_eq!(everything.body["organisations"]["rated"], 7);
}

#[actix_web::test]
async fn a_scoped_organiser_cannot_see_or_rate_elsewhere() {
    let app = TestApp::spawn().await;
    let d = district(&app).await;
    let theirs = rate(&app, "organisation", &d.other_cell, 2018, "good").await;
    let member = app
        .member(&d.other_cell, "2010-01-10", Some("2011-01-10"))
        .await;
    let organiser = app.user("scoped", "organiser", Some(&d.commune)).await;
    let path = format!("/api/v1/assessments/{}", theirs.id());
    assert_eq!(app.get(&path, Some(&organiser)).await.status, 404);
    assert_eq!(
        app.patch(&path, Some(&organiser), json!({"rating": "excellent"}))
            .await
            .status,
        404
    );
    assert_eq!(app.delete(&path, Some(&organiser)).await.status, 404);
    assert_eq!(
        app.get("/api/v1/assessments?count=true", Some(&organiser))
            .await
            .body["total"],
        0
    );
    for (kind, subject) in [("organisation", &d.other_cell), ("member", &member)] {
        let smuggled = app
            .post(
                "/api/v1/assessments",
                Some(&organiser),
                json!({"subject_type": kind, "subject_id": subject, "year": 2019, "rating": "good"}),
            )
            .await;
        assert_eq!(smuggled.status, 404);
        assert_eq!(smuggled.body["code"], "reference_not_found");
    }
    let summary = app
        .get("/api/v1/assessments/summary?year=2018", Some(&organiser))
        .await;
    assert_eq!(summary.body["organisation_id"], d.commune.as_str());
    assert_eq!(summary.body["organisations"]["rated"], 0);
    let elsewhere = app
        .get(
            &format!(
                "/api/v1/assessments/summary?year=2018&organisation_id={}",
                d.other_cell
            ),
            Some(&organiser),
        )
        .await;
    assert_eq!(elsewhere.status, 404);
}
