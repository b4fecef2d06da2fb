//! Vietnamese banks that receive NAPAS 247 transfers, by their 6-digit BIN
//! (the identifier VietQR codes carry). Shipped with the product: a payout
//! to an unknown BIN could never arrive.

use serde::Serialize;
use utoipa::ToSchema;

#[derive(Debug, Clone, Copy, Serialize, ToSchema)]
pub struct Bank {
    pub bin: &'static str,
    pub short_name: &'static str,
    pub name: &'static str,
}

const fn bank(bin: &'static str, short_name: &'static str, name: &'static str) -> Bank {
    Bank { bin, short_name, name }
}

pub const BANKS: &[Bank] = &[
    bank("970405", "Agribank", "Ngân hàng Nông nghiệp và Phát triển Nông thôn Việt Nam"),
    bank("970436", "Vietcombank", "Ngân hàng TMCP Ngoại thương Việt Nam"),
    bank("970415", "VietinBank", "Ngân hàng TMCP Công thương Việt Nam"),
    bank("970418", "BIDV", "Ngân hàng TMCP Đầu tư và Phát triển Việt Nam"),
    bank("970449", "LPBank", "Ngân hàng TMCP Lộc Phát Việt Nam"),
    bank("970407", "Techcombank", "Ngân hàng TMCP Kỹ thương Việt Nam"),
    bank("970422", "MBBank", "Ngân hàng TMCP Quân đội"),
    bank("970416", "ACB", "Ngân hàng TMCP Á Châu"),
    bank("970432", "VPBank", "Ngân hàng TMCP Việt Nam Thịnh Vượng"),
    bank("970403", "Sacombank", "Ngân hàng TMCP Sài Gòn Thương Tín"),
    bank("970423", "TPBank", "Ngân hàng TMCP Tiên Phong"),
    bank("970441", "VIB", "Ngân hàng TMCP Quốc tế Việt Nam"),
    bank("970443", "SHB", "Ngân hàng TMCP Sài Gòn – Hà Nội"),
    bank("970437", "HDBank", "Ngân hàng TMCP Phát triển TP. Hồ Chí Minh"),
    bank("970448", "OCB", "Ngân hàng TMCP Phương Đông"),
    bank("970426", "MSB", "Ngân hàng TMCP Hàng Hải Việt Nam"),
    bank("970440", "SeABank", "Ngân hàng TMCP Đông Nam Á"),
    bank("970431", "Eximbank", "Ngân hàng TMCP Xuất Nhập khẩu Việt Nam"),
    bank("970428", "NamABank", "Ngân hàng TMCP Nam Á"),
    bank("970409", "BacABank", "Ngân hàng TMCP Bắc Á"),
    bank("970425", "ABBANK", "Ngân hàng TMCP An Bình"),
    bank("970412", "PVcomBank", "Ngân hàng TMCP Đại Chúng Việt Nam"),
    bank("970400", "SaigonBank", "Ngân hàng TMCP Sài Gòn Công Thương"),
    bank("970429", "SCB", "Ngân hàng TMCP Sài Gòn"),
    bank("970427", "VietABank", "Ngân hàng TMCP Việt Á"),
    bank("970454", "BVBank", "Ngân hàng TMCP Bản Việt"),
    bank("970452", "KienLongBank", "Ngân hàng TMCP Kiên Long"),
    bank("970419", "NCB", "Ngân hàng TMCP Quốc Dân"),
    bank("970414", "MBV", "Ngân hàng TNHH MTV Việt Nam Hiện Đại"),
    bank("970408", "GPBank", "Ngân hàng TNHH MTV Dầu Khí Toàn Cầu"),
    bank("970444", "CBBank", "Ngân hàng TNHH MTV Xây dựng Việt Nam"),
    bank("970406", "VikkiBank", "Ngân hàng TNHH MTV Số Vikki"),
    bank("970446", "Co-opBank", "Ngân hàng Hợp tác xã Việt Nam"),
    bank("970438", "BaoVietBank", "Ngân hàng TMCP Bảo Việt"),
    bank("970430", "PGBank", "Ngân hàng TMCP Thịnh vượng và Phát triển"),
    bank("970433", "VietBank", "Ngân hàng TMCP Việt Nam Thương Tín"),
    bank("970424", "ShinhanBank", "Ngân hàng TNHH MTV Shinhan Việt Nam"),
    bank("970457", "Woori", "Ngân hàng TNHH MTV Woori Việt Nam"),
    bank("970458", "UOB", "Ngân hàng TNHH MTV United Overseas Bank Việt Nam"),
    bank("970439", "PublicBank", "Ngân hàng TNHH MTV Public Việt Nam"),
    bank("970434", "IVB", "Ngân hàng TNHH Indovina"),
    bank("970421", "VRB", "Ngân hàng Liên doanh Việt – Nga"),
    bank("970410", "StandardChartered", "Ngân hàng TNHH MTV Standard Chartered Việt Nam"),
    bank("970442", "HongLeong", "Ngân hàng TNHH MTV Hong Leong Việt Nam"),
    bank("458761", "HSBC", "Ngân hàng TNHH MTV HSBC Việt Nam"),
    bank("422589", "CIMB", "Ngân hàng TNHH MTV CIMB Việt Nam"),
];

pub fn find(bin: &str) -> Option<&'static Bank> {
    BANKS.iter().find(|b| b.bin == bin)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bins_are_six_digits_and_unique() {
        let mut seen = std::collections::HashSet::new();
        for b in BANKS {
            assert!(b.bin.len() == 6 && b.bin.bytes().all(|c| c.is_ascii_digit()), "{}", b.bin);
            assert!(seen.insert(b.bin), "duplicate {}", b.bin);
        }
        assert_eq!(find("970405").map(|b| b.short_name), Some("Agribank"));
        assert!(find("123456").is_none());
    }
}
