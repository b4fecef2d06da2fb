//! The error types of this crate: [`PaymentError`] for VietQR payloads,
//! [`NotificationError`] for bank-transfer notifications, and
//! [`SignatureError`] for signed webhooks. (The fee rate has its own
//! one-line [`crate::FeeRateError`].)

use std::fmt;

/// A field of a VietQR payment, named by its place in the payload
/// (`38.01.00` is sub-tag 00 of sub-tag 01 of tag 38).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Field {
    /// `00`, payload format indicator, always `01`.
    PayloadFormat,
    /// `01`, point of initiation: `11` static, `12` dynamic.
    PointOfInitiation,
    /// `38.00`, the NAPAS GUID `A000000727`.
    Guid,
    /// `38.01.00`, the 6-digit bank BIN (acquirer id).
    BankBin,
    /// `38.01.01`, the beneficiary account (or card) number.
    Account,
    /// `38.02`, the NAPAS service code.
    Service,
    /// `53`, the currency, always `704` (VND).
    Currency,
    /// `54`, the amount in whole đồng.
    Amount,
    /// `58`, the country, always `VN`.
    Country,
    /// `62.08`, the purpose of transaction (transfer description).
    Purpose,
}

impl Field {
    /// Where the field sits in a payload, as dotted tags.
    pub fn path(self) -> &'static str {
        match self {
            Field::PayloadFormat => "00",
            Field::PointOfInitiation => "01",
            Field::Guid => "38.00",
            Field::BankBin => "38.01.00",
            Field::Account => "38.01.01",
            Field::Service => "38.02",
            Field::Currency => "53",
            Field::Amount => "54",
            Field::Country => "58",
            Field::Purpose => "62.08",
        }
    }

    fn name(self) -> &'static str {
        match self {
            Field::PayloadFormat => "payload format indicator",
            Field::PointOfInitiation => "point of initiation",
            Field::Guid => "GUID",
            Field::BankBin => "bank BIN",
            Field::Account => "account number",
            Field::Service => "service code",
            Field::Currency => "currency",
            Field::Amount => "amount",
            Field::Country => "country",
            Field::Purpose => "purpose",
        }
    }
}

impl fmt::Display for Field {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ({})", self.name(), self.path())
    }
}

/// Everything that can go wrong building or reading a VietQR payload.
///
/// Byte offsets are counted from the start of the whole payload, also for
/// errors inside nested templates.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PaymentError {
    /// The input holds a byte outside printable ASCII (0x20..=0x7E).
    #[error("character at byte {offset} is not printable ASCII")]
    NotPrintableAscii { offset: usize },
    /// Fewer than the 4 characters of a tag and length remain.
    #[error("data object at byte {offset} is cut short")]
    Truncated { offset: usize },
    /// The tag is not two decimal digits.
    #[error("data object at byte {offset} has a tag that is not two digits")]
    BadTag { offset: usize },
    /// The length is not two decimal digits.
    #[error("data object {tag:02} at byte {offset} has a length that is not two digits")]
    BadLength { tag: u8, offset: usize },
    /// The length is `00`; EMVCo lengths run from `01` to `99`.
    #[error("data object {tag:02} at byte {offset} is empty")]
    EmptyValue { tag: u8, offset: usize },
    /// The length runs past the end of the enclosing payload or template.
    #[error(
        "data object {tag:02} at byte {offset} claims {len} characters, \
         only {available} remain in its parent"
    )]
    LengthOverrun { tag: u8, offset: usize, len: usize, available: usize },
    /// The same tag appears twice in one template.
    #[error("data object {tag:02} appears a second time at byte {offset}")]
    DuplicateTag { tag: u8, offset: usize },
    /// A mandatory data object is absent; `path` as in [`Field::path`].
    #[error("mandatory data object {path} is missing")]
    MissingTag { path: &'static str },
    /// A tag that has no meaning inside the NAPAS templates (`38`, `38.01`).
    #[error("data object {parent}.{tag:02} is not allowed")]
    UnexpectedTag { parent: &'static str, tag: u8 },
    /// The CRC data object `63` is present but not the last 8 characters.
    #[error("CRC data object 63 must be the last 8 characters, length 04")]
    CrcNotLast,
    /// The CRC value is not four hex digits.
    #[error("CRC value is not four hex digits")]
    BadCrc,
    /// The CRC does not match the payload.
    #[error("CRC mismatch: payload says {found:04X}, content gives {computed:04X}")]
    CrcMismatch { found: u16, computed: u16 },
    /// A field value is out of its domain.
    #[error("{field}: {reason}")]
    InvalidField { field: Field, reason: &'static str },
    /// The TLV writer was asked for something EMVCo cannot express.
    #[error("cannot encode data object {tag}: {reason}")]
    CannotEncode { tag: u8, reason: &'static str },
}

impl PaymentError {
    pub(crate) fn invalid(field: Field, reason: &'static str) -> Self {
        PaymentError::InvalidField { field, reason }
    }
}

/// A field of a bank-transfer notification, named by its JSON key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum NotificationField {
    /// `id`: the notification service's transaction id.
    Id,
    /// `gateway`: the bank's name.
    Gateway,
    /// `transactionDate`: when the bank booked the transfer.
    TransactionDate,
    /// `accountNumber`: our account the money went into or out of.
    AccountNumber,
    /// `content`: the transfer description the payer typed.
    Content,
    /// `transferType`: `in` or `out`.
    TransferType,
    /// `transferAmount`: whole đồng.
    TransferAmount,
    /// `referenceCode`: the bank's own reference.
    ReferenceCode,
}

impl NotificationField {
    /// The JSON key, as the sender spells it.
    pub fn key(self) -> &'static str {
        match self {
            NotificationField::Id => "id",
            NotificationField::Gateway => "gateway",
            NotificationField::TransactionDate => "transactionDate",
            NotificationField::AccountNumber => "accountNumber",
            NotificationField::Content => "content",
            NotificationField::TransferType => "transferType",
            NotificationField::TransferAmount => "transferAmount",
            NotificationField::ReferenceCode => "referenceCode",
        }
    }
}

impl fmt::Display for NotificationField {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.key())
    }
}

/// Why a bank-transfer notification body was refused. Every variant is the
/// sender's fault (an HTTP 422 or 400), and its message names the field.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NotificationError {
    /// The body is not JSON at all.
    #[error("body is not valid JSON (line {line}, column {column})")]
    NotJson { line: usize, column: usize },
    /// The body is JSON but not an object.
    #[error("body must be a JSON object")]
    NotAnObject,
    /// A required field is absent (or `null`).
    #[error("{field}: missing")]
    Missing { field: NotificationField },
    /// A field is present but its value is out of its domain.
    #[error("{field}: {reason}")]
    Invalid { field: NotificationField, reason: &'static str },
}

impl NotificationError {
    /// The field at fault, if the error is about one field.
    pub fn field(&self) -> Option<NotificationField> {
        match self {
            NotificationError::Missing { field } | NotificationError::Invalid { field, .. } => Some(*field),
            NotificationError::NotJson { .. } | NotificationError::NotAnObject => None,
        }
    }

    pub(crate) fn invalid(field: NotificationField, reason: &'static str) -> Self {
        NotificationError::Invalid { field, reason }
    }
}

/// Why a signed webhook request was refused (see
/// [`crate::webhook::auth::verify_signature`]). All are answered with 401;
/// the variant is for the log.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum SignatureError {
    /// The timestamp or the signature header is absent.
    #[error("signature or timestamp header missing")]
    Missing,
    /// A header is present but not in the expected form.
    #[error("signature or timestamp header malformed")]
    Malformed,
    /// The signature is genuine but its timestamp is more than the replay
    /// window away from now: a replayed request, or a clock far off.
    #[error("signed timestamp is outside the replay window")]
    Expired,
    /// The signature does not match the body and timestamp.
    #[error("signature does not match")]
    Mismatch,
}

impl From<PaymentError> for common::ApiError {
    /// A VietQR that cannot be built or read: the input is at fault (422).
    fn from(e: PaymentError) -> Self {
        common::ApiError::new(common::ErrorCode::InvalidInput, e.to_string())
    }
}

impl From<NotificationError> for common::ApiError {
    /// A notification body the sender got wrong (422), naming the field.
    fn from(e: NotificationError) -> Self {
        use common::{ApiError, ErrorCode};
        let message = e.to_string();
        match e {
            NotificationError::Missing { field } => {
                ApiError::new(ErrorCode::Required, message).at(field.key())
            }
            NotificationError::Invalid { field, .. } => {
                ApiError::new(ErrorCode::InvalidInput, message).at(field.key())
            }
            NotificationError::NotJson { line, column } => {
                ApiError::new(ErrorCode::InvalidInput, message).param("line", line).param("column", column)
            }
            NotificationError::NotAnObject => ApiError::new(ErrorCode::InvalidInput, message),
        }
    }
}
