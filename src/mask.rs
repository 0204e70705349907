//! Masking of resident IDs and phone numbers for display: in the text a clerk reads (the
//! 匹配说明 of a suspect) and in every log line (`telemetry` scrubs with these). A leaf: it
//! depends on nothing else in the crate.

/// `410123199001011234` → `410123********1234`; shorter IDs keep their first 6 and last 4
/// characters only when long enough to hide something.
pub fn mask_id(id: &str) -> String {
    let chars: Vec<char> = id.chars().collect();
    if chars.len() <= 10 {
        return "*".repeat(chars.len());
    }
    let head: String = chars[..6].iter().collect();
    let tail: String = chars[chars.len() - 4..].iter().collect();
    format!("{head}{}{tail}", "*".repeat(chars.len() - 10))
}

/// `13812345678` → `138****5678`.
pub fn mask_phone(phone: &str) -> String {
    let chars: Vec<char> = phone.chars().collect();
    if chars.len() < 7 {
        return "*".repeat(chars.len());
    }
    let head: String = chars[..3].iter().collect();
    let tail: String = chars[chars.len() - 4..].iter().collect();
    format!("{head}{}{tail}", "*".repeat(chars.len() - 7))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks_ids_and_phones() {
        assert_eq!(mask_id("410123199001011234"), "410123********1234");
        assert_eq!(mask_id("4101231990"), "**********");
        assert_eq!(mask_phone("13812345678"), "138****5678");
        assert_eq!(mask_phone("123456"), "******");
    }
}
