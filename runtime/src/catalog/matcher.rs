//! Steps of the generated message matcher (the rules are in
//! `oss_callback_catalog::message`, whose `match_text` implements them too). Each takes the input and a byte position and returns the position after the step.

/// Position of the first non-whitespace byte.
#[inline(always)]
#[must_use]
pub fn start(s: &str) -> usize {
    skip_space(s.as_bytes(), 0)
}

/// The ASCII whitespace bytes (as `u8::is_ascii_whitespace`) as a bit set.
const WHITESPACE: u64 = 1 << b'\t' | 1 << b'\n' | 1 << 0x0C | 1 << b'\r' | 1 << b' ';

#[inline(always)]
fn is_space(b: u8) -> bool {
    b <= b' ' && (WHITESPACE >> b) & 1 == 1
}

#[inline(always)]
fn skip_space(bytes: &[u8], mut at: usize) -> usize {
    while bytes.get(at).is_some_and(|b| is_space(*b)) {
        at += 1;
    }
    at
}

/// Up to 16 bytes of literal text, packed for a single comparison; built at compile time.
#[derive(Clone, Copy, Debug)]
pub struct Chunk {
    /// The lower-case bytes, little-endian.
    lit: u128,
    /// `0x20` at the letters: OR-ing it folds ASCII upper case to lower case.
    fold: u128,
    /// `0xFF` at the chunk's bytes.
    keep: u128,
    len: usize,
}

impl Chunk {
    /// Packs `lower` (lower case, at most 16 bytes; longer input is cut at 16).
    #[must_use]
    pub const fn new(lower: &[u8]) -> Chunk {
        let (mut lit, mut fold, mut keep) = (0u128, 0u128, 0u128);
        let mut len = 0;
        let mut rest = lower;
        while let [b, tail @ ..] = rest {
            if len == 16 {
                break;
            }
            lit |= (*b as u128) << (8 * len);
            keep |= 0xFF << (8 * len);
            if b.is_ascii_lowercase() {
                fold |= 0x20 << (8 * len);
            }
            len += 1;
            rest = tail;
        }
        Chunk {
            lit,
            fold,
            keep,
            len,
        }
    }
}

/// Literal text, ASCII case-insensitively, compared 16 bytes at once.
#[inline(always)]
#[must_use]
pub fn chunk(s: &str, at: usize, chunk: Chunk) -> Option<usize> {
    let bytes = s.as_bytes();
    // Positions never pass the end of the input, so these additions cannot overflow.
    let end = at + chunk.len;
    let value = if let Some(sixteen) = bytes.get(at..at + 16) {
        u128::from_le_bytes(sixteen.try_into().ok()?) & chunk.keep
    } else if end >= 16 {
        // Near the end of the input: load the 16 bytes that end with the chunk, and shift.
        let sixteen = bytes.get(end - 16..end)?;
        u128::from_le_bytes(sixteen.try_into().ok()?) >> (128 - 8 * chunk.len)
    } else {
        // An input shorter than 16 bytes.
        let rest = bytes.get(at..end)?;
        let mut sixteen = [0u8; 16];
        sixteen.get_mut(..rest.len())?.copy_from_slice(rest);
        u128::from_le_bytes(sixteen)
    };
    (value | chunk.fold == chunk.lit).then_some(end)
}

/// A punctuation character (ASCII) with optional whitespace on both sides.
#[inline(always)]
#[must_use]
pub fn punct(s: &str, at: usize, c: u8) -> Option<usize> {
    let bytes = s.as_bytes();
    let at = skip_space(bytes, at);
    (bytes.get(at) == Some(&c)).then(|| skip_space(bytes, at + 1))
}

/// The byte at `at`, ASCII lower-cased.
#[inline(always)]
#[must_use]
pub fn peek(s: &str, at: usize) -> Option<u8> {
    s.as_bytes().get(at).map(u8::to_ascii_lowercase)
}

/// Any whitespace.
#[inline(always)]
#[must_use]
pub fn skip(s: &str, at: usize) -> usize {
    skip_space(s.as_bytes(), at)
}

/// At least one whitespace character.
#[inline(always)]
#[must_use]
pub fn space(s: &str, at: usize) -> Option<usize> {
    let end = skip_space(s.as_bytes(), at);
    (end > at).then_some(end)
}

/// An integer `-?[0-9]+` that fits `T`.
#[inline(always)]
#[must_use]
pub fn int<T: TryFrom<u64> + TryFrom<i64>>(s: &str, at: usize) -> Option<(T, usize)> {
    let bytes = s.as_bytes();
    let negative = bytes.get(at) == Some(&b'-');
    let mut end = at + usize::from(negative);
    let digits = end;
    let mut magnitude: u64 = 0;
    while let Some(digit) = bytes.get(end).filter(|b| b.is_ascii_digit()) {
        // More than 64 bits fits no placeholder type.
        magnitude = magnitude
            .checked_mul(10)?
            .checked_add(u64::from(digit - b'0'))?;
        end += 1;
    }
    if end == digits {
        return None;
    }
    let value = if negative {
        T::try_from(0i64.checked_sub_unsigned(magnitude)?).ok()?
    } else {
        T::try_from(magnitude).ok()?
    };
    Some((value, end))
}

/// A non-empty run up to whitespace or `stop`.
#[inline(always)]
#[must_use]
pub fn text(s: &str, at: usize, stop: Option<u8>) -> Option<(&str, usize)> {
    let bytes = s.as_bytes();
    let mut end = at;
    while let Some(b) = bytes.get(end) {
        if is_space(*b) || Some(*b) == stop {
            break;
        }
        end += 1;
    }
    if end == at {
        return None;
    }
    Some((s.get(at..end)?, end))
}

/// The end of a message: with `whole`, an optional final dot and whitespace, then the end of
/// the input; inside a longer text, an optional final dot, then no letter or digit. The
/// position after the message.
#[inline(always)]
#[must_use]
pub fn end(s: &str, at: usize, whole: bool) -> Option<usize> {
    let bytes = s.as_bytes();
    if whole {
        let mut at = skip_space(bytes, at);
        if bytes.get(at) == Some(&b'.') {
            at = skip_space(bytes, at + 1);
        }
        return (at == bytes.len()).then_some(at);
    }
    if bytes.get(at) == Some(&b'.') {
        return match bytes.get(at + 1) {
            Some(b) if b.is_ascii_alphanumeric() => None,
            _ => Some(at + 1),
        };
    }
    // Whitespace that the last step skipped (after punctuation) ends the message.
    let mut end = at;
    while end > 0 && bytes.get(end - 1).is_some_and(|b| is_space(*b)) {
        end -= 1;
    }
    match bytes.get(at) {
        _ if end < at => Some(end),
        Some(b) if b.is_ascii_alphanumeric() => None,
        _ if words_continue(bytes, at) => None,
        _ => Some(at),
    }
}

/// Whether another word follows on the same line (`502 please retry`): the message, which
/// lacks its final dot here, is then part of a longer sentence, not a message of its own.
fn words_continue(bytes: &[u8], mut at: usize) -> bool {
    while matches!(bytes.get(at), Some(b' ' | b'\t')) {
        at += 1;
    }
    bytes.get(at).is_some_and(u8::is_ascii_alphanumeric)
}

/// The bytes a message can start with, as a table built at compile time.
#[derive(Clone, Copy, Debug)]
pub struct Starts([bool; 256]);

impl Starts {
    /// Any byte (a template starts with a placeholder or punctuation).
    pub const ANY: Starts = Starts([true; 256]);

    /// Exactly `bytes`.
    #[must_use]
    pub const fn new(bytes: &[u8]) -> Starts {
        let mut table = [false; 256];
        let mut rest = bytes;
        while let [b, tail @ ..] = rest {
            #[allow(clippy::indexing_slicing)] // A byte indexes 256 entries.
            {
                table[*b as usize] = true;
            }
            rest = tail;
        }
        Starts(table)
    }

    #[inline(always)]
    fn contains(&self, b: u8) -> bool {
        self.0.get(usize::from(b)).copied().unwrap_or(false)
    }
}

/// The leftmost message in `text` that `at` (the generated matcher, with `whole` false)
/// finds at a word start, with its byte range.
#[inline]
pub fn find<T>(
    text: &str,
    starts: &Starts,
    at: impl Fn(&str, usize, bool) -> Option<(T, usize)>,
) -> Option<(T, std::ops::Range<usize>)> {
    let bytes = text.as_bytes();
    let mut after_word = false;
    for (p, b) in bytes.iter().enumerate() {
        if !after_word && starts.contains(*b) {
            if let Some((found, end)) = at(text, p, false) {
                return Some((found, p..end));
            }
        }
        after_word = b.is_ascii_alphanumeric();
    }
    None
}
