//! Member name search: the folded query anywhere in the folded name, with
//! the other filters, scope and cursors (issue #7 moved it onto trigram
//! indexes; these pin down that its meaning did not change).

use std::collections::BTreeSet;

use serde_json::json;

use crate::helpers::{a_person, district, TestApp};

/// Registers a member with this name in `cell`; returns the member id.
async fn named(app: &TestApp, cell: &str, full_name: &str) -> String {
    let reply = app
        .post(
            "/api/v1/members",
            Some(&app.admin),
            json!({
                "person": a_person(full_name, "1985-02-03"),
                "organisation_id": cell, "admitted_on": "2015-06-01",
            }),
        )
        .await;
    assert_eq!(reply.status, 201, "{}", reply.text);
    reply.id()
}

/// The ids of every member matching `query`, following cursors page by
/// page, in the order served; asserts that `count=true` agrees.
async fn search(app: &TestApp, token: &str, query: &str) -> Vec<String> {
    let mut ids = Vec::new();
    let mut path = format!("/api/v1/members?{query}&limit=2&count=true");
    loop {
        let page = app.get(&path, Some(token)).await;
        assert_eq!(page.status, 200, "{path}: {}", page.text);
        let total = page.body["total"].as_u64().expect("total");
        ids.extend(
            page.body["items"]
                .as_array()
                .expect("items")
                .iter()
                .map(|m| m["id"].as_str().expect("id").to_owned()),
        );
        match page.body["next_cursor"].as_str() {
            Some(cursor) => {
                path = format!("/api/v1/members?{query}&limit=2&count=true&cursor={cursor}")
            }
            None => {
                assert_eq!(ids.len() as u64, total, "{query}: total and rows disagree");
                return ids;
            }
        }
    }
}

fn set(ids: &[&String]) -> BTreeSet<String> {
    ids.iter().map(|s| (*s).clone()).collect()
}

#[actix_web::test]
async fn names_match_anywhere_whatever_the_accents_and_case() {
    let app = TestApp::spawn().await;
    let d = district(&app).await;
    let hai = named(&app, &d.cell, "Nguyễn Văn Hải").await;
    let dao = named(&app, &d.cell, "Nguyễn Thị Đào").await;
    let mai = named(&app, &d.cell, "Lò Thị Mai").await;
    let dung = named(&app, &d.other_cell, "Đỗ Văn Dũng").await;
    let admin = app.admin.clone();

    // A fragment inside a word.
    let found = search(&app, &admin, "q=uyen").await;
    assert_eq!(set(&found.iter().collect::<Vec<_>>()), set(&[&hai, &dao]));
    // Several words, across the word boundary.
    assert_eq!(
        search(&app, &admin, "q=nguyen%20van%20h").await,
        vec![hai.clone()]
    );
    assert_eq!(search(&app, &admin, "q=n%20ha").await, vec![hai.clone()]);
    // Accents and case fold away; d matches đ.
    for q in [
        "lo%20thi%20mai",
        "L%C3%92%20TH%E1%BB%8A%20MAI",
        "L%C3%B2%20Th%E1%BB%8B%20Mai",
    ] {
        assert_eq!(
            search(&app, &admin, &format!("q={q}")).await,
            vec![mai.clone()],
            "{q}"
        );
    }
    assert_eq!(
        search(&app, &admin, "q=do%20van%20d").await,
        vec![dung.clone()]
    );
    assert_eq!(
        search(&app, &admin, "q=%C4%90%C3%80O").await,
        vec![dao.clone()]
    );
    // Shorter than a trigram: still a substring match.
    let found = search(&app, &admin, "q=ai").await;
    assert_eq!(set(&found.iter().collect::<Vec<_>>()), set(&[&hai, &mai]));
    assert_eq!(search(&app, &admin, "q=d").await.len(), 2);
    // No match, including one whose every trigram occurs in some name.
    assert!(search(&app, &admin, "q=xyz").await.is_empty());
    assert!(search(&app, &admin, "q=van%20mai").await.is_empty());
}

#[actix_web::test]
async fn cursors_over_search_results_return_every_row_once() {
    let app = TestApp::spawn().await;
    let d = district(&app).await;
    let mut expected = BTreeSet::new();
    for (i, given) in ["An", "Bình", "Chung", "Dũng", "Hải", "Lan", "Minh"]
        .iter()
        .enumerate()
    {
        let cell = if i % 2 == 0 { &d.cell } else { &d.other_cell };
        expected.insert(named(&app, cell, &format!("Nguyễn Văn {given}")).await);
    }
    named(&app, &d.cell, "Lò Văn Pọm").await;
    let admin = app.admin.clone();
    for sort in ["id", "-id", "admitted_on", "-created_at", "updated_at"] {
        let ids = search(&app, &admin, &format!("q=nguyen&sort={sort}")).await;
        let unique: BTreeSet<String> = ids.iter().cloned().collect();
        assert_eq!(unique.len(), ids.len(), "{sort}: a row came twice");
        assert_eq!(unique, expected, "{sort}");
    }
}

#[actix_web::test]
async fn search_keeps_to_the_organisation_and_the_callers_scope() {
    let app = TestApp::spawn().await;
    let d = district(&app).await;
    let mine = named(&app, &d.cell, "Nguyễn Văn Hải").await;
    let theirs = named(&app, &d.other_cell, "Nguyễn Văn Hải").await;
    let admin = app.admin.clone();

    let both = search(&app, &admin, "q=van%20hai").await;
    assert_eq!(
        set(&both.iter().collect::<Vec<_>>()),
        set(&[&mine, &theirs])
    );
    let in_commune = format!("q=van%20hai&organisation_id={}", d.commune);
    assert_eq!(search(&app, &admin, &in_commune).await, vec![mine.clone()]);
    let in_other = format!("q=van%20hai&organisation_id={}", d.other_cell);
    assert_eq!(search(&app, &admin, &in_other).await, vec![theirs.clone()]);

    let organiser = app.user("commune", "organiser", Some(&d.commune)).await;
    assert_eq!(
        search(&app, &organiser, "q=van%20hai").await,
        vec![mine.clone()]
    );
    assert_eq!(search(&app, &organiser, "q=ai").await, vec![mine]);
}

#[actix_web::test]
async fn a_renamed_person_is_found_under_the_new_name_only() {
    let app = TestApp::spawn().await;
    let d = district(&app).await;
    let id = named(&app, &d.cell, "Lò Thị Mai").await;
    let member = app
        .get(&format!("/api/v1/members/{id}"), Some(&app.admin))
        .await;
    let person = member.body["person_id"]
        .as_str()
        .or_else(|| member.body["person"]["id"].as_str())
        .expect("person id")
        .to_owned();
    let renamed = app
        .patch(
            &format!("/api/v1/people/{person}"),
            Some(&app.admin),
            json!({"full_name": "Quàng Thị Thoa"}),
        )
        .await;
    assert_eq!(renamed.status, 200, "{}", renamed.text);
    let admin = app.admin.clone();
    assert!(search(&app, &admin, "q=lo%20thi%20mai").await.is_empty());
    assert_eq!(search(&app, &admin, "q=quang%20thi").await, vec![id]);
}
