//! Reading a sellers spreadsheet that post-office staff saved from Excel as
//! CSV: encoding, header, quoting, and the row numbers staff see in Excel.
//! Pure: bytes in, named values out; the rules for the values themselves
//! are those of single onboarding (`rules::validate`).

use common::ErrorCode;
use serde::Serialize;
use serde_json::{Map, Value};
use utoipa::ToSchema;

/// Most sellers one file may hold: one transaction imports the whole file,
/// and the answer lists every activation code.
pub const MAX_ROWS: usize = 1000;

/// The columns of the file, in the order the documentation lists them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Column {
    FullName,
    Phone,
    NationalId,
    CommuneCode,
    Address,
    FarmName,
    BankBin,
    BankAccountNumber,
    BankAccountName,
    ConsentTermsVersion,
    ConsentMethod,
}

impl Column {
    pub const ALL: [Column; 11] = [
        Column::FullName,
        Column::Phone,
        Column::NationalId,
        Column::CommuneCode,
        Column::Address,
        Column::FarmName,
        Column::BankBin,
        Column::BankAccountNumber,
        Column::BankAccountName,
        Column::ConsentTermsVersion,
        Column::ConsentMethod,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Column::FullName => "full_name",
            Column::Phone => "phone",
            Column::NationalId => "national_id",
            Column::CommuneCode => "commune_code",
            Column::Address => "address",
            Column::FarmName => "farm_name",
            Column::BankBin => "bank_bin",
            Column::BankAccountNumber => "bank_account_number",
            Column::BankAccountName => "bank_account_name",
            Column::ConsentTermsVersion => "consent_terms_version",
            Column::ConsentMethod => "consent_method",
        }
    }

    pub fn required(self) -> bool {
        self != Column::FarmName
    }

    fn index(self) -> usize {
        Column::ALL.iter().position(|c| *c == self).unwrap_or(0)
    }

    /// The column a header cell names (case is ignored, as Excel users
    /// might capitalise).
    pub fn from_name(name: &str) -> Option<Column> {
        Column::ALL.into_iter().find(|c| c.name().eq_ignore_ascii_case(name))
    }

    /// Where a field problem sorts within a row; the whole-row problems last.
    pub fn order_of(field: Option<&str>) -> usize {
        field.and_then(Column::from_name).map_or(Column::ALL.len(), Column::index)
    }
}

/// One seller row: its row number as Excel shows it (the header is row 1
/// when it is the first line) and its values, trimmed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CsvSeller {
    pub row: usize,
    values: [String; 11],
}

impl CsvSeller {
    /// The value of a column, trimmed; empty when left blank.
    pub fn value(&self, column: Column) -> &str {
        &self.values[column.index()]
    }
}

/// A problem with one row, or one field of it, as the API reports it.
/// Pages word it by `code`, `field` and `params`, never by `message`.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct RowError {
    /// The row number Excel shows (the header row is 1).
    pub row: usize,
    /// The column, e.g. `phone`; `null` when the problem is the whole row.
    pub field: Option<String>,
    /// Stable machine-readable code, from the same table as every error's
    /// `code`: `required`, `invalid_format`, `invalid_input`, `too_long`,
    /// `control_characters`, `unknown_value`, `already_taken`.
    pub code: ErrorCode,
    /// English, for integrators; it may be reworded at any time.
    pub message: String,
    /// What a translation needs: the limits and expectations of the field's
    /// rule (`max`, `expected`…); `same_as_row`, the earlier row of the file
    /// with the same phone or national ID (`already_taken`); `excel`,
    /// `leading_zero` or `scientific` when the value looks like a number
    /// Excel mangled, with the `value` as written; `column` (1-based) and
    /// `value` of a cell beyond the named columns (`field` is then `null`).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Object>)]
    pub params: Option<Map<String, Value>>,
}

impl RowError {
    pub fn new(row: usize, field: Option<&str>, code: ErrorCode, message: impl Into<String>) -> Self {
        RowError { row, field: field.map(str::to_string), code, message: message.into(), params: None }
    }

    /// Adds a number or word a translation needs.
    pub fn param(mut self, name: &str, value: impl Into<Value>) -> Self {
        self.params.get_or_insert_with(Map::new).insert(name.to_string(), value.into());
        self
    }

    /// Adds every one of `params`.
    pub fn params(mut self, params: &Map<String, Value>) -> Self {
        for (name, value) in params {
            self = self.param(name, value.clone());
        }
        self
    }
}

/// The rows of a file whose shape is right, and the rows whose shape is not
/// (more values than the header names).
#[derive(Debug, Default)]
pub struct ParsedFile {
    pub rows: Vec<CsvSeller>,
    pub problems: Vec<RowError>,
}

/// A problem with the file as a whole: nothing in it can be trusted.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CsvError {
    #[error(
        "this is an Excel workbook, not a CSV file: in Excel choose File › Save As › \
         \"CSV UTF-8 (Comma delimited) (*.csv)\" and upload that file"
    )]
    Workbook,
    #[error(
        "the file is UTF-16 (Excel's \"Unicode Text\"): in Excel choose File › Save As › \
         \"CSV UTF-8 (Comma delimited) (*.csv)\" and upload that file"
    )]
    Utf16,
    #[error(
        "the file is not UTF-8 (first unreadable byte on line {line}); Excel's plain \"CSV\" \
         uses the Windows code page and garbles Vietnamese letters: save it again as \
         \"CSV UTF-8 (Comma delimited) (*.csv)\""
    )]
    NotUtf8 { line: usize },
    #[error("the file is empty; its first row must name the columns: {}", expected_columns())]
    Empty,
    #[error("the file has a header row but no sellers: add one row per seller below the header")]
    NoRows,
    #[error("the header row does not match: {}", columns_message(.missing, .unknown, .repeated))]
    Columns { missing: Vec<&'static str>, unknown: Vec<String>, repeated: Vec<String> },
    #[error("the file has {found} sellers but at most {max} fit in one file: split it into several files", max = MAX_ROWS)]
    TooManyRows { found: usize },
    #[error(
        "a quoted value starting in row {row} is never closed (a `\"` is missing), so the rest \
         of the file was read as one value"
    )]
    UnclosedQuote { row: usize },
}

fn expected_columns() -> String {
    let names: Vec<&str> = Column::ALL.iter().map(|c| c.name()).collect();
    format!("{} (any order; farm_name may be left out)", names.join(", "))
}

fn columns_message(missing: &[&str], unknown: &[String], repeated: &[String]) -> String {
    let quoted = |names: Vec<&str>| names.iter().map(|n| format!("`{n}`")).collect::<Vec<_>>().join(", ");
    let mut parts = Vec::new();
    if !missing.is_empty() {
        parts.push(format!("missing {}", quoted(missing.to_vec())));
    }
    if !unknown.is_empty() {
        parts.push(format!("unknown {}", quoted(unknown.iter().map(String::as_str).collect())));
    }
    if !repeated.is_empty() {
        parts.push(format!("repeated {}", quoted(repeated.iter().map(String::as_str).collect())));
    }
    format!("{}. The first row must name exactly these columns: {}", parts.join("; "), expected_columns())
}

/// A cell with line breaks (Alt+Enter in Excel) becomes one line: no name,
/// phone or address is stored with a line break in it.
fn clean_value(raw: &str) -> String {
    if !raw.contains(['\n', '\r']) {
        return raw.trim().to_string();
    }
    let mut out = String::new();
    for line in raw.lines().map(str::trim).filter(|l| !l.is_empty()) {
        if !out.is_empty() {
            out.push_str(if out.ends_with([',', ';']) { " " } else { ", " });
        }
        out.push_str(line);
    }
    out
}

/// Excel writes `;` between values where the decimal separator is a comma,
/// as in Vietnamese regional settings; the header (plain names, never
/// quoted) tells which one this file uses.
fn delimiter(text: &str) -> u8 {
    let header = text.lines().find(|l| !l.trim().is_empty()).unwrap_or("");
    [b',', b';', b'\t'].into_iter().max_by_key(|d| header.bytes().filter(|b| b == d).count()).unwrap_or(b',')
}

/// Reads the file. Rows that are entirely blank are skipped but still
/// counted, as Excel shows them.
pub fn parse(bytes: &[u8]) -> Result<ParsedFile, CsvError> {
    if bytes.starts_with(b"PK\x03\x04") || bytes.starts_with(b"\xD0\xCF\x11\xE0") {
        return Err(CsvError::Workbook);
    }
    if bytes.starts_with(b"\xFF\xFE") || bytes.starts_with(b"\xFE\xFF") {
        return Err(CsvError::Utf16);
    }
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let text = std::str::from_utf8(bytes).map_err(|e| CsvError::NotUtf8 {
        line: 1 + bytes[..e.valid_up_to()].iter().filter(|b| **b == b'\n').count(),
    })?;
    // A CR alone ends a line (old Mac files, or a stray one in a Windows
    // file) and the reader ends a record there, but it counts lines by LF:
    // without this, two records would share one row number.
    let lf_only;
    let text = if text.split("\r\n").any(|part| part.contains('\r')) {
        lf_only = text.replace("\r\n", "\n").replace('\r', "\n");
        lf_only.as_str()
    } else {
        text
    };
    let data = text.as_bytes();
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter(text))
        .from_reader(data);
    let mut header: Option<Vec<Option<Column>>> = None;
    let mut parsed = ParsedFile::default();
    let mut found = 0;
    // Line breaks inside quoted values: Excel shows such a record as one
    // row, so they do not count towards the row numbers after it.
    let mut breaks_inside_values = 0;
    let mut last: Option<(usize, bool)> = None;
    let mut record = csv::StringRecord::new();
    loop {
        // The reader works on a `&str` already checked to be UTF-8: it has
        // nothing left to fail on, but a failure is still an answer.
        match reader.read_record(&mut record) {
            Ok(true) => {}
            Ok(false) => break,
            Err(_) => return Err(CsvError::NotUtf8 { line: 1 }),
        }
        let row = excel_row(data, &record, breaks_inside_values);
        let breaks: usize = record.iter().map(|f| f.matches('\n').count()).sum();
        breaks_inside_values += breaks;
        last = Some((row, breaks > 0));
        if record.iter().all(|f| f.trim().is_empty()) {
            continue;
        }
        let Some(columns) = &header else {
            header = Some(read_header(&record)?);
            continue;
        };
        found += 1;
        if found > MAX_ROWS {
            continue;
        }
        let mut values: [String; 11] = Default::default();
        for (i, raw) in record.iter().enumerate() {
            match columns.get(i).copied().flatten() {
                Some(column) => values[column.index()] = clean_value(raw),
                None if raw.trim().is_empty() => {}
                None => {
                    let value = clean_value(raw);
                    let message = format!(
                        "value `{value}` in column {} has no column name in the header row; a value \
                         that contains a comma must be in quotes",
                        i + 1
                    );
                    parsed.problems.push(
                        RowError::new(row, None, ErrorCode::InvalidFormat, message)
                            .param("column", i + 1)
                            .param("value", value),
                    );
                }
            }
        }
        parsed.rows.push(CsvSeller { row, values });
    }
    if text.matches('"').count() % 2 == 1 {
        if let Some((row, true)) = last {
            return Err(CsvError::UnclosedQuote { row });
        }
    }
    match header {
        None => Err(CsvError::Empty),
        Some(_) if found == 0 => Err(CsvError::NoRows),
        Some(_) if found > MAX_ROWS => Err(CsvError::TooManyRows { found }),
        Some(_) => Ok(parsed),
    }
}

/// The row Excel shows for a record: the line it starts on, less the line
/// breaks inside earlier quoted values. The reader reports where it began
/// reading, before the blank lines it skipped, so those are stepped over.
fn excel_row(data: &[u8], record: &csv::StringRecord, breaks_inside_values: usize) -> usize {
    let Some(position) = record.position() else {
        return 0;
    };
    let mut line = position.line() as usize;
    let start = (position.byte() as usize).min(data.len());
    for b in data[start..].iter().take_while(|b| matches!(b, b'\r' | b'\n')) {
        line += usize::from(*b == b'\n');
    }
    line.saturating_sub(breaks_inside_values)
}

fn read_header(record: &csv::StringRecord) -> Result<Vec<Option<Column>>, CsvError> {
    let mut columns = Vec::new();
    let (mut unknown, mut repeated) = (Vec::new(), Vec::new());
    for name in record.iter().map(str::trim) {
        // Excel writes empty header cells for columns formatted but unused;
        // a value under one is reported on its row.
        let column = match Column::from_name(name) {
            _ if name.is_empty() => None,
            Some(c) if columns.contains(&Some(c)) => {
                repeated.push(name.to_string());
                None
            }
            Some(c) => Some(c),
            None => {
                unknown.push(name.to_string());
                None
            }
        };
        columns.push(column);
    }
    let missing: Vec<&'static str> = Column::ALL
        .into_iter()
        .filter(|c| c.required() && !columns.contains(&Some(*c)))
        .map(Column::name)
        .collect();
    if missing.is_empty() && unknown.is_empty() && repeated.is_empty() {
        Ok(columns)
    } else {
        Err(CsvError::Columns { missing, unknown, repeated })
    }
}

/// How Excel mangles a number typed in a column formatted as a number:
/// `params.excel` of the row problem, so pages can explain it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExcelDamage {
    /// A leading 0 dropped (phone, CCCD, commune code).
    LeadingZero,
    /// A long number written in scientific notation (`8,08E+09`): digits lost.
    Scientific,
}

impl ExcelDamage {
    pub const ALL: [ExcelDamage; 2] = [ExcelDamage::LeadingZero, ExcelDamage::Scientific];

    /// The value of `params.excel`.
    pub fn as_str(self) -> &'static str {
        match self {
            ExcelDamage::LeadingZero => "leading_zero",
            ExcelDamage::Scientific => "scientific",
        }
    }
}

/// A value Excel has mangled because the column was formatted as a number:
/// what happened and the explanation staff need instead of a bare
/// "invalid". The value is never repaired by guessing: a CCCD with a digit
/// missing by mistake would look the same as one whose leading 0 Excel
/// dropped.
pub fn excel_hint(column: Column, raw: &str) -> Option<(ExcelDamage, String)> {
    const FIX: &str = "format the column as Text in Excel, type the numbers again, and save as \
                       \"CSV UTF-8 (Comma delimited) (*.csv)\"";
    let digits = !raw.is_empty() && raw.bytes().all(|b| b.is_ascii_digit());
    let scientific = {
        let upper = raw.to_ascii_uppercase();
        upper.contains("E+") && upper.bytes().all(|b| b.is_ascii_digit() || b".,E+".contains(&b))
    };
    if scientific
        && matches!(
            column,
            Column::Phone | Column::NationalId | Column::BankAccountNumber | Column::CommuneCode
        )
    {
        return Some((
            ExcelDamage::Scientific,
            format!("`{raw}` is a number Excel wrote in scientific notation, so digits are lost: {FIX}"),
        ));
    }
    let dropped = match column {
        Column::Phone => digits && raw.len() == 9 && !raw.starts_with('0'),
        Column::NationalId => {
            digits
                && (10..=11).contains(&raw.len())
                && super::rules::validate_national_id(&format!("{raw:0>12}")).is_ok()
        }
        Column::CommuneCode => digits && raw.len() < 5,
        _ => false,
    };
    dropped.then(|| {
        let what = match column {
            Column::Phone => "a phone number has 10 digits starting with 0",
            Column::NationalId => "a CCCD has 12 digits starting with 0",
            _ => "a commune code has 5 digits",
        };
        (
            ExcelDamage::LeadingZero,
            format!("`{raw}` looks like Excel dropped the leading zero ({what}): {FIX}"),
        )
    })
}

#[cfg(test)]
#[path = "spreadsheet_tests.rs"]
mod tests;
