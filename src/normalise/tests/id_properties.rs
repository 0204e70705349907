//! Property tests of resident IDs: every mangling survives, every single typo is caught.

use proptest::prelude::*;

use super::*;

/// A valid ID born 1900-01-01 ..= 2020-12-31 (fixed range: independent of the run date).
fn valid_id() -> impl Strategy<Value = String> {
    (1u32..=8, 0u32..100_000, 0i64..44_195, 0u32..1000).prop_map(|(p, r, days, seq)| {
        let born = date(1900, 1, 1) + chrono::Duration::days(days);
        id18(&format!("{p}{r:05}{}{seq:03}", born.format("%Y%m%d")))
    })
}
proptest! {
    #[test]
    fn valid_id_survives_every_mangling(
        id in valid_id(),
        wide in any::<bool>(),
        lower in any::<bool>(),
        apostrophe in any::<bool>(),
        cuts in proptest::collection::vec((1usize..18, prop_oneof![Just(" "), Just("-"), Just("\u{3000}"), Just("－")]), 0..4),
    ) {
        let mut chars: Vec<String> = id
            .chars()
            .map(|c| {
                let c = if wide { fullwidth(c) } else { c };
                let c = if lower && c == 'X' { 'x' } else { c };
                c.to_string()
            })
            .collect();
        for (at, sep) in cuts {
            chars[at].insert_str(0, sep);
        }
        let mangled = format!("{}{}", if apostrophe { "'" } else { "" }, chars.concat());
        let parsed = parse_resident_id(&mangled).unwrap();
        prop_assert_eq!(parsed.exact_key(), Some(id.as_str()), "{}", mangled);
    }

    #[test]
    fn any_single_substitution_is_detected(id in valid_id(), at in 0usize..18, with in 0usize..11) {
        let mut bytes = id.clone().into_bytes();
        let replacement = b"0123456789X"[with];
        prop_assume!(bytes[at] != replacement);
        bytes[at] = replacement;
        let damaged = parse_resident_id(std::str::from_utf8(&bytes).unwrap()).unwrap();
        prop_assert!(!damaged.quality.is_valid(), "{:?}", damaged.quality);
        prop_assert_eq!(damaged.exact_key(), None);
    }

    #[test]
    fn any_adjacent_transposition_is_detected(id in valid_id(), at in 0usize..17) {
        let mut bytes = id.clone().into_bytes();
        prop_assume!(bytes[at] != bytes[at + 1]);
        bytes.swap(at, at + 1);
        let damaged = parse_resident_id(std::str::from_utf8(&bytes).unwrap()).unwrap();
        prop_assert!(!damaged.quality.is_valid(), "{:?}", damaged.quality);
    }

    #[test]
    fn upgrade_from_15_agrees_with_the_check(id in valid_id()) {
        prop_assume!(&id[6..8] == "19");
        let fifteen = format!("{}{}", &id[..6], &id[8..17]);
        let upgraded = parse_resident_id(&fifteen).unwrap();
        prop_assert_eq!(upgraded.quality, IdQuality::Upgraded15);
        prop_assert_eq!(&upgraded.digits, &id);
        prop_assert_eq!(upgraded.digits.chars().last(), Some(check_char(&upgraded.digits[..17])));
    }
}
