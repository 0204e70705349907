//! The check character of an 18-character resident ID (GB 11643-1999, ISO 7064 MOD 11-2):
//! the arithmetic that parsing (`normalise::ids`) and linkage (`matching::exact`, which
//! solves for the one-keystroke neighbours of a mistyped ID) share. A leaf: it depends on
//! nothing else in the crate.

/// The weights of the first 17 digits in the check sum.
pub const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];

/// The check character of each remainder (mod 11) of the weighted sum.
pub const CHECK_CHARS: &[u8; 11] = b"10X98765432";

/// The MOD 11-2 check character of the first 17 digits of an ID.
///
/// # Panics
/// When `first17` is not exactly 17 ASCII digits.
pub fn check_char(first17: &str) -> char {
    let bytes = first17.as_bytes();
    assert!(
        bytes.len() == 17 && bytes.iter().all(u8::is_ascii_digit),
        "check_char needs 17 ASCII digits"
    );
    char::from(check_byte(bytes))
}

/// The check character of the first 17 bytes of `body`, when they are all digits.
pub fn check_of(body: &[u8]) -> Option<u8> {
    let first17 = body.get(..17)?;
    first17
        .iter()
        .all(u8::is_ascii_digit)
        .then(|| check_byte(first17))
}

/// The weighted sum of 17 ASCII digits, mod 11.
pub fn weighted_sum(first17: &[u8]) -> u32 {
    first17
        .iter()
        .zip(WEIGHTS)
        .map(|(&b, w)| u32::from(b - b'0') * w)
        .sum::<u32>()
        % 11
}

/// The check character of 17 ASCII digits (the caller has checked they are digits).
pub fn check_byte(first17: &[u8]) -> u8 {
    CHECK_CHARS[weighted_sum(first17) as usize]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_check_characters() {
        assert_eq!(check_char("11010519491231002"), 'X');
        // Only the first 17 characters count.
        assert_eq!(check_of(b"110105194912310021"), Some(b'X'));
        assert_eq!(check_of(b"11010519491231002"), Some(b'X'));
        assert_eq!(check_of(b"1101051949123100"), None);
        assert_eq!(check_of(b"1101051949123100a2"), None);
    }
}
