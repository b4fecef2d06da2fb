//! The books against a model: random sequences of orders, bank
//! notifications, order changes, cash-on-delivery remittances, payout
//! runs, refunds and lot recalls (each seller sells from a lot and relists
//! from a fresh one after a recall), run against the real server over HTTP
//! and against a plain reference model kept in this file (integers per
//! account). After every step the test compares what the server answered
//! (success, or the refusal the model predicts), the whole trial balance
//! (every account's balance and available amount), every order's status,
//! parts and `paid_vnd`, what a recall did to each part, and every seller's
//! statement.
//!
//! The model also states what must hold in the real world, whatever the
//! code does: a seller is owed exactly the delivered subtotals less the fee
//! less what was paid out, and nothing for a part whose lot was recalled
//! before it reached the buyer; the post office is owed exactly the postage
//! of the parcels it delivered; every đồng a buyer sent is in escrow, owed
//! back, paid back or released to a seller or the post office for a
//! delivered part; and the bank always holds at least what is kept for
//! buyers (escrow, refunds due, suspense).
//!
//! ```text
//! cargo test -p e2e books_model::
//! NONGSAN_TEST_BACKEND=postgres NONGSAN_TEST_POSTGRES_URL=postgres://postgres@127.0.0.1:5432/postgres \
//!     cargo test -p e2e books_model::
//! ```
//! `NONGSAN_MODEL_CASES` (default 16) sets the number of sequences.
//!
//! The two server bugs this test found (a statement that was a 500 before
//! a seller's first money; payout runs that spent money held for other
//! buyers) keep a regression test each at the end.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeMap;

use crate::support::{self, notification, TestServer};
use proptest::prelude::*;
use reqwest::{Method, Response};
use serde_json::{json, Value};

/// The test server's fee: 2 % (`TestServer::start`).
const FEE_BASIS_POINTS: i64 = 200;
/// Unit prices of the three sellers' listings: odd, so the fee rounds.
const PRICES: [i64; 3] = [33_333, 125_050, 47_777];

/// The postage of one seller's parcel of `qty` kg of tea (1 kg a unit),
/// from Xã Hồng Thái (Tuyên Quang) to the buyer in Hà Nội: the standard
/// tariff's far zone, restated (100 g of packaging; 32,000 to 500 g,
/// 40,000 to 1 kg, 52,000 to 2 kg, then 8,000 a further 500 g), and for
/// cash on delivery 1 % of the goods, at least 10,000.
fn postage(qty: i64, goods: i64, cod: bool) -> i64 {
    let carriage = match qty * 1_000 + 100 {
        ..=500 => 32_000,
        501..=1_000 => 40_000,
        1_001..=2_000 => 52_000,
        g => 52_000 + (g - 2_000 + 499) / 500 * 8_000,
    };
    carriage + if cod { (goods / 100).max(10_000) } else { 0 }
}

// ---------------------------------------------------------------- operations

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Action {
    Confirm,
    HandOver,
    Deliver,
    Cancel,
    /// A parcel back at the post office (stopped by a recall, or the buyer
    /// could not be reached).
    Return,
}

impl Action {
    fn path(self) -> &'static str {
        match self {
            Action::Confirm => "confirm",
            Action::HandOver => "hand-over",
            Action::Deliver => "deliver",
            Action::Cancel => "cancel",
            Action::Return => "return",
        }
    }

    /// Takes the goods a step closer to the buyer: refused for a recalled
    /// part, whoever asks.
    fn moves_goods(self) -> bool {
        matches!(self, Action::Confirm | Action::HandOver | Action::Deliver)
    }

    /// Needs a reason from anyone but the buyer.
    fn needs_reason(self) -> bool {
        matches!(self, Action::Cancel | Action::Return)
    }
}

/// Who acts on an order.
#[derive(Debug, Clone, Copy)]
enum Who {
    Buyer,
    /// A buyer with no part in the order.
    OtherBuyer,
    /// The farmer of the order's part `n % parts`.
    Seller(u8),
    /// A farmer with no part in the order (there are three sellers and at
    /// most two per order).
    OtherFarmer,
    Staff,
    Admin,
}

/// How a transfer for an order is written and how much it is.
#[derive(Debug, Clone, Copy)]
enum Pay {
    /// What is still owed, the code as it is.
    Exact,
    /// Half of it, inside Vietcombank's wrapping.
    Partial,
    /// More than owed.
    Over,
    /// The owed amount, code lower case with `o`/`l` for `0`/`1`.
    Confusable,
    /// The owed amount, code split by the buyer: `NS 7K2M-9QXA`.
    Split,
    /// The owed amount, code broken beyond reading: to suspense.
    Garbled,
}

#[derive(Debug, Clone, Copy)]
enum Remit {
    All,
    Half,
    TooMuch,
    /// Admin announcing for the post office by name.
    AdminNamed,
    /// A buyer: refused.
    ByBuyer,
}

#[derive(Debug, Clone, Copy)]
enum RefundHow {
    All,
    Half,
    TooMuch,
    /// A reference used before, with the same amount: changes nothing.
    Replay,
    /// A reference used before, with another amount: refused.
    ReuseOtherAmount,
    AsStaff,
}

#[derive(Debug, Clone)]
enum Op {
    Place {
        cod: bool,
        sellers: u8,
        qty: i64,
        /// Order the first seller's listing of a recalled lot instead, when
        /// there is one: refused.
        stale: bool,
    },
    Pay {
        order: u8,
        how: Pay,
    },
    Unmatched {
        amount: i64,
    },
    /// Money out of the collection account, or money in to another account.
    Ignored {
        order: u8,
        elsewhere: bool,
    },
    /// A notification id seen before, sent again (maybe with another amount).
    Replay {
        earlier: u8,
        other_amount: bool,
    },
    Assign {
        transfer: u8,
        order: u8,
        as_buyer: bool,
    },
    Act {
        order: u8,
        action: Action,
        who: Who,
    },
    /// The next natural step of an order, by the right person: pay what is
    /// owed, confirm, hand over, deliver. Drives orders deep.
    Advance {
        order: u8,
        by_admin: bool,
    },
    Announce {
        how: Remit,
    },
    Resolve {
        remit: u8,
        received: bool,
        as_staff: bool,
    },
    PayoutCreate {
        as_staff: bool,
    },
    PayoutSent {
        batch: u8,
    },
    PayoutConfirm {
        batch: u8,
        failed: u8,
        bogus: bool,
    },
    Refund {
        order: u8,
        how: RefundHow,
    },
    /// A seller's current lot is recalled (staff, sometimes admin; a farmer
    /// is refused), and the seller relists from a fresh lot. `again`
    /// recalls an earlier, already recalled lot of the seller instead.
    Recall {
        seller: u8,
        who: u8,
        again: bool,
    },
}

fn act_strategy() -> impl Strategy<Value = Op> {
    let action = prop_oneof![
        3 => Just(Action::Confirm),
        3 => Just(Action::HandOver),
        3 => Just(Action::Deliver),
        3 => Just(Action::Cancel),
        2 => Just(Action::Return),
    ];
    (any::<u8>(), action, 0..10u8, any::<u8>()).prop_map(|(order, action, roll, n)| {
        let who = match (action, roll) {
            (Action::Confirm, 0..=5) => Who::Seller(n),
            (Action::Confirm, 6) => Who::Staff,
            (Action::Confirm, 7) => Who::Admin,
            (Action::Confirm, 8) => Who::Buyer,
            (Action::Confirm, _) => Who::OtherFarmer,
            (Action::HandOver | Action::Deliver, 0..=5) => Who::Staff,
            (Action::HandOver | Action::Deliver, 6 | 7) => Who::Admin,
            (Action::HandOver | Action::Deliver, 8) => Who::Seller(n),
            (Action::HandOver | Action::Deliver, _) => Who::Buyer,
            (Action::Return, 0..=5) => Who::Staff,
            (Action::Return, 6 | 7) => Who::Admin,
            (Action::Return, 8) => Who::Seller(n),
            (Action::Return, _) => Who::Buyer,
            (Action::Cancel, 0 | 1) => Who::Buyer,
            (Action::Cancel, 2..=4) => Who::Seller(n),
            (Action::Cancel, 5 | 6) => Who::Staff,
            (Action::Cancel, 7) => Who::Admin,
            (Action::Cancel, 8) => Who::OtherBuyer,
            (Action::Cancel, _) => Who::OtherFarmer,
        };
        Op::Act { order, action, who }
    })
}

fn op_strategy() -> impl Strategy<Value = Op> {
    let pay = prop_oneof![
        4 => Just(Pay::Exact),
        2 => Just(Pay::Partial),
        1 => Just(Pay::Over),
        1 => Just(Pay::Confusable),
        1 => Just(Pay::Split),
        1 => Just(Pay::Garbled),
    ];
    let remit = prop_oneof![
        3 => Just(Remit::All),
        2 => Just(Remit::Half),
        1 => Just(Remit::TooMuch),
        1 => Just(Remit::AdminNamed),
        1 => Just(Remit::ByBuyer),
    ];
    let refund = prop_oneof![
        3 => Just(RefundHow::All),
        2 => Just(RefundHow::Half),
        1 => Just(RefundHow::TooMuch),
        1 => Just(RefundHow::Replay),
        1 => Just(RefundHow::ReuseOtherAmount),
        1 => Just(RefundHow::AsStaff),
    ];
    prop_oneof![
        4 => (any::<bool>(), 0..6u8, 1..4i64, prop::bool::weighted(0.1))
            .prop_map(|(cod, sellers, qty, stale)| Op::Place { cod, sellers, qty, stale }),
        6 => (any::<u8>(), pay).prop_map(|(order, how)| Op::Pay { order, how }),
        1 => (1..500i64).prop_map(|k| Op::Unmatched { amount: k * 1_000 }),
        1 => (any::<u8>(), any::<bool>()).prop_map(|(order, elsewhere)| Op::Ignored { order, elsewhere }),
        1 => (any::<u8>(), any::<bool>()).prop_map(|(earlier, other_amount)| Op::Replay { earlier, other_amount }),
        2 => (any::<u8>(), any::<u8>(), prop::bool::weighted(0.15))
            .prop_map(|(transfer, order, as_buyer)| Op::Assign { transfer, order, as_buyer }),
        8 => act_strategy(),
        12 => (any::<u8>(), prop::bool::weighted(0.2)).prop_map(|(order, by_admin)| Op::Advance { order, by_admin }),
        2 => remit.prop_map(|how| Op::Announce { how }),
        2 => (any::<u8>(), prop::bool::weighted(0.7), prop::bool::weighted(0.15))
            .prop_map(|(remit, received, as_staff)| Op::Resolve { remit, received, as_staff }),
        2 => prop::bool::weighted(0.15).prop_map(|as_staff| Op::PayoutCreate { as_staff }),
        2 => any::<u8>().prop_map(|batch| Op::PayoutSent { batch }),
        2 => (any::<u8>(), any::<u8>(), prop::bool::weighted(0.15))
            .prop_map(|(batch, failed, bogus)| Op::PayoutConfirm { batch, failed, bogus }),
        2 => (any::<u8>(), refund).prop_map(|(order, how)| Op::Refund { order, how }),
        1 => (0..3u8, 0..10u8, prop::bool::weighted(0.15))
            .prop_map(|(seller, who, again)| Op::Recall { seller, who, again }),
    ]
}

// --------------------------------------------------------------------- model

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum PartStatus {
    Pending,
    Confirmed,
    HandedOver,
    Delivered,
    Cancelled,
}

impl PartStatus {
    fn as_str(self) -> &'static str {
        match self {
            PartStatus::Pending => "pending",
            PartStatus::Confirmed => "confirmed",
            PartStatus::HandedOver => "handed_over",
            PartStatus::Delivered => "delivered",
            PartStatus::Cancelled => "cancelled",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Party {
    Buyer,
    Seller,
    Staff,
    Admin,
}

/// The HTTP status a request must get: success, or this refusal.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Expect {
    Ok,
    Refused(u16),
}

/// A refusal the model predicts: the HTTP status and the error code.
type Refusal = (u16, &'static str);
const FORBIDDEN: Refusal = (403, "forbidden");
const NOT_FOUND: Refusal = (404, "not_found");
const INVALID: Refusal = (409, "invalid_transition");
const NOT_PAID: Refusal = (409, "not_paid");
const LOT_RECALLED: Refusal = (409, "lot_recalled");

#[derive(Debug, Clone)]
struct Part {
    id: String,
    seller: usize,
    subtotal: i64,
    /// Carrying the parcel: the post office's on delivery.
    postage: i64,
    status: PartStatus,
    /// Set aside for the seller by a hold (vietqr parts once confirmed).
    held: i64,
    /// The postage set aside for the post office by its own hold.
    postage_held: i64,
    /// The seller's lot the part holds: an index into `Seller::lots`.
    lot: usize,
    /// Where the part was when a recall of its lot reached it.
    recalled: Option<PartStatus>,
}

impl Part {
    /// What the server must show as the recall's outcome for the part.
    fn recall_outcome(&self) -> Option<&'static str> {
        let at = self.recalled?;
        Some(match self.status {
            PartStatus::Delivered => "delivered",
            PartStatus::HandedOver => "returning",
            PartStatus::Cancelled if at == PartStatus::HandedOver => "returned",
            _ => "cancelled",
        })
    }
}

#[derive(Debug, Clone)]
struct Order {
    id: String,
    code: String,
    cod: bool,
    parts: Vec<Part>,
    paid: i64,
    escrow: i64,
    refund_due: i64,
    /// Everything the buyer sent for the order (applied and excess).
    received: i64,
    refunded: i64,
    /// Released to sellers and the post office on delivery (vietqr parts).
    released: i64,
    /// Refund references recorded, with their amounts.
    refund_refs: Vec<(String, i64)>,
}

impl Order {
    /// What the buyer owes: not for cancelled parts, nor for parcels a
    /// recall stopped on their way (they come back, never delivered).
    fn due(&self) -> i64 {
        self.parts
            .iter()
            .filter(|p| match p.status {
                PartStatus::Cancelled => false,
                PartStatus::Delivered => true,
                _ => p.recalled.is_none(),
            })
            .map(|p| p.subtotal + p.postage)
            .sum()
    }

    fn settled(&self) -> bool {
        self.cod || (self.due() > 0 && self.paid >= self.due())
    }

    fn held(&self) -> i64 {
        self.parts.iter().map(|p| p.held + p.postage_held).sum()
    }

    /// After parts of a bank-transfer order are cancelled: what escrow holds
    /// beyond the holds and the parts still waiting is owed back.
    fn refund_unneeded(&mut self) {
        if self.cod {
            return;
        }
        let still_needed: i64 = self
            .parts
            .iter()
            .filter(|p| p.status == PartStatus::Pending)
            .map(|p| p.subtotal + p.postage)
            .sum();
        let refund = self.escrow - self.held() - still_needed;
        if refund > 0 {
            self.escrow -= refund;
            self.refund_due += refund;
        }
    }

    fn status(&self) -> &'static str {
        let alive = self.parts.iter().map(|p| p.status).filter(|s| *s != PartStatus::Cancelled).min();
        match alive {
            None => "cancelled",
            Some(PartStatus::Pending) if self.cod => "cod",
            Some(PartStatus::Pending) if self.settled() => "paid",
            Some(PartStatus::Pending) => "placed",
            Some(PartStatus::Confirmed) => "confirmed",
            Some(PartStatus::HandedOver) => "handed_over",
            Some(PartStatus::Delivered) => "delivered",
            Some(PartStatus::Cancelled) => "cancelled",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum NoteState {
    /// Booked, or ignored: nothing more can happen to it.
    Done,
    Unmatched,
    Assigned,
}

#[derive(Debug, Clone)]
struct Note {
    id: String,
    amount: i64,
    state: NoteState,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum BatchStatus {
    Created,
    Sent,
    Confirmed,
}

#[derive(Debug, Clone)]
struct Batch {
    id: String,
    status: BatchStatus,
    items: Vec<(usize, i64)>,
}

#[derive(Debug, Clone, Default)]
struct Seller {
    id: String,
    payable: i64,
    in_payout: i64,
    /// Delivered subtotals less fees: what the seller has earned.
    earned: i64,
    paid_out: i64,
    /// The seller's lots, oldest first; all but the last are recalled.
    lots: Vec<String>,
}

/// The reference model: plain integers per account.
#[derive(Debug, Clone, Default)]
struct Model {
    bank: i64,
    /// Held from the bank by payout batches not yet confirmed.
    bank_in_payout: i64,
    suspense: i64,
    fees: i64,
    /// Postage the post office earned on delivered parcels.
    carrier: i64,
    cod: i64,
    /// Of `cod`, announced in pending remittances.
    cod_in_transit: i64,
    orders: Vec<Order>,
    sellers: Vec<Seller>,
    notes: Vec<Note>,
    /// (id, amount, pending)
    remits: Vec<(String, i64, bool)>,
    batches: Vec<Batch>,
}

fn fee_for(amount: i64) -> i64 {
    amount * FEE_BASIS_POINTS / 10_000
}

/// The order state machine (market's rules, restated).
fn next_status(from: PartStatus, action: Action, party: Party, settled: bool) -> Result<PartStatus, Refusal> {
    use PartStatus::*;
    let allowed = match action {
        Action::Confirm => party != Party::Buyer,
        Action::HandOver | Action::Deliver | Action::Return => matches!(party, Party::Staff | Party::Admin),
        Action::Cancel => true,
    };
    if !allowed {
        return Err(FORBIDDEN);
    }
    match (action, from) {
        (Action::Confirm, Pending) if !settled => Err(NOT_PAID),
        (Action::Confirm, Pending) => Ok(Confirmed),
        (Action::HandOver, Confirmed) => Ok(HandedOver),
        (Action::Deliver, HandedOver) => Ok(Delivered),
        (Action::Cancel, Pending) => Ok(Cancelled),
        (Action::Cancel, Confirmed) if party != Party::Buyer => Ok(Cancelled),
        (Action::Cancel | Action::Return, HandedOver) if matches!(party, Party::Staff | Party::Admin) => {
            Ok(Cancelled)
        }
        _ => Err(INVALID),
    }
}

fn already_done(action: Action, from: PartStatus) -> bool {
    let target = match action {
        Action::Confirm => PartStatus::Confirmed,
        Action::HandOver => PartStatus::HandedOver,
        Action::Deliver => PartStatus::Delivered,
        Action::Cancel | Action::Return => PartStatus::Cancelled,
    };
    matches!(from, PartStatus::Delivered | PartStatus::Cancelled) || from >= target
}

impl Model {
    fn bank_available(&self) -> i64 {
        self.bank - self.bank_in_payout
    }

    /// Money the bank holds for buyers: not the operator's, not the sellers'.
    fn kept_for_buyers(&self) -> i64 {
        self.suspense + self.orders.iter().map(|o| o.escrow + o.refund_due).sum::<i64>()
    }

    /// Credits a transfer of `amount` (from the bank, or suspense) to an order.
    fn credit_order(&mut self, o: usize, amount: i64) {
        let order = &mut self.orders[o];
        let still_due = if order.cod { 0 } else { (order.due() - order.paid).max(0) };
        let applied = amount.min(still_due);
        order.paid += applied;
        order.escrow += applied;
        order.refund_due += amount - applied;
        order.received += amount;
    }

    /// What an order action does, or the refusal. `who` are the parts the
    /// one acting may act on, in the server's order (by part id).
    fn act(&mut self, o: usize, action: Action, who: &[(usize, Party)]) -> Result<(), Refusal> {
        let order = &self.orders[o];
        if who.is_empty() {
            return Err(NOT_FOUND);
        }
        let settled = order.settled();
        let mut changes = Vec::new();
        let mut first_error = None;
        for &(p, party) in who {
            let from = order.parts[p].status;
            // a whole-order request passes over parts already done
            let passed_over = already_done(action, from);
            let part = &order.parts[p];
            // the seller's lots are all recalled but the newest
            let on_recalled_lot = part.lot + 1 < self.sellers[part.seller].lots.len();
            if action.moves_goods() && (part.recalled.is_some() || on_recalled_lot) {
                // recalled produce goes no further, whoever asks, even a
                // part cancelled before the recall
                if !passed_over {
                    return Err(LOT_RECALLED);
                }
                first_error.get_or_insert(LOT_RECALLED);
                continue;
            }
            match next_status(from, action, party, settled) {
                Ok(to) => changes.push((p, to)),
                Err(e) if passed_over => {
                    first_error.get_or_insert(e);
                }
                Err(e) => return Err(e),
            }
        }
        if changes.is_empty() {
            return Err(first_error.unwrap_or(NOT_FOUND));
        }
        let order = &mut self.orders[o];
        let mut cancelled = false;
        for (p, to) in changes {
            let part = &mut order.parts[p];
            part.status = to;
            let seller = &mut self.sellers[part.seller];
            match to {
                PartStatus::Confirmed if !order.cod => {
                    part.held = part.subtotal;
                    part.postage_held = part.postage;
                }
                PartStatus::Delivered => {
                    if order.cod {
                        // post office → escrow → seller and post office
                        self.cod += part.subtotal + part.postage;
                    } else {
                        order.escrow -= part.subtotal + part.postage;
                        order.released += part.subtotal + part.postage;
                        part.held = 0;
                        part.postage_held = 0;
                    }
                    // the postage is the post office's, with no fee
                    self.carrier += part.postage;
                    let fee = fee_for(part.subtotal);
                    seller.payable += part.subtotal - fee;
                    seller.earned += part.subtotal - fee;
                    self.fees += fee;
                }
                PartStatus::Cancelled => {
                    cancelled = true;
                    part.held = 0;
                    part.postage_held = 0;
                }
                _ => {}
            }
        }
        if cancelled {
            order.refund_unneeded();
        }
        Ok(())
    }

    /// A recall of seller `s`'s current lot: every part holding it and not
    /// already cancelled is marked; those that have not left the seller are
    /// cancelled, for the books exactly as a cancellation (stock is not
    /// modelled). The seller then relists from `new_lot`.
    fn recall(&mut self, s: usize, new_lot: String) {
        let lot = self.sellers[s].lots.len() - 1;
        for order in &mut self.orders {
            let mut cancelled = false;
            for part in &mut order.parts {
                if part.seller != s || part.lot != lot || part.status == PartStatus::Cancelled {
                    continue;
                }
                part.recalled = Some(part.status);
                if matches!(part.status, PartStatus::Pending | PartStatus::Confirmed) {
                    part.status = PartStatus::Cancelled;
                    part.held = 0;
                    part.postage_held = 0;
                    cancelled = true;
                }
            }
            if cancelled {
                order.refund_unneeded();
            }
        }
        self.sellers[s].lots.push(new_lot);
    }

    /// Every account the books should show, with (balance, available).
    fn accounts(&self, post_office: &str) -> BTreeMap<String, (i64, i64)> {
        let mut a = BTreeMap::new();
        a.insert("bank:collection".to_string(), (self.bank, self.bank_available()));
        a.insert("suspense:unmatched-transfers".to_string(), (self.suspense, self.suspense));
        a.insert("revenue:platform-fees".to_string(), (self.fees, self.fees));
        a.insert(format!("payable:post-office:{post_office}"), (self.carrier, self.carrier));
        a.insert(format!("cod:post-office:{post_office}"), (self.cod, self.cod - self.cod_in_transit));
        for o in &self.orders {
            a.insert(format!("escrow:order:{}", o.id), (o.escrow, o.escrow - o.held()));
            a.insert(format!("refund:order:{}", o.id), (o.refund_due, o.refund_due));
        }
        for s in &self.sellers {
            a.insert(format!("payable:seller:{}", s.id), (s.payable, s.payable - s.in_payout));
        }
        a
    }

    /// What must hold whatever the server does.
    fn real_world_invariants(&self) -> Result<(), String> {
        for (code, (balance, available)) in self.accounts("-") {
            if balance < 0 || available < 0 {
                return Err(format!("model: {code} went negative ({balance}, available {available})"));
            }
        }
        for s in &self.sellers {
            if s.payable != s.earned - s.paid_out {
                return Err(format!("model: seller {} owed {} ≠ earned − paid out", s.id, s.payable));
            }
        }
        // a seller earns the delivered subtotals less the fee, and nothing
        // for a part whose lot was recalled before it reached the buyer
        let mut delivered = vec![0; self.sellers.len()];
        for o in &self.orders {
            for p in &o.parts {
                let recalled_in_flight = p.recalled.is_some_and(|at| at != PartStatus::Delivered);
                if recalled_in_flight && p.status == PartStatus::Delivered {
                    return Err(format!("model: order {} part {} delivered after its recall", o.code, p.id));
                }
                if p.status == PartStatus::Delivered {
                    delivered[p.seller] += p.subtotal - fee_for(p.subtotal);
                }
            }
        }
        for (s, d) in self.sellers.iter().zip(delivered) {
            if s.earned != d {
                return Err(format!("model: seller {} earned {} ≠ {d} delivered less fees", s.id, s.earned));
            }
        }
        // the post office earns the postage of the parcels it delivered
        let carried: i64 = self
            .orders
            .iter()
            .flat_map(|o| &o.parts)
            .filter(|p| p.status == PartStatus::Delivered)
            .map(|p| p.postage)
            .sum();
        if self.carrier != carried {
            return Err(format!(
                "model: the post office earned {} ≠ {carried} delivered postage",
                self.carrier
            ));
        }
        for o in &self.orders {
            if o.received != o.escrow + o.refund_due + o.refunded + o.released {
                return Err(format!("model: order {} lost or made money", o.code));
            }
        }
        Ok(())
    }
}

// ---------------------------------------------------------------- the runner

struct World {
    s: TestServer,
    buyer: String,
    other_buyer: String,
    /// (seller id, farmer token, listing id of the current lot)
    farmers: Vec<(String, String, String)>,
    /// Each seller's listings of recalled lots.
    recalled_listings: Vec<Vec<String>>,
    post_office: String,
    m: Model,
    serial: u32,
    /// Steps by kind: (succeeded, refused, skipped).
    tally: BTreeMap<&'static str, (u32, u32, u32)>,
}

async fn answer(r: Response) -> (u16, Value) {
    let status = r.status().as_u16();
    let text = r.text().await.unwrap();
    (status, serde_json::from_str(&text).unwrap_or(Value::String(text)))
}

fn tea(price: i64) -> Value {
    json!({"title": "Chè Shan tuyết", "category": "che", "unit": "kg", "price_vnd": price, "quantity": 100_000})
}

/// A fresh lot for `seller` (as staff) and the farmer's listing selling
/// from it: (lot id, listing id).
async fn lot_and_listing(s: &TestServer, seller: &str, farmer: &str, price: i64) -> (String, String) {
    let lot = s.lot(seller).await["id"].as_str().unwrap().to_string();
    let mut body = tea(price);
    body["lot_id"] = json!(lot);
    let listing = s.listing(farmer, &body).await["id"].as_str().unwrap().to_string();
    (lot, listing)
}

/// `NS7K2M9QXA` as a buyer who typed it might: `ns7k2m9qxa` with `o`/`l`.
fn confusable(code: &str) -> String {
    code.to_lowercase().replace('0', "o").replace('1', "l")
}

impl World {
    async fn new() -> World {
        let s = TestServer::start().await;
        let mut farmers = Vec::new();
        let mut lots = Vec::new();
        for (i, price) in PRICES.iter().enumerate() {
            let (id, token) = s.farmer(&format!("091200010{i}"), &format!("00808000123{i}")).await;
            let (lot, listing) = lot_and_listing(&s, &id, &token, *price).await;
            farmers.push((id, token, listing));
            lots.push(lot);
        }
        let buyer = s.buyer("0987000001").await;
        let other_buyer = s.buyer("0987000002").await;
        let (_, pos) = answer(s.get("/api/v1/cod/position", Some(&s.staff_token)).await).await;
        let post_office = pos["post_office"].as_str().unwrap().to_string();
        let m = Model {
            sellers: farmers
                .iter()
                .zip(lots)
                .map(|((id, ..), lot)| Seller { id: id.clone(), lots: vec![lot], ..Seller::default() })
                .collect(),
            ..Model::default()
        };
        let recalled_listings = vec![Vec::new(); farmers.len()];
        World {
            s,
            buyer,
            other_buyer,
            farmers,
            recalled_listings,
            post_office,
            m,
            serial: 0,
            tally: BTreeMap::new(),
        }
    }

    fn next_id(&mut self, prefix: &str) -> String {
        self.serial += 1;
        format!("{prefix}{}", self.serial)
    }

    async fn post(&self, token: &str, path: &str, body: Value) -> (u16, Value) {
        answer(self.s.send(Method::POST, path, Some(token), Some(&body)).await).await
    }

    /// Sends a notification; the webhook answers 200 to every well-formed one.
    async fn notify(&self, body: &Value) -> Result<(), String> {
        let (status, text) = answer(self.s.notify(body).await).await;
        if status != 200 {
            return Err(format!("webhook answered {status}: {text}"));
        }
        Ok(())
    }

    /// Records a new notification that went to suspense.
    fn book_suspense(&mut self, id: String, amount: i64) {
        self.m.bank += amount;
        self.m.suspense += amount;
        self.m.notes.push(Note { id, amount, state: NoteState::Unmatched });
    }

    /// Runs one step. Returns the kind, the expectation and the status got,
    /// or `None` when the step had nothing to act on.
    /// The concrete step an `Advance` stands for, if the order has one.
    fn advance(&self, order: u8, by_admin: bool) -> Option<Op> {
        let o = self.order_index(order)?;
        let ord = &self.m.orders[o];
        if !ord.cod && !ord.settled() && ord.due() > 0 {
            return Some(Op::Pay { order, how: Pay::Exact });
        }
        let (p, part) = ord
            .parts
            .iter()
            .enumerate()
            .filter(|(_, p)| p.status < PartStatus::Delivered)
            .min_by_key(|(_, p)| p.status)?;
        let post = if by_admin { Who::Admin } else { Who::Staff };
        Some(match part.status {
            PartStatus::Pending => Op::Act { order, action: Action::Confirm, who: Who::Seller(p as u8) },
            PartStatus::Confirmed => Op::Act { order, action: Action::HandOver, who: post },
            // a recalled parcel is stopped and comes back
            _ if part.recalled.is_some() => Op::Act { order, action: Action::Return, who: post },
            _ => Op::Act { order, action: Action::Deliver, who: post },
        })
    }

    /// The order an operation's `order` byte names: half the time one of
    /// the two newest, so that sequences take orders far.
    fn order_index(&self, order: u8) -> Option<usize> {
        let n = self.m.orders.len();
        if n == 0 {
            return None;
        }
        let i = usize::from(order / 2);
        Some(if order & 1 == 0 { n - 1 - i % n.min(2) } else { i % n })
    }

    async fn step(&mut self, op: &Op) -> Result<Option<(&'static str, Expect, u16)>, String> {
        let op = &match op {
            Op::Advance { order, by_admin } => match self.advance(*order, *by_admin) {
                Some(op) => op,
                None => return Ok(None),
            },
            other => other.clone(),
        };
        let n_orders = self.m.orders.len();
        let pick = |i: u8, len: usize| usize::from(i) % len;
        let admin = self.s.admin_token.clone();
        let staff = self.s.staff_token.clone();
        Ok(Some(match op {
            Op::Advance { .. } => return Ok(None),
            Op::Place { cod, sellers, qty, stale } => {
                let chosen: Vec<usize> = match sellers {
                    0..=2 => vec![usize::from(*sellers)],
                    3 => vec![0, 1],
                    4 => vec![1, 2],
                    _ => vec![0, 2],
                };
                let mut items: Vec<(&str, i64)> =
                    chosen.iter().map(|&i| (self.farmers[i].2.as_str(), *qty)).collect();
                let method = if *cod { "cod" } else { "vietqr" };
                if let (true, Some(old)) = (*stale, self.recalled_listings[chosen[0]].last()) {
                    // a listing of a recalled lot is no longer for sale
                    items[0].0 = old.as_str();
                    let body = support::order_body(&items, method);
                    let (status, v) =
                        answer(self.s.post_json("/api/v1/orders", Some(&self.buyer), &body).await).await;
                    if status == 409 && v["error"]["code"] != "listing_unavailable" {
                        return Err(format!("ordering a recalled lot: {v}"));
                    }
                    return Ok(Some(("place recalled", Expect::Refused(409), status)));
                }
                let o = support::place(&self.s, &self.buyer, &items, method).await;
                let mut parts = o["parts"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|p| {
                        let seller = self.farmers.iter().position(|f| f.0 == p["seller_id"]).unwrap();
                        Part {
                            id: p["id"].as_str().unwrap().to_string(),
                            seller,
                            subtotal: p["subtotal_vnd"].as_i64().unwrap(),
                            postage: p["postage_vnd"].as_i64().unwrap(),
                            status: PartStatus::Pending,
                            held: 0,
                            postage_held: 0,
                            lot: self.m.sellers[seller].lots.len() - 1,
                            recalled: None,
                        }
                    })
                    .collect::<Vec<_>>();
                // the server goes through an order's parts by id
                parts.sort_by(|a, b| a.id.cmp(&b.id));
                for p in &parts {
                    if p.subtotal != PRICES[p.seller] * qty {
                        return Err(format!("part subtotal {} for {qty} × {}", p.subtotal, PRICES[p.seller]));
                    }
                    if p.postage != postage(*qty, p.subtotal, *cod) {
                        return Err(format!(
                            "part postage {} for {qty} kg (cod: {cod}), the tariff says {}",
                            p.postage,
                            postage(*qty, p.subtotal, *cod)
                        ));
                    }
                }
                self.m.orders.push(Order {
                    id: o["id"].as_str().unwrap().to_string(),
                    code: o["code"].as_str().unwrap().to_string(),
                    cod: *cod,
                    parts,
                    paid: 0,
                    escrow: 0,
                    refund_due: 0,
                    received: 0,
                    refunded: 0,
                    released: 0,
                    refund_refs: Vec::new(),
                });
                ("place", Expect::Ok, 201)
            }
            Op::Pay { order, how } => {
                if n_orders == 0 {
                    return Ok(None);
                }
                let o = self.order_index(*order).unwrap_or(0);
                let (code, owed, cod) = {
                    let ord = &self.m.orders[o];
                    (ord.code.clone(), ord.due() - ord.paid, ord.cod)
                };
                let owed_or = |fallback: i64| if owed > 0 { owed } else { fallback };
                let (content, amount, readable) = match how {
                    Pay::Exact => (code.clone(), owed_or(20_000), true),
                    Pay::Partial => (
                        format!("MBVCB.8812345.{}.CT tu 0123456789 TRAN THI BE toi 1900000000001", code),
                        if owed >= 2 { owed / 2 } else { 15_000 },
                        true,
                    ),
                    Pay::Over => (format!("IBFT {code}"), owed.max(0) + 7_000, true),
                    Pay::Confusable => (format!("thanh toan {}", confusable(&code)), owed_or(9_000), true),
                    Pay::Split => {
                        (format!("{} {}-{}", &code[..2], &code[2..6], &code[6..]), owed_or(11_000), true)
                    }
                    Pay::Garbled => (format!("{} {}", &code[..1], &code[1..]), owed_or(13_000), false),
                };
                let id = self.next_id("n");
                self.notify(&notification(&id, &content, amount)).await?;
                if readable && !cod {
                    self.m.bank += amount;
                    self.m.credit_order(o, amount);
                    self.m.notes.push(Note { id, amount, state: NoteState::Done });
                } else {
                    // unreadable, or a cash-on-delivery order: for staff
                    self.book_suspense(id, amount);
                }
                ("notify", Expect::Ok, 200)
            }
            Op::Unmatched { amount } => {
                let id = self.next_id("u");
                self.notify(&notification(&id, "chuyen tien mua che", *amount)).await?;
                self.book_suspense(id, *amount);
                ("notify unmatched", Expect::Ok, 200)
            }
            Op::Ignored { order, elsewhere } => {
                let code = if n_orders == 0 {
                    "NS00000000".to_string()
                } else {
                    self.m.orders[self.order_index(*order).unwrap_or(0)].code.clone()
                };
                let id = self.next_id("x");
                let mut body = notification(&id, &code, 50_000);
                if *elsewhere {
                    body["accountNumber"] = json!("1900000000999");
                } else {
                    body["transferType"] = json!("out");
                }
                self.notify(&body).await?;
                self.m.notes.push(Note { id, amount: 50_000, state: NoteState::Done });
                ("notify ignored", Expect::Ok, 200)
            }
            Op::Replay { earlier, other_amount } => {
                if self.m.notes.is_empty() {
                    return Ok(None);
                }
                let note = self.m.notes[pick(*earlier, self.m.notes.len())].clone();
                let code = self.m.orders.first().map_or("NS00000000".to_string(), |o| o.code.clone());
                let amount = if *other_amount { note.amount + 1_000_000 } else { note.amount };
                self.notify(&notification(&note.id, &code, amount)).await?;
                ("notify duplicate", Expect::Ok, 200)
            }
            Op::Assign { transfer, order, as_buyer } => {
                if n_orders == 0 {
                    return Ok(None);
                }
                let unmatched: Vec<usize> = (0..self.m.notes.len())
                    .filter(|&i| self.m.notes[i].state == NoteState::Unmatched)
                    .collect();
                let note = if !unmatched.is_empty() && transfer & 3 != 0 {
                    Some(unmatched[pick(*transfer, unmatched.len())])
                } else if !self.m.notes.is_empty() && transfer & 7 != 0 {
                    Some(pick(*transfer, self.m.notes.len()))
                } else {
                    None
                };
                let o = self.order_index(*order).unwrap_or(0);
                let id = note.map_or("no-such-transfer".to_string(), |i| self.m.notes[i].id.clone());
                // admin: which transfers staff may see is security.rs's
                // business (a transfer naming no order is admin's alone);
                // the books are the same whoever assigns
                let token = if *as_buyer { self.buyer.clone() } else { admin };
                let body = json!({"order_code": self.m.orders[o].code});
                let (status, _) =
                    self.post(&token, &format!("/api/v1/payments/bank-transfers/{id}/assign"), body).await;
                let expect = match note {
                    _ if *as_buyer => Expect::Refused(403),
                    None => Expect::Refused(404),
                    Some(i) if self.m.notes[i].state != NoteState::Unmatched => Expect::Refused(409),
                    Some(_) if self.m.orders[o].cod => Expect::Refused(409),
                    Some(i) => {
                        let amount = self.m.notes[i].amount;
                        self.m.notes[i].state = NoteState::Assigned;
                        self.m.suspense -= amount;
                        self.m.credit_order(o, amount);
                        Expect::Ok
                    }
                };
                ("assign", expect, status)
            }
            Op::Act { order, action, who } => {
                if n_orders == 0 {
                    return Ok(None);
                }
                let o = self.order_index(*order).unwrap_or(0);
                let ord = &self.m.orders[o];
                let all = |party| (0..ord.parts.len()).map(|p| (p, party)).collect::<Vec<_>>();
                let (token, parties) = match who {
                    Who::Buyer => (self.buyer.clone(), all(Party::Buyer)),
                    Who::OtherBuyer => (self.other_buyer.clone(), Vec::new()),
                    Who::Staff => (staff, all(Party::Staff)),
                    Who::Admin => (admin, all(Party::Admin)),
                    Who::Seller(n) => {
                        let seller = ord.parts[pick(*n, ord.parts.len())].seller;
                        let mine = (0..ord.parts.len())
                            .filter(|&p| ord.parts[p].seller == seller)
                            .map(|p| (p, Party::Seller))
                            .collect();
                        (self.farmers[seller].1.clone(), mine)
                    }
                    Who::OtherFarmer => {
                        let seller = (0..self.farmers.len())
                            .find(|&f| ord.parts.iter().all(|p| p.seller != f))
                            .unwrap();
                        (self.farmers[seller].1.clone(), Vec::new())
                    }
                };
                let body = (action.needs_reason() && !matches!(who, Who::Buyer))
                    .then(|| json!({"reason": "hết hàng"}));
                let path = format!("/api/v1/orders/{}/{}", ord.id, action.path());
                let (status, v) =
                    answer(self.s.send(Method::POST, &path, Some(&token), body.as_ref()).await).await;
                let mut kind = action.path();
                let expect = match self.m.act(o, *action, &parties) {
                    Ok(()) => Expect::Ok,
                    Err((code, name)) => {
                        if status == code && v["error"]["code"] != name {
                            return Err(format!(
                                "refused with {}, the model expected {name}",
                                v["error"]["code"]
                            ));
                        }
                        if (code, name) == LOT_RECALLED {
                            kind = "moving recalled produce";
                        }
                        Expect::Refused(code)
                    }
                };
                (kind, expect, status)
            }
            Op::Announce { how } => {
                let remittable = self.m.cod - self.m.cod_in_transit;
                let (token, body, amount) = match how {
                    Remit::All => (staff, json!({}), None),
                    Remit::Half => (staff, json!({"amount_vnd": remittable / 2}), Some(remittable / 2)),
                    Remit::TooMuch => (staff, json!({"amount_vnd": remittable + 1}), Some(remittable + 1)),
                    Remit::AdminNamed => (admin, json!({"post_office": self.post_office}), None),
                    Remit::ByBuyer => (self.buyer.clone(), json!({}), None),
                };
                let (status, v) = self.post(&token, "/api/v1/cod/remittances", body).await;
                let expect = match (how, amount) {
                    (Remit::ByBuyer, _) => Expect::Refused(403),
                    (_, Some(a)) if a <= 0 => Expect::Refused(422),
                    (_, None) if remittable <= 0 => Expect::Refused(409),
                    (_, Some(a)) if a > remittable => Expect::Refused(409),
                    (_, a) => {
                        let a = a.unwrap_or(remittable);
                        self.m.cod_in_transit += a;
                        let id = v["id"].as_str().unwrap_or_default().to_string();
                        self.m.remits.push((id, a, true));
                        Expect::Ok
                    }
                };
                ("announce", expect, status)
            }
            Op::Resolve { remit, received, as_staff } => {
                let r = (!self.m.remits.is_empty()).then(|| pick(*remit, self.m.remits.len()));
                let id = r.map_or("01JZZZZZZZZZZZZZZZZZZZZZZZ".to_string(), |r| self.m.remits[r].0.clone());
                let token = if *as_staff { staff } else { admin };
                let verb = if *received { "received" } else { "cancel" };
                let (status, _) =
                    self.post(&token, &format!("/api/v1/cod/remittances/{id}/{verb}"), json!({})).await;
                let expect = match r {
                    _ if *as_staff => Expect::Refused(403),
                    None => Expect::Refused(404),
                    Some(r) if !self.m.remits[r].2 => Expect::Refused(409),
                    Some(r) => {
                        let amount = self.m.remits[r].1;
                        self.m.remits[r].2 = false;
                        self.m.cod_in_transit -= amount;
                        if *received {
                            self.m.cod -= amount;
                            self.m.bank += amount;
                        }
                        Expect::Ok
                    }
                };
                ("resolve remittance", expect, status)
            }
            Op::PayoutCreate { as_staff } => {
                // What a run gathers: every seller's available payable, in
                // order of seller id, while the bank has money available.
                let mut order: Vec<usize> = (0..self.m.sellers.len()).collect();
                order.sort_by(|a, b| self.m.sellers[*a].id.cmp(&self.m.sellers[*b].id));
                // sellers are paid only from what the bank holds beyond
                // buyers' money and the post office's postage
                // (beyond the cash on delivery the post office still holds)
                let postage_kept = (self.m.carrier - self.m.cod).max(0);
                let mut bank_left =
                    (self.m.bank_available() - self.m.kept_for_buyers() - postage_kept).max(0);
                let mut items = Vec::new();
                for s in order {
                    let seller = &self.m.sellers[s];
                    let amount = (seller.payable - seller.in_payout).min(bank_left);
                    if amount > 0 {
                        bank_left -= amount;
                        items.push((s, amount));
                    }
                }
                let token = if *as_staff { staff } else { admin };
                let (status, v) = self.post(&token, "/api/v1/payouts", json!({})).await;
                let expect = if *as_staff {
                    Expect::Refused(403)
                } else if items.is_empty() {
                    Expect::Refused(409)
                } else {
                    for (s, amount) in &items {
                        self.m.sellers[*s].in_payout += amount;
                        self.m.bank_in_payout += amount;
                    }
                    let id = v["id"].as_str().unwrap_or_default().to_string();
                    self.m.batches.push(Batch { id, status: BatchStatus::Created, items });
                    Expect::Ok
                };
                ("payout create", expect, status)
            }
            Op::PayoutSent { batch } => {
                if self.m.batches.is_empty() {
                    return Ok(None);
                }
                let b = pick(*batch, self.m.batches.len());
                let id = self.m.batches[b].id.clone();
                let (status, _) = self.post(&admin, &format!("/api/v1/payouts/{id}/sent"), json!({})).await;
                let expect = if self.m.batches[b].status == BatchStatus::Created {
                    self.m.batches[b].status = BatchStatus::Sent;
                    Expect::Ok
                } else {
                    Expect::Refused(409)
                };
                ("payout sent", expect, status)
            }
            Op::PayoutConfirm { batch, failed, bogus } => {
                if self.m.batches.is_empty() {
                    return Ok(None);
                }
                let b = pick(*batch, self.m.batches.len());
                let items = self.m.batches[b].items.clone();
                // each item fails when its bit is set; most runs pay everyone
                let failed_items: Vec<usize> =
                    (0..items.len()).filter(|i| failed & 3 == 0 && failed & (8 << i) != 0).collect();
                let mut failed_ids: Vec<String> =
                    failed_items.iter().map(|&i| self.m.sellers[items[i].0].id.clone()).collect();
                if *bogus {
                    failed_ids.push("01JZZZZZZZZZZZZZZZZZZZZZZZ".into());
                }
                let id = self.m.batches[b].id.clone();
                let (status, _) = self
                    .post(
                        &admin,
                        &format!("/api/v1/payouts/{id}/confirm"),
                        json!({"failed_seller_ids": failed_ids}),
                    )
                    .await;
                let expect = if self.m.batches[b].status != BatchStatus::Sent {
                    Expect::Refused(409)
                } else if *bogus {
                    Expect::Refused(422)
                } else {
                    self.m.batches[b].status = BatchStatus::Confirmed;
                    for (i, (s, amount)) in items.iter().enumerate() {
                        let seller = &mut self.m.sellers[*s];
                        seller.in_payout -= amount;
                        self.m.bank_in_payout -= amount;
                        if !failed_items.contains(&i) {
                            seller.payable -= amount;
                            seller.paid_out += amount;
                            self.m.bank -= amount;
                        }
                    }
                    Expect::Ok
                };
                ("payout confirm", expect, status)
            }
            Op::Recall { seller, who, again } => {
                let s = usize::from(*seller) % self.farmers.len();
                let lots = &self.m.sellers[s].lots;
                let lot = if *again && lots.len() > 1 {
                    lots[usize::from(*who) % (lots.len() - 1)].clone()
                } else {
                    lots[lots.len() - 1].clone()
                };
                let fresh = lot == lots[lots.len() - 1];
                let token = match who {
                    0..=6 => staff,
                    7 | 8 => admin,
                    _ => self.farmers[s].1.clone(),
                };
                let body = json!({"reason": "dư lượng thuốc bảo vệ thực vật vượt ngưỡng"});
                let (status, v) = self.post(&token, &format!("/api/v1/lots/{lot}/recall"), body).await;
                let expect = if *who > 8 {
                    Expect::Refused(403)
                } else if !fresh {
                    if status == 409 && v["error"]["code"] != "lot_recalled" {
                        return Err(format!("a second recall: {v}"));
                    }
                    Expect::Refused(409)
                } else if !(200..300).contains(&status) {
                    // the model's expectation fails the step
                    Expect::Ok
                } else {
                    // the seller goes on selling from a fresh lot
                    let (id, farmer) = (self.farmers[s].0.clone(), self.farmers[s].1.clone());
                    let (new_lot, listing) = lot_and_listing(&self.s, &id, &farmer, PRICES[s]).await;
                    let old = std::mem::replace(&mut self.farmers[s].2, listing);
                    self.recalled_listings[s].push(old);
                    self.m.recall(s, new_lot);
                    Expect::Ok
                };
                ("recall", expect, status)
            }
            Op::Refund { order, how } => {
                if n_orders == 0 {
                    return Ok(None);
                }
                let o = self.order_index(*order).unwrap_or(0);
                let due = self.m.orders[o].refund_due;
                let last = self.m.orders[o].refund_refs.last().cloned();
                let fresh = self.next_id("RF");
                let (reference, amount) = match (how, last) {
                    (RefundHow::Replay, Some((r, a))) => (r, a),
                    (RefundHow::ReuseOtherAmount, Some((r, a))) => (r, a + 1),
                    (RefundHow::Half, _) => (fresh, (due / 2).max(1)),
                    (RefundHow::TooMuch | RefundHow::ReuseOtherAmount, _) => (fresh, due + 1),
                    _ => (fresh, due.max(1)),
                };
                let token = if matches!(how, RefundHow::AsStaff) { staff } else { admin };
                let ord = &self.m.orders[o];
                let (status, _) = self
                    .post(
                        &token,
                        &format!("/api/v1/orders/{}/refunds", ord.id),
                        json!({"amount_vnd": amount, "reference": reference}),
                    )
                    .await;
                let earlier = ord.refund_refs.iter().find(|(r, _)| *r == reference).map(|(_, a)| *a);
                let expect = match earlier {
                    _ if matches!(how, RefundHow::AsStaff) => Expect::Refused(403),
                    Some(a) if a == amount => Expect::Ok,
                    Some(_) => Expect::Refused(409),
                    None if amount > due || amount > self.m.bank_available() => Expect::Refused(409),
                    None => {
                        let ord = &mut self.m.orders[o];
                        ord.refund_due -= amount;
                        ord.refunded += amount;
                        ord.refund_refs.push((reference, amount));
                        self.m.bank -= amount;
                        Expect::Ok
                    }
                };
                ("refund", expect, status)
            }
        }))
    }

    /// Compares everything the server shows with the model.
    async fn compare(&self) -> Result<(), String> {
        self.m.real_world_invariants()?;
        let (status, tb) =
            answer(self.s.get("/api/v1/ledger/trial-balance", Some(&self.s.admin_token)).await).await;
        if status != 200 || tb["balanced"] != true {
            return Err(format!("trial balance {status}, not balanced: {tb}"));
        }
        for side in ["posted", "pending"] {
            if tb[format!("debits_{side}_vnd")] != tb[format!("credits_{side}_vnd")] {
                return Err(format!("{side} debits ≠ credits: {tb}"));
            }
        }
        let mut server: BTreeMap<String, (i64, i64)> = BTreeMap::new();
        for a in tb["accounts"].as_array().unwrap() {
            let line = (a["balance_vnd"].as_i64().unwrap(), a["available_vnd"].as_i64().unwrap());
            server.insert(a["code"].as_str().unwrap().to_string(), line);
        }
        let model = self.m.accounts(&self.post_office);
        for code in server.keys().chain(model.keys()) {
            let got = server.get(code).copied().unwrap_or((0, 0));
            let want = model.get(code).copied().unwrap_or((0, 0));
            if got != want {
                return Err(format!("account {code}: server (balance, available) {got:?}, model {want:?}"));
            }
        }
        let bank = server.get("bank:collection").copied().unwrap_or((0, 0));
        if bank.1 < self.m.kept_for_buyers() {
            return Err(format!(
                "the bank has {} đồng available but holds {} for buyers (escrow, refunds due, suspense)",
                bank.1,
                self.m.kept_for_buyers()
            ));
        }
        for o in &self.m.orders {
            let (status, v) =
                answer(self.s.get(&format!("/api/v1/orders/{}", o.id), Some(&self.s.admin_token)).await)
                    .await;
            if status != 200 {
                return Err(format!("order {}: {status} {v}", o.code));
            }
            if v["status"] != o.status() || v["paid_vnd"] != o.paid {
                return Err(format!(
                    "order {}: server {} paid {}, model {} paid {}",
                    o.code,
                    v["status"],
                    v["paid_vnd"],
                    o.status(),
                    o.paid
                ));
            }
            for p in &o.parts {
                let got = v["parts"].as_array().unwrap().iter().find(|x| x["id"] == p.id.as_str());
                if got.map(|x| x["status"].clone()) != Some(json!(p.status.as_str())) {
                    return Err(format!(
                        "order {} part {}: server {got:?}, model {:?}",
                        o.code, p.id, p.status
                    ));
                }
                // what a recall did to the part, and which lot
                let recall = got.and_then(|x| x.get("recall")).filter(|r| !r.is_null());
                let want = p
                    .recall_outcome()
                    .map(|outcome| (outcome, self.m.sellers[p.seller].lots[p.lot].as_str()));
                let seen = recall
                    .map(|r| (r["outcome"].as_str().unwrap_or("?"), r["lot_id"].as_str().unwrap_or("?")));
                if seen != want {
                    return Err(format!(
                        "order {} part {}: server recall {recall:?}, model {want:?} (recalled at {:?}, now {:?})",
                        o.code, p.id, p.recalled, p.status
                    ));
                }
            }
        }
        for s in &self.m.sellers {
            let path = format!("/api/v1/sellers/{}/statement", s.id);
            let (status, v) = answer(self.s.get(&path, Some(&self.s.admin_token)).await).await;
            if status != 200 || v["owed_vnd"] != s.payable || v["in_payout_vnd"] != s.in_payout {
                return Err(format!(
                    "seller {}: server {status} owed {} in payout {}, model owed {} in payout {}",
                    s.id, v["owed_vnd"], v["in_payout_vnd"], s.payable, s.in_payout
                ));
            }
        }
        Ok(())
    }
}

async fn run(ops: Vec<Op>) -> Result<BTreeMap<&'static str, (u32, u32, u32)>, String> {
    let mut w = World::new().await;
    w.compare().await.map_err(|e| format!("before any step: {e}"))?;
    for (i, op) in ops.iter().enumerate() {
        let Some((kind, expect, status)) = w.step(op).await.map_err(|e| format!("step {i} {op:?}: {e}"))?
        else {
            continue;
        };
        let entry = w.tally.entry(kind).or_default();
        if status == 0 {
            entry.2 += 1;
            continue;
        }
        let ok = match expect {
            Expect::Ok => (200..300).contains(&status),
            Expect::Refused(code) => status == code,
        };
        if !ok {
            return Err(format!(
                "step {i} {op:?}: the server answered {status}, the model expected {expect:?}"
            ));
        }
        if expect == Expect::Ok {
            entry.0 += 1;
        } else {
            entry.1 += 1;
        }
        w.compare().await.map_err(|e| format!("after step {i} {op:?}: {e}"))?;
    }
    Ok(w.tally)
}

fn cases() -> u32 {
    std::env::var("NONGSAN_MODEL_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(16)
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: cases(),
        max_shrink_iters: 64,
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    #[test]
    fn the_books_follow_the_model(ops in prop::collection::vec(op_strategy(), 60..120)) {
        let rt = tokio::runtime::Runtime::new().unwrap();
        let tally = rt.block_on(run(ops)).map_err(TestCaseError::fail)?;
        let line: Vec<String> =
            tally.iter().map(|(k, (ok, refused, skipped))| format!("{k} {ok}/{refused}/{skipped}")).collect();
        eprintln!("ok/refused/skipped: {}", line.join(", "));
    }
}

/// Regression: a farmer who has sold nothing yet opens the statement.
#[tokio::test]
async fn a_new_sellers_statement_is_empty() {
    let s = TestServer::start().await;
    let (seller, farmer) = s.farmer("0912000101", "008080001234").await;
    let (status, body) =
        answer(s.get(&format!("/api/v1/sellers/{seller}/statement"), Some(&farmer)).await).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["owed_vnd"], 0);
}

/// Regression: cash on delivery is delivered but not yet remitted, and
/// another buyer's transfer sits in escrow. A payout run pays the COD
/// seller with that buyer's money; when the buyer's order is then
/// cancelled, the refund owed to them cannot be paid (insufficient funds).
#[tokio::test]
async fn a_payout_run_never_spends_another_buyers_escrow() {
    let s = TestServer::start().await;
    let (_, cod_farmer) = s.farmer("0912000101", "008080001234").await;
    let (_, qr_farmer) = s.farmer("0912000102", "008080001235").await;
    let cod_listing = s.listing(&cod_farmer, &tea(100_000)).await;
    let qr_listing = s.listing(&qr_farmer, &tea(100_000)).await;
    let buyer = s.buyer("0987000001").await;
    // a COD order, delivered: the post office owes 100 000, the seller is owed 98 000
    let cod = support::place(&s, &buyer, &[(cod_listing["id"].as_str().unwrap(), 1)], "cod").await;
    let cod_id = cod["id"].as_str().unwrap();
    for (token, action) in
        [(&cod_farmer, "confirm"), (&s.staff_token, "hand-over"), (&s.staff_token, "deliver")]
    {
        assert_eq!(support::act(&s, token, cod_id, action, None).await.status(), 200);
    }
    // another order paid by transfer, not yet confirmed: 100 000 in escrow
    let qr = support::place(&s, &buyer, &[(qr_listing["id"].as_str().unwrap(), 1)], "vietqr").await;
    let (qr_id, qr_code) = (qr["id"].as_str().unwrap(), qr["code"].as_str().unwrap());
    assert_eq!(s.notify(&notification("t1", qr_code, 100_000)).await.status(), 200);
    // the bank holds only the second buyer's money: nothing is payable yet
    let (status, batch) =
        answer(s.post_json("/api/v1/payouts", Some(&s.admin_token), &json!({})).await).await;
    let paid_from_escrow = status == 201;
    if paid_from_escrow {
        let id = batch["id"].as_str().unwrap();
        s.post_json(&format!("/api/v1/payouts/{id}/sent"), Some(&s.admin_token), &json!({})).await;
        s.post_json(&format!("/api/v1/payouts/{id}/confirm"), Some(&s.admin_token), &json!({})).await;
    }
    // the second order is cancelled: its buyer is owed 100 000 back
    let r = support::act(&s, &buyer, qr_id, "cancel", None).await;
    assert_eq!(r.status(), 200);
    let refund = json!({"amount_vnd": 100_000, "reference": "HOAN-1"});
    let (refund_status, body) =
        answer(s.post_json(&format!("/api/v1/orders/{qr_id}/refunds"), Some(&s.admin_token), &refund).await)
            .await;
    assert!(
        !paid_from_escrow && refund_status == 200,
        "payout run answered {status} {batch}; the refund then answered {refund_status} {body}"
    );
}
