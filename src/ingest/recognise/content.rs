//! Evidence from the values below a header: what share of a column's values are IDs,
//! certificates, mobiles, dates, status words, townships, names or long text.

use chrono::Datelike;

use crate::model::{Field, FieldType};
use crate::normalise::{parse_certificate, parse_resident_id};

use super::super::values::{parse_amount, parse_bool, parse_date};
use super::*;
use crate::lang::pick;

/// What the values of one column look like, as shares of its non-empty values.
#[derive(Debug, Default, Clone)]
pub(super) struct Profile {
    pub(super) values: usize,
    pub(super) id: f32,
    pub(super) valid_id: f32,
    pub(super) certificate: f32,
    pub(super) phone: f32,
    pub(super) date: f32,
    /// Dates, or numbers that read as Excel date serials (only to accept a date header).
    pub(super) date_loose: f32,
    /// Yes/no in any spelling `parse_bool` reads (已参保, 未领取 …).
    pub(super) flag: f32,
    /// Dates equal to the birth date in the row's ID column.
    pub(super) birth: f32,
    pub(super) amount: f32,
    pub(super) yes_no: f32,
    pub(super) township: f32,
    pub(super) village: f32,
    pub(super) name: f32,
    pub(super) long_text: f32,
    pub(super) address: f32,
    pub(super) words: Vec<(Field, f32)>,
}

fn share(hits: usize, of: usize) -> f32 {
    if of == 0 {
        0.0
    } else {
        hits as f32 / of as f32
    }
}

fn is_cjk(c: char) -> bool {
    ('\u{4E00}'..='\u{9FFF}').contains(&c) || ('\u{3400}'..='\u{4DBF}').contains(&c)
}

pub fn looks_like_id(v: &str) -> bool {
    let compact: String = v
        .chars()
        .filter(|c| !matches!(c, ' ' | '-' | '\'' | '\u{3000}'))
        .collect();
    let upper = compact.to_ascii_uppercase();
    let b = upper.as_bytes();
    let plain = (b.len() == 18
        && b[..17].iter().all(u8::is_ascii_digit)
        && (b[17].is_ascii_digit() || b[17] == b'X'))
        || (b.len() == 15 && b.iter().all(u8::is_ascii_digit));
    // Excel's float damage: 4.10123E+17.
    plain || (upper.contains("E+17") && upper.starts_with(|c: char| c.is_ascii_digit()))
}

fn looks_like_phone(v: &str) -> bool {
    let digits: String = v
        .trim_start_matches("+86")
        .chars()
        .filter(|c| !matches!(c, ' ' | '-' | '(' | ')'))
        .collect();
    if !digits.bytes().all(|b| b.is_ascii_digit()) {
        return false;
    }
    let b = digits.as_bytes();
    (b.len() == 11 && b[0] == b'1' && (b'3'..=b'9').contains(&b[1]))
        || (b.first() == Some(&b'0') && (10..=12).contains(&b.len()))
        || (7..=8).contains(&b.len()) && b[0] != b'0'
}

/// A date as clerks write one: with separators or 年月日, or eight digits from 1900 on; a
/// bare number (an amount, an Excel serial) is not taken for one here.
pub fn looks_like_date(v: &str) -> bool {
    let has_separator = v.contains(['-', '/', '.', '年', '月']);
    let eight = v.len() == 8 && v.bytes().all(|b| b.is_ascii_digit()) && v.starts_with(['1', '2']);
    (has_separator || eight) && parse_date(v).is_some_and(|d| (1900..=2100).contains(&d.year()))
}

fn contains_word(v: &str, words: &[String]) -> bool {
    words
        .iter()
        .any(|w| !w.is_empty() && v.contains(w.as_str()))
}

fn contains_str(v: &str, words: &[&str]) -> bool {
    words.iter().any(|w| v.contains(w))
}

impl Profile {
    pub(super) fn of(rows: &[&[String]], column: usize, vocab: &Vocabulary) -> Profile {
        let values: Vec<&str> = rows
            .iter()
            .filter_map(|r| r.get(column).map(|s| s.trim()).filter(|s| !s.is_empty()))
            .collect();
        let n = values.len();
        let mut p = Profile {
            values: n,
            ..Profile::default()
        };
        if n < MIN_DATES {
            return p;
        }
        let count = |f: &dyn Fn(&str) -> bool| share(values.iter().filter(|v| f(v)).count(), n);
        p.id = count(&looks_like_id);
        p.valid_id = count(&|v| parse_resident_id(v).is_some_and(|id| id.quality.is_valid()));
        p.certificate = count(&|v| parse_certificate(v).is_some());
        p.phone = count(&|v| looks_like_phone(v) && !looks_like_id(v) && !looks_like_date(v));
        p.date = count(&looks_like_date);
        p.date_loose = count(&|v| {
            looks_like_date(v)
                || (v.len() == 5
                    && v.parse::<u32>()
                        .is_ok_and(|n| (20_000..=60_000).contains(&n)))
        });
        p.flag = count(&|v| parse_bool(v).is_some());
        p.amount =
            count(&|v| parse_amount(v).is_some() && !looks_like_id(v) && !looks_like_phone(v));
        p.yes_no = count(&|v| {
            matches!(
                v,
                "是" | "否" | "有" | "无" | "Y" | "N" | "y" | "n" | "√" | "×"
            )
        });
        p.township = count(&|v| {
            v.chars().count() <= 8
                && (vocab.gazetteer.is_township(v)
                    || (v.ends_with(['镇', '乡']) || v.ends_with("街道") || v.ends_with("办事处"))
                        && v.chars().all(is_cjk))
        });
        p.village = count(&|v| {
            v.chars().count() <= 10
                && (vocab.gazetteer.is_village(v)
                    || (v.ends_with('村') || v.ends_with("社区") || v.ends_with("居委会"))
                        && v.chars().all(is_cjk))
        });
        let distinct = {
            let mut seen: Vec<&str> = values.clone();
            seen.sort_unstable();
            seen.dedup();
            share(seen.len(), n)
        };
        let name_like = count(&|v| {
            let chars: Vec<char> = v.chars().filter(|c| *c != '·' && *c != '•').collect();
            (2..=4).contains(&chars.len()) && chars.iter().all(|c| is_cjk(*c))
        });
        // Names are many and different; status and category words repeat.
        p.name = if distinct >= 0.5 { name_like } else { 0.0 };
        p.long_text = count(&|v| v.chars().count() >= 8 && v.chars().any(is_cjk));
        p.address = count(&|v| {
            v.chars().count() >= 5
                && contains_str(v, &["镇", "乡", "村", "街道", "路", "号", "组", "社区"])
        });
        let words = |list: &[&str]| count(&|v| contains_str(v, list));
        let exact = |list: &[&str]| count(&|v| list.contains(&v));
        p.words = vec![
            (Field::Sex, exact(SEX_WORDS)),
            (Field::Relation, exact(RELATION_WORDS)),
            (Field::DisabilityCategory, words(DISABILITY_CATEGORIES)),
            (Field::DisabilityGrade, words(DISABILITY_GRADES)),
            (Field::MonitorCategory, words(MONITOR_CATEGORIES)),
            (Field::RequestType, exact(REQUEST_TYPES)),
            (Field::EventType, words(EVENT_TYPES)),
            (Field::AidType, words(AID_TYPES)),
        ];
        for field in [
            Field::RollStatus,
            Field::HandlingStatus,
            Field::EmploymentStatus,
            Field::FatherStatus,
            Field::MotherStatus,
        ] {
            let list = vocab.status_words(field);
            // Short cells only: a petition's content may well mention 在保.
            let hit = count(&|v| v.chars().count() <= 8 && contains_word(v, list));
            p.words.push((field, hit));
        }
        p
    }

    /// The share of the column's dates that equal the birth date in the row's ID column: a
    /// birth-date column, not the kind's own date.
    pub(super) fn birth_share(rows: &[&[String]], column: usize, id_column: usize) -> f32 {
        let mut dates = 0;
        let mut births = 0;
        for row in rows {
            let Some(date) = row.get(column).and_then(|v| parse_date(v.trim())) else {
                continue;
            };
            dates += 1;
            let id = row.get(id_column).and_then(|v| parse_resident_id(v));
            if id.is_some_and(|id| crate::normalise::ids::birth_date(&id) == Some(date)) {
                births += 1;
            }
        }
        share(births, dates)
    }

    pub(super) fn word_share(&self, field: Field) -> f32 {
        self.words
            .iter()
            .find(|(f, _)| *f == field)
            .map_or(0.0, |(_, s)| *s)
    }

    /// How well the values fit the field's shape, when the field has one (`None`: any text).
    pub(super) fn fit(&self, field: Field) -> Option<f32> {
        if self.values < 5 {
            return None;
        }
        Some(match field {
            Field::IdNumber | Field::FatherId | Field::MotherId => self.id,
            // A column of plain IDs under a certificate header is the ID column.
            Field::CertNumber => self.certificate,
            Field::Phone => self.phone,
            Field::Name | Field::HeadName | Field::FatherName | Field::MotherName => {
                1.0 - self.id.max(self.date).max(self.amount)
            }
            f => match f.field_type() {
                FieldType::Date => self.date_loose,
                FieldType::Amount => self.amount,
                FieldType::Bool => self.flag,
                FieldType::Text => return None,
            },
        })
    }

    /// Content-only candidates: (field, score, evidence), for fields of `kind`.
    pub(super) fn candidates(&self, kind: SourceKind) -> Vec<(Field, f32, Evidence)> {
        let mut out = Vec::new();
        if self.values < MIN_VALUES && !(self.values >= MIN_DATES && self.date == 1.0) {
            return out;
        }
        let mut push = |field: Field, score: f32, share: f32, what: &'static str| {
            if allowed(kind, field) {
                out.push((
                    field,
                    score,
                    Evidence::Content {
                        share: (share * 100.0).round() as u8,
                        what,
                    },
                ));
            }
        };
        const STRONG: f32 = 0.6;
        if self.certificate >= STRONG {
            push(
                Field::CertNumber,
                5.5,
                self.certificate,
                pick("残疾人证号", "disability certificate numbers"),
            );
        } else if self.id >= STRONG {
            push(
                Field::IdNumber,
                5.0,
                self.valid_id.max(self.id),
                pick("身份证号", "resident IDs"),
            );
        }
        if self.phone >= STRONG {
            push(
                Field::Phone,
                5.0,
                self.phone,
                pick("电话号码", "phone numbers"),
            );
        }
        let sparse = self.values < MIN_VALUES;
        if self.date >= STRONG {
            if self.birth >= 0.5 {
                push(
                    Field::BirthDate,
                    5.5,
                    self.birth,
                    pick(
                        "与身份证号一致的出生日期",
                        "birth dates agreeing with the resident ID",
                    ),
                );
            } else if let Some(field) = primary_date(kind) {
                push(field, 4.0, self.date, pick("日期", "dates"));
                if field == Field::StartDate {
                    push(Field::EndDate, 3.9, self.date, pick("日期", "dates"));
                }
            }
        }
        if sparse {
            return out;
        }
        if self.amount >= 0.9
            && self.id < 0.1
            && self.date < 0.1
            && kind == SourceKind::TempAssistance
        {
            push(Field::Amount, 3.5, self.amount, pick("金额", "amounts"));
        }
        if self.yes_no >= STRONG {
            for (field, score) in [
                (Field::Insured, 3.6),
                (Field::ReceivesBenefit, 3.5),
                (Field::RiskCleared, 3.5),
            ] {
                push(field, score, self.yes_no, pick("是/否", "yes/no"));
            }
        }
        if self.township >= STRONG {
            push(
                Field::Township,
                5.0,
                self.township,
                pick("乡镇名", "township names"),
            );
        }
        if self.village >= STRONG {
            push(
                Field::Village,
                4.5,
                self.village,
                pick("村社区名", "village names"),
            );
        }
        let words = [
            (Field::Sex, pick("性别", "sex")),
            (
                Field::Relation,
                pick("与户主关系", "relation to the household head"),
            ),
            (
                Field::DisabilityCategory,
                pick("残疾类别", "disability categories"),
            ),
            (
                Field::DisabilityGrade,
                pick("残疾等级", "disability grades"),
            ),
            (
                Field::MonitorCategory,
                pick("监测对象类别", "monitoring categories"),
            ),
            (Field::RequestType, pick("诉求类型", "request types")),
            (
                Field::EventType,
                pick("灾害/事件类型", "disaster/event types"),
            ),
            (Field::AidType, pick("救助类型", "aid types")),
            (Field::RollStatus, pick("保障状态用语", "roll status words")),
            (
                Field::HandlingStatus,
                pick("办理状态用语", "handling status words"),
            ),
            (
                Field::EmploymentStatus,
                pick("就业失业状态用语", "employment status words"),
            ),
        ];
        for (field, what) in words {
            let s = self.word_share(field);
            if s >= STRONG {
                push(field, 5.0, s, what);
            }
        }
        if self.name >= 0.8 && self.township < 0.3 && self.village < 0.3 {
            push(
                Field::Name,
                3.5,
                self.name,
                pick("2–4 字的姓名", "names of 2–4 characters"),
            );
        }
        if self.address >= STRONG && self.long_text >= 0.5 {
            push(Field::Address, 3.5, self.address, pick("地址", "addresses"));
        } else if self.long_text >= STRONG {
            let text = pick("文字描述", "free text");
            push(Field::RequestContent, 3.2, self.long_text, text);
            push(Field::Hardship, 3.2, self.long_text, text);
        }
        out
    }
}
