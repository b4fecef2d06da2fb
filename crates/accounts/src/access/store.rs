//! The visibility rule applied to a query: [`within_seller_scope!`] keeps
//! the rows of the sellers a [`super::SellerScope`] includes, for any diesel
//! query that joins `sellers` (or is on it).

/// Filters `$query` (a boxed diesel query that joins `sellers`) to the
/// sellers `$scope` (a `&SellerScope`) includes: the SQL twin of
/// [`SellerScope::includes`](super::SellerScope::includes).
#[macro_export]
macro_rules! within_seller_scope {
    ($query:expr, $scope:expr) => {{
        use storage::diesel::prelude::*;
        use storage::schema::sellers;
        use $crate::access::SellerScope;
        match $scope {
            SellerScope::All => $query,
            SellerScope::Organisation(Some(org)) => $query.filter(sellers::organisation_id.eq(org.clone())),
            SellerScope::Organisation(None) => $query.filter(sellers::organisation_id.is_null()),
            SellerScope::Farmer(user) => $query.filter(sellers::user_id.eq(user.clone())),
        }
    }};
}
