//! The HTTP API of the payment slice, assembled from each resource's
//! `routes` module: the bank webhook, unmatched transfers, an order's
//! payments and its VietQR image, and the books for admin.

use actix_web::web;

use crate::{carriage, cod, escrow, ledger, payouts, transfers, vietqr, webhook};

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.route("/api/v1/payments/bank-webhook", web::post().to(webhook::routes::bank_webhook))
        .route("/api/v1/payments/bank-transfers", web::get().to(transfers::routes::list_transfers))
        .route(
            "/api/v1/payments/bank-transfers/{id}/assign",
            web::post().to(transfers::routes::assign_transfer),
        )
        .route(
            "/api/v1/payments/bank-transfers/{id}/return",
            web::post().to(transfers::routes::return_transfer),
        )
        .route("/api/v1/orders/{id}/payments", web::get().to(escrow::routes::order_payments))
        .route("/api/v1/orders/{id}/vietqr.png", web::get().to(vietqr::routes::order_vietqr_png))
        .route("/api/v1/orders/{id}/refunds", web::post().to(escrow::routes::record_refund))
        .route("/api/v1/ledger/trial-balance", web::get().to(ledger::routes::trial_balance))
        .route("/api/v1/cod/position", web::get().to(cod::routes::cod_position))
        .route("/api/v1/cod/remittances", web::post().to(cod::routes::announce_remittance))
        .route("/api/v1/cod/remittances/{id}/received", web::post().to(cod::routes::remittance_received))
        .route("/api/v1/cod/remittances/{id}/cancel", web::post().to(cod::routes::remittance_cancelled))
        .route("/api/v1/payouts", web::post().to(payouts::routes::create_payout))
        .route("/api/v1/payouts", web::get().to(payouts::routes::list_payouts))
        .route("/api/v1/payouts/{id}", web::get().to(payouts::routes::get_payout))
        .route("/api/v1/payouts/{id}/bank-file.csv", web::get().to(payouts::routes::payout_bank_file))
        .route("/api/v1/payouts/{id}/sent", web::post().to(payouts::routes::payout_sent))
        .route("/api/v1/payouts/{id}/confirm", web::post().to(payouts::routes::payout_confirmed))
        .route("/api/v1/sellers/{id}/statement", web::get().to(payouts::routes::seller_statement))
        .route("/api/v1/postage/earnings", web::get().to(carriage::routes::postage_earnings))
        .route("/api/v1/postage/earnings/payments", web::post().to(carriage::routes::postage_paid));
}

#[derive(utoipa::OpenApi)]
#[openapi(paths(
    webhook::routes::bank_webhook,
    transfers::routes::list_transfers,
    transfers::routes::assign_transfer,
    transfers::routes::return_transfer,
    escrow::routes::order_payments,
    vietqr::routes::order_vietqr_png,
    escrow::routes::record_refund,
    ledger::routes::trial_balance,
    cod::routes::cod_position,
    cod::routes::announce_remittance,
    cod::routes::remittance_received,
    cod::routes::remittance_cancelled,
    payouts::routes::create_payout,
    payouts::routes::list_payouts,
    payouts::routes::get_payout,
    payouts::routes::payout_bank_file,
    payouts::routes::payout_sent,
    payouts::routes::payout_confirmed,
    payouts::routes::seller_statement,
    carriage::routes::postage_earnings,
    carriage::routes::postage_paid
))]
pub struct PaymentsApi;
