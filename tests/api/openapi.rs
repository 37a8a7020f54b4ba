//! The committed spec must be what the code generates.

#[test]
fn committed_openapi_matches_the_code() {
    let generated = party_registry::openapi::document_json();
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/openapi/openapi.json");
    if std::env::var("UPDATE_OPENAPI").is_ok() {
        std::fs::write(path, &generated).expect("write openapi/openapi.json");
    }
    let committed = std::fs::read_to_string(path).unwrap_or_default();
    assert!(
        committed == generated,
        "openapi/openapi.json is stale: run `UPDATE_OPENAPI=1 cargo test --test api openapi` and commit it"
    );
}

#[test]
fn every_operation_has_an_id_a_summary_and_a_tag() {
    let spec: serde_json::Value =
        serde_json::from_str(&party_registry::openapi::document_json()).expect("json");
    for (path, item) in spec["paths"].as_object().expect("paths") {
        for (method, operation) in item.as_object().expect("item") {
            assert!(
                operation["operationId"].is_string(),
                "{method} {path} has no operationId"
            );
            assert!(
                operation["summary"].is_string(),
                "{method} {path} has no summary"
            );
            assert!(operation["tags"].is_array(), "{method} {path} has no tag");
        }
    }
}

#[test]
fn every_error_response_is_a_problem() {
    let spec: serde_json::Value =
        serde_json::from_str(&party_registry::openapi::document_json()).expect("json");
    for (path, item) in spec["paths"].as_object().expect("paths") {
        for (method, operation) in item.as_object().expect("item") {
            for (status, response) in operation["responses"].as_object().expect("responses") {
                if status.starts_with('4') || status.starts_with('5') {
                    let schema = &response["content"]["application/problem+json"]["schema"]["$ref"];
                    assert_eq!(
                        schema, "#/components/schemas/Problem",
                        "{method} {path} {status}"
                    );
                }
            }
        }
    }
}
