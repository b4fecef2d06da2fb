//! The visibility rule itself, on plain values.

use common::{ApiError, OrganisationId, UserId};

use crate::{Actor, Role};

/// Who a seller belongs to, as far as visibility goes: the farmer's own
/// account and the post office that onboarded it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SellerOwner<'a> {
    /// The farmer's user id.
    pub user_id: &'a str,
    /// The post office (organisation) that onboarded the farmer, if any.
    pub organisation_id: Option<&'a str>,
}

/// The sellers an actor may see and act for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SellerScope {
    /// Every seller (admin).
    All,
    /// The sellers of one post office (staff); `None` for staff of no post
    /// office, who act for the sellers no post office onboarded.
    Organisation(Option<OrganisationId>),
    /// The one seller whose account this is (a farmer).
    Farmer(UserId),
}

/// The sellers `actor` may see and act for; buyers and officers, who act for
/// none, are refused (403).
pub fn seller_scope(actor: &Actor) -> Result<SellerScope, ApiError> {
    match actor.role {
        Role::Admin => Ok(SellerScope::All),
        Role::Staff => Ok(SellerScope::Organisation(actor.organisation_id.clone())),
        Role::Farmer => Ok(SellerScope::Farmer(actor.user_id.clone())),
        Role::Buyer | Role::Officer => Err(ApiError::forbidden()),
    }
}

impl SellerScope {
    /// Whether `seller` is one of the sellers in this scope.
    pub fn includes(&self, seller: SellerOwner<'_>) -> bool {
        match self {
            SellerScope::All => true,
            SellerScope::Organisation(org) => {
                org.as_ref().map(OrganisationId::as_str) == seller.organisation_id
            }
            SellerScope::Farmer(user) => user.as_str() == seller.user_id,
        }
    }

    /// Whether the actor speaks for the seller's post office (staff of it,
    /// or admin) rather than being the farmer: what staff-only steps (naming
    /// a seller, handing a parcel over) need.
    pub fn is_post_office_for(&self, seller: SellerOwner<'_>) -> bool {
        !matches!(self, SellerScope::Farmer(_)) && self.includes(seller)
    }
}

/// Whether `actor` may see and act for `seller`.
pub fn may_act_for(actor: &Actor, seller: SellerOwner<'_>) -> bool {
    seller_scope(actor).is_ok_and(|scope| scope.includes(seller))
}

#[cfg(test)]
mod tests {
    use super::*;

    const FARM: SellerOwner<'static> = SellerOwner { user_id: "farmer-1", organisation_id: Some("po-1") };
    const ELSEWHERE: SellerOwner<'static> =
        SellerOwner { user_id: "farmer-2", organisation_id: Some("po-2") };
    const NO_POST_OFFICE: SellerOwner<'static> = SellerOwner { user_id: "farmer-3", organisation_id: None };

    fn actor(role: Role, user: &str, org: Option<&str>) -> Actor {
        let id = |text: &str| UserId::parse(text).unwrap_or_else(|| panic!("{text}"));
        let org = org.map(|o| OrganisationId::parse(o).unwrap_or_else(|| panic!("{o}")));
        Actor::acting_as(&id(user), role, "someone", org.as_ref())
    }

    #[test]
    fn admin_acts_for_everyone() {
        let admin = actor(Role::Admin, "admin", None);
        assert!([FARM, ELSEWHERE, NO_POST_OFFICE].into_iter().all(|s| may_act_for(&admin, s)));
    }

    #[test]
    fn staff_act_for_their_own_post_office_only() {
        let staff = actor(Role::Staff, "staff-1", Some("po-1"));
        assert!(may_act_for(&staff, FARM));
        assert!(!may_act_for(&staff, ELSEWHERE));
        assert!(!may_act_for(&staff, NO_POST_OFFICE));
        let scope = seller_scope(&staff).ok();
        assert_eq!(scope.as_ref().map(|s| s.is_post_office_for(FARM)), Some(true));
    }

    #[test]
    fn a_farmer_acts_for_itself_only() {
        let farmer = actor(Role::Farmer, "farmer-1", None);
        assert!(may_act_for(&farmer, FARM));
        assert!(!may_act_for(&farmer, ELSEWHERE));
        let scope = seller_scope(&farmer).ok();
        assert_eq!(scope.as_ref().map(|s| s.is_post_office_for(FARM)), Some(false));
    }

    #[test]
    fn buyers_and_officers_act_for_nobody() {
        for role in [Role::Buyer, Role::Officer] {
            let someone = actor(role, "farmer-1", Some("po-1"));
            assert!(seller_scope(&someone).is_err());
            assert!(!may_act_for(&someone, FARM));
        }
    }
}
