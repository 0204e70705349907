//! Names: simplified, cleaned, keyed by pinyin; one person written ten ways.

use super::*;

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
