//! The one error rule of the API, written once.
//!
//! - Every error a client can get is `{"error":{"code","message","field"?,
//!   "params"?}}` with the status the code's row in [`ErrorCode`] gives;
//!   nothing else picks a status.
//! - `code` is stable and listed in the OpenAPI document (the enum of
//!   [`ErrorCode`]); clients act on it and pages translate by it. `message`
//!   is English for integrators and may be reworded at any time.
//! - Validation errors say which `field` (a JSON path like `bank.bin` or
//!   `items[2].quantity`) and carry the numbers a translation needs in
//!   `params` (`{"min": 8}`), so a page can say it in Vietnamese without
//!   parsing English.
//! - Handlers return [`ApiError`]; pure rules return their own precise
//!   errors or a [`FieldError`], which convert into it. Diesel's errors
//!   convert in one place: a unique-key violation is 409 `conflict` (a
//!   concurrent request got there first), a missing row 404, anything else
//!   a bare 500 `internal` whose cause chain goes to the log only.

use std::fmt;

use actix_web::http::StatusCode;
use actix_web::HttpResponse;
use serde::Serialize;
use serde_json::{Map, Value};

macro_rules! error_codes {
    ($($(#[$doc:meta])* $variant:ident = $text:literal => $status:ident,)*) => {
        /// Every code the API answers with, and its HTTP status: the table.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, serde::Deserialize, utoipa::ToSchema)]
        #[serde(rename_all = "snake_case")]
        pub enum ErrorCode {
            $($(#[$doc])* $variant,)*
        }

        impl ErrorCode {
            /// Every code, in table order.
            pub const ALL: &'static [ErrorCode] = &[$(ErrorCode::$variant,)*];

            /// The stable text of the code on the wire.
            pub fn as_str(self) -> &'static str {
                match self {
                    $(ErrorCode::$variant => $text,)*
                }
            }

            /// The HTTP status every error with this code is answered with.
            pub fn status(self) -> StatusCode {
                match self {
                    $(ErrorCode::$variant => StatusCode::$status,)*
                }
            }
        }
    };
}

error_codes! {
    // 400: the request cannot be read at all.
    /// The body is not JSON, or not the JSON shape the route takes.
    MalformedJson = "malformed_json" => BAD_REQUEST,
    /// A query-string parameter of the wrong type.
    InvalidQuery = "invalid_query" => BAD_REQUEST,
    /// The URL itself is unusable (e.g. a NUL byte).
    InvalidUrl = "invalid_url" => BAD_REQUEST,
    /// A GS1 Digital Link path that does not parse.
    MalformedDigitalLink = "malformed_digital_link" => BAD_REQUEST,
    /// A request header that does not parse (e.g. `Idempotency-Key`).
    InvalidHeader = "invalid_header" => BAD_REQUEST,
    /// Anything else the request gets wrong before its content is read.
    BadRequest = "bad_request" => BAD_REQUEST,

    // 401: who is asking is not known.
    /// No token, or an expired or revoked one.
    Unauthenticated = "unauthenticated" => UNAUTHORIZED,
    /// Login with a wrong phone number or password.
    WrongCredentials = "wrong_credentials" => UNAUTHORIZED,
    /// The activation code is wrong, used or expired.
    BadActivationCode = "bad_activation_code" => UNAUTHORIZED,
    /// A webhook call without the right key or signature.
    Unauthorized = "unauthorized" => UNAUTHORIZED,

    // 403
    /// Known, but this role or account may not do that.
    Forbidden = "forbidden" => FORBIDDEN,

    // 404
    /// No such thing, or not one this caller may see (the same answer, so
    /// that ids of others' things cannot be probed).
    NotFound = "not_found" => NOT_FOUND,
    /// A photo address that is not one of ours.
    InvalidPhotoKey = "invalid_photo_key" => NOT_FOUND,

    // 405, 408
    /// The route exists but not with this method; `Allow` lists those it has.
    MethodNotAllowed = "method_not_allowed" => METHOD_NOT_ALLOWED,
    /// The request body stopped arriving.
    RequestTimeout = "request_timeout" => REQUEST_TIMEOUT,

    // 409: the request clashes with the state things are in.
    /// A concurrent request created or changed the same thing first.
    Conflict = "conflict" => CONFLICT,
    /// A value that someone else already has (phone, national id, GTIN…).
    AlreadyTaken = "already_taken" => CONFLICT,
    /// Not enough stock; `params.listing_id` and `params.available` say what is left.
    InsufficientStock = "insufficient_stock" => CONFLICT,
    /// The listing is paused, deleted or its lot recalled.
    ListingUnavailable = "listing_unavailable" => CONFLICT,
    /// The order (part) is not in a status that allows this step.
    InvalidTransition = "invalid_transition" => CONFLICT,
    /// A bank-transfer order must be paid before the seller confirms it.
    NotPaid = "not_paid" => CONFLICT,
    /// The lot was recalled: nothing more may be done with it.
    LotRecalled = "lot_recalled" => CONFLICT,
    /// The same idempotency key was used for a different request.
    IdempotencyKeyReused = "idempotency_key_reused" => CONFLICT,
    /// The first request with this idempotency key is still being answered;
    /// `Retry-After` says when to ask again.
    RequestInProgress = "request_in_progress" => CONFLICT,
    /// The farmer has set their own password: no new activation code at the
    /// counter (an admin resets a forgotten password).
    AlreadyActivated = "already_activated" => CONFLICT,
    /// An account would go below zero.
    InsufficientFunds = "insufficient_funds" => CONFLICT,
    /// A hold was already posted or voided.
    AlreadyResolved = "already_resolved" => CONFLICT,
    /// A cash-on-delivery order cannot be paid by bank transfer.
    CashOnDeliveryOrder = "cash_on_delivery_order" => CONFLICT,
    /// The bank transfer is not waiting in suspense.
    NotInSuspense = "not_in_suspense" => CONFLICT,
    /// The order has nothing left to pay by bank transfer.
    NothingToPay = "nothing_to_pay" => CONFLICT,
    /// Bank transfer is not available for this order now.
    PaymentUnavailable = "payment_unavailable" => CONFLICT,
    /// The post office owes no cash on delivery.
    NothingToRemit = "nothing_to_remit" => CONFLICT,
    /// More than the post office owes; `params.remittable` says how much it does.
    ExceedsRemittable = "exceeds_remittable" => CONFLICT,
    /// The remittance was already received or cancelled.
    RemittanceResolved = "remittance_resolved" => CONFLICT,
    /// The amount differs from the one announced.
    AmountMismatch = "amount_mismatch" => CONFLICT,
    /// No seller is owed money the collection account holds.
    NothingPayable = "nothing_payable" => CONFLICT,
    /// The payout run is no longer new.
    BatchNotCreated = "batch_not_created" => CONFLICT,
    /// The payout run has not been sent to the bank (or was confirmed).
    BatchNotSent = "batch_not_sent" => CONFLICT,

    // 412, 413, 415
    /// `If-Match` names another version than the current one.
    PreconditionFailed = "precondition_failed" => PRECONDITION_FAILED,
    /// The body is larger than the route accepts; `params.limit` in bytes.
    PayloadTooLarge = "payload_too_large" => PAYLOAD_TOO_LARGE,
    /// A photo file larger than accepted; `params.limit` in bytes.
    PhotoTooLarge = "photo_too_large" => PAYLOAD_TOO_LARGE,
    /// A body or file of a kind the route does not take.
    UnsupportedMediaType = "unsupported_media_type" => UNSUPPORTED_MEDIA_TYPE,

    // 422: readable, but breaks a rule. `field` says which input.
    /// A value breaks a rule not listed more precisely below.
    InvalidInput = "invalid_input" => UNPROCESSABLE_ENTITY,
    /// A required value is missing or blank.
    Required = "required" => UNPROCESSABLE_ENTITY,
    /// Text shorter than `params.min` characters.
    TooShort = "too_short" => UNPROCESSABLE_ENTITY,
    /// Text longer than `params.max` characters (or a list with more items).
    TooLong = "too_long" => UNPROCESSABLE_ENTITY,
    /// A number outside `params.min`..=`params.max` (either may be absent).
    OutOfRange = "out_of_range" => UNPROCESSABLE_ENTITY,
    /// Not written the way this value must be (`params.expected` says how).
    InvalidFormat = "invalid_format" => UNPROCESSABLE_ENTITY,
    /// A code that is not in its list (category, unit, commune, bank, role…).
    UnknownValue = "unknown_value" => UNPROCESSABLE_ENTITY,
    /// A value that names something that does not exist or is not the caller's.
    UnknownReference = "unknown_reference" => UNPROCESSABLE_ENTITY,
    /// Control characters in text.
    ControlCharacters = "control_characters" => UNPROCESSABLE_ENTITY,
    /// Text holds invisible formatting characters (bidirectional overrides,
    /// zero-width spaces …) that would make it read as something else.
    InvisibleCharacters = "invisible_characters" => UNPROCESSABLE_ENTITY,
    /// A file that cannot be read as a whole (encoding, header, no rows).
    InvalidFile = "invalid_file" => UNPROCESSABLE_ENTITY,
    /// Rows of a file that break the rules; `rows` lists every one.
    InvalidRows = "invalid_rows" => UNPROCESSABLE_ENTITY,
    /// Bank transfer cannot be used (no collection account configured…).
    PaymentMethodUnavailable = "payment_method_unavailable" => UNPROCESSABLE_ENTITY,
    /// A farmer ordering their own listing (`listing_id` names it): a
    /// seller does not buy from themselves, which would only move stock and
    /// money in a circle.
    OwnListing = "own_listing" => UNPROCESSABLE_ENTITY,
    /// The label's text does not fit on a label.
    LabelTooLong = "label_too_long" => UNPROCESSABLE_ENTITY,
    /// A photo that cannot be decoded.
    UndecodablePhoto = "undecodable_photo" => UNPROCESSABLE_ENTITY,
    /// A photo with more pixels than accepted.
    PhotoDimensionsTooLarge = "photo_dimensions_too_large" => UNPROCESSABLE_ENTITY,
    /// A photo that would need too much memory to decode.
    PhotoNeedsTooMuchMemory = "photo_needs_too_much_memory" => UNPROCESSABLE_ENTITY,
    /// A listing already has the most photos it may have (`params.max`).
    TooManyPhotos = "too_many_photos" => UNPROCESSABLE_ENTITY,
    /// One seller's part of an order would weigh more than a parcel may
    /// (`params.max` grams; `weight_g` says what it would weigh): order
    /// less, or in two orders.
    ParcelTooHeavy = "parcel_too_heavy" => UNPROCESSABLE_ENTITY,
    /// No delivery zone joins the seller's commune and the buyer's, so the
    /// parcel cannot be priced.
    NoDeliveryZone = "no_delivery_zone" => UNPROCESSABLE_ENTITY,

    // 429
    /// Too many failed attempts; `Retry-After` says when to try again.
    TooManyAttempts = "too_many_attempts" => TOO_MANY_REQUESTS,
    /// The client's address has more connections open than its share.
    TooManyConnections = "too_many_connections" => TOO_MANY_REQUESTS,

    // 503: worth trying again later.
    /// The photo store does not answer; nothing was saved.
    PhotoStoreUnavailable = "photo_store_unavailable" => SERVICE_UNAVAILABLE,
    /// The database does not answer (restarting, network cut).
    /// `Retry-After` says when to try again.
    DatabaseUnavailable = "database_unavailable" => SERVICE_UNAVAILABLE,

    // 500: never the client's fault, never explained to the client.
    /// Something failed on our side; the cause is in the server's log.
    Internal = "internal" => INTERNAL_SERVER_ERROR,
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A broken rule about one input, from pure code that knows nothing of
/// HTTP: which field, which code, the English sentence and the numbers
/// a translation needs.
#[derive(Debug, Clone, PartialEq)]
pub struct FieldError {
    pub field: String,
    pub code: ErrorCode,
    pub message: String,
    pub params: Map<String, Value>,
}

impl FieldError {
    pub fn new(field: impl Into<String>, code: ErrorCode, message: impl Into<String>) -> Self {
        FieldError { field: field.into(), code, message: message.into(), params: Map::new() }
    }

    /// Adds a number or word a translation needs (`min`, `max`, `expected`…).
    pub fn param(mut self, name: &str, value: impl Into<Value>) -> Self {
        self.params.insert(name.to_string(), value.into());
        self
    }

    /// `field` must not be empty or blank.
    pub fn required(field: impl Into<String>) -> Self {
        FieldError::new(field, ErrorCode::Required, "is required")
    }

    /// Text of `min..=max` characters; `count` is what was given.
    pub fn length(field: impl Into<String>, count: usize, min: usize, max: usize) -> Option<Self> {
        if count < min {
            let code = if count == 0 { ErrorCode::Required } else { ErrorCode::TooShort };
            Some(FieldError::new(field, code, format!("must be at least {min} characters")).param("min", min))
        } else if count > max {
            Some(
                FieldError::new(field, ErrorCode::TooLong, format!("must be at most {max} characters"))
                    .param("max", max),
            )
        } else {
            None
        }
    }
}

impl fmt::Display for FieldError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.field, self.message)
    }
}

impl std::error::Error for FieldError {}

type Cause = Box<dyn std::error::Error + Send + Sync + 'static>;

/// An error answered to a client: a code from the table, an English
/// message, and what the code's clients need to act on it. Boxed, so that
/// a `Result` carrying it stays one pointer wide.
pub struct ApiError(Box<Details>);

struct Details {
    code: ErrorCode,
    message: String,
    field: Option<String>,
    params: Map<String, Value>,
    /// Members beside `code` in the body that clients used before `params`
    /// existed (`listing_id` and `available` of `insufficient_stock`, the
    /// `rows` of `invalid_rows`); kept so no client breaks.
    extra: Map<String, Value>,
    retry_after_secs: Option<u64>,
    /// For 500s: what went wrong, for the log only.
    cause: Option<Cause>,
}

impl ApiError {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        ApiError(Box::new(Details {
            code,
            message: message.into(),
            field: None,
            params: Map::new(),
            extra: Map::new(),
            retry_after_secs: None,
            cause: None,
        }))
    }

    /// A rule about `field` is broken; the code says which rule.
    pub fn field(code: ErrorCode, field: impl Into<String>, message: impl Into<String>) -> Self {
        let field = field.into();
        let message = message.into();
        ApiError::new(code, format!("{field}: {message}")).at(field)
    }

    /// `field` breaks a rule not listed more precisely (`invalid_input`).
    pub fn invalid(field: impl Into<String>, message: impl Into<String>) -> Self {
        ApiError::field(ErrorCode::InvalidInput, field, message)
    }

    /// `field` is a number outside `min..=max` (`out_of_range`, with both
    /// limits in `params`).
    pub fn out_of_range<N: Into<Value> + fmt::Display + Copy>(
        field: impl Into<String>,
        min: N,
        max: N,
    ) -> Self {
        ApiError::field(ErrorCode::OutOfRange, field, format!("{min} to {max}"))
            .param("min", min)
            .param("max", max)
    }

    /// `what` (e.g. "lot `…`") does not exist or is not the caller's.
    pub fn not_found(what: impl fmt::Display) -> Self {
        ApiError::new(ErrorCode::NotFound, format!("{what} not found"))
    }

    pub fn forbidden() -> Self {
        ApiError::new(ErrorCode::Forbidden, "this account is not allowed to do that")
    }

    pub fn unauthenticated() -> Self {
        ApiError::new(ErrorCode::Unauthenticated, "authentication required")
    }

    /// A plain clash with the current state (`conflict`).
    pub fn conflict(message: impl Into<String>) -> Self {
        ApiError::new(ErrorCode::Conflict, message)
    }

    /// The database is out of reach: 503 with `Retry-After`, the cause in
    /// the log. What the request was writing rolled back with its
    /// transaction, unless the connection died during the commit itself;
    /// a retry with the same `Idempotency-Key` is safe either way.
    pub fn database_unavailable(cause: impl fmt::Display) -> Self {
        tracing::warn!(error = %cause, "database unavailable");
        ApiError::new(
            ErrorCode::DatabaseUnavailable,
            "the database is unavailable; try again in a few seconds",
        )
        .retry_after(DATABASE_RETRY_AFTER_SECS)
    }

    /// Something failed on our side. `cause` is logged with its chain; the
    /// client sees only that it was logged.
    pub fn internal(cause: impl Into<Cause>) -> Self {
        let mut error = ApiError::new(ErrorCode::Internal, "internal error");
        error.0.cause = Some(cause.into());
        error
    }

    /// Names the input the error is about, leaving the message as it is.
    pub fn at(mut self, field: impl Into<String>) -> Self {
        self.0.field = Some(field.into());
        self
    }

    /// Adds a number or word a translation needs.
    pub fn param(mut self, name: &str, value: impl Into<Value>) -> Self {
        self.0.params.insert(name.to_string(), value.into());
        self
    }

    /// Adds a member beside `code` (kept for clients of earlier versions).
    pub fn with_extra(mut self, name: &str, value: impl Into<Value>) -> Self {
        self.0.extra.insert(name.to_string(), value.into());
        self
    }

    pub fn retry_after(mut self, secs: u64) -> Self {
        self.0.retry_after_secs = Some(secs);
        self
    }

    pub fn code(&self) -> ErrorCode {
        self.0.code
    }

    pub fn message(&self) -> &str {
        &self.0.message
    }

    pub fn field_name(&self) -> Option<&str> {
        self.0.field.as_deref()
    }

    pub fn params(&self) -> &Map<String, Value> {
        &self.0.params
    }

    pub fn status(&self) -> StatusCode {
        self.0.code.status()
    }

    /// The JSON body, as the client gets it.
    pub fn body(&self) -> ErrorBody {
        let d = &self.0;
        let internal = self.status().is_server_error();
        ErrorBody {
            error: ErrorDetail {
                code: d.code,
                message: if internal {
                    "internal error; it has been logged".into()
                } else {
                    d.message.clone()
                },
                field: if internal { None } else { d.field.clone() },
                params: if internal || d.params.is_empty() { None } else { Some(d.params.clone()) },
                extra: if internal { Map::new() } else { d.extra.clone() },
            },
        }
    }

    /// The cause chain, outermost first, for the log.
    fn cause_chain(&self) -> String {
        let mut chain = String::new();
        let mut next: Option<&(dyn std::error::Error + 'static)> = self.0.cause.as_deref().map(|c| c as _);
        while let Some(e) = next {
            if !chain.is_empty() {
                chain.push_str(": ");
            }
            chain.push_str(&e.to_string());
            next = e.source();
        }
        chain
    }
}

impl fmt::Debug for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ApiError")
            .field("code", &self.0.code)
            .field("message", &self.0.message)
            .field("field", &self.0.field)
            .field("params", &self.0.params)
            .field("cause", &self.cause_chain())
            .finish()
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0.cause.is_some() {
            write!(f, "{}: {}", self.0.message, self.cause_chain())
        } else {
            f.write_str(&self.0.message)
        }
    }
}

impl std::error::Error for ApiError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.0.cause.as_deref().map(|c| c as _)
    }
}

impl From<FieldError> for ApiError {
    fn from(e: FieldError) -> Self {
        let mut error = ApiError::field(e.code, e.field, e.message);
        error.0.params = e.params;
        error
    }
}

/// What a 503 `database_unavailable` asks clients to wait: about the time
/// PostgreSQL takes to restart or fail over.
pub const DATABASE_RETRY_AFTER_SECS: u64 = 5;

impl From<diesel::result::Error> for ApiError {
    fn from(e: diesel::result::Error) -> Self {
        use diesel::result::{DatabaseErrorKind, Error};
        match e {
            Error::DatabaseError(DatabaseErrorKind::UniqueViolation, _) => {
                ApiError::conflict("it already exists (or was just created by another request); try again")
            }
            Error::NotFound => ApiError::new(ErrorCode::NotFound, "not found"),
            // the connection died under the query (PostgreSQL restarting,
            // the network cut): not a bug of ours, and worth a retry
            e @ Error::DatabaseError(
                DatabaseErrorKind::ClosedConnection | DatabaseErrorKind::UnableToSendCommand,
                _,
            ) => ApiError::database_unavailable(e),
            other => ApiError::internal(other),
        }
    }
}

impl From<actix_web::error::BlockingError> for ApiError {
    fn from(e: actix_web::error::BlockingError) -> Self {
        ApiError::internal(e.to_string())
    }
}

impl From<crate::ids::InvalidId> for ApiError {
    /// An id in a path that cannot be an id names nothing: 404.
    fn from(e: crate::ids::InvalidId) -> Self {
        ApiError::new(ErrorCode::NotFound, e.to_string())
    }
}

impl actix_web::ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        self.status()
    }

    fn error_response(&self) -> HttpResponse {
        if self.status().is_server_error() {
            tracing::error!(code = %self.0.code, message = %self.0.message, cause = %self.cause_chain(), "request failed");
        }
        let mut response = HttpResponse::build(self.status());
        response.insert_header(("Cache-Control", "no-store"));
        if let Some(secs) = self.0.retry_after_secs {
            response.insert_header((actix_web::http::header::RETRY_AFTER, secs.to_string()));
        }
        response.json(self.body())
    }
}

/// The body of every error answer.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ErrorBody {
    pub error: ErrorDetail,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ErrorDetail {
    /// Stable machine-readable code; pages choose their text by it.
    pub code: ErrorCode,
    /// English, for integrators; it may be reworded at any time.
    pub message: String,
    /// The input the error is about, as a JSON path (`bank.bin`,
    /// `items[0].quantity`), for validation errors.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    /// What a translation needs: limits (`min`, `max`), what was expected,
    /// what is left.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Object>)]
    pub params: Option<Map<String, Value>>,
    /// Members some codes carried before `params` existed (`listing_id`
    /// and `available` of `insufficient_stock`, `rows` of `invalid_rows`);
    /// documented on those routes.
    #[serde(flatten)]
    #[schema(ignore)]
    pub extra: Map<String, Value>,
}

/// An error answer built by hand where no handler runs (middleware,
/// extractor errors).
pub fn error_response(code: ErrorCode, message: impl Into<String>) -> HttpResponse {
    actix_web::ResponseError::error_response(&ApiError::new(code, message))
}
