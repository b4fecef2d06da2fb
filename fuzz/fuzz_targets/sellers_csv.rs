//! The sellers file post-office staff upload (Excel saved as CSV): any bytes,
//! since what Excel writes varies with its version, language and settings.
//!
//! - `spreadsheet::parse` never panics; when it accepts a file it returns
//!   1 to `MAX_ROWS` rows whose row numbers (what staff look for in Excel)
//!   are at least 2 (the header is above), ascending, and within the
//!   file's lines; values are trimmed and hold no line break; every problem
//!   names a row that was read.
//! - A refusal for too many rows counts more than `MAX_ROWS`, and an
//!   encoding refusal names a line of the file.
//! - `rules::check_file`, what the import endpoint runs, never panics either.
#![no_main]

use libfuzzer_sys::fuzz_target;
use market::sellers::rules::check_file;
use market::sellers::spreadsheet::{excel_hint, parse, Column, CsvError, MAX_ROWS};

fuzz_target!(|data: &[u8]| {
    // Lines as Excel counts them: LF, CRLF and a CR alone each end one.
    let lf = data.iter().filter(|b| **b == b'\n').count();
    let lone_cr =
        data.iter().enumerate().filter(|(i, b)| **b == b'\r' && data.get(i + 1) != Some(&b'\n')).count();
    let lines = 1 + lf + lone_cr;

    match parse(data) {
        Ok(file) => {
            assert!((1..=MAX_ROWS).contains(&file.rows.len()), "{} rows", file.rows.len());
            let mut previous = 1;
            for seller in &file.rows {
                assert!(seller.row > previous, "row {} after row {previous}", seller.row);
                assert!(seller.row <= lines, "row {} of a file of {lines} lines", seller.row);
                previous = seller.row;
                for column in Column::ALL {
                    let value = seller.value(column);
                    assert_eq!(value, value.trim(), "untrimmed {column:?}");
                    assert!(!value.contains('\n'), "line break in {column:?}: {value:?}");
                    let _ = excel_hint(column, value);
                }
            }
            for problem in &file.problems {
                assert!(file.rows.iter().any(|s| s.row == problem.row), "problem on row {}", problem.row);
            }
        }
        Err(CsvError::TooManyRows { found }) => assert!(found > MAX_ROWS),
        Err(CsvError::NotUtf8 { line }) => assert!((1..=lines).contains(&line), "line {line} of {lines}"),
        Err(_) => {}
    }
    let _ = check_file(data);
});
