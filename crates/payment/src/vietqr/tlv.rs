//! EMVCo tag-length-value data objects: a reader and a writer.
//!
//! A data object is a two-digit tag (`00`..=`99`), a two-digit length
//! (`01`..=`99`) and that many characters of value. A template is a value
//! that is itself a run of data objects. Both the reader and the writer
//! work on printable ASCII only (0x20..=0x7E): VietQR fields are of the
//! EMVCo "ans" kind, and bank apps disagree on how to count the length of
//! anything else, so the reader refuses to guess.
//!
//! Nothing here knows about VietQR; see [`crate::VietQr`] for that.

use super::crc::crc16_ccitt_false;
use crate::PaymentError;

/// The largest tag and the largest length.
const MAX_TWO_DIGITS: usize = 99;

/// One data object read from a payload or template.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DataObject<'a> {
    tag: u8,
    value: &'a str,
    offset: usize,
}

impl<'a> DataObject<'a> {
    /// The tag, `0..=99`.
    pub fn tag(&self) -> u8 {
        self.tag
    }

    /// The value, 1 to 99 printable ASCII characters.
    pub fn value(&self) -> &'a str {
        self.value
    }

    /// Byte offset of the tag from the start of the outermost payload.
    pub fn offset(&self) -> usize {
        self.offset
    }

    /// Reads the value as a nested template.
    pub fn nested(&self) -> Result<Template<'a>, PaymentError> {
        Template::parse_at(self.value, self.offset + 4)
    }
}

/// The data objects of one template (or of a whole payload), in the order
/// they appear, each tag at most once.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Template<'a> {
    objects: Vec<DataObject<'a>>,
}

impl<'a> Template<'a> {
    /// Reads `input` as a run of data objects that fills it exactly.
    ///
    /// Rejects non-printable-ASCII input, tags or lengths that are not two
    /// digits, empty values, lengths running past the end of `input`, and a
    /// tag appearing twice.
    pub fn parse(input: &'a str) -> Result<Self, PaymentError> {
        Template::parse_at(input, 0)
    }

    fn parse_at(input: &'a str, base: usize) -> Result<Self, PaymentError> {
        let bytes = input.as_bytes();
        if let Some(i) = bytes.iter().position(|b| !is_printable_ascii(*b)) {
            return Err(PaymentError::NotPrintableAscii { offset: base + i });
        }
        let mut objects: Vec<DataObject<'a>> = Vec::new();
        let mut seen = [false; MAX_TWO_DIGITS + 1];
        let mut pos = 0;
        while pos < bytes.len() {
            let offset = base + pos;
            let header = bytes.get(pos..pos + 4).ok_or(PaymentError::Truncated { offset })?;
            let tag = two_digits(&header[..2]).ok_or(PaymentError::BadTag { offset })?;
            let len = two_digits(&header[2..]).ok_or(PaymentError::BadLength { tag, offset })?;
            if len == 0 {
                return Err(PaymentError::EmptyValue { tag, offset });
            }
            let start = pos + 4;
            let available = bytes.len() - start;
            let len = usize::from(len);
            let value = input.get(start..start + len).ok_or(PaymentError::LengthOverrun {
                tag,
                offset,
                len,
                available,
            })?;
            let slot = &mut seen[usize::from(tag)];
            if *slot {
                return Err(PaymentError::DuplicateTag { tag, offset });
            }
            *slot = true;
            objects.push(DataObject { tag, value, offset });
            pos = start + len;
        }
        Ok(Template { objects })
    }

    /// The data object with this tag, if present.
    pub fn get(&self, tag: u8) -> Option<&DataObject<'a>> {
        self.objects.iter().find(|o| o.tag == tag)
    }

    /// All data objects, in the order they appear.
    pub fn objects(&self) -> &[DataObject<'a>] {
        &self.objects
    }
}

/// Writes data objects in strictly ascending tag order (so never twice the
/// same tag), each value 1 to 99 printable ASCII characters.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Writer {
    out: String,
    last_tag: Option<u8>,
}

impl Writer {
    /// An empty writer.
    pub fn new() -> Self {
        Writer::default()
    }

    /// Appends one data object.
    pub fn put(&mut self, tag: u8, value: &str) -> Result<&mut Self, PaymentError> {
        if usize::from(tag) > MAX_TWO_DIGITS {
            return Err(PaymentError::CannotEncode { tag, reason: "tag above 99" });
        }
        if self.last_tag.is_some_and(|last| tag <= last) {
            return Err(PaymentError::CannotEncode { tag, reason: "tags must be in ascending order" });
        }
        if value.is_empty() {
            return Err(PaymentError::CannotEncode { tag, reason: "empty value" });
        }
        if value.len() > MAX_TWO_DIGITS {
            return Err(PaymentError::CannotEncode { tag, reason: "value longer than 99 characters" });
        }
        if !value.bytes().all(is_printable_ascii) {
            return Err(PaymentError::CannotEncode { tag, reason: "value is not printable ASCII" });
        }
        self.out.push_str(&format!("{tag:02}{:02}{value}", value.len()));
        self.last_tag = Some(tag);
        Ok(self)
    }

    /// Appends a template: `inner`'s output becomes the value of `tag`.
    pub fn put_template(&mut self, tag: u8, inner: &Writer) -> Result<&mut Self, PaymentError> {
        self.put(tag, inner.as_str())
    }

    /// What has been written so far.
    pub fn as_str(&self) -> &str {
        &self.out
    }

    /// The written data objects, without a CRC.
    pub fn into_string(self) -> String {
        self.out
    }

    /// Appends the CRC data object `63` (CRC-16/CCITT-FALSE over everything
    /// before its value, `6304` included, as four upper-case hex digits)
    /// and returns the payload. Fails if tag 63 or above was written.
    pub fn finish_with_crc(mut self) -> Result<String, PaymentError> {
        if self.last_tag.is_some_and(|last| last >= CRC_TAG) {
            return Err(PaymentError::CannotEncode {
                tag: CRC_TAG,
                reason: "the CRC must be the last data object",
            });
        }
        self.out.push_str("6304");
        let crc = crc16_ccitt_false(self.out.as_bytes());
        self.out.push_str(&format!("{crc:04X}"));
        Ok(self.out)
    }
}

/// The EMVCo tag of the CRC.
pub const CRC_TAG: u8 = 63;

fn is_printable_ascii(b: u8) -> bool {
    (0x20..=0x7E).contains(&b)
}

fn two_digits(pair: &[u8]) -> Option<u8> {
    match pair {
        [a @ b'0'..=b'9', b @ b'0'..=b'9'] => Some((a - b'0') * 10 + (b - b'0')),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use super::*;

    #[test]
    fn reads_flat_and_nested() {
        // 01 03 abc | 02 08 [ 00 04 wxyz ]
        let t = Template::parse("0103abc02080004wxyz").unwrap();
        assert_eq!(t.objects().len(), 2);
        assert_eq!(t.get(1).unwrap().value(), "abc");
        let inner = t.get(2).unwrap();
        assert_eq!(inner.offset(), 7);
        let nested = inner.nested().unwrap();
        assert_eq!(nested.get(0).unwrap().value(), "wxyz");
        // Offsets inside templates count from the start of the payload.
        assert_eq!(nested.get(0).unwrap().offset(), 11);
        assert!(t.get(3).is_none());
    }

    #[test]
    fn empty_input_is_an_empty_template() {
        assert!(Template::parse("").unwrap().objects().is_empty());
    }

    #[test]
    fn rejects_malformed_input() {
        assert_eq!(Template::parse("010"), Err(PaymentError::Truncated { offset: 0 }));
        assert_eq!(Template::parse("0101a02"), Err(PaymentError::Truncated { offset: 5 }));
        assert_eq!(Template::parse("0A01a"), Err(PaymentError::BadTag { offset: 0 }));
        assert_eq!(Template::parse("01x1a"), Err(PaymentError::BadLength { tag: 1, offset: 0 }));
        assert_eq!(Template::parse("01 1a"), Err(PaymentError::BadLength { tag: 1, offset: 0 }));
        assert_eq!(Template::parse("0100"), Err(PaymentError::EmptyValue { tag: 1, offset: 0 }));
        assert_eq!(
            Template::parse("0105abc"),
            Err(PaymentError::LengthOverrun { tag: 1, offset: 0, len: 5, available: 3 })
        );
        assert_eq!(
            Template::parse(concat!("01011", "02011", "01011")),
            Err(PaymentError::DuplicateTag { tag: 1, offset: 10 })
        );
        assert_eq!(Template::parse("0102é"), Err(PaymentError::NotPrintableAscii { offset: 4 }));
        assert_eq!(Template::parse("0101\n"), Err(PaymentError::NotPrintableAscii { offset: 4 }));
    }

    #[test]
    fn nested_length_cannot_run_past_its_parent() {
        // 02 06 [ 00 05 ab ] 03 01 x: the inner 05 would reach into tag 03.
        let t = Template::parse("02060005ab0301x").unwrap();
        assert_eq!(
            t.get(2).unwrap().nested(),
            Err(PaymentError::LengthOverrun { tag: 0, offset: 4, len: 5, available: 2 })
        );
    }

    #[test]
    fn writer_writes_and_refuses() {
        let mut inner = Writer::new();
        inner.put(0, "wxyz").unwrap();
        let mut w = Writer::new();
        w.put(1, "abc").unwrap().put_template(2, &inner).unwrap();
        assert_eq!(w.as_str(), "0103abc02080004wxyz");

        assert!(w.put(2, "x").is_err(), "same tag twice");
        assert!(w.put(1, "x").is_err(), "descending tag");
        assert!(w.put(100, "x").is_err());
        assert!(w.put(10, "").is_err());
        assert!(w.put(10, &"x".repeat(100)).is_err());
        assert!(w.put(10, "đ").is_err());
        assert!(w.put(10, &"x".repeat(99)).is_ok());
        assert!(w.as_str().ends_with(&format!("1099{}", "x".repeat(99))));
    }

    #[test]
    fn crc_is_appended_last() {
        let mut w = Writer::new();
        w.put(0, "01").unwrap();
        // AAE6 = CRC-16/CCITT-FALSE of "0002016304", from an independent
        // implementation: Python's binascii.crc_hqx(b"0002016304", 0xFFFF).
        assert_eq!(w.clone().finish_with_crc().unwrap(), "0002016304AAE6");
        w.put(63, "0000").unwrap();
        assert!(w.finish_with_crc().is_err());
    }
}
