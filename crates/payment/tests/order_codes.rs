//! Finding order codes in transfer descriptions as banks deliver them.
//!
//! The bank-side framing of these contents is modelled on real ones:
//! - Vietcombank app transfers, as they appear on a Techcombank statement
//!   (public sample in github.com/haiyen2002/bank_statement,
//!   app/tcb/assets/data.ts): `MBVCB.<10 digits>.<text>.CT tu <account>
//!   <NAME> toi <account> <NAME> tai <BANK>`, with the statement's line
//!   breaks, and runs glued like `toi0071000689735`;
//! - transfers from other banks through NAPAS on the same statement:
//!   `<6 digits>.<ddmmyy>.<hhmmss>.<NAME> Chuyen tien` and long trace
//!   numbers such as `020097041511201900452023s2L1210386.14358.190046.`;
//! - Techcombank's own references `FT23329138005389`;
//! - SePay's example reference `MBVCB.3278907687` (developer.sepay.vn).
//!
//! MB, ACB, BIDV and VietinBank styles (`IBFT`, `TKThe :…,`, `CT DEN:`,
//! `GD …-HHMMSS`) follow the shapes in the spec; the order code and names
//! are made up.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use payment::{candidate_order_codes, is_order_code, ORDER_CODE_ALPHABET};
use proptest::prelude::*;

const CODE: &str = "NS7K2M9QXA";

fn only(content: &str) -> Vec<String> {
    candidate_order_codes(content)
}

#[track_caller]
fn finds_exactly(content: &str, code: &str) {
    assert_eq!(only(content), [code], "in {content:?}");
}

#[test]
fn vietcombank_styles() {
    finds_exactly("MBVCB.3278907687.NS7K2M9QXA.CT tu 0123456789012 NGUYEN VAN A toi 0123499999 NGUYEN THI B tai VIETINBANK", CODE);
    finds_exactly("MBVCB.4559763567.NGUYEN VAN A chuyen tien NS7K2M9QXA.CT tu 0071000689735 NGUYEN VAN A toi0101001110673 TRAN THI B", CODE);
    // The statement wraps lines, sometimes inside the text.
    finds_exactly(
        "MBVCB.4597253515.ns7k2m9qxa\nthanh toan.CT tu 0071002503776 LE THI\nC toi0071000689735 PHAM\nVAN D",
        CODE,
    );
    finds_exactly(
        "MBVCB.4640226572.NS 7K2M\n9QXA.CT tu\n1031788459 LE THI C toi0071000689735 PHAM VAN D",
        CODE,
    );
    // Code glued to the bank's prefix with no dot.
    finds_exactly("MBVCB4673283576NS7K2M9QXA CT tu 0071000689735", CODE);
}

#[test]
fn napas_interbank_styles() {
    finds_exactly("899935.031123.150325.NGUYEN VAN A chuyen tien NS7K2M9QXA", CODE);
    finds_exactly(
        "020097041511201900452023s2L1210386.14358.190046.NGUYEN VAN A NS7K2M9QXA Chuyen tien",
        CODE,
    );
    finds_exactly("364691.051123.105012.ns7k2m9qxa", CODE);
}

#[test]
fn techcombank_styles() {
    finds_exactly("NS7K2M9QXA FT23329138005389", CODE);
    finds_exactly("Em NGUYEN Da Nang NS-7K2M-9QXA FT23329138005389", CODE);
}

#[test]
fn mb_acb_bidv_vietinbank_styles() {
    finds_exactly("IBFT NS7K2M9QXA", CODE);
    finds_exactly("IBFTNS7K2M9QXA", CODE);
    finds_exactly("TKThe :0123, NS7K2M9QXA", CODE);
    finds_exactly("TKThe :0123456789, tai MB. NS7K2M9QXA -Ma giao dich/ Trace 123456", CODE);
    finds_exactly("NGUYEN VAN A chuyen khoan NS7K2M9QXA GD 123456-112523 10:15:02", CODE);
    finds_exactly("CT DEN:331812345678 NS7K2M9QXA", CODE);
    finds_exactly("REM Tfr Ac: 12345678901 NS.7K2M9QXA", CODE);
}

#[test]
fn separators_and_case_inside_the_code() {
    for content in [
        "ns 7k2m-9qxa",
        "NS.7K2M9QXA",
        "Ns7k2M9qXa",
        "NS 7K2M 9QXA",
        "NS-7K2M-9QXA",
        "NS_7K2M_9QXA",
        "NS / 7K2M9QXA",
        "NS 7K 2M 9Q XA",
        "(NS7K2M9QXA)",
        "\"NS7K2M9QXA\"",
        "NS7K2M9QXA.",
        "mã đơn: ns 7k2m 9qxa",
        "ＮＳ７Ｋ２Ｍ９ＱＸＡ",
    ] {
        finds_exactly(content, CODE);
    }
}

#[test]
fn vietnamese_around_the_code() {
    finds_exactly("Thanh toán đơn hàng NS7K2M9QXA cho Nguyễn Thị Ánh", CODE);
    finds_exactly("Chè Shan tuyết – đơn NS7K2M9QXA – cảm ơn!", CODE);
    finds_exactly("Trả tiền rau cải ngọt🥬NS7K2M9QXA🥬", CODE);
    // Decomposed diacritics (combining marks) fold the same.
    finds_exactly("Vie\u{323}\u{302}t NS7K2M9QXA", CODE);
}

#[test]
fn confusables_are_fixed() {
    finds_exactly("NS7K2M9QXO", "NS7K2M9QX0");
    finds_exactly("nsoo1l2i3o", "NS00112130");
    finds_exactly("NS 1O2L-3I4o", "NS10213140");
}

#[test]
fn glued_suffix_in_one_run() {
    finds_exactly("NS7K2M9QXACT tu 0071000689735", CODE);
}

#[test]
fn exact_codes_come_before_repaired_ones() {
    // A buyer pasted the code and also typed it with a space: both the same.
    assert_eq!(only("ns 7k2m 9qxa NS7K2M9QXA"), [CODE]);
    // Two different orders paid at once: the exact one first.
    assert_eq!(only("NS 1111 2222 va NSABCDEFGH"), ["NSABCDEFGH", "NS11112222"]);
    // A confusable fix ranks after a clean exact one, before one that
    // needed joining and fixing.
    assert_eq!(only("NS 1O2L-3I4o, NSABCDEFGO, NSABCDEFGH"), ["NSABCDEFGH", "NSABCDEFG0", "NS10213140"]);
}

#[test]
fn several_codes_in_order_of_appearance() {
    assert_eq!(only("NSAAAAAAAA NSBBBBBBBB NSCCCCCCCC"), ["NSAAAAAAAA", "NSBBBBBBBB", "NSCCCCCCCC"]);
}

#[test]
fn ordinary_bank_texts_have_no_candidates() {
    // Real descriptions from the statement sample, and SePay's example.
    for content in [
        "chuyen tien mua iphone",
        "MBVCB.4559400886.032095.0919264825.CT tu 0071000689735 TA QUANG BAC toi 111000103646 CT TNHH MTV TM NGUYEN DUONG tai VIETINBANK",
        "MBVCB.7985771966.713260.Chuyen tien cho vo.CT tu 0071000689735 TA QUANG BAC toi 17485137 VU THI NHUNG tai ACB",
        "//SAL20231106P145291242157//CONG TY TNHH TU VAN CENLIGHT TT LUONG CBNV T10.2023",
        "EcomCard.Time: 20231107. 083202.Card: 970436..010. DV: CTCP Giai Phap Thanh Toan Viet Nam. TranlD: VP111649859",
        "THU PHI DICH VU SMSBANKING\nTHANG 10/2023. SO TIEN 11000 VND. SDT: 0934000868",
        "PARTNER.DIRECT_DEBITS_VCB.MS\nE.48411153283.20231114.48411153283-0 906749493-hanh gui",
        "501250.251123.161638.Em QUANG Da\nNang FT23329138005389",
        "ATM_CWD.00189002.185426.20231123\nc22000000000e94010.98100001.052075 .GD:BIDV  HCM   704",
        "020097041512111839272023nNum815410.80950.183924.BUI THANH SON\nChuyen tien",
        "",
        "NS",
        "NS7K2M9QX",
    ] {
        assert_eq!(only(content), Vec::<String>::new(), "in {content:?}");
    }
}

#[test]
fn near_misses_are_not_codes() {
    // U is not in the alphabet and has no fix.
    assert!(only("NS7K2M9QXU").is_empty());
    // N and S must touch.
    assert!(only("N S7K2M9QXA").is_empty());
    // A gap longer than three separator characters ends the code.
    assert!(only("NS7K2M    9QXA").is_empty());
    // Joining takes whole pieces only: 4 + 5 characters is not 8.
    assert!(only("NS 7K2M 9QXAB").is_empty());
    // Too short.
    assert!(only("NS 7K2M 9QX").is_empty());
}

#[test]
fn candidates_are_canonical() {
    for content in ["ns 7k2m-9qxa", "NSOOOOOOOO", "TKThe :0123, nS.ab-cd-ef-gh"] {
        for code in only(content) {
            assert!(is_order_code(&code), "{code}");
        }
    }
}

fn order_code() -> impl Strategy<Value = String> {
    proptest::collection::vec(proptest::sample::select(ORDER_CODE_ALPHABET.as_bytes().to_vec()), 8)
        .prop_map(|body| format!("NS{}", String::from_utf8(body).unwrap()))
}

/// Words of the kind that surround codes: bank prefixes, names, Vietnamese.
fn noise() -> impl Strategy<Value = String> {
    let word = prop_oneof![
        Just("MBVCB.3278907687.".to_owned()),
        Just("CT tu 0071000689735 NGUYEN VAN A toi 0123499999".to_owned()),
        Just("IBFT".to_owned()),
        Just("TKThe :0123,".to_owned()),
        Just("FT23329138005389".to_owned()),
        Just("Thanh toán đơn hàng".to_owned()),
        Just("Nguyễn Thị Ánh".to_owned()),
        Just("chuyen tien".to_owned()),
        "[a-zA-Z0-9 .,:/-]{0,12}",
    ];
    proptest::collection::vec(word, 0..4).prop_map(|words| words.join(" "))
}

/// Separator strings of at most [`payment::MAX_GAP`] characters.
fn separator() -> impl Strategy<Value = &'static str> {
    proptest::sample::select(vec![" ", "-", ".", "_", ",", ":", "/", "  ", " - ", "\n", "–", " . "])
}

/// How a person or bank may write one character of the code.
fn mangle(c: char, lower: bool, confusable: u8) -> String {
    let c = match (c, confusable % 4) {
        ('0', 1) => 'O',
        ('0', 2) => 'o',
        ('1', 1) => 'I',
        ('1', 2) => 'l',
        ('1', 3) => 'L',
        (c, _) => c,
    };
    if lower {
        c.to_ascii_lowercase().to_string()
    } else {
        c.to_string()
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1024))]

    /// However the code is written, it is among the candidates: noise
    /// glued or spaced on the left, separators inside the 8 characters,
    /// any case, confusables, and a separator before the noise on the right.
    #[test]
    fn mangled_code_is_found(
        code in order_code(),
        before in noise(),
        glue_before in any::<bool>(),
        after in noise(),
        cuts in proptest::collection::vec((1..8usize, separator()), 0..4),
        lower in proptest::collection::vec(any::<bool>(), 10),
        confusables in proptest::collection::vec(any::<u8>(), 10),
    ) {
        let mut written = String::new();
        for (i, c) in code.chars().enumerate() {
            // One separator per cut position, so no gap exceeds MAX_GAP.
            if let Some((_, sep)) = cuts.iter().find(|(at, _)| i == 2 + at) {
                written.push_str(sep);
            }
            let confusable = if i >= 2 { confusables[i] } else { 0 };
            written.push_str(&mangle(c, lower[i], confusable));
        }
        let content = format!("{before}{}{written} {after}", if glue_before { "" } else { " " });
        let found = candidate_order_codes(&content);
        prop_assert!(found.contains(&code), "{code} not in {found:?} from {content:?}");
    }

    /// Unmangled, with separated noise around it, the code is the first
    /// candidate: nothing ranks above an exact match.
    #[test]
    fn clean_code_ranks_first(code in order_code(), before in noise(), after in noise()) {
        let content = format!("{before} {code} {after}");
        let found = candidate_order_codes(&content);
        prop_assert_eq!(found.first(), Some(&code), "{:?}", content);
    }

    /// Any text at all: no panic, and only canonical codes come back.
    #[test]
    fn any_text_gives_canonical_codes(content in "\\PC{0,200}") {
        for code in candidate_order_codes(&content) {
            prop_assert!(is_order_code(&code), "{}", code);
        }
    }
}
