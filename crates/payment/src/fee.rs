//! The platform fee taken from a seller's payment, in basis points.
//!
//! Rounding rule: the fee is rounded **down** to the whole đồng, so any
//! fraction of a đồng stays with the seller. For every amount the fee and
//! the seller's payable add up to the amount exactly, so a ledger posting
//! `amount = fee + payable` always balances.

use std::fmt;
use std::str::FromStr;

/// A fee rate in basis points: `250` is 2.50 %, `10_000` is 100 %.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct FeeRate {
    basis_points: u32,
}

/// A fee rate that is not a whole number of basis points from 0 to 10 000.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("fee rate must be a whole number of basis points from 0 to 10000 (250 means 2.50 %)")]
pub struct FeeRateError;

impl FeeRate {
    /// 100 %, the largest rate.
    pub const MAX_BASIS_POINTS: u32 = 10_000;
    /// No fee.
    pub const ZERO: FeeRate = FeeRate { basis_points: 0 };

    /// The rate of `basis_points` hundredths of a percent, if at most
    /// [`FeeRate::MAX_BASIS_POINTS`].
    pub fn from_basis_points(basis_points: u32) -> Result<FeeRate, FeeRateError> {
        if basis_points > Self::MAX_BASIS_POINTS {
            return Err(FeeRateError);
        }
        Ok(FeeRate { basis_points })
    }

    /// The rate in hundredths of a percent.
    pub fn basis_points(self) -> u32 {
        self.basis_points
    }

    /// The fee on `amount_vnd`: `floor(amount × basis points / 10 000)`,
    /// computed in `i128` so that no amount can overflow. For amounts of
    /// zero or more the fee lies in `0..=amount_vnd`. (A negative amount,
    /// such as a refund, gets the floor too, which is the fee of the
    /// positive amount negated and rounded away from zero.)
    pub fn fee_for(&self, amount_vnd: i64) -> i64 {
        let fee = (i128::from(amount_vnd) * i128::from(self.basis_points))
            .div_euclid(i128::from(Self::MAX_BASIS_POINTS));
        // basis_points <= 10 000, so the fee lies between 0 and amount_vnd
        // (either sign) and always fits an i64; the fallback is unreachable.
        i64::try_from(fee).unwrap_or(amount_vnd)
    }

    /// What the seller is owed after the fee: `amount_vnd - fee_for(amount_vnd)`.
    pub fn payable_for(&self, amount_vnd: i64) -> i64 {
        // The fee lies between 0 and amount_vnd, so this cannot overflow.
        amount_vnd - self.fee_for(amount_vnd)
    }
}

impl FromStr for FeeRate {
    type Err = FeeRateError;

    /// Reads basis points written as decimal digits: `"250"` is 2.50 %.
    /// Surrounding whitespace is ignored (the value usually comes from an
    /// environment variable); signs, decimal points and `%` are refused, so
    /// that `"2.5"` is not silently read as 2 basis points.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let s = s.trim();
        if s.is_empty() || s.len() > 5 || !s.bytes().all(|b| b.is_ascii_digit()) {
            return Err(FeeRateError);
        }
        let basis_points = s.parse::<u32>().map_err(|_| FeeRateError)?;
        FeeRate::from_basis_points(basis_points)
    }
}

impl fmt::Display for FeeRate {
    /// `2.50 %` for 250 basis points.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{:02} %", self.basis_points / 100, self.basis_points % 100)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::{FeeRate, FeeRateError};
    use proptest::prelude::*;

    fn rate(bp: u32) -> FeeRate {
        FeeRate::from_basis_points(bp).unwrap()
    }

    #[test]
    fn parses_basis_points() {
        assert_eq!("250".parse::<FeeRate>().unwrap().basis_points(), 250);
        assert_eq!(" 0\n".parse::<FeeRate>().unwrap(), FeeRate::ZERO);
        assert_eq!("10000".parse::<FeeRate>().unwrap().basis_points(), 10_000);
        assert_eq!("00250".parse::<FeeRate>().unwrap().basis_points(), 250);
        for bad in ["", "10001", "-1", "+250", "2.5", "2,5", "250%", "abc", "99999999999"] {
            assert_eq!(bad.parse::<FeeRate>(), Err(FeeRateError), "{bad:?}");
        }
        assert_eq!(FeeRate::from_basis_points(10_001), Err(FeeRateError));
    }

    #[test]
    fn displays_as_percent() {
        assert_eq!(rate(250).to_string(), "2.50 %");
        assert_eq!(rate(5).to_string(), "0.05 %");
        assert_eq!(rate(10_000).to_string(), "100.00 %");
    }

    #[test]
    fn rounds_down_in_the_sellers_favour() {
        let r = rate(250);
        assert_eq!(r.fee_for(150_000), 3_750);
        assert_eq!(r.payable_for(150_000), 146_250);
        // 2.5 % of 99 999 is 2 499.975: the seller keeps the 0.975 đồng.
        assert_eq!(r.fee_for(99_999), 2_499);
        assert_eq!(r.payable_for(99_999), 97_500);
        assert_eq!(r.fee_for(39), 0);
        assert_eq!(r.fee_for(0), 0);
        assert_eq!(rate(0).fee_for(1_000_000), 0);
        assert_eq!(rate(10_000).fee_for(1_000_000), 1_000_000);
    }

    #[test]
    fn largest_amounts_do_not_overflow() {
        assert_eq!(rate(10_000).fee_for(i64::MAX), i64::MAX);
        assert_eq!(rate(9_999).fee_for(i64::MAX), 9_222_449_699_651_090_329);
        assert_eq!(rate(250).payable_for(i64::MAX) + rate(250).fee_for(i64::MAX), i64::MAX);
    }

    #[test]
    fn negative_amounts_floor() {
        assert_eq!(rate(250).fee_for(-99_999), -2_500);
        assert_eq!(rate(250).payable_for(-99_999), -97_499);
        assert_eq!(rate(10_000).fee_for(i64::MIN), i64::MIN);
        assert_eq!(rate(9_999).payable_for(i64::MIN), -922_337_203_685_477);
    }

    proptest! {
        #[test]
        fn fee_is_a_split_of_the_amount(bp in 0..=10_000u32, amount in 0..=i64::MAX) {
            let r = rate(bp);
            let fee = r.fee_for(amount);
            prop_assert!(0 <= fee && fee <= amount);
            prop_assert_eq!(fee + r.payable_for(amount), amount);
        }

        #[test]
        fn fee_is_monotonic_in_amount(bp in 0..=10_000u32, a in 0..=i64::MAX, b in 0..=i64::MAX) {
            let r = rate(bp);
            let (lo, hi) = if a <= b { (a, b) } else { (b, a) };
            prop_assert!(r.fee_for(lo) <= r.fee_for(hi));
            prop_assert!(r.payable_for(lo) <= r.payable_for(hi));
        }

        #[test]
        fn fee_is_monotonic_in_rate(x in 0..=10_000u32, y in 0..=10_000u32, amount in 0..=i64::MAX) {
            let (lo, hi) = if x <= y { (x, y) } else { (y, x) };
            prop_assert!(rate(lo).fee_for(amount) <= rate(hi).fee_for(amount));
        }

        #[test]
        fn basis_points_parse_back(bp in 0..=10_000u32) {
            prop_assert_eq!(bp.to_string().parse::<FeeRate>().unwrap(), rate(bp));
        }
    }
}
