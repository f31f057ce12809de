//! Montgomery arithmetic modulo any odd number, on as many 64-bit limbs as it needs: the path
//! of keys other than RSA-512 with e = 65537 (rare: OSS signs with that one). Each
//! multiplication interleaves a row of the product with a reduction step (coarsely integrated
//! operand scanning, "CIOS" in Koc, Acar and Kaliski's survey). Slower per limb than
//! [`mont512`](super::mont512)'s unrolled columns, and small: it replaced a big-integer crate
//! that cost a user's cold build more than the rest of verification.
//!
//! **Not constant time, on purpose**, like `mont512`: it computes with a public key's modulus
//! and exponent and a signature read off the wire, nothing secret.

/// An odd modulus `n` above 1 and what Montgomery multiplication needs of it, computed once.
#[derive(Debug)]
pub(crate) struct Modulus {
    /// `n`, least significant limb first, without leading zero limbs.
    n: Vec<u64>,
    /// `-n^-1 mod 2^64`: the factor that clears one limb per reduction step.
    n_inv: u64,
    /// `R^2 mod n` with `R = 2^(64 * limbs)`: multiplying by it enters the Montgomery form.
    r2: Vec<u64>,
}

impl Modulus {
    /// The modulus `n` (big-endian, leading zeros allowed); `None` if it is even or 1.
    pub(crate) fn from_be_bytes(bytes: &[u8]) -> Option<Modulus> {
        let mut n = limbs_from_be_bytes(bytes);
        while n.last() == Some(&0) {
            n.pop();
        }
        let low = *n.first()?;
        if low & 1 == 0 || n == [1] {
            return None;
        }
        let mut modulus = Modulus {
            n_inv: neg_inverse(low),
            r2: Vec::new(),
            n,
        };
        modulus.r2 = modulus.r_squared();
        Some(modulus)
    }

    /// The number `bytes` encode (big-endian) if it is below `n` (`None` otherwise).
    pub(crate) fn residue(&self, bytes: &[u8]) -> Option<Vec<u64>> {
        let mut x = limbs_from_be_bytes(bytes);
        let len = self.n.len();
        if x.iter().skip(len).any(|limb| *limb != 0) {
            return None;
        }
        x.resize(len, 0);
        less_than(&x, &self.n).then_some(x)
    }

    /// `x^exponent mod n` for `x < n` (see [`residue`](Self::residue)), square and multiply
    /// from the exponent's top bit: a public exponent's few bits cost nothing to skip.
    pub(crate) fn pow(&self, x: &[u64], exponent: u64) -> Vec<u64> {
        let base = self.mul(x, &self.r2);
        let mut power = self.leave(&self.r2); // 1 in Montgomery form: R mod n.
        for bit in (0..u64::BITS - exponent.leading_zeros()).rev() {
            power = self.mul(&power, &power);
            if exponent >> bit & 1 == 1 {
                power = self.mul(&power, &base);
            }
        }
        self.leave(&power)
    }

    /// `x / R mod n`: out of the Montgomery form.
    fn leave(&self, x: &[u64]) -> Vec<u64> {
        let mut one = vec![0; self.n.len()];
        if let Some(low) = one.first_mut() {
            *low = 1;
        }
        self.mul(x, &one)
    }

    /// `a * b / R mod n` for `a, b < n`, both of `n`'s length. Per limb of `b`: add the row
    /// `a * b_i`, then the multiple of `n` that clears the lowest limb, and drop that limb.
    fn mul(&self, a: &[u64], b: &[u64]) -> Vec<u64> {
        let mut t = vec![0; self.n.len()];
        // The two limbs above `t`'s: below 2n < 2R after each step, so `top` stays 0 or 1.
        let mut top = 0u64;
        for &b_i in b {
            let mut carry = 0;
            for (t_j, &a_j) in t.iter_mut().zip(a) {
                (*t_j, carry) = mul_add(a_j, b_i, *t_j, carry);
            }
            let (high, over) = top.overflowing_add(carry);
            let m = t.first().map_or(0, |low| low.wrapping_mul(self.n_inv));
            let mut carry = 0;
            for (t_j, &n_j) in t.iter_mut().zip(&self.n) {
                (*t_j, carry) = mul_add(m, n_j, *t_j, carry);
            }
            // The lowest limb is now zero: shift it out (divide by 2^64).
            let (high, over_again) = high.overflowing_add(carry);
            t.rotate_left(1);
            if let Some(last) = t.last_mut() {
                *last = high;
            }
            top = u64::from(over) + u64::from(over_again);
        }
        if top != 0 || !less_than(&t, &self.n) {
            subtract(&mut t, &self.n);
        }
        t
    }

    /// `R^2 mod n`: the top power of two below `n`, doubled modulo `n` up to `2^(128 * limbs)`.
    /// Once per key, so plain doublings are fast enough.
    fn r_squared(&self) -> Vec<u64> {
        let len = self.n.len();
        let top_bit = len * 64
            - self
                .n
                .last()
                .map_or(64, |limb| limb.leading_zeros() as usize)
            - 1;
        let mut x = vec![0; len];
        if let Some(limb) = x.get_mut(top_bit / 64) {
            *limb = 1 << (top_bit % 64);
        }
        for _ in top_bit..2 * 64 * len {
            let carry = x.iter_mut().fold(0, |carry, limb| {
                let out = *limb >> 63;
                *limb = *limb << 1 | carry;
                out
            });
            if carry == 1 || !less_than(&x, &self.n) {
                subtract(&mut x, &self.n);
            }
        }
        x
    }
}

/// `a * b + c + carry` as (low limb, high limb): it cannot overflow 128 bits.
fn mul_add(a: u64, b: u64, c: u64, carry: u64) -> (u64, u64) {
    let wide = u128::from(a) * u128::from(b) + u128::from(c) + u128::from(carry);
    (wide as u64, (wide >> 64) as u64)
}

/// `x -= n`, modulo `2^(64 * limbs)` (the borrow out of the top is dropped: callers subtract
/// only when the true value is at least `n`).
fn subtract(x: &mut [u64], n: &[u64]) {
    let mut borrow = false;
    for (x_j, &n_j) in x.iter_mut().zip(n) {
        let (d, b1) = x_j.overflowing_sub(n_j);
        let (d, b2) = d.overflowing_sub(u64::from(borrow));
        *x_j = d;
        borrow = b1 | b2;
    }
}

/// Whether `a < b`, both of the same length.
fn less_than(a: &[u64], b: &[u64]) -> bool {
    a.iter().rev().cmp(b.iter().rev()).is_lt()
}

/// `-x^-1 mod 2^64` for odd `x`: Newton's iteration doubles the correct low bits each step,
/// from the 3 that `x` itself has (x * x = 1 mod 8 for odd x).
fn neg_inverse(x: u64) -> u64 {
    let mut inverse = x;
    for _ in 0..5 {
        inverse = inverse.wrapping_mul(2u64.wrapping_sub(x.wrapping_mul(inverse)));
    }
    inverse.wrapping_neg()
}

/// The limbs of a big-endian number, least significant first (the top one may be partial).
fn limbs_from_be_bytes(bytes: &[u8]) -> Vec<u64> {
    bytes
        .rchunks(8)
        .map(|chunk| chunk.iter().fold(0, |limb, b| limb << 8 | u64::from(*b)))
        .collect()
}

/// `x`'s `len` low bytes, big-endian (`None` if `x` does not fit in them).
pub(crate) fn to_be_bytes(x: &[u64], len: usize) -> Option<Vec<u8>> {
    let bytes: Vec<u8> = x.iter().rev().flat_map(|limb| limb.to_be_bytes()).collect();
    let (high, low) = bytes.split_at_checked(bytes.len().checked_sub(len)?)?;
    high.iter().all(|b| *b == 0).then(|| low.to_vec())
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use rsa::BigUint;

    fn big(x: &[u64]) -> BigUint {
        BigUint::from_bytes_be(&to_be_bytes(x, x.len() * 8).unwrap())
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]

        #[test]
        fn powers_agree_with_num_bigint(
            n in proptest::collection::vec(any::<u8>(), 1..80),
            ones in any::<bool>(),
            x in proptest::collection::vec(any::<u8>(), 0..80),
            exponent in prop_oneof![Just(3u64), Just(65_537), any::<u64>()],
        ) {
            let mut n = n;
            *n.last_mut().unwrap() |= 1;
            if ones {
                // Moduli just below a limb boundary make the reduction carry.
                n.iter_mut().take(8).for_each(|b| *b = 0xFF);
            }
            let big_n = BigUint::from_bytes_be(&n);
            prop_assume!(big_n > BigUint::from(1u32));
            let modulus = Modulus::from_be_bytes(&n).unwrap();
            let limbs = modulus.n.len();
            let r = BigUint::from(1u32) << (64 * limbs);
            prop_assert_eq!(big(&modulus.r2), &r * &r % &big_n);
            let big_x = BigUint::from_bytes_be(&x) % &big_n;
            let residue = modulus.residue(&big_x.to_bytes_be()).unwrap();
            let power = big(&modulus.pow(&residue, exponent));
            prop_assert_eq!(power, big_x.modpow(&BigUint::from(exponent), &big_n));
            let product = big(&modulus.mul(&residue, &residue));
            prop_assert_eq!(product * &r % &big_n, &big_x * &big_x % &big_n);
        }
    }

    #[test]
    fn only_odd_moduli_above_one_are_taken_and_residues_are_below_them() {
        for even_or_one in [&[][..], &[0], &[2], &[1], &[0, 0, 1], &[1, 0]] {
            assert!(
                Modulus::from_be_bytes(even_or_one).is_none(),
                "{even_or_one:?}"
            );
        }
        let n = [1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 5];
        let modulus = Modulus::from_be_bytes(&[&[0, 0][..], &n].concat()).unwrap();
        assert_eq!(modulus.n, [5, 1 << 16]);
        assert!(
            modulus
                .residue(&[1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 4])
                .is_some()
        );
        assert!(modulus.residue(&n).is_none());
        assert!(
            modulus
                .residue(&[1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0])
                .is_none()
        );
        assert_eq!(modulus.residue(&[0; 17]).unwrap(), [0, 0]);
    }

    #[test]
    fn bytes_out_are_refused_when_they_do_not_fit() {
        assert_eq!(to_be_bytes(&[0x0102, 0], 3).unwrap(), [0, 1, 2]);
        assert!(to_be_bytes(&[0x0102, 0], 1).is_none());
        assert!(to_be_bytes(&[1], 9).is_none());
    }
}
