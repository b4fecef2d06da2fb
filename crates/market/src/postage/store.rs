//! Tariffs on the database, and parcels priced with the one in force.

use std::collections::BTreeMap;

use accounts::{Actor, Role};
use diesel::prelude::*;
use parcels::{zone_between, Place, Postage, Tariff};
use storage::schema::{communes, listings, postage_tariffs, sellers};
use storage::DbConnection;

use super::{ParcelQuote, Quote, QuoteRequest, TariffView};
use crate::orders::lifecycle::PaymentMethod;
use crate::orders::rules::{goods_weight, order_lines};
use crate::reference::rules::check_commune_code;
use crate::reference::Commune;
use common::{rfc3339, ApiError, ErrorCode};

/// The tariff in force: the newest loaded, or the standard one.
pub fn current(conn: &mut DbConnection) -> Result<TariffView, ApiError> {
    let row: Option<(String, String, chrono::NaiveDateTime)> = postage_tariffs::table
        .order((postage_tariffs::created_at.desc(), postage_tariffs::id.desc()))
        .select((postage_tariffs::id, postage_tariffs::tariff, postage_tariffs::created_at))
        .first(conn)
        .optional()?;
    Ok(match row {
        None => TariffView { id: "standard".into(), since: None, tariff: Tariff::standard() },
        Some((id, json, at)) => TariffView {
            tariff: serde_json::from_str(&json)
                .map_err(|e| ApiError::internal(format!("postage tariff {id} cannot be read: {e}")))?,
            id,
            since: Some(rfc3339(at)),
        },
    })
}

/// Puts `tariff` in force from now (admin, or the operator's command with
/// no actor): checked whole first, so a tariff with a gap, an overlap or a
/// missing zone is refused and the one in force stays. Orders already
/// placed keep the postage they were priced with.
pub fn replace(
    conn: &mut DbConnection,
    actor: Option<&Actor>,
    tariff: &Tariff,
) -> Result<TariffView, ApiError> {
    if let Some(actor) = actor {
        actor.require(&[Role::Admin])?;
    }
    tariff.check()?;
    let json = serde_json::to_string(tariff).map_err(ApiError::internal)?;
    storage::write_transaction(conn, |conn| {
        let id = storage::new_id();
        // the newest is in force: stamp it after the one in force even if
        // the clock went back meanwhile
        let latest: Option<chrono::NaiveDateTime> =
            postage_tariffs::table.select(diesel::dsl::max(postage_tariffs::created_at)).first(conn)?;
        let now = match latest {
            Some(t) if t >= storage::now() => t + chrono::Duration::milliseconds(1),
            _ => storage::now(),
        };
        diesel::insert_into(postage_tariffs::table)
            .values((
                postage_tariffs::id.eq(&id),
                postage_tariffs::tariff.eq(&json),
                postage_tariffs::created_by.eq(actor.map(|a| a.user_id.clone())),
                postage_tariffs::created_at.eq(now),
            ))
            .execute(conn)?;
        if let Some(actor) = actor {
            accounts::audit::record(conn, actor, None, "postage.tariff", "postage_tariff", &id)?;
        }
        Ok::<_, ApiError>(())
    })?;
    current(conn)
}

/// One seller's parcel as it is priced: what it holds and whose it is.
pub(crate) struct ParcelGoods {
    pub seller_id: String,
    pub goods_g: i64,
    pub goods_vnd: i64,
}

/// Prices each parcel from its seller's commune to `to` with `tariff`; a
/// cash-on-delivery parcel pays the surcharge on the cash collected for
/// its goods. In the order given.
pub(crate) fn price_parcels(
    conn: &mut DbConnection,
    tariff: &Tariff,
    to: &Commune,
    method: PaymentMethod,
    parcels: &[ParcelGoods],
) -> Result<Vec<Postage>, ApiError> {
    let seller_ids: Vec<&str> = parcels.iter().map(|p| p.seller_id.as_str()).collect();
    let origins: BTreeMap<String, (String, String)> = sellers::table
        .inner_join(communes::table.on(communes::code.eq(sellers::commune_code)))
        .filter(sellers::id.eq_any(&seller_ids))
        .select((sellers::id, (sellers::commune_code, communes::province_code)))
        .load::<(String, (String, String))>(conn)?
        .into_iter()
        .collect();
    let dest = Place { commune_code: &to.code, province_code: &to.province_code };
    parcels
        .iter()
        .map(|p| {
            let zone = origins
                .get(&p.seller_id)
                .and_then(|(c, pr)| zone_between(Place { commune_code: c, province_code: pr }, dest))
                .ok_or_else(|| no_zone(&p.seller_id, &to.code))?;
            let cod = (method == PaymentMethod::Cod).then_some(p.goods_vnd);
            tariff.price(zone, p.goods_g, cod).map_err(|e| e.with_extra("seller_id", p.seller_id.as_str()))
        })
        .collect()
}

fn no_zone(seller_id: &str, commune: &str) -> ApiError {
    ApiError::new(
        ErrorCode::NoDeliveryZone,
        format!("no delivery zone joins seller `{seller_id}`'s commune and commune {commune}"),
    )
    .with_extra("seller_id", seller_id)
}

/// What the order would cost if placed now: each seller's goods, parcel
/// weight and postage. Stock is not taken; placing may still find it gone.
pub fn quote(conn: &mut DbConnection, input: &QuoteRequest) -> Result<Quote, ApiError> {
    let lines = order_lines(&input.items)?;
    let commune_code = check_commune_code("commune_code", &input.commune_code)?;
    let to = crate::reference::store::find(conn, &commune_code)?.ok_or_else(|| {
        ApiError::field(ErrorCode::UnknownValue, "commune_code", "not in the 2025 commune list")
    })?;
    let ids: Vec<&str> = lines.keys().map(String::as_str).collect();
    type Row = (String, String, String, i64, Option<i64>, String, Option<String>);
    let rows: Vec<Row> = listings::table
        .inner_join(sellers::table)
        .filter(listings::id.eq_any(&ids))
        .filter(listings::status.ne("deleted"))
        .select((
            listings::id,
            listings::status,
            listings::seller_id,
            listings::price_vnd,
            listings::unit_weight_g,
            sellers::full_name,
            sellers::farm_name,
        ))
        .load(conn)?;
    // seller → (name, goods, lines (listing, unit weight, quantity))
    type Lines<'a> = Vec<(&'a str, Option<i64>, i64)>;
    let mut by_seller: BTreeMap<&str, (String, i64, Lines<'_>)> = BTreeMap::new();
    for (listing_id, quantity) in &lines {
        let Some(row) = rows.iter().find(|r| &r.0 == listing_id) else {
            return Err(ApiError::field(
                ErrorCode::UnknownReference,
                "items",
                format!("no listing `{listing_id}`"),
            ));
        };
        if row.1 != "active" {
            return Err(crate::error::listing_unavailable(format!(
                "listing `{listing_id}` is paused by its seller"
            )));
        }
        let name = row.6.clone().unwrap_or_else(|| row.5.clone());
        let entry = by_seller.entry(row.2.as_str()).or_insert_with(|| (name, 0, Vec::new()));
        entry.1 += row.3 * quantity;
        entry.2.push((listing_id.as_str(), row.4, *quantity));
    }
    let mut goods = Vec::new();
    for (seller_id, (_, goods_vnd, lines)) in &by_seller {
        goods.push(ParcelGoods {
            seller_id: seller_id.to_string(),
            goods_g: goods_weight(lines)?,
            goods_vnd: *goods_vnd,
        });
    }
    let tariff = current(conn)?.tariff;
    let priced = price_parcels(conn, &tariff, &to, input.payment_method, &goods)?;
    let parcels: Vec<ParcelQuote> = by_seller
        .into_iter()
        .zip(priced)
        .map(|((seller_id, (seller_name, goods_vnd, _)), p)| ParcelQuote {
            seller_id: seller_id.to_string(),
            seller_name,
            goods_vnd,
            weight_g: p.weight_g,
            zone: p.zone.as_str().to_string(),
            carriage_vnd: p.carriage_vnd,
            cod_vnd: p.cod_vnd,
            postage_vnd: p.postage_vnd,
        })
        .collect();
    let goods_vnd: i64 = parcels.iter().map(|p| p.goods_vnd).sum();
    let postage_vnd: i64 = parcels.iter().map(|p| p.postage_vnd).sum();
    Ok(Quote { goods_vnd, postage_vnd, total_vnd: goods_vnd + postage_vnd, parcels })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn a_new_tariff_is_in_force_even_if_the_clock_went_back() {
        let db = storage::testing::TestDatabase::new().unwrap();
        let pool = storage::connect_and_migrate(&db.database_url().unwrap(), 1).unwrap();
        let mut conn = pool.get().unwrap();
        assert_eq!(current(&mut conn).unwrap().id, "standard");
        // a tariff stamped an hour ahead, as by a server whose clock ran fast
        let ahead = storage::now() + chrono::Duration::hours(1);
        diesel::insert_into(postage_tariffs::table)
            .values((
                postage_tariffs::id.eq("fast-clock"),
                postage_tariffs::tariff.eq(serde_json::to_string(&Tariff::standard()).unwrap()),
                postage_tariffs::created_at.eq(ahead),
            ))
            .execute(&mut conn)
            .unwrap();
        let mut cheaper = Tariff::standard();
        cheaper.packaging_g = 50;
        let now_in_force = replace(&mut conn, None, &cheaper).unwrap();
        assert_ne!(now_in_force.id, "fast-clock");
        assert_eq!(now_in_force.tariff.packaging_g, 50);
        // and a broken one changes nothing
        let mut broken = cheaper.clone();
        broken.zones.clear();
        assert!(replace(&mut conn, None, &broken).is_err());
        assert_eq!(current(&mut conn).unwrap().id, now_in_force.id);
    }
}
