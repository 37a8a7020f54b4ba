use serde_json::json;

use crate::helpers::{a_person, district, TestApp};

#[actix_web::test]
async fn a_registered_member_embeds_the_person() {
    let app = TestApp::spawn().await;
    let d = district(&app).await;
    let reply = app.post("/api/v1/members", Some(&app.admin), json!({
        "person": {"full_name": "Lò Thị Mai", "gender": "female", "date_of_birth": "1990-05-01", "ethnicity": "thai", "national_id": "011190001234"},
        "organisation_id": d.cell, "admitted_on": "2012-03-15", "official_on": "2013-03-15", "member_number": "DB-001"
    })).await;
    assert_eq!(reply.status, 201, "{}", reply.text);
    assert_eq!(reply.body["status"], "official");
    assert_eq!(reply.body["person"]["full_name"], "Lò Thị Mai");
    assert_eq!(reply.body["person"]["national_id"], "011190001234");
    let events = app
        .get(
            &format!("/api/v1/members/{}/events", reply.id()),
            Some(&app.admin),
        )
        .await;
    let statuses: Vec<_> = events.body["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|e| e["status_after"].clone())
        .collect();
    assert_eq!(statuses, vec![json!("probationary"), json!("official")]);
}

#[actix_web::test]
async fn members_must_belong_to_a_cell() {
    let app = TestApp::spawn().await;
    let d = district(&app).await;
    let reply = app.post("/api/v1/members", Some(&app.admin), json!({
        "person": a_person("Không Chi Bộ", "1980-01-01"), "organisation_id": d.commune, "admitted_on": "2012-03-15"
    })).await;
    assert_eq!(reply.status, 422);
    assert_eq!(reply.body["code"], "not_a_cell");
    let people = app.get("/api/v1/people?count=true", Some(&app.admin)).await;
    assert_eq!(
        people.body["total"], 0,
        "a refused registration leaves no person behind"
    );
}

#[actix_web::test]
async fn a_malformed_national_id_is_refused() {
    let app = TestApp::spawn().await;
    let d = district(&app).await;
    let reply = app.post("/api/v1/members", Some(&app.admin), json!({
        "person": {"full_name": "Sai Số", "gender": "male", "date_of_birth": "1980-01-01", "ethnicity": "kinh", "national_id": "12345"},
        "organisation_id": d.cell, "admitted_on": "2012-03-15"
    })).await;
    assert_eq!(reply.status, 400);
    assert_eq!(reply.body["errors"][0]["code"], "invalid_national_id");
}

#[actix_web::test]
async fn recognition_before_twelve_months_is_refused_and_changes_nothing() {
    let app = TestApp::spawn().await;
    let d = district(&app).await;
    let id = app.member(&d.cell, "2016-03-15", None).await;
    let path = format!("/api/v1/members/{id}");
    let early = app
        .post(
            &format!("{path}/recognition"),
            Some(&app.admin),
            json!({"decided_on": "2017-03-14"}),
        )
        .await;
    assert_eq!(early.status, 422);
    assert_eq!(early.body["code"], "probation_not_over");
    let read = app.get(&path, Some(&app.admin)).await;
    assert_eq!(read.body["status"], "probationary");
    assert_eq!(read.body["version"], 1);
}

#[actix_web::test]
async fn a_late_recognition_dates_official_membership_from_twelve_months() {
    let app = TestApp::spawn().await;
    let d = district(&app).await;
    let id = app.member(&d.cell, "2016-03-15", None).await;
    let reply = app
        .post(
            &format!("/api/v1/members/{id}/recognition"),
            Some(&app.admin),
            json!({"decided_on": "2017-05-02", "decision_number": "215-QĐ/HU"}),
        )
        .await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    assert_eq!(reply.body["status"], "official");
    assert_eq!(reply.body["official_on"], "2017-03-15");
    let again = app
        .post(
            &format!("/api/v1/members/{id}/recognition"),
            Some(&app.admin),
            json!({"decided_on": "2017-06-02"}),
        )
        .await;
    assert_eq!(again.status, 409);
}

#[actix_web::test]
async fn cards_go_to_official_members_and_reissues_keep_history() {
    let app = TestApp::spawn().await;
    let d = district(&app).await;
    let probationary = app.member(&d.cell, "2016-03-15", None).await;
    let refused = app
        .post(
            &format!("/api/v1/members/{probationary}/cards"),
            Some(&app.admin),
            json!({"card_number": "C1", "issued_on": "2016-06-01"}),
        )
        .await;
    assert_eq!(refused.status, 422);
    assert_eq!(refused.body["code"], "not_official");
    let official = app.member(&d.cell, "2010-01-10", Some("2011-01-10")).await;
    let first = app
        .post(
            &format!("/api/v1/members/{official}/cards"),
            Some(&app.admin),
            json!({"card_number": "C1", "issued_on": "2016-06-01"}),
        )
        .await;
    assert_eq!(first.status, 200, "{}", first.text);
    let again = app
        .post(
            &format!("/api/v1/members/{official}/cards"),
            Some(&app.admin),
            json!({"card_number": "C2", "issued_on": "2016-09-01", "reason": "lost"}),
        )
        .await;
    assert_eq!(again.body["card_number"], "C2");
    let events = app
        .get(
            &format!("/api/v1/members/{official}/events"),
            Some(&app.admin),
        )
        .await;
    let kinds: Vec<_> = events.body["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|e| e["kind"].clone())
        .collect();
    assert!(
        kinds.contains(&json!("card_issued")) && kinds.contains(&json!("card_reissued")),
        "{kinds:?}"
    );
    let duplicate = app
        .post(
            &format!("/api/v1/members/{probationary}/cards"),
            Some(&app.admin),
            json!({"card_number": "C2", "issued_on": "2017-06-01"}),
        )
        .await;
    assert_ne!(duplicate.status, 200);
}

#[actix_web::test]
async fn a_badge_is_refused_before_the_milestone_year_and_given_once() {
    let app = TestApp::spawn().await;
    let d = district(&app).await;
    let id = app.member(&d.cell, "1986-05-10", Some("1987-05-10")).await;
    let badges = format!("/api/v1/members/{id}/badges");
    let early = app
        .post(
            &badges,
            Some(&app.admin),
            json!({"milestone": 30, "status": "proposed", "on": "2015-09-02"}),
        )
        .await;
    assert_eq!(early.status, 422);
    assert_eq!(early.body["code"], "milestone_not_reached");
    let proposed = app
        .post(
            &badges,
            Some(&app.admin),
            json!({"milestone": 30, "status": "proposed", "on": "2016-02-03"}),
        )
        .await;
    assert_eq!(proposed.status, 200, "{}", proposed.text);
    let awarded = app
        .post(
            &badges,
            Some(&app.admin),
            json!({"milestone": 30, "status": "awarded", "on": "2016-05-19"}),
        )
        .await;
    assert_eq!(awarded.status, 200, "{}", awarded.text);
    let twice = app
        .post(
            &badges,
            Some(&app.admin),
            json!({"milestone": 30, "status": "awarded", "on": "2016-09-02"}),
        )
        .await;
    assert_eq!(twice.body["code"], "badge_already_awarded");
    let odd = app
        .post(
            &badges,
            Some(&app.admin),
            json!({"milestone": 35, "status": "proposed", "on": "2021-09-02"}),
        )
        .await;
    assert_eq!(odd.body["code"], "invalid_milestone");
}

#[actix_web::test]
async fn an_early_badge_for_serious_illness_is_allowed_within_twelve_months() {
    let app = TestApp::spawn().await;
    let d = district(&app).await;
    let id = app.member(&d.cell, "1977-03-01", Some("1978-03-01")).await;
    let reply = app.post(&format!("/api/v1/members/{id}/badges"), Some(&app.admin),
        json!({"milestone": 40, "status": "awarded", "on": "2016-09-02", "early_reason": "Bệnh hiểm nghèo"})).await;
    assert_eq!(reply.status, 200, "{}", reply.text);
}

#[actix_web::test]
async fn a_posthumous_badge_is_allowed_only_for_years_lived_in_the_party() {
    let app = TestApp::spawn().await;
    let d = district(&app).await;
    let veteran = app.member(&d.cell, "1980-01-05", Some("1981-01-05")).await;
    let died = app
        .post(
            &format!("/api/v1/members/{veteran}/status"),
            Some(&app.admin),
            json!({"status": "deceased", "on": "2015-03-01"}),
        )
        .await;
    assert_eq!(died.status, 200, "{}", died.text);
    let badge = app
        .post(
            &format!("/api/v1/members/{veteran}/badges"),
            Some(&app.admin),
            json!({"milestone": 30, "status": "awarded", "on": "2015-05-19"}),
        )
        .await;
    assert_eq!(badge.status, 200, "{}", badge.text);
    let young = app.member(&d.cell, "1990-01-05", Some("1991-01-05")).await;
    app.post(
        &format!("/api/v1/members/{young}/status"),
        Some(&app.admin),
        json!({"status": "deceased", "on": "2015-03-01"}),
    )
    .await;
    let refused = app
        .post(
            &format!("/api/v1/members/{young}/badges"),
            Some(&app.admin),
            json!({"milestone": 30, "status": "awarded", "on": "2020-05-19"}),
        )
        .await;
    assert_eq!(refused.status, 422);
    assert_eq!(refused.body["code"], "milestone_not_reached");
}

#[actix_web::test]
async fn transfers_move_the_home_cell_or_attach_temporarily() {
    let app = TestApp::spawn().await;
    let d = district(&app).await;
    let id = app.member(&d.cell, "2010-01-10", Some("2011-01-10")).await;
    let path = format!("/api/v1/members/{id}");
    let temporary = app.post(&format!("{path}/transfers"), Some(&app.admin),
        json!({"to_organisation_id": d.other_cell, "on": "2016-02-01", "kind": "temporary", "until": "2016-08-01"})).await;
    assert_eq!(temporary.status, 200, "{}", temporary.text);
    assert_eq!(temporary.body["organisation_id"], d.cell.as_str());
    assert_eq!(
        temporary.body["temporary_organisation_id"],
        d.other_cell.as_str()
    );
    let back = app
        .post(
            &format!("{path}/transfers"),
            Some(&app.admin),
            json!({"on": "2016-08-01", "kind": "return"}),
        )
        .await;
    assert_eq!(back.status, 200, "{}", back.text);
    let official = app
        .post(
            &format!("{path}/transfers"),
            Some(&app.admin),
            json!({"to_organisation_id": d.other_cell, "on": "2016-09-01", "kind": "official"}),
        )
        .await;
    assert_eq!(official.body["organisation_id"], d.other_cell.as_str());
    let backdated = app
        .post(
            &format!("{path}/transfers"),
            Some(&app.admin),
            json!({"to_organisation_id": d.cell, "on": "2016-01-01"}),
        )
        .await;
    assert_eq!(backdated.status, 422);
    assert_eq!(backdated.body["code"], "dated_before_last_event");
    let out = app
        .post(
            &format!("{path}/transfers"),
            Some(&app.admin),
            json!({"out": true, "destination": "Đảng bộ tỉnh Lai Châu", "on": "2017-01-01"}),
        )
        .await;
    assert_eq!(out.body["status"], "transferred_out");
    assert_eq!(out.body["left_on"], "2017-01-01");
}

#[actix_web::test]
async fn probationary_members_cannot_be_expelled() {
    let app = TestApp::spawn().await;
    let d = district(&app).await;
    let id = app.member(&d.cell, "2016-03-15", None).await;
    let reply = app
        .post(
            &format!("/api/v1/members/{id}/status"),
            Some(&app.admin),
            json!({"status": "expelled", "on": "2016-06-01"}),
        )
        .await;
    assert_eq!(reply.status, 422);
    assert_eq!(reply.body["code"], "invalid_status_transition");
    let removed = app
        .post(
            &format!("/api/v1/members/{id}/status"),
            Some(&app.admin),
            json!({"status": "removed", "on": "2017-04-01", "reason": "Không đủ tư cách"}),
        )
        .await;
    assert_eq!(removed.body["status"], "removed");
}

#[actix_web::test]
async fn exemption_and_return_keep_the_member_counted() {
    let app = TestApp::spawn().await;
    let d = district(&app).await;
    let id = app.member(&d.cell, "1970-01-10", Some("1971-01-10")).await;
    let exempt = app
        .post(
            &format!("/api/v1/members/{id}/status"),
            Some(&app.admin),
            json!({"status": "exempt", "on": "2016-01-01", "reason": "Tuổi cao"}),
        )
        .await;
    assert_eq!(exempt.body["status"], "exempt");
    let back = app
        .post(
            &format!("/api/v1/members/{id}/status"),
            Some(&app.admin),
            json!({"status": "official", "on": "2016-06-01"}),
        )
        .await;
    assert_eq!(back.body["status"], "official");
}

#[actix_web::test]
async fn viewers_do_not_see_sensitive_fields_or_reasons() {
    let app = TestApp::spawn().await;
    let d = district(&app).await;
    let id = app.member(&d.cell, "1970-01-10", Some("1971-01-10")).await;
    app.post(
        &format!("/api/v1/members/{id}/status"),
        Some(&app.admin),
        json!({"status": "exempt", "on": "2016-01-01", "reason": "Bệnh"}),
    )
    .await;
    let viewer = app.user("viewer", "viewer", None).await;
    let read = app
        .get(&format!("/api/v1/members/{id}"), Some(&viewer))
        .await;
    assert_eq!(read.status, 200);
    let person = read.body["person"].as_object().expect("person");
    for hidden in [
        "date_of_birth",
        "ethnicity",
        "religion",
        "national_id",
        "address",
        "phone",
    ] {
        assert!(!person.contains_key(hidden), "{hidden} leaked to a viewer");
    }
    let events = app
        .get(&format!("/api/v1/members/{id}/events"), Some(&viewer))
        .await;
    assert!(events.body["items"]
        .as_array()
        .expect("items")
        .iter()
        .all(|e| e["reason"].is_null()));
    let organiser = app.user("organiser", "organiser", None).await;
    let full = app
        .get(&format!("/api/v1/members/{id}"), Some(&organiser))
        .await;
    assert_eq!(full.body["person"]["date_of_birth"], "1980-01-01");
}

#[actix_web::test]
async fn a_full_read_by_a_privileged_role_is_audited() {
    let app = TestApp::spawn().await;
    let d = district(&app).await;
    let id = app.member(&d.cell, "1970-01-10", Some("1971-01-10")).await;
    app.get(&format!("/api/v1/members/{id}"), Some(&app.admin))
        .await;
    let events = app
        .get(
            &format!("/api/v1/audit-events?resource_id={id}&action=read"),
            Some(&app.admin),
        )
        .await;
    assert_eq!(
        events.body["items"].as_array().map(Vec::len),
        Some(1),
        "{}",
        events.text
    );
}

#[actix_web::test]
async fn concurrent_full_reads_are_each_audited_before_they_answer() {
    let app = TestApp::spawn().await;
    let d = district(&app).await;
    let id = app.member(&d.cell, "1970-01-10", Some("1971-01-10")).await;
    let path = format!("/api/v1/members/{id}");
    // Reads in flight together share a group commit of their audit rows.
    let reads = (0..24).map(|_| app.get(&path, Some(&app.admin)));
    let replies = futures_util::future::join_all(reads).await;
    assert!(replies.iter().all(|r| r.status == 200));
    let events = app
        .get(
            &format!("/api/v1/audit-events?resource_id={id}&action=read&limit=100"),
            Some(&app.admin),
        )
        .await;
    let rows = events.body["items"].as_array().cloned().unwrap_or_default();
    assert_eq!(rows.len(), 24, "{}", events.text);
    let request_ids: std::collections::HashSet<&str> = rows
        .iter()
        .filter_map(|r| r["request_id"].as_str())
        .collect();
    assert_eq!(request_ids.len(), 24);
}

#[actix_web::test]
async fn members_filter_by_subtree_status_and_accent_free_name() {
    let app = TestApp::spawn().await;
    let d = district(&app).await;
    app.member(&d.cell, "2010-01-10", Some("2011-01-10")).await;
    app.member(&d.cell, "2016-01-10", None).await;
    app.member(&d.other_cell, "2010-01-10", Some("2011-01-10"))
        .await;
    let commune = app
        .get(
            &format!("/api/v1/members?organisation_id={}&count=true", d.commune),
            Some(&app.admin),
        )
        .await;
    assert_eq!(commune.body["total"], 2);
    let probationary = app
        .get(
            "/api/v1/members?status=probationary&count=true",
            Some(&app.admin),
        )
        .await;
    assert_eq!(probationary.body["total"], 1);
    let named = app
        .get("/api/v1/members?q=dang%20vien&count=true", Some(&app.admin))
        .await;
    assert_eq!(named.body["total"], 3);
}

#[actix_web::test]
async fn a_scoped_organiser_cannot_see_or_move_members_of_another_subtree() {
    let app = TestApp::spawn().await;
    let d = district(&app).await;
    let mine = app.member(&d.cell, "2010-01-10", Some("2011-01-10")).await;
    let theirs = app
        .member(&d.other_cell, "2010-01-10", Some("2011-01-10"))
        .await;
    let organiser = app.user("commune", "organiser", Some(&d.commune)).await;
    assert_eq!(
        app.get(&format!("/api/v1/members/{theirs}"), Some(&organiser))
            .await
            .status,
        404
    );
    assert_eq!(
        app.get(
            &format!("/api/v1/members/{theirs}/events"),
            Some(&organiser)
        )
        .await
        .status,
        404
    );
    let status = app
        .post(
            &format!("/api/v1/members/{theirs}/status"),
            Some(&organiser),
            json!({"status": "deceased", "on": "2016-01-01"}),
        )
        .await;
    assert_eq!(status.status, 404);
    let smuggle = app
        .post(
            &format!("/api/v1/members/{mine}/transfers"),
            Some(&organiser),
            json!({"to_organisation_id": d.other_cell, "on": "2016-01-01"}),
        )
        .await;
    assert_eq!(smuggle.status, 404);
    assert_eq!(smuggle.body["code"], "reference_not_found");
    let list = app
        .get("/api/v1/members?count=true", Some(&organiser))
        .await;
    assert_eq!(list.body["total"], 1);
    let people = app.get("/api/v1/people?count=true", Some(&organiser)).await;
    assert_eq!(people.body["total"], 1);
    let register_outside = app.post("/api/v1/members", Some(&organiser), json!({
        "person": a_person("Ngoài Phạm Vi", "1980-01-01"), "organisation_id": d.other_cell, "admitted_on": "2012-03-15"
    })).await;
    assert_eq!(register_outside.status, 404);
}

/// Every refused member action leaves the member and its history as they were.
#[actix_web::test]
async fn every_refused_action_changes_nothing() {
    let app = TestApp::spawn().await;
    let d = district(&app).await;
    let probationary = app.member(&d.cell, "2016-03-15", None).await;
    let official = app.member(&d.cell, "2000-01-10", Some("2001-01-10")).await;
    app.post(
        &format!("/api/v1/members/{official}/status"),
        Some(&app.admin),
        json!({"status": "exempt", "on": "2016-06-01"}),
    )
    .await;
    let refusals = [
        (
            &probationary,
            "recognition",
            json!({"decided_on": "2017-03-14"}),
            "probation_not_over",
        ),
        (
            &probationary,
            "cards",
            json!({"card_number": "X1", "issued_on": "2016-06-01"}),
            "not_official",
        ),
        (
            &probationary,
            "status",
            json!({"status": "expelled", "on": "2016-06-01"}),
            "invalid_status_transition",
        ),
        (
            &official,
            "badges",
            json!({"milestone": 30, "status": "proposed", "on": "2016-09-02"}),
            "milestone_not_reached",
        ),
        (
            &official,
            "badges",
            json!({"milestone": 33, "status": "proposed", "on": "2031-09-02"}),
            "invalid_milestone",
        ),
        (
            &official,
            "transfers",
            json!({"to_organisation_id": d.other_cell, "on": "2016-01-01"}),
            "dated_before_last_event",
        ),
        (
            &official,
            "transfers",
            json!({"to_organisation_id": d.cell, "on": "2016-07-01"}),
            "same_cell",
        ),
        (
            &official,
            "transfers",
            json!({"to_organisation_id": d.commune, "on": "2016-07-01"}),
            "not_a_cell",
        ),
    ];
    for (member, action, body, code) in refusals {
        let before = app
            .get(&format!("/api/v1/members/{member}"), Some(&app.admin))
            .await
            .body;
        let events_before = app
            .get(
                &format!("/api/v1/members/{member}/events"),
                Some(&app.admin),
            )
            .await
            .body;
        let reply = app
            .post(
                &format!("/api/v1/members/{member}/{action}"),
                Some(&app.admin),
                body,
            )
            .await;
        assert_eq!(reply.status, 422, "{action}: {}", reply.text);
        assert_eq!(reply.body["code"], code, "{action}: {}", reply.text);
        assert_eq!(
            app.get(&format!("/api/v1/members/{member}"), Some(&app.admin))
                .await
                .body,
            before,
            "{code} changed the member"
        );
        assert_eq!(
            app.get(
                &format!("/api/v1/members/{member}/events"),
                Some(&app.admin)
            )
            .await
            .body,
            events_before,
            "{code} changed the history"
        );
    }
}
