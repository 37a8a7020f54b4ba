//! HTTP handlers for `/api/v1/reports/*`.

use actix_web::{get, web, HttpResponse};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::annual::{self, AnnualReport};
use super::data_quality::{self, DataQualityReport};
use crate::auth::{Access, Caller, Right};
use crate::db::schema::organisations;
use crate::db::DbConnection;
use crate::error::{ApiError, ApiResult, Problem};
use crate::i18n::Msg;
use crate::memory;
use crate::organisations::model::OrganisationRow;
use crate::state::AppState;

/// `?year=&organisation_id=&format=` of the reports.
#[derive(Debug, Clone, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ReportParams {
    /// Calendar year (default: last year).
    #[param(example = 2016)]
    pub year: Option<i32>,
    /// The organisation whose subtree is reported (default: the caller's scope root).
    pub organisation_id: Option<String>,
    /// `json` (default) or `csv`.
    pub format: Option<String>,
}

/// The organisation a report is about: the one asked for (in scope), the
/// caller's scope root, or the single top-level organisation.
fn report_root(
    conn: &mut DbConnection,
    access: &Access,
    asked: Option<&str>,
) -> ApiResult<OrganisationRow> {
    if let Some(id) = asked.or(access.scope.root_id()) {
        return crate::organisations::store::find(conn, access, id)
            .map_err(|e| e.for_reference("organisation_id"));
    }
    let roots: Vec<OrganisationRow> = organisations::table
        .filter(organisations::deleted_at.is_null())
        .filter(organisations::parent_id.is_null())
        .limit(2)
        .load(conn)?;
    match <[OrganisationRow; 1]>::try_from(roots) {
        Ok([root]) => Ok(root),
        Err(_) => Err(ApiError::invalid_field(
            "organisation_id",
            "required",
            Msg::SeveralRoots,
        )),
    }
}

/// Flattens a JSON document into `field,value` rows with dotted names.
fn flatten(prefix: &str, value: &serde_json::Value, rows: &mut Vec<(String, String)>) {
    match value {
        serde_json::Value::Object(map) => {
            for (key, value) in map {
                let name = if prefix.is_empty() {
                    key.clone()
                } else {
                    format!("{prefix}.{key}")
                };
                flatten(&name, value, rows);
            }
        }
        serde_json::Value::Array(items) => {
            for (i, value) in items.iter().enumerate() {
                flatten(&format!("{prefix}.{i}"), value, rows);
            }
        }
        serde_json::Value::Null => rows.push((prefix.to_owned(), String::new())),
        serde_json::Value::String(s) => rows.push((prefix.to_owned(), s.clone())),
        other => rows.push((prefix.to_owned(), other.to_string())),
    }
}

/// One CSV cell: quoted when needed, and formula-looking text neutralised.
pub fn csv_cell(text: &str) -> String {
    let text = if text.starts_with(['=', '+', '-', '@']) && text.parse::<f64>().is_err() {
        format!("'{text}")
    } else {
        text.to_owned()
    };
    if text.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text
    }
}

fn csv(report: &impl Serialize) -> HttpResponse {
    let mut rows = Vec::new();
    flatten(
        "",
        &serde_json::to_value(report).unwrap_or_default(),
        &mut rows,
    );
    let mut body = String::from("field,value\n");
    for (field, value) in rows {
        body.push_str(&csv_cell(&field));
        body.push(',');
        body.push_str(&csv_cell(&value));
        body.push('\n');
    }
    HttpResponse::Ok()
        .content_type("text/csv; charset=utf-8")
        .body(body)
}

fn wants_csv(format: Option<&str>) -> ApiResult<bool> {
    match format {
        None | Some("json") => Ok(false),
        Some("csv") => Ok(true),
        Some(_) => Err(ApiError::invalid_field(
            "format",
            "invalid",
            Msg::OneOf
                .with("field", "format")
                .with("choices", "json, csv"),
        )),
    }
}

/// The annual report of an organisation's subtree (SPEC section 7).
#[utoipa::path(
    tag = "reports", operation_id = "getAnnualReport",
    params(ReportParams),
    responses(
        (status = 200, description = "The annual report (or `field,value` CSV with `format=csv`)", body = AnnualReport,
         example = json!({"year": 2016, "organisation_id": "0193a5c2-7b4e-7c1a-9f00-3b1e2d4c5a61", "as_of": "2016-12-31",
            "organisations": {"grassroots": 49, "by_kind": {"grassroots_committee": 10, "grassroots_cell": 39}},
            "members": {"total": 2128, "by_status": {"official": 1976, "probationary": 152, "exempt": 0}, "female": 700, "ethnic_minority": 1500},
            "admissions": {"admitted": 152, "target": 120, "achievement": {"count": 152, "of": 120, "percent": 126.7}},
            "recognitions": 171, "cards": {"issued": 173, "reissued": 0},
            "badges": {"proposed": 52, "awarded": 0, "by_milestone": {"30": 30, "40": 22}},
            "training": {"classes": 14, "participants": 1118, "participants_female": 400, "participants_ethnic_minority": 800, "participants_under_35": 300},
            "ratings": {
                "grassroots": {"rated": 49, "excellent": {"count": 30, "of": 49, "percent": 61.2}, "good": {"count": 18, "of": 49, "percent": 36.7},
                    "satisfactory": {"count": 1, "of": 49, "percent": 2.0}, "unsatisfactory": {"count": 0, "of": 49, "percent": 0.0}},
                "all_organisations": {"rated": 136, "excellent": {"count": 85, "of": 136, "percent": 62.5}, "good": {"count": 50, "of": 136, "percent": 36.8},
                    "satisfactory": {"count": 1, "of": 136, "percent": 0.7}, "unsatisfactory": {"count": 0, "of": 136, "percent": 0.0}},
                "members": {"rated": 2000, "excellent": {"count": 300, "of": 2000, "percent": 15.0}, "good": {"count": 1500, "of": 2000, "percent": 75.0},
                    "satisfactory": {"count": 190, "of": 2000, "percent": 9.5}, "unsatisfactory": {"count": 10, "of": 2000, "percent": 0.5}}},
            "awards": {"grassroots": 10, "subordinate_cells": 4, "members": 2},
            "personnel": {"appointments": 80, "rotations": 2, "transfers": 1, "secondments": 0},
            "villages": {"total": 100, "without_members": 1, "without_cell": 26, "unstable": 5},
            "study": [{"campaign_id": "0193a5c2-7b4e-7c1a-9f00-3b1e2d4c5e01", "title": "Nghị quyết Đại hội XII của Đảng",
                "organisations_held": {"count": 49, "of": 49, "percent": 100.0},
                "members_attended": {"count": 2085, "of": 2128, "percent": 98.0},
                "masses_attended": {"count": 8600, "of": 10000, "percent": 86.0}}]})),
        (status = 400, description = "Bad year or format", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No or bad token", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Organisation not found or outside scope", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[get("/annual")]
pub async fn get_annual_report(
    state: web::Data<AppState>,
    caller: Caller,
    params: web::Query<ReportParams>,
) -> Result<HttpResponse, ApiError> {
    let params = params.into_inner();
    let as_csv = wants_csv(params.format.as_deref())?;
    let year = annual::report_year(params.year)?;
    let db = state.db.clone();
    let report = state
        .read(caller, Right::Read, move |conn, access| {
            let root = report_root(conn, access, params.organisation_id.as_deref())?;
            let report = annual::compute(conn, db.spare().as_deref_mut(), &root, year)?;
            if report.members.total >= memory::LARGE_REGISTER {
                memory::release_freed();
            }
            Ok(report)
        })
        .await?;
    Ok(if as_csv {
        csv(&report)
    } else {
        HttpResponse::Ok().json(report)
    })
}

/// A village, by id and name.
#[derive(Debug, Serialize, ToSchema)]
pub struct VillageRef {
    pub id: String,
    pub name: String,
}

/// Villages of the organisation's area by coverage on 31 December.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"year": 2016, "organisation_id": "0193a5c2-7b4e-7c1a-9f00-3b1e2d4c5a61",
    "without_members": [{"id": "0193a5c2-7b4e-7c1a-9f00-3b1e2d4c5b01", "name": "Bản Huổi Sáy"}],
    "without_cell": [{"id": "0193a5c2-7b4e-7c1a-9f00-3b1e2d4c5b02", "name": "Bản Co Cượm"}],
    "unstable": [{"id": "0193a5c2-7b4e-7c1a-9f00-3b1e2d4c5b03", "name": "Bản Nậm Pọng"}]}))]
pub struct VillagesReport {
    pub year: i32,
    pub organisation_id: String,
    /// No counted member resides there.
    pub without_members: Vec<VillageRef>,
    /// No active cell is based there.
    pub without_cell: Vec<VillageRef>,
    /// Members reside there, but fewer than 3 official members.
    pub unstable: Vec<VillageRef>,
}

/// The villages of each of the three kinds, by id and name.
#[utoipa::path(
    tag = "reports", operation_id = "getVillagesReport",
    params(ReportParams),
    responses(
        (status = 200, description = "Villages by coverage", body = VillagesReport),
        (status = 400, description = "Bad year", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No or bad token", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Organisation not found or outside scope", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[get("/villages")]
pub async fn get_villages_report(
    state: web::Data<AppState>,
    caller: Caller,
    params: web::Query<ReportParams>,
) -> Result<HttpResponse, ApiError> {
    let params = params.into_inner();
    let year = annual::report_year(params.year)?;
    let report = state
        .read(caller, Right::Read, move |conn, access| {
            let root = report_root(conn, access, params.organisation_id.as_deref())?;
            let sets = annual::villages(conn, &root, year)?;
            let refs = |list: Vec<(String, String)>| {
                list.into_iter()
                    .map(|(id, name)| VillageRef { id, name })
                    .collect()
            };
            Ok(VillagesReport {
                year,
                organisation_id: root.id,
                without_members: refs(sets.without_members),
                without_cell: refs(sets.without_cell),
                unstable: refs(sets.unstable),
            })
        })
        .await?;
    Ok(HttpResponse::Ok().json(report))
}

/// Share of complete, valid member records per grassroots organisation, and the records to fix.
#[utoipa::path(
    tag = "reports", operation_id = "getDataQualityReport",
    params(ReportParams),
    responses(
        (status = 200, description = "Data quality", body = DataQualityReport),
        (status = 400, description = "No organisation named while the register has several roots", body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "No or bad token", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Organisation not found or outside scope", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []))
)]
#[get("/data-quality")]
pub async fn get_data_quality_report(
    state: web::Data<AppState>,
    caller: Caller,
    params: web::Query<ReportParams>,
) -> Result<HttpResponse, ApiError> {
    let params = params.into_inner();
    let report = state
        .read(caller, Right::Read, move |conn, access| {
            let root = report_root(conn, access, params.organisation_id.as_deref())?;
            data_quality::compute(conn, &root)
        })
        .await?;
    Ok(HttpResponse::Ok().json(report))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_cells_that_look_like_formulas_are_neutralised() {
        assert_eq!(csv_cell("=SUM(A1)"), "'=SUM(A1)");
        assert_eq!(csv_cell("@cmd"), "'@cmd");
        assert_eq!(csv_cell("-12.5"), "-12.5");
        assert_eq!(csv_cell("Mường Ảng, Điện Biên"), "\"Mường Ảng, Điện Biên\"");
    }
}
