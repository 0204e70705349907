//! Cheap 64-bit hashing for text fields and blocking keys, and a hash map for keys that
//! are such hashes (or packed IDs). Not for untrusted-key maps exposed to adversaries: the
//! inputs are the county's own records, and a collision only costs a wasted comparison.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

const K: u64 = 0x9e37_79b9_7f4a_7c15;

/// Final avalanche (MurmurHash3 fmix64): every input bit moves every output bit.
pub fn fmix(mut h: u64) -> u64 {
    h ^= h >> 33;
    h = h.wrapping_mul(0xff51_afd7_ed55_8ccd);
    h ^= h >> 33;
    h = h.wrapping_mul(0xc4ce_b9fe_1a85_ec53);
    h ^ (h >> 33)
}

/// Hash of a byte string, eight bytes at a time; the length is mixed in, so padding the
/// last word with zeros is unambiguous. Never 0: 0 means "absent" in `Fields`.
pub fn bytes(tag: u8, b: &[u8]) -> u64 {
    let mut h = u64::from(tag).wrapping_mul(K) ^ (b.len() as u64);
    let mut chunks = b.chunks_exact(8);
    for c in &mut chunks {
        let word = u64::from_le_bytes(c.try_into().expect("8 bytes"));
        h = (h ^ word).wrapping_mul(K).rotate_left(29);
    }
    let rest = chunks.remainder();
    if !rest.is_empty() {
        let mut word = [0u8; 8];
        word[..rest.len()].copy_from_slice(rest);
        h = (h ^ u64::from_le_bytes(word))
            .wrapping_mul(K)
            .rotate_left(29);
    }
    fmix(h).max(1)
}

/// A key made of a kind tag and two hashes (or numbers).
pub fn key(tag: u8, a: u64, b: u64) -> u64 {
    fmix(
        fmix(a ^ u64::from(tag).wrapping_mul(K))
            .wrapping_add(b)
            .wrapping_mul(K),
    )
}

/// Hasher for `u64` keys: one avalanche instead of SipHash's rounds.
#[derive(Default)]
pub struct U64Hasher(u64);

impl Hasher for U64Hasher {
    fn finish(&self) -> u64 {
        fmix(self.0)
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0 ^ u64::from(b)).wrapping_mul(K);
        }
    }
    fn write_u64(&mut self, v: u64) {
        self.0 = v;
    }
}

pub type U64Map<V> = HashMap<u64, V, BuildHasherDefault<U64Hasher>>;
