//! The trial balance, for admin.

use accounts::{Actor, Role};
use actix_web::{web, HttpResponse};

use super::{AccountLine, TrialBalanceView};
use common::ApiError;

/// The trial balance of the escrow ledger (admin): every account's totals;
/// debits always equal credits.
#[utoipa::path(get, path = "/api/v1/ledger/trial-balance", tag = "payments", security(("bearer" = [])),
    responses((status = 200, body = TrialBalanceView), (status = 401, body = accounts::ErrorBody),
              (status = 403, body = accounts::ErrorBody)))]
pub async fn trial_balance(pool: web::Data<storage::Pool>, actor: Actor) -> Result<HttpResponse, ApiError> {
    actor.require(&[Role::Admin])?;
    let tb = pool.run(|c| Ok::<_, ApiError>(super::trial_balance(c)?)).await?;
    Ok(HttpResponse::Ok().json(TrialBalanceView {
        accounts: tb.accounts.iter().map(AccountLine::from).collect(),
        debits_posted_vnd: tb.debits_posted,
        credits_posted_vnd: tb.credits_posted,
        debits_pending_vnd: tb.debits_pending,
        credits_pending_vnd: tb.credits_pending,
        balanced: tb.is_balanced(),
    }))
}
