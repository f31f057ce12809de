//! Montgomery arithmetic modulo one odd number below 2^512, on eight 64-bit limbs, written for
//! this size only. Each of the result's sixteen columns is a constant, so every loop has
//! constant bounds and unrolls, and the limbs stay in registers and stack slots, not slices:
//! a squaring with its reduction is about 1,000 instructions (callgrind), where
//! crypto-bigint's generic reduction alone took about 1,350.
//!
//! **Not constant time, on purpose.** It only ever computes with public values: a public
//! key's modulus, a public exponent and a signature anyone can read off the wire. Timing can
//! reveal nothing secret, so the final subtraction and the comparisons branch. Never use it
//! with a secret exponent: the simulator signs with it, but its private key is public.

/// Limbs of a 512-bit number.
pub(crate) const LIMBS: usize = 8;

/// A number below 2^512, least significant limb first.
pub(crate) type U512 = [u64; LIMBS];

/// The bytes of a [`U512`], big-endian.
pub(crate) const BYTES: usize = LIMBS * 8;

/// An odd modulus `n` above 1 and what Montgomery multiplication needs of it, computed once.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Modulus512 {
    n: U512,
    /// `-n^-1 mod 2^64`: the factor that clears one limb per reduction step.
    n_inv: u64,
    /// `R^2 mod n` with `R = 2^512`: multiplying by it enters the Montgomery form.
    r2: U512,
}

impl Modulus512 {
    /// The modulus `n` (big-endian); `None` if it is even or 1.
    pub(crate) fn new(n: &[u8; BYTES]) -> Option<Modulus512> {
        let n = from_be_bytes(n);
        if n[0] & 1 == 0 || n == ONE {
            return None;
        }
        let mut modulus = Modulus512 {
            n,
            n_inv: neg_inverse(n[0]),
            r2: [0; LIMBS],
        };
        modulus.r2 = modulus.r_squared();
        Some(modulus)
    }

    /// `n` itself.
    pub(crate) fn n(&self) -> &U512 {
        &self.n
    }

    /// `s^65537 mod n` for `s < n`. 65537 = 2^16 + 1: sixteen squarings and one multiplication.
    /// The last multiplication takes `s` itself, not its Montgomery form, so it also leaves it.
    pub(crate) fn pow_65537(&self, s: &U512) -> U512 {
        let mut power = self.mul(s, &self.r2);
        for _ in 0..16 {
            power = self.square(&power);
        }
        self.mul(&power, s)
    }

    /// `s^d mod n` for `s < n` and any `d`: square and multiply from `d`'s top bit. Variable
    /// time in `d`: for the simulator's signing key only, whose private half is public.
    #[cfg(feature = "simulate")]
    pub(crate) fn pow(&self, s: &U512, d: &U512) -> U512 {
        let base = self.mul(s, &self.r2);
        // 1 in Montgomery form: R mod n.
        let mut power = self.mul(&ONE, &self.r2);
        for bit in (0..bits(d)).rev() {
            power = self.square(&power);
            if d.get(bit / 64)
                .is_some_and(|limb| limb >> (bit % 64) & 1 == 1)
            {
                power = self.mul(&power, &base);
            }
        }
        self.mul(&power, &ONE)
    }

    /// `a * b / R mod n` for `a, b < n`: the product and the reduction in one pass over the
    /// result's columns, low to high (product scanning, "FIPS" in Koc, Acar and Kaliski's
    /// survey), each column's sum in a three-limb accumulator.
    fn mul(&self, a: &U512, b: &U512) -> U512 {
        let mut pass = Pass::default();
        // Each column by a constant: its loops have constant bounds and unroll.
        macro_rules! columns {
            ($($i:literal)*) => {$(
                pass.product_column::<$i>(a, b);
                pass.reduce_column::<$i>(self);
            )*};
        }
        columns!(0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15);
        self.subtract_once(pass.r, pass.acc.low())
    }

    /// `a * a / R mod n` for `a < n`: as [`mul`](Self::mul), with the square's columns.
    fn square(&self, a: &U512) -> U512 {
        let mut pass = Pass::default();
        macro_rules! columns {
            ($($i:literal)*) => {$(
                pass.square_column::<$i>(a);
                pass.reduce_column::<$i>(self);
            )*};
        }
        columns!(0 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15);
        self.subtract_once(pass.r, pass.acc.low())
    }

    /// `r mod n` for `r < 2n` whose bit 512 is `top`.
    fn subtract_once(&self, r: U512, top: u64) -> U512 {
        let (difference, borrow) = sub(&r, &self.n);
        if top == 1 || borrow == 0 {
            difference
        } else {
            r
        }
    }

    /// `R^2 mod n`: `2R mod n` by doubling, then nine Montgomery squarings, each of which
    /// squares the number in Montgomery form: `2 -> 2^2 -> ... -> 2^512 = R`, whose form is
    /// `R * R`.
    fn r_squared(&self) -> U512 {
        let top_bit = bits(&self.n) - 1;
        // 2^top_bit < n, since n is odd and above 1; doubling it 513 - top_bit times gives 2^513.
        let mut x = [0; LIMBS];
        set_bit(&mut x, top_bit);
        for _ in top_bit..513 {
            x = self.double(&x);
        }
        for _ in 0..9 {
            x = self.square(&x);
        }
        x
    }

    /// `2x mod n` for `x < n`.
    fn double(&self, x: &U512) -> U512 {
        let mut doubled = [0; LIMBS];
        let mut carry = 0;
        for (out, limb) in doubled.iter_mut().zip(x) {
            *out = limb << 1 | carry;
            carry = limb >> 63;
        }
        let (difference, borrow) = sub(&doubled, &self.n);
        if carry == 1 || borrow == 0 {
            difference
        } else {
            doubled
        }
    }
}

const ONE: U512 = [1, 0, 0, 0, 0, 0, 0, 0];

/// One product-scanning pass: the running column sum, the multiples of `n` chosen for the
/// low columns, and the result's limbs (the high columns).
#[derive(Default)]
struct Pass {
    acc: Accumulator,
    m: U512,
    r: U512,
}

/// The first limb index `j` of column `i`'s products `x_j * y_(i-j)`.
const fn first(i: usize) -> usize {
    (i + 1).saturating_sub(LIMBS)
}

#[allow(clippy::indexing_slicing)] // Indices from constant columns, below the arrays' length.
impl Pass {
    /// Adds column `I` of `a * b`.
    #[inline(always)]
    fn product_column<const I: usize>(&mut self, a: &U512, b: &U512) {
        for j in first(I)..=I.min(LIMBS - 1) {
            self.acc.add_product(a[j], b[I - j]);
        }
    }

    /// Adds column `I` of `a * a`: the cross products `a_j * a_(I-j)` (j < I - j) summed once
    /// and added twice, then the square `a_(I/2)^2`: 36 limb products where `a * b` takes 64.
    #[inline(always)]
    fn square_column<const I: usize>(&mut self, a: &U512) {
        let mut cross = Accumulator::default();
        for j in first(I)..I.div_ceil(2) {
            cross.add_product(a[j], a[I - j]);
        }
        self.acc.add(&cross);
        self.acc.add(&cross);
        if I % 2 == 0 {
            self.acc.add_product(a[I / 2], a[I / 2]);
        }
    }

    /// Adds column `I` of `m * n` and finishes the column: a low one chooses `m_I` to clear its
    /// limb, a high one is a limb of the result.
    #[inline(always)]
    fn reduce_column<const I: usize>(&mut self, modulus: &Modulus512) {
        // Summed apart, then added: a carry chain of its own, which the processor runs
        // beside the product's instead of after it.
        let mut reduce = Accumulator::default();
        for j in first(I)..I.min(LIMBS) {
            reduce.add_product(self.m[j], modulus.n[I - j]);
        }
        self.acc.add(&reduce);
        if I < LIMBS {
            let m = self.acc.low().wrapping_mul(modulus.n_inv);
            self.m[I] = m;
            self.acc.add_product(m, modulus.n[0]);
        } else {
            self.r[I - LIMBS] = self.acc.low();
        }
        self.acc.shift();
    }
}

/// A column's running sum: three limbs, enough for a column's 17 products and its carry in.
#[derive(Clone, Copy, Default)]
struct Accumulator {
    low: u64,
    mid: u64,
    high: u64,
}

impl Accumulator {
    #[inline(always)]
    fn add_product(&mut self, a: u64, b: u64) {
        self.add_wide(u128::from(a) * u128::from(b));
    }

    /// Adds `x`. Written so that the compiler emits one add-with-carry per limb (a carry out
    /// of a `u128` addition costs more).
    #[inline(always)]
    fn add_wide(&mut self, x: u128) {
        let (low, carry) = self.low.overflowing_add(x as u64);
        let mid = u128::from(self.mid) + (x >> 64) + u128::from(carry);
        self.low = low;
        self.mid = mid as u64;
        self.high += (mid >> 64) as u64;
    }

    #[inline(always)]
    fn add(&mut self, other: &Accumulator) {
        self.add_wide(u128::from(other.low) | u128::from(other.mid) << 64);
        self.high += other.high;
    }

    /// The column's limb.
    #[inline(always)]
    fn low(&self) -> u64 {
        self.low
    }

    /// Finishes the column: what is above its limb carries into the next one.
    #[inline(always)]
    fn shift(&mut self) {
        self.low = self.mid;
        self.mid = self.high;
        self.high = 0;
    }
}

/// `a - b mod 2^512` and whether it borrowed (1) or not (0).
fn sub(a: &U512, b: &U512) -> (U512, u64) {
    let mut difference = [0; LIMBS];
    let mut borrow = false;
    for ((out, x), y) in difference.iter_mut().zip(a).zip(b) {
        let (d, b1) = x.overflowing_sub(*y);
        let (d, b2) = d.overflowing_sub(u64::from(borrow));
        *out = d;
        borrow = b1 | b2;
    }
    (difference, u64::from(borrow))
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

/// The number of significant bits of `x` (0 for zero).
fn bits(x: &U512) -> usize {
    let mut bits = 0;
    for (i, limb) in x.iter().enumerate() {
        if *limb != 0 {
            bits = 64 * (i + 1) - limb.leading_zeros() as usize;
        }
    }
    bits
}

/// Sets bit `bit` (below 512) of `x`.
fn set_bit(x: &mut U512, bit: usize) {
    if let Some(limb) = x.get_mut(bit / 64) {
        *limb |= 1 << (bit % 64);
    }
}

/// A 512-bit number from its 64 big-endian bytes.
pub(crate) fn from_be_bytes(bytes: &[u8; BYTES]) -> U512 {
    let mut limbs = [0; LIMBS];
    for (limb, chunk) in limbs.iter_mut().zip(bytes.rchunks_exact(8)) {
        let mut word = [0; 8];
        word.copy_from_slice(chunk);
        *limb = u64::from_be_bytes(word);
    }
    limbs
}

/// The 64 big-endian bytes of a 512-bit number.
pub(crate) fn to_be_bytes(x: &U512) -> [u8; BYTES] {
    let mut bytes = [0; BYTES];
    for (chunk, limb) in bytes.rchunks_exact_mut(8).zip(x) {
        chunk.copy_from_slice(&limb.to_be_bytes());
    }
    bytes
}

/// Whether `a < b`.
pub(crate) fn less_than(a: &U512, b: &U512) -> bool {
    a.iter().rev().cmp(b.iter().rev()).is_lt()
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use rsa::BigUint;

    fn big(x: &U512) -> BigUint {
        BigUint::from_bytes_be(&to_be_bytes(x))
    }

    fn limbs(x: &BigUint) -> U512 {
        let bytes = x.to_bytes_be();
        let mut padded = [0; BYTES];
        padded[BYTES - bytes.len()..].copy_from_slice(&bytes);
        from_be_bytes(&padded)
    }

    /// An odd modulus from arbitrary bytes, with its top `ones` bits set (moduli near 2^512
    /// make the reduction carry into bit 512) or, for `ones == 0`, `shift` bits shorter.
    fn modulus(mut bytes: [u8; BYTES], ones: u32, shift: usize) -> BigUint {
        bytes[BYTES - 1] |= 1;
        let n = BigUint::from_bytes_be(&bytes);
        let r = BigUint::from(1u32) << 512usize;
        let n = if ones == 0 {
            n >> shift | BigUint::from(1u32)
        } else {
            n | (&r - (&r >> ones as usize))
        };
        n.max(BigUint::from(3u32))
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(512))]

        #[test]
        fn every_operation_agrees_with_num_bigint(
            n in any::<[u8; BYTES]>(),
            ones in prop_oneof![Just(0u32), 1u32..64, Just(512)],
            shift in prop_oneof![0usize..16, 0usize..510],
            a in any::<[u8; BYTES]>(),
            b in any::<[u8; BYTES]>(),
        ) {
            let n = modulus(n, ones, shift);
            let modulus = Modulus512::new(&to_be_bytes(&limbs(&n))).unwrap();
            let r = BigUint::from(1u32) << 512usize;
            prop_assert_eq!(big(&modulus.r2), (&r * &r) % &n);
            let (a, b) = (BigUint::from_bytes_be(&a) % &n, BigUint::from_bytes_be(&b) % &n);
            let (a_limbs, b_limbs) = (limbs(&a), limbs(&b));
            // mul(a, b) = a * b / R: times R, it is a * b.
            let product = big(&modulus.mul(&a_limbs, &b_limbs));
            prop_assert!(product < n);
            prop_assert_eq!(&product * &r % &n, &a * &b % &n);
            prop_assert_eq!(modulus.square(&a_limbs), modulus.mul(&a_limbs, &a_limbs));
            let power = big(&modulus.pow_65537(&a_limbs));
            prop_assert_eq!(power, a.modpow(&BigUint::from(65_537u32), &n));
        }
    }

    #[test]
    fn the_extremes_of_the_base_and_the_modulus() {
        let e = BigUint::from(65_537u32);
        for n in [
            BigUint::from(3u32),
            (BigUint::from(1u32) << 512usize) - BigUint::from(1u32),
            (BigUint::from(1u32) << 504usize) + BigUint::from(1u32),
        ] {
            let modulus = Modulus512::new(&to_be_bytes(&limbs(&n))).unwrap();
            let one = BigUint::from(1u32);
            for base in [
                BigUint::from(0u32),
                one.clone(),
                BigUint::from(2u32),
                &n - &one,
            ] {
                let base = base % &n;
                let got = big(&modulus.pow_65537(&limbs(&base)));
                assert_eq!(got, base.modpow(&e, &n), "{base} mod {n}");
            }
        }
    }

    #[cfg(feature = "simulate")]
    #[test]
    fn powers_with_any_exponent_agree_with_num_bigint() {
        let n = (BigUint::from(1u32) << 512usize) - BigUint::from(569u32);
        let modulus = Modulus512::new(&to_be_bytes(&limbs(&n))).unwrap();
        let base = BigUint::from(0x1234_5678_9abc_def0u64) << 300usize;
        for d in [
            BigUint::from(0u32),
            BigUint::from(1u32),
            BigUint::from(65_537u32),
            &n - BigUint::from(2u32),
            (BigUint::from(1u32) << 511usize) + BigUint::from(12_345u32),
        ] {
            let got = big(&modulus.pow(&limbs(&base), &limbs(&d)));
            assert_eq!(got, base.modpow(&d, &n), "d = {d}");
        }
    }

    #[test]
    fn only_odd_moduli_above_one_are_taken() {
        assert!(Modulus512::new(&to_be_bytes(&[2, 0, 0, 0, 0, 0, 0, 0])).is_none());
        assert!(Modulus512::new(&to_be_bytes(&ONE)).is_none());
        assert!(Modulus512::new(&to_be_bytes(&[0; LIMBS])).is_none());
        assert!(Modulus512::new(&to_be_bytes(&[3, 0, 0, 0, 0, 0, 0, 0])).is_some());
    }

    #[test]
    fn the_inverse_clears_a_limb() {
        for x in [
            1u64,
            3,
            0xFFFF_FFFF_FFFF_FFFF,
            0x8000_0000_0000_0001,
            65_537,
        ] {
            assert_eq!(x.wrapping_mul(neg_inverse(x)), u64::MAX, "{x}");
        }
    }

    #[test]
    fn bytes_round_trip_and_compare_as_numbers() {
        let bytes: [u8; BYTES] = std::array::from_fn(|i| i as u8);
        assert_eq!(to_be_bytes(&from_be_bytes(&bytes)), bytes);
        assert_eq!(from_be_bytes(&bytes)[0], 0x3839_3a3b_3c3d_3e3f);
        assert!(less_than(
            &[5, 0, 0, 0, 0, 0, 0, 0],
            &[0, 1, 0, 0, 0, 0, 0, 0]
        ));
        assert!(!less_than(
            &[0, 1, 0, 0, 0, 0, 0, 0],
            &[5, 0, 0, 0, 0, 0, 0, 0]
        ));
        assert!(!less_than(&ONE, &ONE));
        assert_eq!(bits(&[0; LIMBS]), 0);
        assert_eq!(bits(&ONE), 1);
        assert_eq!(bits(&[0, 0, 0, 0, 0, 0, 0, 1 << 63]), 512);
    }
}
