//! SHA-256 as lower-case hex: of each input file (ingest), and of the pipeline file and every
//! output (the manifest). A leaf: it depends on nothing else in the crate.

use sha2::{Digest, Sha256};

/// The SHA-256 of `bytes`, as 64 lower-case hex characters.
pub fn sha256_hex(bytes: &[u8]) -> String {
    format!("{:x}", Sha256::digest(bytes))
}

#[cfg(test)]
mod tests {
    #[test]
    fn hashes_as_lower_case_hex() {
        assert_eq!(
            super::sha256_hex(b"abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }
}
