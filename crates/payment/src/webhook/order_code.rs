//! Finding order codes in the free text of a bank transfer.
//!
//! An order code is `NS` and 8 Crockford base32 characters
//! (`0123456789ABCDEFGHJKMNPQRSTVWXYZ`: no I, L, O, U), e.g. `NS7K2M9QXA`.
//! The buyer's bank app puts it in the transfer description, but by the
//! time the description reaches us the bank may have changed it: upper or
//! lower case, the buyer's own spaces or dashes inside it, the bank's
//! prefixes glued on (Vietcombank's `MBVCB.<ref>.` and `.CT tu <account>
//! <NAME> toi …` trailer, `IBFT`, the NAPAS trace numbers of transfers from
//! other banks, Techcombank's `FT…` reference), and a buyer who typed the
//! code by hand may have written `O` for `0` or `I`/`l` for `1`.
//!
//! # Algorithm
//!
//! 1. **Fold** the text: Unicode compatibility decomposition, combining
//!    marks dropped, `đ`→`d`, ASCII letters upper-cased (as
//!    [`crate::ascii_purpose`] does). What remains is split into *runs* of
//!    ASCII letters and digits; everything else (spaces, punctuation,
//!    letters with no ASCII form, emoji) is a separator, and the number of
//!    separator characters before each run is remembered.
//! 2. **Anchor** on every `NS` inside a run, at any position, so that a
//!    glued prefix (`IBFTNS7K2M9QXA`) does not hide it. The `N` and `S`
//!    must touch: a code split between them is not looked for, because
//!    every word ending in N followed by one starting with S would anchor.
//! 3. **Read 8 characters** after the anchor:
//!    - *in the run*: if the run has at least 8 more characters, the next
//!      8, whatever follows them (a glued suffix such as `…QXACT` is
//!      tolerated);
//!    - *joined*: otherwise the rest of the run plus **whole** following
//!      runs, each after a gap of at most [`MAX_GAP`] separator characters,
//!      must make exactly 8 (`ns 7k2m-9qxa`). Requiring whole runs is what
//!      keeps joining from pulling parts of the next words into a code.
//! 4. **Canonicalise** each of the 8: a Crockford character as it is, `O`
//!    as `0`, `I` and `L` as `1`; any other character (`U`) and there is
//!    no candidate at this anchor.
//! 5. **Rank**: a candidate read in the run with no confusable fixed is
//!    exact (rank 0); one that needed joining *or* fixing ranks 1; one
//!    that needed both ranks 2. Candidates are ordered by rank, then by
//!    where their anchor is in the text; a code found more than once keeps
//!    its best rank and its first position at that rank.
//!
//! The caller looks the candidates up among unpaid orders and accepts the
//! transfer only when exactly one matches, so a false candidate costs a
//! database lookup, never a wrong match. Reading "NS" plus 8 letters of an
//! ordinary word is the main source of false candidates; Vietnamese words
//! never end in "ns" and mostly hold a U, I, O or L, which keeps them
//! rare. A code written without its `NS` is not looked for.

use unicode_normalization::char::is_combining_mark;
use unicode_normalization::UnicodeNormalization;

/// The 32 characters of Crockford base32, as order codes use them.
pub const ORDER_CODE_ALPHABET: &str = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
/// Every order code starts with this.
pub const ORDER_CODE_PREFIX: &str = "NS";
/// Characters after the prefix.
pub const ORDER_CODE_BODY_LEN: usize = 8;
/// The most separator characters (as in `" - "`) bridged between two
/// pieces of one code.
pub const MAX_GAP: usize = 3;

/// Whether `s` is an order code in canonical form: `NS` and 8 upper-case
/// Crockford base32 characters, nothing else.
pub fn is_order_code(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == ORDER_CODE_PREFIX.len() + ORDER_CODE_BODY_LEN
        && s.starts_with(ORDER_CODE_PREFIX)
        && b[ORDER_CODE_PREFIX.len()..].iter().all(|&c| is_crockford(c))
}

/// Every plausible order code in `content`, canonical (upper case,
/// confusables fixed), without duplicates, the most exact first, then in
/// order of appearance. See the module documentation for the algorithm.
pub fn candidate_order_codes(content: &str) -> Vec<String> {
    let runs = fold_into_runs(content);
    let mut found: Vec<Candidate> = Vec::new();
    for (r, run) in runs.iter().enumerate() {
        for p in anchors(&run.chars) {
            if let Some(candidate) = read_at(&runs, r, p) {
                match found.iter_mut().find(|c| c.code == candidate.code) {
                    Some(existing) if candidate.rank < existing.rank => *existing = candidate,
                    Some(_) => {}
                    None => found.push(candidate),
                }
            }
        }
    }
    // Stable: equal ranks stay in order of appearance.
    found.sort_by_key(|c| (c.rank, c.position));
    found.into_iter().map(|c| c.code).collect()
}

/// A maximal stretch of folded ASCII letters and digits.
struct Run {
    chars: Vec<u8>,
    /// Separator characters between the previous run and this one
    /// (`usize::MAX` for the first run: nothing to join to).
    gap_before: usize,
}

struct Candidate {
    code: String,
    rank: u8,
    /// Anchor position: (run index, byte in run).
    position: (usize, usize),
}

fn fold_into_runs(content: &str) -> Vec<Run> {
    let mut runs: Vec<Run> = Vec::new();
    let mut current: Vec<u8> = Vec::new();
    let mut gap = usize::MAX;
    for c in content.nfkd() {
        let c = match c {
            'đ' => 'd',
            'Đ' | 'Ð' => 'D',
            c => c,
        };
        if is_combining_mark(c) {
            continue;
        }
        if c.is_ascii_alphanumeric() {
            current.push(c.to_ascii_uppercase() as u8);
        } else {
            if !current.is_empty() {
                runs.push(Run { chars: std::mem::take(&mut current), gap_before: gap });
                gap = 0;
            }
            gap = gap.saturating_add(1);
        }
    }
    if !current.is_empty() {
        runs.push(Run { chars: current, gap_before: gap });
    }
    runs
}

/// Positions of every `NS` in a run.
fn anchors(chars: &[u8]) -> impl Iterator<Item = usize> + '_ {
    chars.windows(2).enumerate().filter(|(_, w)| w == b"NS").map(|(p, _)| p)
}

/// The candidate anchored at `NS` at byte `p` of run `r`, if any.
fn read_at(runs: &[Run], r: usize, p: usize) -> Option<Candidate> {
    let start = p + ORDER_CODE_PREFIX.len();
    let run = &runs[r].chars;
    let (body, joined) = if run.len() >= start + ORDER_CODE_BODY_LEN {
        (run[start..start + ORDER_CODE_BODY_LEN].to_vec(), false)
    } else {
        let mut body = run[start..].to_vec();
        let mut next = r + 1;
        while body.len() < ORDER_CODE_BODY_LEN {
            let following = runs.get(next)?;
            if following.gap_before > MAX_GAP {
                return None;
            }
            body.extend_from_slice(&following.chars);
            next += 1;
        }
        if body.len() != ORDER_CODE_BODY_LEN {
            return None;
        }
        (body, true)
    };
    let mut fixed = false;
    let mut code = String::with_capacity(ORDER_CODE_PREFIX.len() + ORDER_CODE_BODY_LEN);
    code.push_str(ORDER_CODE_PREFIX);
    for c in body {
        let canonical = match c {
            b'O' => b'0',
            b'I' | b'L' => b'1',
            c if is_crockford(c) => c,
            _ => return None,
        };
        fixed |= canonical != c;
        code.push(char::from(canonical));
    }
    Some(Candidate { code, rank: u8::from(joined) + u8::from(fixed), position: (r, p) })
}

fn is_crockford(c: u8) -> bool {
    matches!(c, b'0'..=b'9' | b'A'..=b'H' | b'J' | b'K' | b'M' | b'N' | b'P'..=b'T' | b'V'..=b'Z')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn alphabet_matches_is_crockford() {
        for c in 0u8..=255 {
            assert_eq!(is_crockford(c), ORDER_CODE_ALPHABET.as_bytes().contains(&c), "{c}");
        }
        assert_eq!(ORDER_CODE_ALPHABET.len(), 32);
    }

    #[test]
    fn canonical_codes() {
        assert!(is_order_code("NS7K2M9QXA"));
        assert!(is_order_code("NS00000000"));
        assert!(is_order_code("NSZZZZZZZZ"));
        for bad in [
            "ns7k2m9qxa",
            "NS7K2M9QX",
            "NS7K2M9QXAB",
            "NS7K2M9QXO",
            "NS7K2M9QXI",
            "NS7K2M9QXL",
            "NS7K2M9QXU",
            "NX7K2M9QXA",
            "NS 7K2M9QX",
            "",
            "NS7K2M9QXÁ",
        ] {
            assert!(!is_order_code(bad), "{bad:?}");
        }
    }

    #[test]
    fn folding_counts_gaps() {
        let runs = fold_into_runs("  Đơn: ns-7k2m  9qxa");
        let shown: Vec<(String, usize)> =
            runs.iter().map(|r| (String::from_utf8_lossy(&r.chars).into_owned(), r.gap_before)).collect();
        assert_eq!(
            shown,
            [
                ("DON".to_owned(), usize::MAX),
                ("NS".to_owned(), 2),
                ("7K2M".to_owned(), 1),
                ("9QXA".to_owned(), 2)
            ]
        );
    }

    #[test]
    fn ranks() {
        // Exact, joined, confusable, both; listed in that order whatever
        // the order in the text.
        let text = "NS 0I2M-9QXA, NSABCDEFGH and NS 7K2M-9QXA then NSO1234567";
        assert_eq!(candidate_order_codes(text), ["NSABCDEFGH", "NS7K2M9QXA", "NS01234567", "NS012M9QXA"]);
    }

    #[test]
    fn a_duplicate_keeps_its_best_rank() {
        assert_eq!(candidate_order_codes("ns 7k2m 9qxa (NS7K2M9QXA)"), ["NS7K2M9QXA"]);
        assert_eq!(candidate_order_codes("NS7K2M9QXA NS7K2M9QXA"), ["NS7K2M9QXA"]);
    }
}
