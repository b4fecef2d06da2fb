//! Known payloads: built by hand from the spec, and published by other
//! VietQR implementations or printed by bank apps and payment gateways.
//!
//! Every published payload below had its CRC checked with an independent
//! implementation (Python's `binascii.crc_hqx(body, 0xFFFF)`) before it was
//! put here, and its fields were read by hand from the TLV layout.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use payment::{PaymentError, Service, VietQr};

/// What a payload should parse to.
struct Expect {
    bin: &'static str,
    account: &'static str,
    service: Service,
    amount: Option<i64>,
    purpose: Option<&'static str>,
    dynamic: bool,
}

fn check(payload: &str, e: &Expect) -> VietQr {
    let qr = VietQr::parse(payload).unwrap_or_else(|err| panic!("{payload}: {err}"));
    assert_eq!(qr.bank_bin(), e.bin, "{payload}");
    assert_eq!(qr.account(), e.account, "{payload}");
    assert_eq!(qr.service(), e.service, "{payload}");
    assert_eq!(qr.amount_vnd(), e.amount, "{payload}");
    assert_eq!(qr.purpose(), e.purpose, "{payload}");
    assert_eq!(qr.is_dynamic(), e.dynamic, "{payload}");
    // Re-encoding and reading again gives the same data.
    assert_eq!(VietQr::parse(qr.payload()).unwrap(), qr, "{payload}");
    qr
}

// ---------------------------------------------------------------------------
// Built by hand from the spec. CRCs from Python's binascii.crc_hqx.

/// A dynamic QR for one order, as `new_dynamic` must write it.
const HAND_DYNAMIC: &str = concat!(
    "000201",         //                 00 02 01           payload format
    "010212",         //                 01 02 12           dynamic
    "3854",           //                   38 54              NAPAS template, 54 = 14 + 28 + 12
    "0010A000000727", //            00 10 A000000727   GUID (14)
    "0124",           //                      01 24              beneficiary, 24 = 10 + 14 (28 with header)
    "0006970436",     //                   00 06 970436       BIN, Vietcombank (10)
    "01100123456789", //               01 10 0123456789   account (14)
    "0208QRIBFTTA",   //              02 08 QRIBFTTA     transfer to account (12)
    "5303704",        //                53 03 704          VND
    "5406150000",     //             54 06 150000       amount
    "5802VN",         //                 58 02 VN           country
    "6212",           //                   62 12              additional data, 12 = 4 + 8
    "0808NS000123",   //              08 08 NS000123     purpose = order code
    "6304236B",       //               63 04 236B         CRC
);

/// A static QR for the same account: no amount, no purpose.
const HAND_STATIC: &str = concat!(
    "000201",         //                 00 02 01
    "010211",         //                 01 02 11           static
    "3854",           //                   38 54
    "0010A000000727", //            00 10 A000000727
    "0124",           //                      01 24
    "0006970436",     //                   00 06 970436
    "01100123456789", //               01 10 0123456789
    "0208QRIBFTTA",   //              02 08 QRIBFTTA
    "5303704",        //                53 03 704
    "5802VN",         //                 58 02 VN
    "63046A15",       //               63 04 6A15
);

#[test]
fn builds_the_hand_made_payloads() {
    let qr = VietQr::new_dynamic("970436", "0123456789", 150_000, "NS000123").unwrap();
    assert_eq!(qr.payload(), HAND_DYNAMIC);
    assert_eq!(qr.to_string(), HAND_DYNAMIC);
    let qr = VietQr::new_static("970436", "0123456789").unwrap();
    assert_eq!(qr.payload(), HAND_STATIC);
}

#[test]
fn parses_the_hand_made_payloads() {
    let dynamic = Expect {
        bin: "970436",
        account: "0123456789",
        service: Service::Account,
        amount: Some(150_000),
        purpose: Some("NS000123"),
        dynamic: true,
    };
    check(HAND_DYNAMIC, &dynamic);
    let stat = Expect { amount: None, purpose: None, dynamic: false, ..dynamic };
    check(HAND_STATIC, &stat);
}

// ---------------------------------------------------------------------------
// Published by other implementations; ours must build the same bytes.

/// github.com/subiz/vietqr, README.md: Generate(120000, "970415",
/// "0011001932418", "ủng hộ lũ lụt").
const SUBIZ_README: &str = "00020101021238570010A00000072701270006970415011300110019324180208QRIBFTTA530370454061200005802VN62170813ung ho lu lut6304C15C";

/// github.com/subiz/vietqr, vietqr_test.go, static case without amount.
const SUBIZ_STATIC: &str =
    "00020101021138540010A00000072701240006970423011000999999990208QRIBFTTA53037045802VN6304CBB4";

/// github.com/subiz/vietqr, vietqr_test.go, dynamic cases.
const SUBIZ_DYNAMIC: &str = "00020101021238570010A00000072701270006970422011300234579234420208QRIBFTTA53037045405401235802VN62200816test text string6304D9C6";
const SUBIZ_FOLDED: &str = "00020101021238570010A00000072701270006970422011300234579234420208QRIBFTTA53037045405401235802VN62160812chuyen khoan6304722F";
/// 19-character account and 25-character purpose: both at their limits.
const SUBIZ_LIMITS: &str = "00020101021238630010A0000007270133000697042201190023457923442ASDFLJ0208QRIBFTTA53037045405401235802VN62290825chuyen khoan alsdkf laksj6304E5DB";

#[test]
fn subiz_vietqr() {
    let qr = check(
        SUBIZ_README,
        &Expect {
            bin: "970415",
            account: "0011001932418",
            service: Service::Account,
            amount: Some(120_000),
            purpose: Some("ung ho lu lut"),
            dynamic: true,
        },
    );
    assert_eq!(qr.payload(), SUBIZ_README);
    assert_eq!(payment::ascii_purpose("ủng hộ lũ lụt"), "ung ho lu lut");

    let qr = VietQr::new_static("970423", "0099999999").unwrap();
    assert_eq!(qr.payload(), SUBIZ_STATIC);
    check(
        SUBIZ_STATIC,
        &Expect {
            bin: "970423",
            account: "0099999999",
            service: Service::Account,
            amount: None,
            purpose: None,
            dynamic: false,
        },
    );

    let qr = VietQr::new_dynamic("970422", "0023457923442", 40123, "test text string").unwrap();
    assert_eq!(qr.payload(), SUBIZ_DYNAMIC);
    let qr = VietQr::new_dynamic("970422", "0023457923442", 40123, &payment::ascii_purpose("chuyển khoản"))
        .unwrap();
    assert_eq!(qr.payload(), SUBIZ_FOLDED);

    let long = "chuyen khoan alsdkf laksjdflk asjdflja slkdalks djflkasjd fajsldk";
    let qr =
        VietQr::new_dynamic("970422", "0023457923442ASDFLJ", 40123, &payment::ascii_purpose(long)).unwrap();
    assert_eq!(qr.payload(), SUBIZ_LIMITS);
    check(
        SUBIZ_LIMITS,
        &Expect {
            bin: "970422",
            account: "0023457923442ASDFLJ",
            service: Service::Account,
            amount: Some(40123),
            purpose: Some("chuyen khoan alsdkf laksj"),
            dynamic: true,
        },
    );
}

/// github.com/giautm/emvqr-go, emvqr_test.go. Tags out of order: 62 before
/// 38 in the first, 54 before 53 in the second (static, with an amount).
#[test]
fn giautm_emvqr_go_tags_in_any_order() {
    let qr = check(
        "00020101021262110807tien le38560010A0000007270126000697041501121133666688880208QRIBFTTA5303704540460005802VN63046893",
        &Expect {
            bin: "970415",
            account: "113366668888",
            service: Service::Account,
            amount: Some(6000),
            purpose: Some("tien le"),
            dynamic: true,
        },
    );
    // Ours writes the same data in ascending order.
    assert_eq!(
        qr.payload(),
        VietQr::new_dynamic("970415", "113366668888", 6000, "tien le").unwrap().payload()
    );
    check(
        "00020101021138560010A0000007270126000697041501121133666688880208QRIBFTTA54057000153037045802VN6304ED54",
        &Expect {
            bin: "970415",
            account: "113366668888",
            service: Service::Account,
            amount: Some(70001),
            purpose: None,
            dynamic: false,
        },
    );
}

/// A PHP project's QRServiceTest (found by code search, repository not
/// named by the search tool); the first is the NAPAS specification's
/// card example: QRIBFTTC to card 9704031101234567, with a bill number in
/// 62.01 besides the purpose.
#[test]
fn php_qrservice_test_vectors() {
    check(
        "00020101021238600010A00000072701300006970403011697040311012345670208QRIBFTTC530370454061800005802VN62340107NPS68690819thanh toan don hang6304A203",
        &Expect {
            bin: "970403",
            account: "9704031101234567",
            service: Service::Card,
            amount: Some(180_000),
            purpose: Some("thanh toan don hang"),
            dynamic: true,
        },
    );
    check(
        "00020101021238570010A00000072701270006970403011300110123456780208QRIBFTTA530370454061800005802VN62340107NPS68690819thanh toan don hang63042E2E",
        &Expect {
            bin: "970403",
            account: "0011012345678",
            service: Service::Account,
            amount: Some(180_000),
            purpose: Some("thanh toan don hang"),
            dynamic: true,
        },
    );
    let payload = "00020101021238500010A0000007270120000697041601065454460208QRIBFTTA53037045405801005802VN62250821Thanh toan anyLEARN 86304FA27";
    let qr = check(
        payload,
        &Expect {
            bin: "970416",
            account: "545446",
            service: Service::Account,
            amount: Some(80_100),
            purpose: Some("Thanh toan anyLEARN 8"),
            dynamic: true,
        },
    );
    // Canonical: ours builds exactly the same bytes.
    assert_eq!(qr.payload(), payload);
    assert_eq!(
        VietQr::new_dynamic("970416", "545446", 80_100, "Thanh toan anyLEARN 8").unwrap().payload(),
        payload
    );
}

// ---------------------------------------------------------------------------
// Printed by bank apps and payment gateways, quoted in public source code
// (found by code search; the search tool does not name the repositories).

/// Static QRs scanned from bank apps: MB (970422, lower-case CRC), Agribank
/// (970405), Techcombank (970407: merchant category 52, name 59, city 60,
/// lower-case CRC), ACB (970416).
#[test]
fn bank_app_static_qrs() {
    let cases = [
        (
            "00020101021138540010A00000072701240006970422011009119673630208QRIBFTTA53037045802VN63046ad9",
            "970422",
            "0911967363",
        ),
        (
            "00020101021138570010A00000072701270006970405011322082054793800208QRIBFTTA53037045802VN630497A6",
            "970405",
            "2208205479380",
        ),
        (
            "00020101021138540010A00000072701240006970407011014137171110208QRIBFTTA5204601153037045802VN5903TCB6005Hanoi6304bb7d",
            "970407",
            "1413717111",
        ),
        (
            "00020101021138530010A0000007270123000697041601092576788590208QRIBFTTA53037045802VN6304AE9F",
            "970416",
            "257678859",
        ),
    ];
    for (payload, bin, account) in cases {
        let qr = check(
            payload,
            &Expect { bin, account, service: Service::Account, amount: None, purpose: None, dynamic: false },
        );
        assert_eq!(qr, VietQr::new_static(bin, account).unwrap());
    }
}

/// payOS (a gateway): a virtual account, letters and digits.
#[test]
fn payos_virtual_account() {
    let payload = "00020101021238570010A000000727012700069704220113VQRQADAIJ55120208QRIBFTTA5303704540470005802VN62120808TL89 1006304E346";
    let qr = check(
        payload,
        &Expect {
            bin: "970422",
            account: "VQRQADAIJ5512",
            service: Service::Account,
            amount: Some(7000),
            purpose: Some("TL89 100"),
            dynamic: true,
        },
    );
    assert_eq!(qr.payload(), payload);
}

/// Gateways that put their own template beside NAPAS 38: ZaloPay (26,
/// `vn.zalopay`) and VNPay-style (15), with 52/59/60/87 and 62 sub-tags
/// other than 08. Those are ignored; 38 decides where the money goes.
#[test]
fn multi_network_payloads() {
    check(
        "00020101021226520010vn.zalopay0203001010627000503173307089089161731338580010A000000727012800069704540114998002401295460208QRIBFTTA5204739953037045405690005802VN62210817330708908916173136304409F",
        &Expect {
            bin: "970454",
            account: "99800240129546",
            service: Service::Account,
            amount: Some(69_000),
            purpose: Some("33070890891617313"),
            dynamic: true,
        },
    );
    check(
        "00020101021226530010vn.zalopay01064503190203001031813906273727886981838620010A00000072701320006970454011899ZP25195O143493990208QRIBFTTA52047399530370454061620005802VN6304D15A",
        &Expect {
            bin: "970454",
            account: "99ZP25195O14349399",
            service: Service::Account,
            amount: Some(162_000),
            purpose: None,
            dynamic: true,
        },
    );
    // Amount (54) after country (58), then name and city.
    check(
        "0002010102111531397007040052044600006789177200238550010A000000727012500069704230111678917720020208QRIBFTTA5204513753037045802VN5405200005914NGUYEN HUU HOA6006Ha Noi630469A3",
        &Expect {
            bin: "970423",
            account: "67891772002",
            service: Service::Account,
            amount: Some(20_000),
            purpose: None,
            dynamic: false,
        },
    );
    check(
        "0002010102111531397007040052044600009362810200938550010A000000727012500069704230111936281020090208QRIBFTTA5204513753037045802VN5913LY CAO NGUYEN6006Ha Noi8707CLASSIC6304916D",
        &Expect {
            bin: "970423",
            account: "93628102009",
            service: Service::Account,
            amount: None,
            purpose: None,
            dynamic: false,
        },
    );
    // 62 carries 01 bill number and 03 store label besides 08.
    check(
        "00020101021238630010A000000727013300069711330119NPN3S3FS3F01F0000YS0208QRIBFTTA520451395303704540420005802VN62300108DBILL0010302PA0808Nop tien630479BD",
        &Expect {
            bin: "971133",
            account: "NPN3S3FS3F01F0000YS",
            service: Service::Account,
            amount: Some(2000),
            purpose: Some("Nop tien"),
            dynamic: true,
        },
    );
}

/// Published payloads that must be refused.
#[test]
fn published_payloads_that_are_refused() {
    // The PHP QRServiceTest above, its CRC test 2 (CRC 4302): 62 claims 27
    // characters and 62.08 claims 23, but the purpose has 19, so 62 swallows
    // "6304" and the CRC digits "4302" are read as tag 43, length 02.
    assert_eq!(
        VietQr::parse("00020101021238500010A0000007270120000697041601065454460208QRIBFTTA530370454061800005802VN62270823thanh toan don hang63044302"),
        Err(PaymentError::LengthOverrun { tag: 43, offset: 120, len: 2, available: 0 })
    );
    // A documentation sample: the 14-digit account is written with length
    // 13 (and the CRC is a placeholder, ABCD), so template 38 ends inside
    // "QRIBFTTA" and the top level resumes at "A530...".
    assert_eq!(
        VietQr::parse("00020101021238570010A000000727012700069704220113099012345678900208QRIBFTTA53037045802VN5915Cong ty TNHH ABC6005Hanoi62200816INV168707123456701236304ABCD"),
        Err(PaymentError::BadTag { offset: 73 })
    );
    // github.com/giautm/emvqr-go emvqr_test.go: a merchant QR of another
    // network (26 with GUID A000000775), no NAPAS template 38.
    assert_eq!(
        VietQr::parse("00020101021126280010A000000775011001064159995204829953037045802VN5913123VIETNAMESE6005HANOI610610000062290313G7AUTO03 SAPO0708G7AUTO04630458BA"),
        Err(PaymentError::MissingTag { path: "38" })
    );
    // Constructed here, not published: subiz's README payload with the
    // purpose left in Vietnamese. Non-ASCII is refused before anything
    // else, rather than guessing how its length was counted.
    let utf8 = "00020101021238570010A00000072701270006970415011300110019324180208QRIBFTTA530370454061200005802VN62170813ủng hộ lũ lụt6304C15C";
    assert!(matches!(VietQr::parse(utf8), Err(PaymentError::NotPrintableAscii { .. })));
}
