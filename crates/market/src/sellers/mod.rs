//! Sellers: onboarding by post-office staff, one by one or from a
//! spreadsheet saved as CSV (every row checked with the rules of single
//! onboarding, then imported whole in one transaction, or not at all):
//! identity, commune, payout bank and a consent record; the farmer gets an
//! activation code to set a password.
//!
//! `rules` checks an onboarding and a file's rows (pure), `spreadsheet`
//! reads the file (pure), `store` writes and reads sellers, `routes` serves
//! them.

pub mod routes;
pub mod rules;
pub mod spreadsheet;
pub mod store;

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OnboardSeller {
    pub full_name: String,
    #[schema(example = "0912345678")]
    pub phone: String,
    /// CCCD, 12 digits. Stored encrypted; only the last 3 digits are ever shown.
    #[schema(example = "008190001234")]
    pub national_id: String,
    /// Commune code from the 2025 list (GET /api/v1/communes).
    #[schema(example = "02467")]
    pub commune_code: String,
    pub address: String,
    pub farm_name: Option<String>,
    pub bank: BankAccountInput,
    pub consent: ConsentInput,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct BankAccountInput {
    /// 6-digit NAPAS BIN (GET /api/v1/banks).
    pub bin: String,
    pub account_number: String,
    pub account_name: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ConsentInput {
    pub terms_version: String,
    pub method: ConsentMethod,
}

/// How the farmer gave consent.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, ToSchema, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum ConsentMethod {
    /// Signed a paper form at the counter (kept by the post office).
    PaperForm,
    /// Agreed aloud at the counter, witnessed by the staff member.
    VerbalAtCounter,
    /// Agreed in the app.
    Electronic,
}

impl ConsentMethod {
    pub const ALL: [ConsentMethod; 3] =
        [ConsentMethod::PaperForm, ConsentMethod::VerbalAtCounter, ConsentMethod::Electronic];

    /// The snake-case name, as JSON and the CSV import write it.
    pub fn parse(s: &str) -> Option<ConsentMethod> {
        ConsentMethod::ALL.into_iter().find(|m| m.as_str() == s)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            ConsentMethod::PaperForm => "paper_form",
            ConsentMethod::VerbalAtCounter => "verbal_at_counter",
            ConsentMethod::Electronic => "electronic",
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct OnboardedSeller {
    pub id: String,
    pub user_id: String,
    /// Single use; give it to the farmer to set a password.
    pub activation_code: String,
    pub activation_expires_at: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SellerView {
    pub id: String,
    pub user_id: String,
    pub full_name: String,
    pub phone: String,
    /// e.g. `*********234`
    pub national_id_masked: String,
    pub commune_code: String,
    pub commune_name: String,
    pub province_name: String,
    pub address: String,
    pub farm_name: Option<String>,
    pub bank_bin: String,
    pub bank_name: String,
    pub bank_account_number: String,
    pub bank_account_name: String,
    pub consent_terms_version: String,
    pub consent_method: String,
    pub consent_recorded_by: String,
    pub consent_at: String,
    pub created_at: String,
}

/// Largest sellers file accepted: 1,000 rows of long Vietnamese addresses fit
/// several times over.
pub const MAX_BYTES: usize = 2 * 1024 * 1024;

#[derive(Debug, Serialize, ToSchema)]
pub struct ImportedSeller {
    /// The row of the file this seller came from.
    pub row: usize,
    pub id: String,
    pub user_id: String,
    pub full_name: String,
    pub phone: String,
    /// Single use; give it to the farmer to set a password.
    pub activation_code: String,
    pub activation_expires_at: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ImportReport {
    pub imported: usize,
    /// In the order of the file.
    pub sellers: Vec<ImportedSeller>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DryRunReport {
    /// Always `true`: a file with problems is answered with a 422.
    pub valid: bool,
    /// Sellers the file would import.
    pub rows: usize,
}

#[derive(Debug)]
pub enum ImportOutcome {
    Imported(ImportReport),
    Checked(DryRunReport),
}
