//! The OpenAPI document: generated from the handlers' annotations, served at
//! `/openapi.json`, committed at `openapi/openapi.json` (a test guards drift).

use actix_web::App;
use utoipa::openapi::header::HeaderBuilder;
use utoipa::openapi::path::{ParameterBuilder, ParameterIn};
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::openapi::{ObjectBuilder, RefOr, Required, Type};
use utoipa::{Modify, OpenApi};
use utoipa_actix_web::service_config::ServiceConfig;
use utoipa_actix_web::{scope, AppExt};

use crate::error::{FieldError, Problem};

#[derive(OpenApi)]
#[openapi(
    info(
        title = "party-registry",
        description = "Register of a Vietnamese Party committee's organisations, members, candidates, cadres, training, ratings and reports, with sync for provincial systems.\n\nAuthenticate with `POST /api/v1/auth/token`, then send `Authorization: Bearer <token>`. Errors are RFC 9457 problem documents with a stable `code`.",
                license(name = "Proprietary", identifier = "LicenseRef-Proprietary")
    ),
    servers((url = "/", description = "This instance")),
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
        (name = "cadres", description = "The cadre register and the grassroots organisations cadres oversee"),
        (name = "positions", description = "Leadership and management positions"),
        (name = "appointments", description = "Appointments of cadres to positions"),
        (name = "rotations", description = "Rotations, transfers and secondments of cadres"),
        (name = "training", description = "Training classes, enrolments and attendance sheets"),
        (name = "assessments", description = "Annual ratings of organisations and members, and their summary"),
        (name = "awards", description = "Awards to organisations and members"),
        (name = "study-campaigns", description = "Study of directives and resolutions, and participation per grassroots organisation"),
        (name = "worklists", description = "What an organiser does next"),
        (name = "reports", description = "Annual report, village coverage and data quality"),
        (name = "sync", description = "Change feed, exports and imports for provincial systems"),
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

/// Problem texts follow `Accept-Language` (see `crate::i18n`): every path
/// takes the header, and every problem response says its `Content-Language`.
struct Languages;

impl Modify for Languages {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let accept_language = ParameterBuilder::new()
            .name("Accept-Language")
            .parameter_in(ParameterIn::Header)
            .required(Required::False)
            .description(Some(
                "Language of problem `title`, `detail` and `errors[].message`: `vi` (also `vi-VN`, with q-values) for Vietnamese, English otherwise. Codes never change.",
            ))
            .schema(Some(
                ObjectBuilder::new()
                    .schema_type(Type::String)
                    .examples([serde_json::json!("vi")]),
            ))
            .build();
        let content_language = HeaderBuilder::new()
            .schema(
                ObjectBuilder::new()
                    .schema_type(Type::String)
                    .enum_values(Some(["en", "vi"])),
            )
            .description(Some("Language of the problem's texts"))
            .build();
        for item in openapi.paths.paths.values_mut() {
            item.parameters
                .get_or_insert_with(Vec::new)
                .push(accept_language.clone());
            for (_, operation) in operations_mut(item) {
                for (status, response) in operation.responses.responses.iter_mut() {
                    let is_problem = status.starts_with('4') || status.starts_with('5');
                    if let (true, RefOr::T(response)) = (is_problem, response) {
                        response
                            .headers
                            .insert("Content-Language".to_owned(), content_language.clone());
                    }
                }
            }
        }
    }
}

/// Every operation's description spells out the conventions it follows, read
/// from what the operation documents (token, paging, ETag, If-Match,
/// Idempotency-Key), so an integrator sees them where they call it.
struct Conventions;

impl Modify for Conventions {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        for item in openapi.paths.paths.values_mut() {
            for (_, operation) in operations_mut(item) {
                let mut notes = Vec::new();
                let has_param = |name: &str| {
                    operation
                        .parameters
                        .iter()
                        .flatten()
                        .any(|p| p.name == name)
                };
                let public = operation
                    .security
                    .as_ref()
                    .is_none_or(|s| s.iter().all(|r| r == &Default::default()));
                notes.push(if public {
                    "No token needed."
                } else {
                    "Send `Authorization: Bearer <token>` (from `POST /api/v1/auth/token`); outside your scope a record answers 404."
                });
                if has_param("cursor") && has_param("limit") {
                    notes.push("A page: `limit` (default 50), `sort=field` or `sort=-field`, `count=true` adds `total`; follow `next_cursor` (or the `Link: rel=\"next\"` header) until it is `null`, keeping the same filters.");
                }
                let etag_on_200 = matches!(
                    operation.responses.responses.get("200"),
                    Some(RefOr::T(r)) if r.headers.contains_key("ETag")
                );
                if etag_on_200 && operation.responses.responses.contains_key("304") {
                    notes.push("Sends `ETag: \"<version>\"`; send it back as `If-None-Match` to get 304 when nothing changed.");
                }
                if has_param("If-Match") {
                    notes.push("Send the `ETag` you read as `If-Match`: when the record changed since, the answer is 412 and nothing changes.");
                }
                if operation
                    .request_body
                    .as_ref()
                    .is_some_and(|b| b.content.contains_key("application/merge-patch+json"))
                {
                    notes.push("The body is a JSON merge patch: absent fields stay, `null` clears (refused on required fields).");
                }
                if has_param("Idempotency-Key") {
                    notes.push("With `Idempotency-Key`, a retry returns the first answer and creates nothing.");
                }
                notes.push("Errors are `application/problem+json` with a stable `code`.");
                if operation.description.is_none() {
                    operation.description = Some(notes.join(" "));
                }
            }
        }
    }
}

/// Registers every documented endpoint. Used by the server and by `openapi()`.
///
/// One scope per resource path: actix tries routes one after another, each
/// dynamic one with a regular expression, while a scope is matched by its
/// literal prefix. A request is then compared with its own resource's routes
/// only, not with the hundred before them (routing was 15 % of the
/// instructions of GET /members/{id}, callgrind).
pub fn register(config: &mut ServiceConfig) {
    use crate::{
        accounts, admission_quotas, appointments, assessments, audit, auth, awards, cadres,
        candidates, localities, members, ops, organisations, people, positions, reports, rotations,
        study_campaigns, sync, training_classes, village_charges, vocabularies, worklists,
    };
    config
        .service(ops::healthz)
        .service(ops::readyz)
        .service(ops::metrics)
        .service(scope("/api/v1/auth").service(auth::routes::issue_token))
        .service(scope("/api/v1/me").service(auth::routes::me))
        .service(
            scope("/api/v1/users")
                .service(accounts::users::list_users)
                .service(accounts::users::create_user)
                .service(accounts::users::get_user)
                .service(accounts::users::update_user)
                .service(accounts::users::delete_user),
        )
        .service(
            scope("/api/v1/clients")
                .service(accounts::clients::list_clients)
                .service(accounts::clients::create_client)
                .service(accounts::clients::get_client)
                .service(accounts::clients::update_client)
                .service(accounts::clients::rotate_client_secret)
                .service(accounts::clients::delete_client),
        )
        .service(scope("/api/v1/vocabularies").service(vocabularies::list_vocabularies))
        .service(
            scope("/api/v1/localities")
                .service(localities::routes::list_localities)
                .service(localities::routes::create_locality)
                .service(localities::routes::get_locality)
                .service(localities::routes::update_locality)
                .service(localities::routes::delete_locality),
        )
        .service(
            scope("/api/v1/organisations")
                .service(organisations::routes::list_organisations)
                .service(organisations::routes::create_organisation)
                .service(organisations::routes::get_organisation_tree)
                .service(organisations::routes::merge_organisation)
                .service(organisations::routes::get_organisation)
                .service(organisations::routes::update_organisation)
                .service(organisations::routes::delete_organisation),
        )
        .service(
            scope("/api/v1/people")
                .service(people::routes::list_people)
                .service(people::routes::create_person)
                .service(people::routes::get_person)
                .service(people::routes::update_person)
                .service(people::routes::delete_person),
        )
        .service(
            scope("/api/v1/members")
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
                .service(village_charges::routes::list_village_charges)
                .service(village_charges::routes::create_village_charge)
                .service(village_charges::routes::get_village_charge)
                .service(village_charges::routes::update_village_charge)
                .service(village_charges::routes::delete_village_charge),
        )
        .service(
            scope("/api/v1/candidates")
                .service(candidates::routes::list_candidates)
                .service(candidates::routes::create_candidate)
                .service(candidates::routes::get_candidate)
                .service(candidates::routes::update_candidate)
                .service(candidates::routes::delete_candidate)
                .service(candidates::routes::admit_candidate),
        )
        .service(
            scope("/api/v1/admission-quotas")
                .service(admission_quotas::routes::list_admission_quotas)
                .service(admission_quotas::routes::create_admission_quota)
                .service(admission_quotas::routes::get_admission_quota)
                .service(admission_quotas::routes::update_admission_quota)
                .service(admission_quotas::routes::delete_admission_quota),
        )
        .service(
            scope("/api/v1/cadres")
                .service(cadres::routes::list_cadres)
                .service(cadres::routes::create_cadre)
                .service(cadres::routes::get_cadre)
                .service(cadres::routes::update_cadre)
                .service(cadres::routes::delete_cadre)
                .service(cadres::routes::list_cadre_oversights)
                .service(cadres::routes::create_cadre_oversight)
                .service(cadres::routes::get_cadre_oversight)
                .service(cadres::routes::update_cadre_oversight)
                .service(cadres::routes::delete_cadre_oversight),
        )
        .service(
            scope("/api/v1/positions")
                .service(positions::routes::list_positions)
                .service(positions::routes::create_position)
                .service(positions::routes::get_position)
                .service(positions::routes::update_position)
                .service(positions::routes::delete_position),
        )
        .service(
            scope("/api/v1/appointments")
                .service(appointments::routes::list_appointments)
                .service(appointments::routes::create_appointment)
                .service(appointments::routes::get_appointment)
                .service(appointments::routes::update_appointment)
                .service(appointments::routes::delete_appointment),
        )
        .service(
            scope("/api/v1/rotations")
                .service(rotations::routes::list_rotations)
                .service(rotations::routes::create_rotation)
                .service(rotations::routes::get_rotation)
                .service(rotations::routes::update_rotation)
                .service(rotations::routes::delete_rotation),
        )
        .service(
            scope("/api/v1/training-classes")
                .service(training_classes::routes::list_training_classes)
                .service(training_classes::routes::create_training_class)
                .service(training_classes::routes::get_training_class)
                .service(training_classes::routes::update_training_class)
                .service(training_classes::routes::delete_training_class)
                .service(training_classes::routes::list_enrolments)
                .service(training_classes::routes::create_enrolment)
                .service(training_classes::routes::get_enrolment)
                .service(training_classes::routes::update_enrolment)
                .service(training_classes::routes::delete_enrolment),
        )
        .service(
            scope("/api/v1/assessments")
                .service(assessments::routes::list_assessments)
                .service(assessments::routes::create_assessment)
                .service(assessments::routes::get_assessment_summary)
                .service(assessments::routes::get_assessment)
                .service(assessments::routes::update_assessment)
                .service(assessments::routes::delete_assessment),
        )
        .service(
            scope("/api/v1/awards")
                .service(awards::routes::list_awards)
                .service(awards::routes::create_award)
                .service(awards::routes::get_award)
                .service(awards::routes::update_award)
                .service(awards::routes::delete_award),
        )
        .service(
            scope("/api/v1/study-campaigns")
                .service(study_campaigns::routes::list_study_campaigns)
                .service(study_campaigns::routes::create_study_campaign)
                .service(study_campaigns::routes::get_study_campaign)
                .service(study_campaigns::routes::update_study_campaign)
                .service(study_campaigns::routes::delete_study_campaign)
                .service(study_campaigns::routes::list_participations)
                .service(study_campaigns::routes::create_participation)
                .service(study_campaigns::routes::get_participation)
                .service(study_campaigns::routes::update_participation)
                .service(study_campaigns::routes::delete_participation),
        )
        .service(
            scope("/api/v1/worklists")
                .service(worklists::routes::list_recognition_due)
                .service(worklists::routes::list_cards_due)
                .service(worklists::routes::list_badges_due)
                .service(worklists::routes::list_candidates_ready),
        )
        .service(
            scope("/api/v1/reports")
                .service(reports::routes::get_annual_report)
                .service(reports::routes::get_villages_report)
                .service(reports::routes::get_data_quality_report),
        )
        .service(scope("/api/v1/changes").service(sync::feed::list_changes))
        .service(scope("/api/v1/exports").service(sync::export::export_records))
        .service(scope("/api/v1/imports").service(sync::import::import_records))
        .service(scope("/api/v1/audit-events").service(audit::routes::list_audit_events));
}

/// The document the code describes.
pub fn document() -> utoipa::openapi::OpenApi {
    let (_, mut document) = App::new()
        .into_utoipa_app()
        .openapi(ApiDoc::openapi())
        .configure(register)
        .split_for_parts();
    // After the paths are collected: shared error responses first, so the
    // decorations below cover them too.
    add_shared_responses(&mut document);
    Languages.modify(&mut document);
    Conventions.modify(&mut document);
    document
}

/// Every operation of a path, with its method, for the passes that
/// decorate the whole document.
fn operations_mut(
    item: &mut utoipa::openapi::PathItem,
) -> impl Iterator<Item = (&'static str, &mut utoipa::openapi::path::Operation)> {
    [
        ("get", &mut item.get),
        ("put", &mut item.put),
        ("post", &mut item.post),
        ("delete", &mut item.delete),
        ("patch", &mut item.patch),
    ]
    .into_iter()
    .filter_map(|(method, operation)| operation.as_mut().map(|o| (method, o)))
}

/// Adds the answers the cross-cutting layers give (body extractors, ETags,
/// idempotency, the database pool) to every operation they apply to, so the
/// document lists every status a client can get without repeating them in
/// each handler's annotation. An operation's own description wins.
fn add_shared_responses(document: &mut utoipa::openapi::OpenApi) {
    use utoipa::openapi::path::ParameterIn;
    use utoipa::openapi::{ContentBuilder, Ref, ResponseBuilder};

    let problem = |description: &str| {
        ResponseBuilder::new()
            .description(description)
            .content(
                "application/problem+json",
                ContentBuilder::new()
                    .schema(Some(Ref::from_schema_name("Problem")))
                    .build(),
            )
            .build()
    };
    for (path, item) in document.paths.paths.iter_mut() {
        for (method, operation) in operations_mut(item) {
            let is_post = method == "post";
            let header = |name: &str| {
                operation.parameters.iter().flatten().any(|p| {
                    p.parameter_in == ParameterIn::Header && p.name.eq_ignore_ascii_case(name)
                })
            };
            let mut shared = Vec::new();
            if operation.request_body.is_some() {
                shared.push(("400", "Malformed body"));
                shared.push(("413", "Body over the size limit"));
                shared.push(("415", "Missing or unsupported Content-Type"));
            }
            let has_query = operation
                .parameters
                .iter()
                .flatten()
                .any(|p| p.parameter_in == ParameterIn::Query);
            if has_query {
                shared.push(("400", "Malformed query parameter"));
            }
            if header("If-Match") {
                shared.push(("400", "Malformed If-Match"));
            }
            let authenticated = path.starts_with("/api/v1/") && path != "/api/v1/auth/token";
            if is_post && authenticated {
                shared.push(("422", "Idempotency-Key reused with another request"));
            }
            if path.starts_with("/api/v1/") {
                shared.push((
                    "503",
                    "Database unavailable; retry after Retry-After seconds",
                ));
            }
            for (status, description) in shared {
                operation
                    .responses
                    .responses
                    .entry(status.to_owned())
                    .or_insert_with(|| problem(description).into());
            }
        }
    }
}

/// The document as committed: pretty JSON with a final newline.
pub fn document_json() -> String {
    let mut json = document().to_pretty_json().unwrap_or_default();
    json.push('\n');
    json
}
