//! The OpenAPI document: generated from the handlers' annotations, served at
//! `/openapi.json`, committed at `openapi/openapi.json` (a test guards drift).

use actix_web::App;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};
use utoipa_actix_web::service_config::ServiceConfig;
use utoipa_actix_web::AppExt;

use crate::error::{FieldError, Problem};

#[derive(OpenApi)]
#[openapi(
    info(
        title = "party-registry",
        description = "Register of a Vietnamese Party committee's organisations, members, candidates, cadres, training, ratings and reports, with sync for provincial systems.\n\nAuthenticate with `POST /api/v1/auth/token`, then send `Authorization: Bearer <token>`. Errors are RFC 9457 problem documents with a stable `code`.",
        license(name = "Proprietary")
    ),
    modifiers(&BearerScheme),
    components(schemas(Problem, FieldError)),
    tags(
        (name = "auth", description = "Tokens and the caller"),
        (name = "accounts", description = "User accounts and API clients (admins)"),
        (name = "localities", description = "Administrative localities"),
        (name = "organisations", description = "Party organisations and their tree"),
        (name = "people", description = "Personal records shared by candidates, members and cadres"),
        (name = "members", description = "Party members, their dated events and actions"),
        (name = "candidates", description = "Outstanding non-members being developed, and admission"),
        (name = "admission-quotas", description = "Admission targets per organisation and year"),
        (name = "worklists", description = "What an organiser does next"),
        (name = "reports", description = "Annual report, village coverage and data quality"),
        (name = "vocabularies", description = "Enumerations with Vietnamese and English labels"),
        (name = "audit", description = "Who changed what, and when"),
        (name = "operations", description = "Health, readiness and metrics"),
    )
)]
struct ApiDoc;

struct BearerScheme;

impl Modify for BearerScheme {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("JWT")
                    .description(Some("Access token from POST /api/v1/auth/token"))
                    .build(),
            ),
        );
    }
}

/// Registers every documented endpoint. Used by the server and by `openapi()`.
pub fn register(config: &mut ServiceConfig) {
    use crate::{
        accounts, admission_quotas, audit, auth, candidates, localities, members, ops,
        organisations, people, reports, vocabularies, worklists,
    };
    config
        .service(ops::healthz)
        .service(ops::readyz)
        .service(ops::metrics)
        .service(auth::routes::issue_token)
        .service(auth::routes::me)
        .service(accounts::users::list_users)
        .service(accounts::users::create_user)
        .service(accounts::users::get_user)
        .service(accounts::users::update_user)
        .service(accounts::users::delete_user)
        .service(accounts::clients::list_clients)
        .service(accounts::clients::create_client)
        .service(accounts::clients::get_client)
        .service(accounts::clients::update_client)
        .service(accounts::clients::rotate_client_secret)
        .service(accounts::clients::delete_client)
        .service(vocabularies::list_vocabularies)
        .service(localities::routes::list_localities)
        .service(localities::routes::create_locality)
        .service(localities::routes::get_locality)
        .service(localities::routes::update_locality)
        .service(localities::routes::delete_locality)
        .service(organisations::routes::list_organisations)
        .service(organisations::routes::create_organisation)
        .service(organisations::routes::get_organisation_tree)
        .service(organisations::routes::merge_organisation)
        .service(organisations::routes::get_organisation)
        .service(organisations::routes::update_organisation)
        .service(organisations::routes::delete_organisation)
        .service(people::routes::list_people)
        .service(people::routes::create_person)
        .service(people::routes::get_person)
        .service(people::routes::update_person)
        .service(people::routes::delete_person)
        .service(members::routes::list_members)
        .service(members::routes::create_member)
        .service(members::routes::get_member)
        .service(members::routes::update_member)
        .service(members::routes::delete_member)
        .service(members::routes::list_member_events)
        .service(members::routes::recognise_member)
        .service(members::routes::issue_member_card)
        .service(members::routes::award_member_badge)
        .service(members::routes::transfer_member)
        .service(members::routes::change_member_status)
        .service(candidates::routes::list_candidates)
        .service(candidates::routes::create_candidate)
        .service(candidates::routes::get_candidate)
        .service(candidates::routes::update_candidate)
        .service(candidates::routes::delete_candidate)
        .service(candidates::routes::admit_candidate)
        .service(admission_quotas::routes::list_admission_quotas)
        .service(admission_quotas::routes::create_admission_quota)
        .service(admission_quotas::routes::get_admission_quota)
        .service(admission_quotas::routes::update_admission_quota)
        .service(admission_quotas::routes::delete_admission_quota)
        .service(worklists::routes::list_recognition_due)
        .service(worklists::routes::list_cards_due)
        .service(worklists::routes::list_badges_due)
        .service(worklists::routes::list_candidates_ready)
        .service(reports::routes::get_annual_report)
        .service(reports::routes::get_villages_report)
        .service(reports::routes::get_data_quality_report)
        .service(audit::routes::list_audit_events);
}

/// The document the code describes.
pub fn document() -> utoipa::openapi::OpenApi {
    let (_, document) = App::new()
        .into_utoipa_app()
        .openapi(ApiDoc::openapi())
        .configure(register)
        .split_for_parts();
    document
}

/// The document as committed: pretty JSON with a final newline.
pub fn document_json() -> String {
    let mut json = document().to_pretty_json().unwrap_or_default();
    json.push('\n');
    json
}
