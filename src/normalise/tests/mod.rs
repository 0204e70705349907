//! Normalise tests: the builders every topic uses (IDs, dates, full-width digits, the
//! townships) are here; the tests, by topic, in the submodules.

use chrono::NaiveDate;

use super::ids::{birth_date, check_char, parse_certificate, parse_resident_id, region, sex};
use super::names::normalise_name;
use super::phones::normalise_phones;
use super::places::Gazetteer;
use super::*;
use crate::model::{
    DisabilityCategory, Field, IdQuality, RawRecord, Role, Sex, SourceKind, SourceRef, Value,
};

mod claim_lines;
mod id_properties;
mod person_names;
mod phones_and_places;
mod resident_ids;
mod rows;

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

fn fullwidth(c: char) -> char {
    match c {
        '0'..='9' => char::from_u32(c as u32 + 0xFEE0).unwrap(),
        'X' => 'Ｘ',
        _ => c,
    }
}

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
