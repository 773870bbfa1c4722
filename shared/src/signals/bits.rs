//! Bit strings as GPP and TCF encode them: big-endian fields, Fibonacci-coded ranges (GPP),
//! base64url.

const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Bits(Vec<bool>);

impl Bits {
    pub fn int(&mut self, value: u64, width: usize) {
        for i in (0..width).rev() {
            self.0.push((value >> i) & 1 == 1);
        }
    }

    pub fn bool(&mut self, value: bool) {
        self.0.push(value);
    }

    /// Zeckendorf representation, least significant Fibonacci number first, then a closing 1.
    /// `value` must be 1 or more: 0 has no such representation.
    pub fn fibonacci(&mut self, value: u64) {
        let mut fibs = vec![1u64, 2];
        // Every Fibonacci number up to `value`, and none past `u64`.
        while let [.., a, b] = fibs[..]
            && b <= value
            && let Some(next) = a.checked_add(b)
        {
            fibs.push(next);
        }
        let mut out = vec![false; fibs.len()];
        let mut rest = value;
        for i in (0..fibs.len()).rev() {
            if fibs[i] <= rest {
                out[i] = true;
                rest -= fibs[i];
            }
        }
        while out.last() == Some(&false) {
            out.pop();
        }
        self.0.extend(out);
        self.0.push(true);
    }

    /// Zeros up to the next multiple of `multiple` bits. TC strings pad each segment to 24 bits
    /// (whole bytes and whole base64 characters), as IAB's `@iabtechlabtcf/core` does.
    pub fn pad_to(&mut self, multiple: usize) {
        while !self.0.len().is_multiple_of(multiple) {
            self.0.push(false);
        }
    }

    /// Base64url without padding, after padding the bits with zeros to a whole number of
    /// bytes and then of base64 characters — as IAB's reference library `@iabgpp/cmpapi` does
    /// (the spec's older examples pad to characters only; decoders accept both).
    pub fn to_base64url(&self) -> String {
        let mut bits = self.0.clone();
        while !bits.len().is_multiple_of(8) {
            bits.push(false);
        }
        while !bits.len().is_multiple_of(6) {
            bits.push(false);
        }
        bits.chunks(6)
            .map(|c| ALPHABET[c.iter().fold(0usize, |acc, b| (acc << 1) | usize::from(*b))] as char)
            .collect()
    }
}

/// Reads bits back, for decoding and tests.
#[derive(Debug)]
pub struct Reader {
    bits: Vec<bool>,
    pos: usize,
}

impl Reader {
    pub fn from_base64url(s: &str) -> Option<Self> {
        let mut bits = Vec::with_capacity(s.len() * 6);
        for c in s.bytes() {
            let v = ALPHABET.iter().position(|a| *a == c)?;
            for i in (0..6).rev() {
                bits.push((v >> i) & 1 == 1);
            }
        }
        Some(Self { bits, pos: 0 })
    }

    pub fn int(&mut self, width: usize) -> Option<u64> {
        let slice = self.bits.get(self.pos..self.pos + width)?;
        self.pos += width;
        Some(slice.iter().fold(0, |acc, b| (acc << 1) | u64::from(*b)))
    }

    pub fn bool(&mut self) -> Option<bool> {
        let b = *self.bits.get(self.pos)?;
        self.pos += 1;
        Some(b)
    }

    /// A Fibonacci-coded integer; `None` at the end of the bits, or when the code names a
    /// number past `u64` (a term past the 93rd Fibonacci number, or a sum that overflows).
    pub fn fibonacci(&mut self) -> Option<u64> {
        // The current and next Fibonacci terms; `None` once a term no longer fits.
        let (mut term, mut next) = (Some(1u64), Some(2u64));
        let mut value = 0u64;
        let mut last = false;
        loop {
            let bit = self.bool()?;
            if bit && last {
                return Some(value);
            }
            if bit {
                value = value.checked_add(term?)?;
            }
            last = bit;
            (term, next) = (next, term.zip(next).and_then(|(a, b)| a.checked_add(b)));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fibonacci_codes_round_trip() {
        for v in 1..200 {
            let mut bits = Bits::default();
            bits.fibonacci(v);
            let encoded = bits.to_base64url();
            let mut r = Reader::from_base64url(&encoded).expect("base64url");
            assert_eq!(r.fibonacci(), Some(v));
        }
        let mut four = Bits::default();
        four.fibonacci(4);
        assert_eq!(four.0, vec![true, false, true, true], "4 = 1 + 3 → 101, then 1");
    }
}
