//! The bank webhook: a bank-notification service (SePay and the like)
//! posts every transfer to or from the collection account here.
//!
//! The pure parts: `notification` reads a body field by field
//! ([`BankNotification`](crate::BankNotification)), [`auth`] checks the
//! `Apikey` and the HMAC-SHA256 signature, `order_code` finds order codes
//! in the transfer text however the bank mangled it
//! ([`candidate_order_codes`](crate::candidate_order_codes)). [`store`]
//! keeps every raw body in the inbox; [`routes`] is the endpoint, which
//! hands a notification it could read to
//! [`transfers`](crate::transfers) to be booked.

pub mod auth;
pub(crate) mod notification;
pub(crate) mod order_code;
pub mod routes;
pub mod store;

use serde::Serialize;
use utoipa::ToSchema;

/// What the server configures for bank notifications.
#[derive(Clone, Default)]
pub struct WebhookSettings {
    /// `NONGSAN_BANK_WEBHOOK_KEY`: the `Authorization: Apikey …` key. With
    /// none the webhook refuses every call.
    pub api_key: Option<String>,
    /// `NONGSAN_BANK_WEBHOOK_SECRET`: when set, calls must also carry an
    /// HMAC-SHA256 signature of the body with a timestamp in the last five
    /// minutes (see [`auth`]).
    pub signing_secret: Option<Vec<u8>>,
    /// The collection account's number: only money in to it is booked.
    pub collection_account: Option<String>,
}

impl std::fmt::Debug for WebhookSettings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // never print the key or the secret
        f.debug_struct("WebhookSettings")
            .field("api_key", &self.api_key.as_ref().map(|_| "…"))
            .field("signing_secret", &self.signing_secret.as_ref().map(|_| "…"))
            .field("collection_account", &self.collection_account)
            .finish()
    }
}

#[derive(Serialize, ToSchema)]
pub struct WebhookAnswer {
    pub success: bool,
}
