//! Resident IDs: repaired, upgraded, damaged by Excel, and read from certificate numbers.

use super::*;

#[test]
fn check_char_matches_the_standard_example() {
    // GB 11643-1999 appendix example.
    assert_eq!(check_char("11010519491231002"), 'X');
    assert_eq!(id18("11010519850315102"), X_ID);
    assert_eq!(check_char("41012319900101123"), '6');
}

#[test]
fn clean_id_is_an_exact_key() {
    let id = parsed("410123199001011236");
    assert_eq!(id.quality, IdQuality::Clean);
    assert_eq!(id.reliable_prefix, 18);
    assert_eq!(id.exact_key(), Some("410123199001011236"));
    // Surrounding whitespace is not a repair.
    assert_eq!(parsed("  410123199001011236 ").quality, IdQuality::Clean);
}

#[test]
fn formatting_is_repaired() {
    for raw in [
        "11010519850315102x",
        "'11010519850315102X",
        "110105 19850315 102X",
        "110105-19850315-102X",
        "１１０１０５１９８５０３１５１０２Ｘ",
        "'110105　1985－0315 102ｘ",
    ] {
        let id = parsed(raw);
        assert_eq!(id.quality, IdQuality::Reformatted, "{raw}");
        assert_eq!(id.exact_key(), Some(X_ID), "{raw}");
    }
}

#[test]
fn fifteen_digit_id_is_upgraded() {
    let id = parsed("110105491231002");
    assert_eq!(id.quality, IdQuality::Upgraded15);
    assert_eq!(id.digits, "11010519491231002X");
    assert_eq!(id.reliable_prefix, 18);
    assert_eq!(birth_date(&id), Some(date(1949, 12, 31)));
}

#[test]
fn fifteen_digit_id_with_impossible_date_is_damaged_in_18_layout() {
    let id = parsed("110105491331002");
    assert_eq!(id.quality, IdQuality::BadDate);
    assert_eq!(id.digits, "11010519491331002");
    assert_eq!(id.reliable_prefix, 6);
    assert_eq!(id.exact_key(), None);
}

#[test]
fn bad_check_keeps_17_digits() {
    let id = parsed("410123199001011237");
    assert_eq!(id.quality, IdQuality::BadCheck);
    assert_eq!(id.reliable_prefix, 17);
    assert_eq!(id.digits, "410123199001011237");
    assert_eq!(id.exact_key(), None);
    // Region, date and sex digits are still usable for fuzzy linkage.
    assert_eq!(birth_date(&id), Some(date(1990, 1, 1)));
    assert_eq!(sex(&id), Some(Sex::Male));
}

#[test]
fn impossible_dates_are_damaged_even_with_a_matching_check() {
    for first17 in [
        "41012319901301123", // month 13
        "41012319900230123", // 30 February
        "41012318991231123", // before 1900
        "41012321000101123", // far future
    ] {
        let id = parsed(&id18(first17));
        assert_eq!(id.quality, IdQuality::BadDate, "{first17}");
        assert_eq!(id.reliable_prefix, 6);
        assert_eq!(birth_date(&id), None);
    }
    // 29 February exists in leap years only.
    assert!(parsed(&id18("41012320000229123")).quality.is_valid());
    assert_eq!(
        parsed(&id18("41012319000229123")).quality,
        IdQuality::BadDate
    );
}

#[test]
fn excel_scientific_text_keeps_the_digits_before_the_exponent() {
    let id = parsed("4.10123199001E+17");
    assert_eq!(id.quality, IdQuality::ExcelFloat);
    assert_eq!(id.digits, "410123199001");
    assert_eq!(id.reliable_prefix, 12);
    assert_eq!(birth_date(&id), None, "the date lost its day digits");

    let id = parsed("4.10123199001011E17");
    assert_eq!(id.quality, IdQuality::ExcelFloat);
    assert_eq!(id.digits, "410123199001011");
    assert_eq!(id.reliable_prefix, 15);
    assert_eq!(birth_date(&id), Some(date(1990, 1, 1)));
    assert_eq!(region(&id), Some("410123"));

    // A float formatter printing 17 significant digits: only 15 are faithful.
    let id = parsed("4.1012319900101123e17");
    assert_eq!(id.quality, IdQuality::ExcelFloat);
    assert_eq!(id.reliable_prefix, 15);
}

#[test]
fn excel_decimal_text_with_trailing_000() {
    assert_ne!(check_char("41012319900101100"), '0');
    let id = parsed("410123199001011000.0");
    assert_eq!(id.quality, IdQuality::Trailing000);
    assert_eq!(id.digits, "410123199001011000");
    assert_eq!(id.reliable_prefix, 15);
    assert_eq!(parsed("410123199001011000").quality, IdQuality::Trailing000);
}

#[test]
fn float_text_with_every_digit_present_is_just_formatting() {
    let id = parsed("4.10123199001011236E+17");
    assert_eq!(id.quality, IdQuality::Reformatted);
    assert_eq!(id.exact_key(), Some("410123199001011236"));
    assert_eq!(
        parsed("410123199001011236.00").exact_key(),
        Some("410123199001011236")
    );
}

#[test]
fn fifteen_digit_excel_float_is_moved_into_18_layout() {
    let id = parsed("1.10105491231E+14");
    assert_eq!(id.quality, IdQuality::ExcelFloat);
    assert_eq!(id.digits, "11010519491231");
    assert_eq!(id.reliable_prefix, 14);
    assert_eq!(birth_date(&id), Some(date(1949, 12, 31)));
}

#[test]
fn wrong_lengths_are_damaged() {
    // Check character lost (an `X` dropped by a number cell).
    let id = parsed("11010519850315102");
    assert_eq!(id.quality, IdQuality::WrongLength);
    assert_eq!(id.reliable_prefix, 17);
    let id = parsed("4101231990010112");
    assert_eq!(id.quality, IdQuality::WrongLength);
    assert_eq!(id.reliable_prefix, 14);
    let id = parsed("12345");
    assert_eq!(id.quality, IdQuality::WrongLength);
    assert_eq!(id.reliable_prefix, 0);
    // `X` anywhere but last, letters inside.
    assert_eq!(parsed("1101051985031X1023").quality, IdQuality::WrongLength);
    assert_eq!(parsed("4101231990O1011236").quality, IdQuality::WrongLength);
}

#[test]
fn blank_cells_have_no_id() {
    for raw in ["", "   ", "\u{3000}", "无", "/", "-", "不详"] {
        assert_eq!(parse_resident_id(raw), None, "{raw:?}");
    }
}

#[test]
fn sex_and_region_from_a_valid_id() {
    let female = parsed(X_ID);
    assert_eq!(sex(&female), Some(Sex::Female));
    assert_eq!(region(&female), Some("110105"));
    assert_eq!(birth_date(&female), Some(date(1985, 3, 15)));
    let male = parsed(&id18("41012319900101123"));
    assert_eq!(sex(&male), Some(Sex::Male));
}

#[test]
fn certificate_number_yields_id_category_and_grade() {
    let cert = parse_certificate(&format!("{X_ID}41")).unwrap();
    assert_eq!(cert.id.quality, IdQuality::FromCertificate);
    assert_eq!(cert.id.exact_key(), Some(X_ID));
    assert_eq!(
        (cert.category, cert.grade),
        (DisabilityCategory::Physical, 1)
    );
    assert_eq!(cert.category.label_zh(), "肢体");

    let cert = parse_certificate("11010519850315102x 62").unwrap();
    assert_eq!((cert.category.label_zh(), cert.grade), ("精神", 2));

    // A damaged ID inside a well-formed certificate stays damaged.
    let cert = parse_certificate("41012319900101123771").unwrap();
    assert_eq!(cert.id.quality, IdQuality::BadCheck);
    assert_eq!(
        (cert.category, cert.grade),
        (DisabilityCategory::Multiple, 1)
    );

    for raw in [
        "",
        X_ID,
        &format!("{X_ID}81"),
        &format!("{X_ID}15"),
        "4.1E+19",
    ] {
        assert_eq!(parse_certificate(raw), None, "{raw}");
    }
}
