//! Plugs the payment slice's VietQR builder into the market's orders.

use market::orders::{PaymentRequests, VietQrRequest};

use crate::config::CollectionAccount;

/// Bank-transfer requests into the operator's collection account.
pub struct VietQrPayments {
    pub account: Option<CollectionAccount>,
}

impl PaymentRequests for VietQrPayments {
    fn vietqr(&self, order_code: &str, amount_vnd: i64) -> Result<VietQrRequest, String> {
        let account = self
            .account
            .as_ref()
            .ok_or("this server has no collection account configured; choose cash on delivery")?;
        let purpose = payment::ascii_purpose(order_code);
        let qr =
            payment::VietQr::new_dynamic(&account.bank_bin, &account.account_number, amount_vnd, &purpose)
                .map_err(|e| e.to_string())?;
        Ok(VietQrRequest {
            payload: qr.payload().to_string(),
            bank_bin: account.bank_bin.clone(),
            account_number: account.account_number.clone(),
            account_name: account.account_name.clone(),
            amount_vnd,
            purpose,
        })
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn the_payload_reads_back_with_the_order_code_and_amount() {
        let p = VietQrPayments { account: Some(CollectionAccount::demo()) };
        let r = p.vietqr("NS7K2M9QXA", 350_000).unwrap();
        let back = payment::VietQr::parse(&r.payload).unwrap();
        assert_eq!(back.amount_vnd(), Some(350_000));
        assert_eq!(back.purpose(), Some("NS7K2M9QXA"));
        assert_eq!(back.bank_bin(), "970405");
        assert!(back.is_dynamic());
        assert!(VietQrPayments { account: None }.vietqr("NS1", 1).is_err());
    }
}
