//! `POST /api/v1/verify`: checks a record sent by anyone.

use actix_web::{web, HttpResponse};

use super::{rules, store, VerifyReport};
use crate::routes::{with_conn, Pool, Statuses, Trust};
use common::{ApiError, ErrorCode};

#[utoipa::path(post, path = "/api/v1/verify", tag = "records",
    request_body(content = Object, description = "a signed record (W3C VC with a DataIntegrityProof)"),
    responses((status = 200, body = VerifyReport), (status = 400, description = "not JSON", body = accounts::ErrorBody),
              (status = 422, description = "JSON, but not an object", body = accounts::ErrorBody)))]
pub async fn verify_record(
    pool: Pool,
    trust: Trust,
    statuses: Statuses,
    body: web::Json<Box<serde_json::value::RawValue>>,
) -> Result<HttpResponse, ApiError> {
    // Re-read the raw text strictly: a record with a duplicated property
    // could show one value to people and have another checked here.
    let record = crate::jcs::parse_strict(body.get())
        .map_err(|e| ApiError::new(ErrorCode::MalformedJson, format!("not I-JSON (RFC 7493): {e}")))?;
    if !record.is_object() {
        return Err(ApiError::invalid("body", "a record is a JSON object (a W3C verifiable credential)"));
    }
    // The cryptography (~0.1 ms) runs right here; the database is asked
    // only when the trust list or the lot's status is not fresh in memory.
    let off = rules::offline(&record);
    let lot_id = off.facts.lot_id.clone();
    let list = trust.peek();
    let status = match &lot_id {
        Some(id) => statuses.peek(id),
        None => Some(None),
    };
    let (list, status) = match (list, status, lot_id) {
        (Some(list), Some(status), _) => (list, status),
        (list, status, lot_id) => {
            let statuses = statuses.clone();
            with_conn(pool, move |c| {
                let list = match list {
                    Some(list) => list,
                    None => trust.get(c)?,
                };
                let status = match (status, lot_id) {
                    (Some(status), _) => status,
                    (None, Some(id)) => {
                        let status = store::lot_status(c, &id)?;
                        statuses.put(&id, status);
                        status
                    }
                    (None, None) => None,
                };
                Ok((list, status))
            })
            .await?
        }
    };
    let report = rules::judge(off, &list, status);
    Ok(HttpResponse::Ok().insert_header(("Access-Control-Allow-Origin", "*")).json(report))
}
