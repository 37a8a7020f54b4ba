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
            if method == "parameters" {
                continue;
            }
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
            if method == "parameters" {
                continue;
            }
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

fn spec() -> serde_json::Value {
    serde_json::from_str(&party_registry::openapi::document_json()).expect("json")
}

/// Whether a schema, or what it refers to, carries an example an integrator can copy.
fn has_example(spec: &serde_json::Value, schema: &serde_json::Value, depth: u32) -> bool {
    if depth > 4 || schema.is_null() {
        return false;
    }
    if schema.get("example").is_some() || schema.get("examples").is_some() {
        return true;
    }
    if let Some(reference) = schema["$ref"].as_str() {
        let name = reference.rsplit('/').next().unwrap_or_default();
        return has_example(spec, &spec["components"]["schemas"][name], depth + 1);
    }
    // An inline page: its items carry the example.
    has_example(spec, &schema["properties"]["items"]["items"], depth + 1)
}

#[test]
fn every_request_and_response_body_has_an_example() {
    let spec = spec();
    for (path, item) in spec["paths"].as_object().expect("paths") {
        for (method, operation) in item.as_object().expect("item") {
            if method == "parameters" {
                continue;
            }
            if method == "parameters" {
                continue;
            }
            let mut bodies = vec![("request".to_owned(), &operation["requestBody"])];
            for (status, response) in operation["responses"].as_object().expect("responses") {
                bodies.push((status.clone(), response));
            }
            for (what, body) in bodies {
                let Some(content) = body["content"].as_object() else {
                    continue;
                };
                for (media_type, media) in content {
                    assert!(
                        media.get("example").is_some() || has_example(&spec, &media["schema"], 0),
                        "{method} {path} {what} {media_type} has no example"
                    );
                }
            }
        }
    }
}

#[test]
fn lists_document_their_paging_and_reads_their_etag() {
    let spec = spec();
    for (path, item) in spec["paths"].as_object().expect("paths") {
        let Some(get) = item.get("get") else {
            continue;
        };
        let params: Vec<&str> = get["parameters"]
            .as_array()
            .map(|ps| ps.iter().filter_map(|p| p["name"].as_str()).collect())
            .unwrap_or_default();
        let ok = &get["responses"]["200"];
        let page = &ok["content"]["application/json"]["schema"]["properties"];
        if params.contains(&"cursor")
            && page["next_cursor"].is_object()
            && page["items"].is_object()
        {
            assert!(params.contains(&"limit"), "GET {path} has no limit");
            assert!(ok["headers"]["Link"].is_object(), "GET {path} has no Link");
        }
        if path.ends_with("{id}") {
            assert!(ok["headers"]["ETag"].is_object(), "GET {path} has no ETag");
        }
    }
}

#[test]
fn problems_document_their_language() {
    let spec = spec();
    for (path, item) in spec["paths"].as_object().expect("paths") {
        let names: Vec<&str> = item["parameters"]
            .as_array()
            .map(|ps| ps.iter().filter_map(|p| p["name"].as_str()).collect())
            .unwrap_or_default();
        assert!(names.contains(&"Accept-Language"), "{path}");
    }
    let problem = &spec["paths"]["/api/v1/organisations"]["get"]["responses"]["401"];
    assert!(problem["headers"]["Content-Language"].is_object());
}
