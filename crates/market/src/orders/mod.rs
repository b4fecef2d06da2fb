//! Orders: buyers order listings from one or more sellers; stock is
//! reserved in the same transaction as the order, so concurrent buyers can
//! never take more than exists; each seller handles its own part.
//!
//! `lifecycle` is the state machine of a part and the order's summary
//! status, `rules` checks an order before it is placed (both pure);
//! `store` places orders, reads them as each party may see them, moves
//! their parts along, credits payments and releases unpaid ones; `routes`
//! serves them. The money is the payment slice's, behind [`OrderMoney`]
//! and [`PaymentRequests`].

pub mod lifecycle;
pub mod routes;
pub mod rules;
pub mod store;

use serde::{Deserialize, Serialize};
use serde_json::Number;
use storage::DbConnection;
use utoipa::ToSchema;

use common::ApiError;
use lifecycle::{OrderStatus, PartStatus, PaymentMethod, RecallOutcome};

/// At most this many lines in one order.
pub const MAX_ITEMS: usize = 20;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewOrder {
    pub items: Vec<NewOrderItem>,
    pub shipping: Shipping,
    pub payment_method: PaymentMethod,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewOrderItem {
    pub listing_id: String,
    /// Whole units of the listing's unit.
    #[schema(value_type = i64, example = 2)]
    pub quantity: Number,
}

#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Shipping {
    pub name: String,
    #[schema(example = "0987654321")]
    pub phone: String,
    pub address: String,
    /// Commune code from the 2025 list.
    #[schema(example = "02260")]
    pub commune_code: String,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct OrderView {
    pub id: String,
    /// What the buyer writes in a bank transfer: ASCII letters and digits.
    pub code: String,
    /// `placed`, `paid`, `cod`, `confirmed`, `handed_over`, `delivered` or
    /// `cancelled`.
    pub status: String,
    pub payment_method: String,
    /// Goods and postage, the whole order as placed; for a seller or
    /// staff, the parts they see.
    pub total_vnd: i64,
    /// The goods alone.
    pub goods_vnd: i64,
    /// Carrying every parcel, priced when the order was placed.
    pub postage_vnd: i64,
    /// What is owed (goods and postage) for the parts not cancelled nor
    /// stopped by a recall (for a seller, its own).
    pub amount_due_vnd: i64,
    pub paid_vnd: i64,
    /// An unpaid bank-transfer order is cancelled after this.
    pub payment_due_at: Option<String>,
    pub shipping: Shipping,
    /// The parts the viewer may see: all for the buyer and admin, its own
    /// for a seller, its organisation's sellers' for staff.
    pub parts: Vec<PartView>,
    pub created_at: String,
    pub updated_at: String,
    /// How to pay; filled in by the routes while payment is awaited.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub payment: Option<PaymentInstructions>,
    /// Whether the viewer placed this order (is its buyer, whatever their
    /// role now): what decides who is shown how to pay. Not sent.
    #[serde(skip)]
    pub placed_by_viewer: bool,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PartView {
    pub id: String,
    /// The parcel's code, printed as the label's barcode: the order's code
    /// and the part's number, `NS7K2M9QXB-1`.
    pub code: String,
    pub seller_id: String,
    pub seller_name: String,
    /// `pending`, `confirmed`, `handed_over`, `delivered` or `cancelled`.
    pub status: String,
    /// The goods.
    pub subtotal_vnd: i64,
    /// Carrying this parcel.
    pub postage_vnd: i64,
    /// The parcel with its packaging, in grams.
    pub weight_g: Option<i64>,
    /// `same_commune`, `same_province`, `neighbouring` or `far`.
    pub zone: Option<String>,
    /// The carrier's tracking number and where the parcel has been.
    pub tracking: Tracking,
    pub items: Vec<ItemView>,
    pub confirmed_at: Option<String>,
    pub handed_over_at: Option<String>,
    pub delivered_at: Option<String>,
    pub cancelled_at: Option<String>,
    pub cancel_reason: Option<String>,
    /// Set when the part holds a lot that was recalled: what the buyer is
    /// told, and what happened to the parcel (and so to the money).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub recall: Option<PartRecall>,
}

/// One parcel as the post-office counter sees it when the label's barcode
/// is scanned: who it goes to, what to collect, where it is.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ParcelView {
    /// The part's code, the label's barcode.
    pub code: String,
    pub order_id: String,
    pub order_code: String,
    pub part_id: String,
    /// The part's status: `pending`, `confirmed`, `handed_over`,
    /// `delivered` or `cancelled`.
    pub status: String,
    pub payment_method: String,
    pub seller_id: String,
    pub seller_name: String,
    /// The receiver.
    pub shipping: Shipping,
    pub goods_vnd: i64,
    pub postage_vnd: i64,
    pub weight_g: Option<i64>,
    pub zone: Option<String>,
    /// Cash the postman collects on delivery: goods and postage for cash
    /// on delivery, 0 when paid by transfer or stopped.
    pub collect_vnd: i64,
    pub tracking: Tracking,
    pub items: Vec<ItemView>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub recall: Option<PartRecall>,
}

/// Where a parcel is.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Tracking {
    /// The carrier's number, recorded when the post office took the parcel.
    pub number: Option<String>,
    /// Each step so far, oldest first.
    pub steps: Vec<TrackingStep>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TrackingStep {
    /// `handed_over` (the post office has it), `delivered` or `returned`
    /// (came back undelivered).
    pub step: String,
    pub at: String,
}

/// A recall that reached an order part.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PartRecall {
    pub lot_id: String,
    pub reason: String,
    pub recalled_at: String,
    /// `cancelled` (had not left the seller: a transfer is owed back in
    /// full, cash on delivery is never collected), `returning` (with the
    /// postman, being stopped), `returned` (came back: owed back) or
    /// `delivered` (reached the buyer before the recall: do not use it).
    pub outcome: RecallOutcome,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ItemView {
    pub listing_id: String,
    pub lot_id: Option<String>,
    pub title: String,
    pub unit: String,
    pub unit_price_vnd: i64,
    pub quantity: i64,
    pub line_total_vnd: i64,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PaymentInstructions {
    pub method: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub vietqr: Option<VietQrRequest>,
}

/// A bank transfer request the buyer scans in a banking app.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct VietQrRequest {
    /// The EMVCo payload to render as a QR code.
    pub payload: String,
    pub bank_bin: String,
    pub account_number: String,
    pub account_name: String,
    pub amount_vnd: i64,
    /// The transfer description; it carries the order code.
    pub purpose: String,
}

/// Makes payment requests for orders. The market does not depend on the
/// payment slice (payment depends on the market); the server plugs in the
/// VietQR builder behind this.
pub trait PaymentRequests: Send + Sync {
    /// The VietQR request for paying `amount_vnd` for order `code`, or why
    /// bank transfer is not available on this server.
    fn vietqr(&self, order_code: &str, amount_vnd: i64) -> Result<VietQrRequest, String>;
}

/// What an order part change means for money. The market keeps no books:
/// the payment slice does (escrow, seller payables, refunds, cash on
/// delivery), behind this trait the server plugs in. It runs inside the
/// transaction that changes the parts, so the books and the orders change
/// together or not at all.
pub trait OrderMoney: Send + Sync {
    fn parts_changed(&self, conn: &mut DbConnection, change: &PartsChange) -> Result<(), ApiError>;
}

/// An order after some of its parts changed status.
#[derive(Debug, Clone)]
pub struct PartsChange {
    pub order_id: String,
    pub order_code: String,
    pub method: PaymentMethod,
    pub paid_vnd: i64,
    /// Every part of the order, with its status after the change.
    pub parts: Vec<PartMoney>,
    /// The parts that changed: (part id, from, to).
    pub changed: Vec<(String, PartStatus, PartStatus)>,
}

/// One part as the books need it.
#[derive(Debug, Clone)]
pub struct PartMoney {
    pub id: String,
    pub seller_id: String,
    /// The seller's post office: it carries the parcel, collects cash on
    /// delivery and earns the postage.
    pub seller_organisation: Option<String>,
    /// The goods: the seller's, less the platform fee.
    pub subtotal_vnd: i64,
    /// Carrying the parcel: the post office's, with no platform fee.
    pub postage_vnd: i64,
    pub status: PartStatus,
}

/// An order a bank transfer may pay, found by its code.
#[derive(Debug, Clone)]
pub struct PayableOrder {
    pub id: String,
    pub code: String,
    pub method: PaymentMethod,
}

/// How a payment was credited to an order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PaymentApplied {
    /// What went towards the order (now counted in `paid_vnd`).
    pub applied_vnd: i64,
    /// What was more than the order still owed: owed back to the buyer.
    pub excess_vnd: i64,
    pub paid_vnd: i64,
    pub status: OrderStatus,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AffectedOrder {
    pub order_id: String,
    pub code: String,
    pub status: String,
    /// `vietqr` or `cod`: whether stopping the parcel means a refund or
    /// simply no cash to collect.
    pub payment_method: String,
    /// The seller's part holding the lot, and where it is.
    pub part_id: String,
    /// `handed_over` is a parcel with the postman: stop it and record its
    /// return (`POST /api/v1/orders/{id}/return`).
    pub part_status: String,
    /// What the lot's recall did to the part; absent while the lot is not
    /// recalled, or for a part cancelled before the recall.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub recall: Option<RecallOutcome>,
    pub ordered_at: String,
    pub buyer_name: String,
    pub buyer_phone: String,
    pub shipping_name: String,
    pub shipping_phone: String,
    pub shipping_address: String,
    pub shipping_commune_code: String,
    pub title: String,
    pub quantity: i64,
    pub unit: String,
}
