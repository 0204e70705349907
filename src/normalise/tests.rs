use chrono::NaiveDate;
use proptest::prelude::*;

use super::ids::{birth_date, check_char, parse_certificate, parse_resident_id, region, sex};
use super::names::normalise_name;
use super::phones::normalise_phones;
use super::places::Gazetteer;
use super::*;
use crate::model::{
    DisabilityCategory, Field, IdQuality, RawRecord, Role, Sex, SourceKind, SourceRef, Value,
};

/// A valid 18-character ID from its first 17 digits.
fn id18(first17: &str) -> String {
    format!("{first17}{}", check_char(first17))
}

fn parsed(raw: &str) -> ResidentId {
    parse_resident_id(raw).expect("non-blank ID")
}

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

/// The ID used throughout: 110105 region, born 1985-03-15, sequence 102 (even: female), check `X`.
const X_ID: &str = "11010519850315102X";

// ---------------------------------------------------------------- resident IDs

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

// ---------------------------------------------------------------- property tests

/// A valid ID born 1900-01-01 ..= 2020-12-31 (fixed range: independent of the run date).
fn valid_id() -> impl Strategy<Value = String> {
    (1u32..=8, 0u32..100_000, 0i64..44_195, 0u32..1000).prop_map(|(p, r, days, seq)| {
        let born = date(1900, 1, 1) + chrono::Duration::days(days);
        id18(&format!("{p}{r:05}{}{seq:03}", born.format("%Y%m%d")))
    })
}

fn fullwidth(c: char) -> char {
    match c {
        '0'..='9' => char::from_u32(c as u32 + 0xFEE0).unwrap(),
        'X' => 'Ｘ',
        _ => c,
    }
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

// ---------------------------------------------------------------- names

#[test]
fn traditional_characters_become_simplified() {
    let name = normalise_name("張偉").unwrap();
    assert_eq!(name.key, "张伟");
    assert_eq!(name.display, "張偉");
    assert_eq!(name.pinyin, "zhang wei");
    for (traditional, simplified) in [
        ("陳國強", "陈国强"),
        ("劉麗華", "刘丽华"),
        ("鄭愛萍", "郑爱萍"),
        ("黃曉東", "黄晓东"),
        ("趙銀鳳", "赵银凤"),
    ] {
        assert_eq!(normalise_name(traditional).unwrap().key, simplified);
    }
}

#[test]
fn spaces_and_fullwidth_forms_are_removed() {
    let name = normalise_name("  张\u{3000}伟 ").unwrap();
    assert_eq!(name.key, "张伟");
    assert_eq!(name.display, "张\u{3000}伟");
    let name = normalise_name("ＬＩ Ｍｉｎｇ").unwrap();
    assert_eq!(name.key, "LIMing");
    assert_eq!(name.pinyin, "liming");
}

#[test]
fn middle_dots_are_unified() {
    let canonical = normalise_name("阿依古丽·买买提").unwrap();
    assert_eq!(canonical.key, "阿依古丽·买买提");
    assert_eq!(canonical.pinyin, "a yi gu li mai mai ti");
    for raw in [
        "阿依古丽•买买提",
        "阿依古丽.买买提",
        "阿依古丽．买买提",
        "阿依古丽・买买提",
        "阿依古丽 · 买买提",
        "阿依古丽··买买提",
        "阿依古麗·買買提",
    ] {
        assert_eq!(normalise_name(raw).unwrap().key, canonical.key, "{raw}");
    }
    // Written without a dot: the key stays as typed, the pinyin key still agrees.
    let undotted = normalise_name("阿依古丽买买提").unwrap();
    assert_eq!(undotted.key, "阿依古丽买买提");
    assert_eq!(undotted.pinyin, canonical.pinyin);
}

#[test]
fn homophones_share_the_pinyin_key() {
    let a = normalise_name("张伟").unwrap();
    let b = normalise_name("章玮").unwrap();
    assert_ne!(a.key, b.key);
    assert_eq!(a.pinyin, b.pinyin);
}

#[test]
fn names_without_letters_are_none() {
    for raw in ["", "  ", "·", "．．", "\u{3000}"] {
        assert_eq!(normalise_name(raw), None, "{raw:?}");
    }
}

// ---------------------------------------------------------------- ten ways, one person

#[test]
fn the_same_person_written_ten_ways_has_one_key() {
    let fifteen = "110105850315102"; // 15-digit form of X_ID
    let wide: String = X_ID.chars().map(fullwidth).collect();
    let ways = [
        ("张伟", X_ID.to_string()),
        ("張偉", X_ID.to_string()),
        (" 张 伟 ", X_ID.to_string()),
        ("张\u{3000}伟", wide),
        ("張伟", "11010519850315102x".to_string()),
        ("张伟", format!("'{X_ID}")),
        ("张伟", fifteen.to_string()),
        ("張 偉", "110105-19850315-102x".to_string()),
        ("张伟", "1101 0519 8503 1510 2X".to_string()),
        ("張偉", "１１０１０５１９８５０３１５１０２ｘ".to_string()),
    ];
    for (name, id) in &ways {
        let n = normalise_name(name).unwrap();
        let i = parse_resident_id(id).unwrap();
        assert_eq!(n.key, "张伟", "{name}");
        assert_eq!(n.pinyin, "zhang wei", "{name}");
        assert_eq!(i.exact_key(), Some(X_ID), "{id}");
    }

    let dotted = [
        "阿依古丽·买买提",
        "阿依古丽•买买提",
        "阿依古丽.买买提",
        "阿依古丽．买买提",
        "阿依古丽・买买提",
        "阿依古丽\u{00B7}买买提",
        "阿依古丽\u{2022}买买提",
        "阿依古丽\u{30FB}买买提",
        "阿依古丽\u{FF0E}买买提",
        "阿依古麗 · 買買提",
    ];
    for name in dotted {
        assert_eq!(
            normalise_name(name).unwrap().key,
            "阿依古丽·买买提",
            "{name}"
        );
    }

    // What Excel does to the same ID: damaged, never an exact key, leading digits kept.
    for (destroyed, quality, kept) in [
        ("1.10105198503E+17", IdQuality::ExcelFloat, 12),
        ("1.10105198503151E+17", IdQuality::ExcelFloat, 15),
        ("110105198503151000", IdQuality::Trailing000, 15),
        ("110105198503151000.0", IdQuality::Trailing000, 15),
    ] {
        let id = parse_resident_id(destroyed).unwrap();
        assert_eq!(id.quality, quality, "{destroyed}");
        assert_eq!(id.exact_key(), None);
        assert_eq!(usize::from(id.reliable_prefix), kept);
        assert_eq!(&id.digits[..kept], &X_ID[..kept]);
    }
}

// ---------------------------------------------------------------- phones

#[test]
fn phones_are_cleaned_and_split() {
    let cases: [(&str, &[&str]); 14] = [
        ("13812345678", &["13812345678"]),
        ("138 1234 5678", &["13812345678"]),
        ("138-1234-5678", &["13812345678"]),
        ("+86 138 1234 5678", &["13812345678"]),
        ("0086-13812345678", &["13812345678"]),
        ("8613812345678", &["13812345678"]),
        ("１３８１２３４５６７８", &["13812345678"]),
        ("0371-68881234", &["037168881234"]),
        ("(0371)6888123", &["03716888123"]),
        ("（010）62345678", &["01062345678"]),
        ("+86 371 68881234", &["037168881234"]),
        (
            "13812345678，13987654321;0371-68881234/15012345678、13812345678",
            &["13812345678", "13987654321", "037168881234", "15012345678"],
        ),
        ("13812345678 13987654321", &["13812345678", "13987654321"]),
        ("手机：13812345678 转 800", &["13812345678"]),
    ];
    for (raw, want) in cases {
        assert_eq!(normalise_phones(raw), want, "{raw}");
    }
}

#[test]
fn junk_phones_are_dropped() {
    for raw in [
        "",
        "无",
        "12345678",
        "68881234",
        "12812345678",
        "1381234567",
        "1.38123E+10",
        "0000-0000000",
    ] {
        assert!(normalise_phones(raw).is_empty(), "{raw}");
    }
}

// ---------------------------------------------------------------- places

fn townships() -> Vec<Township> {
    vec![
        Township {
            name: "城关镇".into(),
            aliases: vec!["城关".into()],
            villages: vec!["王庄村".into(), "东关社区".into(), "新村".into()],
        },
        Township {
            name: "石桥乡".into(),
            aliases: vec![],
            villages: vec!["李家村".into(), "新村".into()],
        },
        Township {
            name: "南关街道".into(),
            aliases: vec!["南关街道办事处".into()],
            villages: vec!["南关社区".into()],
        },
    ]
}

#[test]
fn township_spellings_resolve_to_the_canonical_name() {
    let g = Gazetteer::new(&townships());
    for text in ["城关", "城关镇", "城关镇人民政府", " 城关镇 ", "XX县城关镇"] {
        assert_eq!(g.township_of(text), Some("城关镇"), "{text}");
    }
    // Generic office suffix and the stem of a name without configured aliases.
    assert_eq!(g.township_of("石桥乡人民政府"), Some("石桥乡"));
    assert_eq!(g.township_of("石桥"), Some("石桥乡"));
    assert_eq!(g.township_of("南关街道办事处"), Some("南关街道"));
    assert_eq!(g.township_of("南关"), Some("南关街道"));
    assert_eq!(g.township_of("黄河镇"), None);
}

#[test]
fn addresses_give_township_and_village() {
    let g = Gazetteer::new(&townships());
    assert_eq!(
        g.parse_address("XX县城关镇王庄村3组"),
        (Some("城关镇"), Some("王庄村"))
    );
    assert_eq!(
        g.parse_address("XX县城关镇人民政府东关社区12号"),
        (Some("城关镇"), Some("东关社区"))
    );
    // A village only one township has decides the township.
    assert_eq!(
        g.parse_address("李家村5组"),
        (Some("石桥乡"), Some("李家村"))
    );
    // 新村 exists in two townships: undecided without the township.
    assert_eq!(g.parse_address("新村8号"), (None, None));
    assert_eq!(
        g.parse_address("石桥乡新村8号"),
        (Some("石桥乡"), Some("新村"))
    );
    assert_eq!(g.parse_address("黄河镇张庄村"), (None, None));
    assert_eq!(g.parse_address("城关镇张庄村"), (Some("城关镇"), None));
}

#[test]
fn village_cells_resolve_within_their_township() {
    let g = Gazetteer::new(&townships());
    assert_eq!(
        g.village_of(Some("城关镇"), "王庄村委会"),
        Some(("城关镇", "王庄村"))
    );
    assert_eq!(
        g.village_of(Some("城关镇"), "王庄"),
        Some(("城关镇", "王庄村"))
    );
    assert_eq!(
        g.village_of(Some("石桥乡"), "新村"),
        Some(("石桥乡", "新村"))
    );
    assert_eq!(g.village_of(None, "新村"), None);
    assert_eq!(g.village_of(None, "李家"), Some(("石桥乡", "李家村")));
    assert_eq!(g.village_of(Some("石桥乡"), "王庄村"), None);
}

// ---------------------------------------------------------------- the stage

fn record(kind: SourceKind, row: u32, fields: Vec<(Field, Value)>) -> RawRecord {
    let mut fields = fields;
    fields.sort_by_key(|(f, _)| *f);
    RawRecord {
        kind,
        source: SourceRef {
            file: "测试.xlsx".into(),
            sheet: None,
            row,
        },
        fields,
    }
}

fn t(s: &str) -> Value {
    Value::Text(s.into())
}

#[test]
fn a_row_becomes_a_normalised_person() {
    let rec = record(
        SourceKind::Medical,
        3,
        vec![
            (Field::Name, t("張偉")),
            (Field::IdNumber, t("11010519850315102x")),
            (Field::Township, t("城关")),
            (Field::Village, t("王庄村委会")),
            (Field::Address, t("城关镇王庄村3组")),
            (Field::Phone, t("138 1234 5678 / 0371-68881234")),
            (Field::HouseholdId, t(" H001 ")),
        ],
    );
    let out = normalise(&[rec], &townships());
    assert!(out.rejects.is_empty());
    let [p] = &out.persons[..] else {
        panic!("one person")
    };
    assert_eq!(p.role, Role::Subject);
    assert_eq!(p.source.row, 3);
    assert_eq!(p.name.as_ref().unwrap().key, "张伟");
    assert_eq!(p.id.as_ref().unwrap().exact_key(), Some(X_ID));
    assert_eq!(p.birth_date, Some(date(1985, 3, 15)));
    assert_eq!(p.sex, Some(Sex::Female));
    assert_eq!(p.phones, ["13812345678", "037168881234"]);
    assert_eq!(p.township.as_deref(), Some("城关镇"));
    assert_eq!(p.village.as_deref(), Some("王庄村"));
    assert_eq!(p.address.as_deref(), Some("城关镇王庄村3组"));
    assert_eq!(p.household_id.as_deref(), Some("H001"));
    assert_eq!(
        out.id_quality[&SourceKind::Medical][&IdQuality::Reformatted],
        1
    );
}

#[test]
fn township_falls_back_to_the_address_then_stays_unknown() {
    let recs = [
        record(
            SourceKind::Hotline,
            2,
            vec![
                (Field::Name, t("李娜")),
                (Field::Address, t("XX县石桥乡李家村")),
            ],
        ),
        record(
            SourceKind::Hotline,
            3,
            vec![
                (Field::Name, t("王芳")),
                (Field::Address, t("外县某某路1号")),
            ],
        ),
        record(
            SourceKind::Hotline,
            4,
            vec![
                (Field::Name, t("赵磊")),
                (Field::Township, t("黄河镇")),
                (Field::Village, t("张庄")),
            ],
        ),
    ];
    let out = normalise(&recs, &townships());
    let places: Vec<_> = out
        .persons
        .iter()
        .map(|p| (p.township.as_deref(), p.village.as_deref()))
        .collect();
    assert_eq!(
        places,
        [
            (Some("石桥乡"), Some("李家村")),
            (None, None),
            // An unlisted village is kept as typed; the township is decided later.
            (None, Some("张庄")),
        ]
    );
    assert_eq!(out.missing_ids[&SourceKind::Hotline], 3);
}

#[test]
fn certificate_fills_a_missing_or_damaged_id() {
    let valid_cert = format!("{X_ID}42");
    let recs = [
        // ID column empty.
        record(
            SourceKind::Disability,
            2,
            vec![
                (Field::Name, t("张伟")),
                (Field::CertNumber, t(&valid_cert)),
            ],
        ),
        // ID column destroyed by Excel.
        record(
            SourceKind::Disability,
            3,
            vec![
                (Field::Name, t("张伟")),
                (Field::IdNumber, t("1.10105198503E+17")),
                (Field::CertNumber, t(&valid_cert)),
            ],
        ),
        // Certificate number typed into the ID column.
        record(
            SourceKind::Disability,
            4,
            vec![(Field::Name, t("张伟")), (Field::IdNumber, t(&valid_cert))],
        ),
        // Both valid and disagreeing: the ID column wins.
        record(
            SourceKind::Disability,
            5,
            vec![
                (Field::Name, t("李强")),
                (Field::IdNumber, t("410123199001011236")),
                (Field::CertNumber, t(&valid_cert)),
            ],
        ),
        // Numeric cell: a float that lost its tail, as ingest hands it on
        // (`values::number_text`).
        record(
            SourceKind::Disability,
            6,
            vec![
                (Field::Name, t("王军")),
                (Field::IdNumber, t("410123199001011000")),
            ],
        ),
    ];
    let out = normalise(&recs, &[]);
    assert_eq!(out.persons.len(), 5);
    let ids: Vec<_> = out.persons[..4]
        .iter()
        .map(|p| p.id.as_ref().map(|i| (i.quality, i.digits.as_str())))
        .collect();
    assert_eq!(
        ids,
        [
            Some((IdQuality::FromCertificate, X_ID)),
            Some((IdQuality::FromCertificate, X_ID)),
            Some((IdQuality::FromCertificate, X_ID)),
            Some((IdQuality::Clean, "410123199001011236")),
        ]
    );
    // The float keeps 15 faithful digits.
    let float = out.persons[4].id.as_ref().unwrap();
    assert_eq!(float.quality, IdQuality::Trailing000);
    assert_eq!(float.reliable_prefix, 15);
    assert_eq!(&float.digits[..15], "410123199001011");
    assert_eq!(out.persons[4].birth_date, Some(date(1990, 1, 1)));
    // Both damaged: the certificate's bad check (17 digits) beats a 12-digit Excel float.
    let both_damaged = record(
        SourceKind::Disability,
        7,
        vec![
            (Field::Name, t("张伟")),
            (Field::IdNumber, t("1.10105198503E+17")),
            (Field::CertNumber, t("11010519850315102142")),
        ],
    );
    let id = normalise(&[both_damaged], &[]).persons[0]
        .id
        .clone()
        .unwrap();
    assert_eq!((id.quality, id.reliable_prefix), (IdQuality::BadCheck, 17));

    let counts = &out.id_quality[&SourceKind::Disability];
    assert_eq!(counts[&IdQuality::FromCertificate], 3);
    assert_eq!(counts[&IdQuality::Trailing000], 1);
}

#[test]
fn birth_date_and_sex_fall_back_to_their_columns() {
    let recs = [
        record(
            SourceKind::Petition,
            2,
            vec![
                (Field::Name, t("刘洋")),
                (Field::BirthDate, Value::Date(date(1970, 5, 6))),
                (Field::Sex, t("女")),
            ],
        ),
        record(
            SourceKind::Petition,
            3,
            vec![
                (Field::Name, t("刘洋")),
                (Field::BirthDate, Value::Date(date(1970, 5, 6))),
                (Field::IdNumber, t("4.10123197005E+17")),
            ],
        ),
        // Damaged ID whose date digits survived, no date column.
        record(
            SourceKind::Petition,
            4,
            vec![
                (Field::Name, t("刘洋")),
                (Field::IdNumber, t("4.10123197005061E+17")),
            ],
        ),
    ];
    let out = normalise(&recs, &[]);
    let got: Vec<_> = out.persons.iter().map(|p| (p.birth_date, p.sex)).collect();
    assert_eq!(
        got,
        [
            (Some(date(1970, 5, 6)), Some(Sex::Female)),
            (Some(date(1970, 5, 6)), None),
            (Some(date(1970, 5, 6)), None),
        ]
    );
}

#[test]
fn children_rows_yield_child_father_and_mother() {
    let father = id18("41012319800101123");
    let recs = [
        record(
            SourceKind::Children,
            5,
            vec![
                (Field::Name, t("王小明")),
                (Field::IdNumber, t(&id18("41012320150601123"))),
                (Field::Township, t("石桥")),
                (Field::Address, t("石桥乡李家村")),
                (Field::FatherName, t("王大山")),
                (Field::FatherId, t(&father)),
                (Field::MotherName, t("李秀英")),
                (Field::Phone, t("13812345678")),
            ],
        ),
        record(
            SourceKind::Children,
            6,
            vec![(Field::Name, t("赵小红")), (Field::FatherStatus, t("死亡"))],
        ),
    ];
    let out = normalise(&recs, &townships());
    let roles: Vec<_> = out.persons.iter().map(|p| (p.source.row, p.role)).collect();
    assert_eq!(
        roles,
        [
            (5, Role::Subject),
            (5, Role::Father),
            (5, Role::Mother),
            (6, Role::Subject)
        ]
    );
    let (dad, mum) = (&out.persons[1], &out.persons[2]);
    assert_eq!(dad.id.as_ref().unwrap().exact_key(), Some(father.as_str()));
    assert_eq!(dad.birth_date, Some(date(1980, 1, 1)));
    assert_eq!(dad.sex, Some(Sex::Male));
    assert_eq!(mum.id, None);
    assert_eq!(mum.sex, Some(Sex::Female));
    for parent in [dad, mum] {
        assert_eq!(parent.township.as_deref(), Some("石桥乡"));
        assert_eq!(parent.village.as_deref(), Some("李家村"));
        assert_eq!(parent.address.as_deref(), Some("石桥乡李家村"));
        assert!(parent.phones.is_empty());
    }
    // Mother of row 0 and the child of row 1 have no ID.
    assert_eq!(out.missing_ids[&SourceKind::Children], 2);
}

#[test]
fn rows_naming_nobody_are_rejected() {
    let recs = [
        record(
            SourceKind::Emergency,
            7,
            vec![(Field::Address, t("城关镇王庄村"))],
        ),
        record(
            SourceKind::Emergency,
            8,
            vec![(Field::Name, t(" / ")), (Field::IdNumber, t("无"))],
        ),
        // An ID without a name is still a person.
        record(
            SourceKind::Emergency,
            9,
            vec![(Field::IdNumber, t("4.10123199001E+17"))],
        ),
    ];
    let out = normalise(&recs, &townships());
    assert_eq!(out.persons.len(), 1);
    assert_eq!(out.persons[0].source.row, 9);
    let rows: Vec<_> = out
        .rejects
        .iter()
        .map(|r| (r.reference(), r.reason.as_str()))
        .collect();
    assert_eq!(
        rows,
        [
            ("测试.xlsx#7".to_string(), REASON_NO_IDENTITY),
            ("测试.xlsx#8".to_string(), REASON_NO_IDENTITY),
        ]
    );
    assert_eq!(out.rejects[0].kind, Some(SourceKind::Emergency));
}
