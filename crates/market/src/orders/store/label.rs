//! A parcel's shipping label: what the counter prints at hand-over, from
//! the parcel as staff see it, the two communes' names and, when the parcel
//! holds one lot, the lot's Digital Link.

use accounts::Actor;
use diesel::prelude::*;
use storage::schema::{communes, lots, provinces, sellers};
use storage::DbConnection;
use traceability::digital_link::{DigitalLink, LotCode};
use traceability::gtin::Gtin;

use super::views::parcel;
use crate::listings::LinkBase;
use common::{ApiError, ParcelCode};

/// "Xã Hồng Thái, Tuyên Quang" for a commune code (the code itself when
/// it is not in the list, which the orders' checks make impossible).
fn place_name(conn: &mut DbConnection, commune_code: &str) -> Result<String, ApiError> {
    let found: Option<(String, String)> = communes::table
        .inner_join(provinces::table)
        .filter(communes::code.eq(commune_code))
        .select((communes::name, provinces::short_name))
        .first(conn)
        .optional()?;
    Ok(found.map_or_else(|| commune_code.to_string(), |(c, p)| format!("{c}, {p}")))
}

/// The label of the parcel `code`, for the staff of its seller's post
/// office and admin (others: not found).
pub fn label(
    conn: &mut DbConnection,
    actor: &Actor,
    links: &LinkBase,
    code: &ParcelCode,
) -> Result<labels::ShippingLabel, ApiError> {
    let p = parcel(conn, actor, code)?;
    let seller_commune: String =
        sellers::table.find(&p.seller_id).select(sellers::commune_code).first(conn)?;
    let mut lot_ids: Vec<&str> = p.items.iter().filter_map(|i| i.lot_id.as_deref()).collect();
    lot_ids.sort_unstable();
    lot_ids.dedup();
    // a QR only when the whole parcel is one lot: a buyer scanning it must
    // see the record of everything in the box
    let lot_uri = match lot_ids.as_slice() {
        [one] if p.items.iter().all(|i| i.lot_id.is_some()) => {
            let (gtin, lot_code): (String, String) =
                lots::table.find(one).select((lots::gtin, lots::lot_code)).first(conn)?;
            Gtin::parse(&gtin)
                .ok()
                .zip(LotCode::parse(&lot_code).ok())
                .map(|(g, c)| DigitalLink::new(g, c).uri(&links.public_url))
        }
        _ => None,
    };
    let contents = p
        .items
        .iter()
        .map(|i| format!("{} × {} {}", i.title, i.quantity, i.unit))
        .collect::<Vec<_>>()
        .join("; ");
    Ok(labels::ShippingLabel {
        part_code: p.code,
        sender_name: p.seller_name,
        sender_place: place_name(conn, &seller_commune)?,
        receiver_name: p.shipping.name,
        receiver_phone: p.shipping.phone,
        receiver_address: p.shipping.address,
        receiver_place: place_name(conn, &p.shipping.commune_code)?,
        weight_g: p.weight_g.unwrap_or(0),
        collect_vnd: p.collect_vnd,
        contents,
        tracking_number: p.tracking.number,
        lot_uri,
    })
}
