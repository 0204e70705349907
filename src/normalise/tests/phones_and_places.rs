//! Phones, and townships and villages from the county's gazetteer.

use super::*;

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
