//! Signed lots for some of the generated sellers, and recalls of a few,
//! made one by one through the traceability slice (each is signed).

use std::collections::BTreeMap;

use accounts::{Actor, Role};
use chrono::Duration;
use storage::DbConnection;
use traceability::lots::{NewLot, Recall, RecallFollowUp, RecallRequest, TraceSettings};

use crate::places::{Commune, Office};
use crate::rng::Rng;
use crate::sellers::Seller;
use crate::SeedPlan;
use common::ApiError;

/// What follows a generated recall: nothing can be in flight, since the
/// lot was created a moment ago and no listing sells from it yet. That is
/// checked, not assumed: a lot some order already holds is refused, as the
/// market's own follow-up (which cancels such orders and moves their money)
/// is not here to handle it.
struct JustCreated;

impl RecallFollowUp for JustCreated {
    fn lot_recalled(&self, conn: &mut DbConnection, recall: &Recall<'_>) -> Result<(), ApiError> {
        use diesel::prelude::*;
        use storage::schema::order_items;
        let held: i64 =
            order_items::table.filter(order_items::lot_id.eq(recall.lot_id)).count().get_result(conn)?;
        if held > 0 {
            return Err(ApiError::conflict(format!(
                "lot {} is already in {held} order lines; recall it through the server",
                recall.lot_id.as_str()
            )));
        }
        Ok(())
    }
}

/// Signed lots for about a quarter of the sellers, through the
/// traceability slice, and recalls of a few of them.
#[allow(clippy::too_many_arguments)]
pub(crate) fn make_lots(
    conn: &mut DbConnection,
    master: &vault::MasterKey,
    settings: &TraceSettings,
    rng: &mut Rng,
    plan: &SeedPlan,
    sellers: &mut [Seller],
    places: &[Commune],
    offices: &BTreeMap<String, Office>,
) -> Result<(usize, usize), ApiError> {
    let trace = |e: ApiError| ApiError::internal(format!("lot: {e}"));
    let (mut made, mut recalled) = (0, 0);
    for (index, seller) in sellers.iter_mut().enumerate() {
        if !rng.chance(0.25) {
            continue;
        }
        let place = &places[seller.commune];
        let Some(office) = offices.get(&place.province_code) else { continue };
        let staff = Actor::acting_as(
            &office.staff_user_id,
            Role::Staff,
            &office.staff_name,
            Some(&office.organisation_id),
        );
        for n in 0..1 + rng.below(2) {
            let product = rng.below(seller.products.len().min(2));
            let harvested = plan.until - Duration::days(5 + rng.below(200) as i64);
            let lot = traceability::lots::create_lot(
                conn,
                master,
                settings,
                &staff,
                &NewLot {
                    product_name: seller.products[product].name.to_string(),
                    quantity: serde_json::Value::String((20 + rng.below(480)).to_string()),
                    unit: seller.products[product].unit.to_string(),
                    harvested_on: harvested.date().to_string(),
                    commune_code: place.code.clone(),
                    gtin: None,
                    seller_id: Some(seller.id.clone()),
                    lot_code: Some(format!("S{:04X}-{index:04}-{n}", plan.seed & 0xffff)),
                    farm_name: None,
                },
            )
            .map_err(trace)?;
            made += 1;
            let recall = rng.chance(0.04);
            if recall {
                traceability::lots::recall(
                    conn,
                    master,
                    settings,
                    &staff,
                    &lot.id,
                    &RecallRequest {
                        reason: rng
                            .pick(&[
                                "Mẫu kiểm tra có dư lượng thuốc bảo vệ thực vật vượt ngưỡng",
                                "Bao bì bị ẩm mốc trong kho",
                                "Sai nhãn ngày thu hoạch",
                            ])
                            .to_string(),
                    },
                    &JustCreated,
                )
                .map_err(trace)?;
                recalled += 1;
            }
            seller.lots.push((product, lot.id.into_string(), recall));
        }
    }
    Ok((made, recalled))
}
