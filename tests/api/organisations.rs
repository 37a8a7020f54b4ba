use serde_json::json;

use crate::helpers::{district, TestApp};

#[actix_web::test]
async fn a_created_organisation_reads_back_with_its_etag() {
    let app = TestApp::spawn().await;
    let created = app.post("/api/v1/organisations", Some(&app.admin),
        json!({"code": "DB", "name": "Đảng bộ tỉnh Điện Biên", "kind": "provincial_committee", "established_on": "1949-01-01"})).await;
    assert_eq!(created.status, 201, "{}", created.text);
    assert_eq!(
        created.header("location"),
        Some(format!("/api/v1/organisations/{}", created.id()))
    );
    let read = app
        .get(
            &format!("/api/v1/organisations/{}", created.id()),
            Some(&app.admin),
        )
        .await;
    assert_eq!(read.status, 200);
    assert_eq!(read.header("etag").as_deref(), Some("\"1\""));
    assert_eq!(read.body["name"], "Đảng bộ tỉnh Điện Biên");
    assert_eq!(read.body["version"], 1);
}

#[actix_web::test]
async fn if_none_match_with_the_current_etag_is_304() {
    let app = TestApp::spawn().await;
    let id = app.organisation("DB", "provincial_committee", None).await;
    let request = app
        .request(
            "GET",
            &format!("/api/v1/organisations/{id}"),
            Some(&app.admin),
        )
        .insert_header(("If-None-Match", "\"1\""));
    assert_eq!(app.send(request, None).await.status, 304);
}

#[actix_web::test]
async fn a_stale_if_match_is_412_and_changes_nothing() {
    let app = TestApp::spawn().await;
    let id = app.organisation("DB", "provincial_committee", None).await;
    let path = format!("/api/v1/organisations/{id}");
    let first = app
        .patch(&path, Some(&app.admin), json!({"name": "Tên mới"}))
        .await;
    assert_eq!(first.body["version"], 2);
    let request = app
        .request("PATCH", &path, Some(&app.admin))
        .insert_header(("If-Match", "\"1\""));
    let stale = app
        .send(request, Some(json!({"name": "Lost update"})))
        .await;
    assert_eq!(stale.status, 412);
    let read = app.get(&path, Some(&app.admin)).await;
    assert_eq!(read.body["name"], "Tên mới");
    assert_eq!(read.body["version"], 2);
}

#[actix_web::test]
async fn a_patch_that_changes_nothing_keeps_the_version() {
    let app = TestApp::spawn().await;
    let id = app.organisation("DB", "provincial_committee", None).await;
    let path = format!("/api/v1/organisations/{id}");
    let name = app.get(&path, Some(&app.admin)).await.body["name"].clone();
    let reply = app
        .patch(&path, Some(&app.admin), json!({"name": name}))
        .await;
    assert_eq!(reply.status, 200);
    assert_eq!(reply.body["version"], 1);
}

#[actix_web::test]
async fn merge_patch_with_null_clears_a_nullable_field_and_refuses_a_required_one() {
    let app = TestApp::spawn().await;
    let created = app.post("/api/v1/organisations", Some(&app.admin),
        json!({"code": "DB", "name": "Điện Biên", "kind": "provincial_committee", "established_on": "1949-01-01"})).await;
    let path = format!("/api/v1/organisations/{}", created.id());
    let cleared = app
        .patch(&path, Some(&app.admin), json!({"established_on": null}))
        .await;
    assert_eq!(cleared.body["established_on"], serde_json::Value::Null);
    let refused = app
        .patch(&path, Some(&app.admin), json!({"name": null}))
        .await;
    assert_eq!(refused.status, 400);
    assert_eq!(refused.body["errors"][0]["field"], "name");
}

#[actix_web::test]
async fn merge_patch_content_type_is_accepted() {
    let app = TestApp::spawn().await;
    let id = app.organisation("DB", "provincial_committee", None).await;
    let request = app
        .request(
            "PATCH",
            &format!("/api/v1/organisations/{id}"),
            Some(&app.admin),
        )
        .insert_header(("Content-Type", "application/merge-patch+json"));
    let reply = app
        .send_raw(request, r#"{"name": "Điện Biên"}"#.to_owned())
        .await;
    assert_eq!(reply.status, 200, "{}", reply.text);
}

#[actix_web::test]
async fn a_duplicate_code_is_409() {
    let app = TestApp::spawn().await;
    app.organisation("DB", "provincial_committee", None).await;
    let reply = app
        .post(
            "/api/v1/organisations",
            Some(&app.admin),
            json!({"code": "DB", "name": "Again", "kind": "provincial_committee"}),
        )
        .await;
    assert_eq!(reply.status, 409);
    assert_eq!(reply.body["code"], "duplicate_code");
}

#[actix_web::test]
async fn a_cell_under_a_district_committee_is_refused_by_the_kind_table() {
    let app = TestApp::spawn().await;
    let d = district(&app).await;
    let reply = app.post("/api/v1/organisations", Some(&app.admin),
        json!({"code": "BAD", "name": "Chi bộ", "kind": "subordinate_cell", "parent_id": d.district})).await;
    assert_eq!(reply.status, 422);
    assert_eq!(reply.body["code"], "parent_kind_not_allowed");
    let count = app
        .get("/api/v1/organisations?count=true&q=BAD", Some(&app.admin))
        .await;
    assert_eq!(count.body["total"], 0);
}

#[actix_web::test]
async fn moving_an_organisation_under_its_own_descendant_is_a_cycle() {
    let app = TestApp::spawn().await;
    let province = app.organisation("P1", "provincial_committee", None).await;
    let district = app
        .organisation("D1", "district_committee", Some(&province))
        .await;
    let other_province = app.organisation("P2", "provincial_committee", None).await;
    let reply = app
        .patch(
            &format!("/api/v1/organisations/{district}"),
            Some(&app.admin),
            json!({"parent_id": district}),
        )
        .await;
    assert_eq!(reply.status, 422, "{}", reply.text);
    assert_eq!(reply.body["code"], "cycle");
    let moved = app
        .patch(
            &format!("/api/v1/organisations/{district}"),
            Some(&app.admin),
            json!({"parent_id": other_province}),
        )
        .await;
    assert_eq!(moved.status, 200, "{}", moved.text);
}

#[actix_web::test]
async fn moving_a_subtree_keeps_descendants_under_it() {
    let app = TestApp::spawn().await;
    let d = district(&app).await;
    let other_district = app
        .organisation("TG", "district_committee", Some(&d.province))
        .await;
    let moved = app
        .patch(
            &format!("/api/v1/organisations/{}", d.commune),
            Some(&app.admin),
            json!({"parent_id": other_district}),
        )
        .await;
    assert_eq!(moved.status, 200, "{}", moved.text);
    let under_new = app
        .get(
            &format!("/api/v1/organisations?ancestor_id={other_district}&count=true"),
            Some(&app.admin),
        )
        .await;
    assert_eq!(under_new.body["total"], 3, "{}", under_new.text);
    let under_old = app
        .get(
            &format!(
                "/api/v1/organisations?ancestor_id={}&count=true",
                d.district
            ),
            Some(&app.admin),
        )
        .await;
    assert_eq!(under_old.body["total"], 2, "{}", under_old.text);
}

#[actix_web::test]
async fn following_next_cursor_returns_every_row_once() {
    let app = TestApp::spawn().await;
    let province = app.organisation("P", "provincial_committee", None).await;
    for i in 0..7 {
        app.organisation(&format!("D{i}"), "district_committee", Some(&province))
            .await;
    }
    let mut seen = Vec::new();
    let mut path = "/api/v1/organisations?limit=3&sort=-code".to_owned();
    loop {
        let page = app.get(&path, Some(&app.admin)).await;
        assert_eq!(page.status, 200, "{}", page.text);
        for item in page.body["items"].as_array().expect("items") {
            seen.push(item["code"].as_str().expect("code").to_owned());
        }
        match page.body["next_cursor"].as_str() {
            Some(_) => {
                let link = page.header("link").expect("Link header");
                path = link
                    .trim_start_matches('<')
                    .split('>')
                    .next()
                    .expect("uri")
                    .to_owned();
            }
            None => break,
        }
    }
    assert_eq!(seen, vec!["P", "D6", "D5", "D4", "D3", "D2", "D1", "D0"]);
}

#[actix_web::test]
async fn paging_mistakes_are_400() {
    let app = TestApp::spawn().await;
    let province = app.organisation("P", "provincial_committee", None).await;
    app.organisation("D", "district_committee", Some(&province))
        .await;
    assert_eq!(
        app.get("/api/v1/organisations?limit=-1", Some(&app.admin))
            .await
            .status,
        400
    );
    assert_eq!(
        app.get("/api/v1/organisations?limit=501", Some(&app.admin))
            .await
            .status,
        400
    );
    assert_eq!(
        app.get("/api/v1/organisations?sort=secret", Some(&app.admin))
            .await
            .status,
        400
    );
    assert_eq!(
        app.get("/api/v1/organisations?cursor=garbage", Some(&app.admin))
            .await
            .status,
        400
    );
    let first = app
        .get("/api/v1/organisations?limit=1", Some(&app.admin))
        .await;
    let cursor = first.body["next_cursor"].as_str().expect("cursor");
    let reused = app
        .get(
            &format!("/api/v1/organisations?limit=1&kind=district_committee&cursor={cursor}"),
            Some(&app.admin),
        )
        .await;
    assert_eq!(reused.status, 400);
    assert_eq!(reused.body["errors"][0]["code"], "cursor_mismatch");
}

#[actix_web::test]
async fn search_ignores_accents_case_and_the_stroke_of_d() {
    let app = TestApp::spawn().await;
    let province = app.organisation("P", "provincial_committee", None).await;
    app.post("/api/v1/organisations", Some(&app.admin),
        json!({"code": "MA", "name": "Đảng bộ huyện Mường Ảng", "kind": "district_committee", "parent_id": province})).await;
    app.post("/api/v1/organisations", Some(&app.admin),
        json!({"code": "TG", "name": "Đảng bộ huyện Tuần Giáo", "kind": "district_committee", "parent_id": province})).await;
    for q in [
        "muong%20ang",
        "M%C6%AF%E1%BB%9CNG%20%E1%BA%A2NG",
        "M%C6%B0%E1%BB%9Dng%20%E1%BA%A2ng",
        "dang%20bo%20huyen%20muong",
    ] {
        let reply = app
            .get(&format!("/api/v1/organisations?q={q}"), Some(&app.admin))
            .await;
        let codes: Vec<_> = reply.body["items"]
            .as_array()
            .expect("items")
            .iter()
            .map(|i| i["code"].clone())
            .collect();
        assert_eq!(codes, vec![json!("MA")], "q={q}");
    }
}

#[actix_web::test]
async fn wildcards_in_search_are_literal() {
    let app = TestApp::spawn().await;
    app.organisation("P", "provincial_committee", None).await;
    let reply = app
        .get("/api/v1/organisations?q=%25", Some(&app.admin))
        .await;
    assert_eq!(reply.status, 200);
    let reply = app
        .get(
            "/api/v1/organisations?q=%27%20OR%201%3D1%20--",
            Some(&app.admin),
        )
        .await;
    assert_eq!(reply.status, 200);
    assert_eq!(reply.body["items"].as_array().map(Vec::len), Some(0));
}

#[actix_web::test]
async fn active_on_filters_by_establishment_and_dissolution() {
    let app = TestApp::spawn().await;
    let province = app.organisation("P", "provincial_committee", None).await;
    app.post(
        "/api/v1/organisations",
        Some(&app.admin),
        json!({"code": "OLD", "name": "Huyện cũ", "kind": "district_committee",
        "parent_id": province, "established_on": "2000-01-01", "dissolved_on": "2025-07-01"}),
    )
    .await;
    let before = app
        .get(
            "/api/v1/organisations?active_on=2025-06-30&kind=district_committee&count=true",
            Some(&app.admin),
        )
        .await;
    assert_eq!(before.body["total"], 1);
    let on_the_day = app
        .get(
            "/api/v1/organisations?active_on=2025-07-01&kind=district_committee&count=true",
            Some(&app.admin),
        )
        .await;
    assert_eq!(on_the_day.body["total"], 0);
}

#[actix_web::test]
async fn the_tree_nests_the_subtree() {
    let app = TestApp::spawn().await;
    let d = district(&app).await;
    let reply = app
        .get(
            &format!("/api/v1/organisations/{}/tree", d.district),
            Some(&app.admin),
        )
        .await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    assert_eq!(reply.body["code"], "MA");
    let children = reply.body["children"].as_array().expect("children");
    assert_eq!(children.len(), 2);
    let commune = children
        .iter()
        .find(|c| c["code"] == "MA-MD")
        .expect("commune");
    assert_eq!(commune["children"][0]["code"], "MA-MD-POMU");
}

#[actix_web::test]
async fn merging_moves_children_and_dissolves_the_merged_organisation() {
    let app = TestApp::spawn().await;
    let d = district(&app).await;
    let target = app
        .organisation("MA-XA-MOI", "grassroots_committee", Some(&d.district))
        .await;
    let reply = app
        .post(
            &format!("/api/v1/organisations/{}/merge", d.commune),
            Some(&app.admin),
            json!({"into_id": target, "on": "2025-07-01", "decision_number": "01-QĐ/TU"}),
        )
        .await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    assert_eq!(reply.body["dissolved_on"], "2025-07-01");
    assert_eq!(reply.body["merged_into_id"], target.as_str());
    let cell = app
        .get(
            &format!("/api/v1/organisations/{}", d.cell),
            Some(&app.admin),
        )
        .await;
    assert_eq!(cell.body["parent_id"], target.as_str());
    let again = app
        .post(
            &format!("/api/v1/organisations/{}/merge", d.commune),
            Some(&app.admin),
            json!({"into_id": target, "on": "2025-07-02"}),
        )
        .await;
    assert_eq!(again.status, 409);
}

#[actix_web::test]
async fn a_cell_cannot_merge_into_a_committee() {
    let app = TestApp::spawn().await;
    let d = district(&app).await;
    let reply = app
        .post(
            &format!("/api/v1/organisations/{}/merge", d.other_cell),
            Some(&app.admin),
            json!({"into_id": d.commune, "on": "2025-07-01"}),
        )
        .await;
    assert_eq!(reply.status, 422);
    assert_eq!(reply.body["code"], "merge_kind_mismatch");
}

#[actix_web::test]
async fn a_deleted_organisation_disappears_from_reads_and_lists() {
    let app = TestApp::spawn().await;
    let d = district(&app).await;
    let path = format!("/api/v1/organisations/{}", d.other_cell);
    assert_eq!(
        app.delete(
            &format!("/api/v1/organisations/{}", d.commune),
            Some(&app.admin)
        )
        .await
        .status,
        409
    );
    assert_eq!(app.delete(&path, Some(&app.admin)).await.status, 204);
    assert_eq!(app.get(&path, Some(&app.admin)).await.status, 404);
    let list = app
        .get("/api/v1/organisations?q=MA-CA&count=true", Some(&app.admin))
        .await;
    assert_eq!(list.body["total"], 0);
}

#[actix_web::test]
async fn every_write_is_in_the_audit_log_with_its_request_id() {
    let app = TestApp::spawn().await;
    let request = app
        .request("POST", "/api/v1/organisations", Some(&app.admin))
        .insert_header(("X-Request-Id", "audit-me-1"));
    let created = app
        .send(
            request,
            Some(json!({"code": "DB", "name": "Điện Biên", "kind": "provincial_committee"})),
        )
        .await;
    let events = app
        .get(
            &format!("/api/v1/audit-events?resource_id={}", created.id()),
            Some(&app.admin),
        )
        .await;
    assert_eq!(events.status, 200, "{}", events.text);
    let event = &events.body["items"][0];
    assert_eq!(event["action"], "create");
    assert_eq!(event["request_id"], "audit-me-1");
    assert_eq!(event["after"]["code"], "DB");
}

#[actix_web::test]
async fn viewers_read_but_cannot_write_or_read_the_audit_log() {
    let app = TestApp::spawn().await;
    let d = district(&app).await;
    let viewer = app.user("viewer", "viewer", None).await;
    assert_eq!(
        app.get(&format!("/api/v1/organisations/{}", d.cell), Some(&viewer))
            .await
            .status,
        200
    );
    let write = app
        .patch(
            &format!("/api/v1/organisations/{}", d.cell),
            Some(&viewer),
            json!({"name": "x"}),
        )
        .await;
    assert_eq!(write.status, 403);
    assert_eq!(
        app.get("/api/v1/audit-events", Some(&viewer)).await.status,
        403
    );
    let auditor = app.user("auditor", "auditor", None).await;
    assert_eq!(
        app.get("/api/v1/audit-events", Some(&auditor)).await.status,
        200
    );
}

#[actix_web::test]
async fn a_scoped_organiser_cannot_see_or_touch_another_subtree() {
    let app = TestApp::spawn().await;
    let d = district(&app).await;
    let organiser = app
        .user("commune.organiser", "organiser", Some(&d.commune))
        .await;
    let outside = format!("/api/v1/organisations/{}", d.other_cell);
    assert_eq!(app.get(&outside, Some(&organiser)).await.status, 404);
    assert_eq!(
        app.patch(&outside, Some(&organiser), json!({"name": "x"}))
            .await
            .status,
        404
    );
    assert_eq!(app.delete(&outside, Some(&organiser)).await.status, 404);
    assert_eq!(
        app.get(&format!("{outside}/tree"), Some(&organiser))
            .await
            .status,
        404
    );
    let list = app
        .get("/api/v1/organisations?count=true", Some(&organiser))
        .await;
    assert_eq!(list.body["total"], 2, "{}", list.text);
    let smuggled = app.post("/api/v1/organisations", Some(&organiser),
        json!({"code": "SNEAK", "name": "x", "kind": "grassroots_cell", "parent_id": d.district})).await;
    assert_eq!(smuggled.status, 404);
    assert_eq!(smuggled.body["code"], "reference_not_found");
    let moved_out = app
        .patch(
            &format!("/api/v1/organisations/{}", d.cell),
            Some(&organiser),
            json!({"parent_id": d.district}),
        )
        .await;
    assert_eq!(moved_out.status, 404);
    let inside = app.post("/api/v1/organisations", Some(&organiser),
        json!({"code": "MA-MD-HON", "name": "Chi bộ bản Hón", "kind": "subordinate_cell", "parent_id": d.commune})).await;
    assert_eq!(inside.status, 201, "{}", inside.text);
    let audit = app
        .user("commune.auditor", "auditor", Some(&d.commune))
        .await;
    let events = app
        .get(
            "/api/v1/audit-events?count=true&resource_type=organisation",
            Some(&audit),
        )
        .await;
    assert_eq!(events.body["total"], 3, "{}", events.text);
}

#[actix_web::test]
async fn a_cell_with_fewer_than_three_official_members_is_flagged() {
    let app = TestApp::spawn().await;
    let d = district(&app).await;
    app.member(&d.cell, "2010-01-10", Some("2011-01-10")).await;
    app.member(&d.cell, "2010-01-10", Some("2011-01-10")).await;
    app.member(&d.cell, "2016-01-10", None).await;
    let cell = app
        .get(
            &format!("/api/v1/organisations/{}", d.cell),
            Some(&app.admin),
        )
        .await;
    assert_eq!(cell.body["member_count"], 3);
    assert_eq!(cell.body["official_member_count"], 2);
    assert_eq!(cell.body["below_minimum"], true);
    app.member(&d.cell, "2010-01-10", Some("2011-01-10")).await;
    let cell = app
        .get(
            &format!("/api/v1/organisations/{}", d.cell),
            Some(&app.admin),
        )
        .await;
    assert_eq!(cell.body["below_minimum"], false);
}

#[actix_web::test]
async fn a_grassroots_cell_reaching_thirty_members_should_become_a_committee() {
    let app = TestApp::spawn().await;
    let d = district(&app).await;
    for _ in 0..29 {
        app.member(&d.other_cell, "2010-01-10", Some("2011-01-10"))
            .await;
    }
    let cell = app
        .get(
            &format!("/api/v1/organisations/{}", d.other_cell),
            Some(&app.admin),
        )
        .await;
    assert_eq!(cell.body["should_become_committee"], false);
    app.member(&d.other_cell, "2016-01-10", None).await;
    let list = app
        .get(
            "/api/v1/organisations?kind=grassroots_cell",
            Some(&app.admin),
        )
        .await;
    assert_eq!(list.body["items"][0]["should_become_committee"], true);
}

#[actix_web::test]
async fn the_tree_counts_members_per_node_and_subtree() {
    let app = TestApp::spawn().await;
    let d = district(&app).await;
    app.member(&d.cell, "2010-01-10", Some("2011-01-10")).await;
    app.member(&d.other_cell, "2010-01-10", Some("2011-01-10"))
        .await;
    app.member(&d.other_cell, "2010-01-10", Some("2011-01-10"))
        .await;
    let tree = app
        .get(
            &format!("/api/v1/organisations/{}/tree", d.district),
            Some(&app.admin),
        )
        .await;
    assert_eq!(tree.body["total_member_count"], 3);
    assert_eq!(tree.body["member_count"], 0);
}

#[actix_web::test]
async fn merging_cells_moves_their_members_with_a_dated_transfer() {
    let app = TestApp::spawn().await;
    let d = district(&app).await;
    let into = app
        .organisation("MA-MD-NEW", "subordinate_cell", Some(&d.commune))
        .await;
    let member = app.member(&d.cell, "2010-01-10", Some("2011-01-10")).await;
    let reply = app
        .post(
            &format!("/api/v1/organisations/{}/merge", d.cell),
            Some(&app.admin),
            json!({"into_id": into, "on": "2025-07-01"}),
        )
        .await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    let moved = app
        .get(&format!("/api/v1/members/{member}"), Some(&app.admin))
        .await;
    assert_eq!(moved.body["organisation_id"], into.as_str());
    let events = app
        .get(
            &format!("/api/v1/members/{member}/events"),
            Some(&app.admin),
        )
        .await;
    let last = events.body["items"]
        .as_array()
        .expect("items")
        .last()
        .expect("event")
        .clone();
    assert_eq!(last["kind"], "transferred");
    assert_eq!(last["occurred_on"], "2025-07-01");
}
