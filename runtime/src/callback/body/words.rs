//! Finding the next byte of interest eight bytes at a time: form and JSON bodies are mostly
//! plain text between a few delimiters.

const ONES: u64 = u64::from_le_bytes([1; 8]);
const HIGH_BITS: u64 = u64::from_le_bytes([0x80; 8]);

/// Marks (high bit) the bytes of `word` below `n` (n <= 0x80). A byte above a marked one may
/// be marked wrongly (the borrow runs on), so only the lowest mark counts.
pub(super) fn below(word: u64, n: u8) -> u64 {
    word.wrapping_sub(ONES * u64::from(n)) & !word & HIGH_BITS
}

/// Marks the bytes of `word` equal to `byte`, with the same caveat.
pub(super) fn equal(word: u64, byte: u8) -> u64 {
    below(word ^ (ONES * u64::from(byte)), 1)
}

/// The index of the first byte of `bytes` at or after `from` that `marks` marks (in little
/// endian words). The last bytes are tested one per word, in its lowest lane, where a mark is
/// exact: the same predicate, never a second spelling of it.
pub(super) fn find(bytes: &[u8], from: usize, marks: impl Fn(u64) -> u64) -> Option<usize> {
    let rest = bytes.get(from..)?;
    let mut words = rest.chunks_exact(8);
    let mut at = from;
    for word in words.by_ref() {
        let marked = marks(u64::from_le_bytes(word.try_into().ok()?));
        if marked != 0 {
            return Some(at + (marked.trailing_zeros() / 8) as usize);
        }
        at += 8;
    }
    let tail = words.remainder();
    tail.iter()
        .position(|b| marks(u64::from(*b)) & 0x80 != 0)
        .map(|i| at + i)
}

/// `a == b`, inline for the lengths of keys: up to 16 bytes, two loads that may overlap from
/// each side (a call to `memcmp` costs more than the compare).
#[inline]
pub(super) fn same(a: &[u8], b: &[u8]) -> bool {
    let n = a.len();
    if n != b.len() {
        return false;
    }
    match n {
        0 => true,
        // The first, middle and last bytes are all of them.
        1..=3 => a.first() == b.first() && a.get(n / 2) == b.get(n / 2) && a.last() == b.last(),
        4..=8 => {
            a.first_chunk::<4>() == b.first_chunk::<4>()
                && a.last_chunk::<4>() == b.last_chunk::<4>()
        }
        9..=16 => {
            a.first_chunk::<8>() == b.first_chunk::<8>()
                && a.last_chunk::<8>() == b.last_chunk::<8>()
        }
        _ => a == b,
    }
}

#[cfg(test)]
mod tests {
    use super::same;

    #[test]
    fn same_is_equality_at_every_length_and_every_differing_byte() {
        let text: Vec<u8> = (b'a'..=b'z').collect();
        for n in 0..=text.len() {
            let a = &text[..n];
            assert!(same(a, a), "{n}");
            if n > 0 {
                assert!(!same(a, &text[..n - 1]), "{n}");
            }
            for i in 0..n {
                let mut b = a.to_vec();
                b[i] = b'_';
                assert!(!same(a, &b), "{n} {i}");
            }
        }
    }
}
