//! What the market adds to the API's one error rule (`common::error`): the
//! codes of its pure cores' errors, and the constructors of the few errors
//! that carry more than a message.

use common::{ApiError, ErrorCode};

use crate::orders::lifecycle::TransitionError;
use crate::sellers::spreadsheet::RowError;

impl From<TransitionError> for ApiError {
    fn from(e: TransitionError) -> Self {
        let code = match e {
            TransitionError::NotAllowed { .. } => ErrorCode::Forbidden,
            TransitionError::NotPaid => ErrorCode::NotPaid,
            TransitionError::Invalid { .. } => ErrorCode::InvalidTransition,
        };
        ApiError::new(code, e.to_string())
    }
}

/// Not enough of a listing left; the buyer's app can show what is left and
/// offer to adjust (`listing_id` and `available` also beside `code`, where
/// clients read them before `params` existed).
pub fn insufficient_stock(listing_id: &str, available: i64) -> ApiError {
    ApiError::new(ErrorCode::InsufficientStock, format!("only {available} left of listing `{listing_id}`"))
        .param("listing_id", listing_id)
        .param("available", available)
        .with_extra("listing_id", listing_id)
        .with_extra("available", available)
}

/// The listing is paused, deleted or its lot recalled.
pub fn listing_unavailable(message: impl Into<String>) -> ApiError {
    ApiError::new(ErrorCode::ListingUnavailable, message)
}

/// A farmer ordering from their own listing; `listing_id` says which line
/// to take out.
pub fn own_listing(listing_id: &str) -> ApiError {
    ApiError::new(ErrorCode::OwnListing, format!("listing `{listing_id}` is your own; you cannot order it"))
        .param("listing_id", listing_id)
        .with_extra("listing_id", listing_id)
}

/// Rows of a file that break the rules, every one of them listed.
pub fn invalid_rows(message: impl Into<String>, rows: &[RowError]) -> ApiError {
    ApiError::new(ErrorCode::InvalidRows, message)
        .with_extra("rows", serde_json::to_value(rows).unwrap_or_default())
}

/// The body is not JSON, or not the JSON shape the route takes.
pub fn malformed_json(detail: impl std::fmt::Display) -> ApiError {
    ApiError::new(ErrorCode::MalformedJson, format!("the body is not valid JSON: {detail}"))
}

/// The error body of a rejected file: the usual `code` and `message`, and
/// `rows` listing each problem so staff can fix them all in one go.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct RowErrorBody {
    pub error: RowErrorDetail,
}

#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct RowErrorDetail {
    /// `invalid_rows`, or `invalid_file` when the file as a whole cannot be
    /// read (then there is no `rows`).
    pub code: String,
    pub message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rows: Option<Vec<RowError>>,
}
