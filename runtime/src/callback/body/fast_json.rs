//! A one-pass reader of the JSON OSS writes: one flat object whose values are strings without
//! escapes, numbers, `true`, `false` or `null`. It hands out slices of the body; anything else
//! (escapes, arrays, objects, any syntax error) is left to serde_json, which stays the judge:
//! `tests/tests/from_body.rs` and the `callback_body` fuzz target check that both read the
//! same members.

use std::borrow::Cow;

use super::words::{below, equal, find, same};
use super::{CallbackError, Value};

/// Calls `visit` with each member in body order, stopping at its first error (still checking
/// the rest of the body). `None`: the body is outside the subset, and nothing it visited counts.
///
/// `keys` are the keys the caller expects, in the template's order, plain text (no `"`, `\`
/// or control character, as the derive's keys are). OSS writes the members in that order, so
/// the key after the last one found is compared with the body first, with no scan for its end.
pub fn for_each_member<'a>(
    body: &'a [u8],
    keys: &[&str],
    mut visit: impl FnMut(&str, &Value<'a>) -> Result<(), CallbackError>,
) -> Option<Result<(), CallbackError>> {
    // Valid JSON is valid UTF-8: checked once, every slice below is a `str`.
    let text = std::str::from_utf8(body).ok()?;
    let mut scan = Scanner { text, pos: 0 };
    let mut refused = None;
    let mut expected = 0;
    scan.token(b'{')?;
    let mut next = scan.next_token()?;
    if next != b'}' {
        loop {
            (next == b'"').then_some(())?;
            let key = match keys.get(expected) {
                Some(key) if scan.eat_key(key) => {
                    expected += 1;
                    key
                }
                _ => {
                    let key = scan.string()?;
                    scan.token(b':')?;
                    if let Some(index) = keys.iter().position(|known| *known == key) {
                        expected = index + 1;
                    }
                    key
                }
            };
            let value = scan.value()?;
            if refused.is_none() {
                if let Err(err) = visit(key, &value) {
                    refused = Some(err);
                }
            }
            match scan.next_token()? {
                b',' => next = scan.next_token()?,
                b'}' => break,
                _ => return None,
            }
        }
    }
    scan.skip_whitespace();
    (scan.pos == text.len()).then(|| refused.map_or(Ok(()), Err))
}

struct Scanner<'a> {
    text: &'a str,
    pos: usize,
}

impl<'a> Scanner<'a> {
    fn peek(&self) -> Option<u8> {
        self.text.as_bytes().get(self.pos).copied()
    }

    /// The next byte that is not whitespace, consumed.
    #[inline]
    fn next_token(&mut self) -> Option<u8> {
        let bytes = self.text.as_bytes();
        let mut pos = self.pos;
        // What OSS writes has no whitespace: one test, and no loop, for it.
        let mut byte = *bytes.get(pos)?;
        while byte <= b' ' && matches!(byte, b' ' | b'\n' | b'\r' | b'\t') {
            pos += 1;
            byte = *bytes.get(pos)?;
        }
        self.pos = pos + 1;
        Some(byte)
    }

    /// Consumes `byte`, after whitespace.
    #[inline]
    fn token(&mut self, byte: u8) -> Option<()> {
        (self.next_token()? == byte).then_some(())
    }

    /// JSON's whitespace, exactly: serde_json refuses any other.
    #[inline]
    fn skip_whitespace(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\n' | b'\r' | b'\t')) {
            self.pos += 1;
        }
    }

    /// The text from `start` to here.
    fn since(&self, start: usize) -> Option<&'a str> {
        self.text.get(start..self.pos)
    }

    /// Consumes `key`, its closing quote and the colon after it when the string here is
    /// exactly `key`, a plain one (nothing in it to unescape), and the colon follows at once.
    #[inline]
    fn eat_key(&mut self, key: &str) -> bool {
        let rest = self.text.as_bytes().get(self.pos..).unwrap_or_default();
        let found = rest.get(key.len()..key.len() + 2) == Some(b"\":")
            && rest
                .get(..key.len())
                .is_some_and(|head| same(head, key.as_bytes()));
        if found {
            self.pos += key.len() + 2;
        }
        found
    }

    /// A string's content after its opening quote, through the closing one. Escapes and the
    /// control characters JSON forbids are outside the subset.
    fn string(&mut self) -> Option<&'a str> {
        let start = self.pos;
        let rest = self.text.get(start..)?;
        let len = find(rest.as_bytes(), 0, string_stops)?;
        // A quote ends it: `len` is a char boundary, which `get` then knows without a test.
        (rest.as_bytes().get(len) == Some(&b'"')).then_some(())?;
        self.pos = start + len + 1;
        rest.get(..len)
    }

    /// A value, after whitespace.
    #[inline(always)]
    fn value(&mut self) -> Option<Value<'a>> {
        self.skip_whitespace();
        let start = self.pos;
        match self.peek()? {
            b'"' => {
                self.pos += 1;
                return self.string().map(|s| Value::Text(Cow::Borrowed(s)));
            }
            b'n' => return self.literal("null").then_some(Value::Null),
            b't' => self.literal("true").then_some(())?,
            b'f' => self.literal("false").then_some(())?,
            _ => self.number()?,
        }
        // Numbers and `true`/`false` as written, as serde_json's raw value keeps them.
        self.since(start).map(|s| Value::Text(Cow::Borrowed(s)))
    }

    fn literal(&mut self, word: &str) -> bool {
        let found = self
            .text
            .get(self.pos..)
            .is_some_and(|rest| rest.starts_with(word));
        if found {
            self.pos += word.len();
        }
        found
    }

    /// `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?`, JSON's grammar.
    fn number(&mut self) -> Option<()> {
        let bytes = self.text.as_bytes();
        let mut pos = self.pos;
        // Skips one or more digits.
        let digits = |pos: &mut usize| {
            let start = *pos;
            while bytes.get(*pos).is_some_and(u8::is_ascii_digit) {
                *pos += 1;
            }
            (*pos > start).then_some(())
        };
        pos += usize::from(bytes.get(pos) == Some(&b'-'));
        if bytes.get(pos) == Some(&b'0') {
            pos += 1;
        } else {
            digits(&mut pos)?;
        }
        if bytes.get(pos) == Some(&b'.') {
            pos += 1;
            digits(&mut pos)?;
        }
        if matches!(bytes.get(pos), Some(b'e' | b'E')) {
            pos += 1;
            pos += usize::from(matches!(bytes.get(pos), Some(b'+' | b'-')));
            digits(&mut pos)?;
        }
        self.pos = pos;
        Some(())
    }
}

/// Marks the bytes that end a plain string: `"`, `\\` and the control characters.
fn string_stops(word: u64) -> u64 {
    equal(word, b'"') | equal(word, b'\\') | below(word, 0x20)
}
