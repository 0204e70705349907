//! What one source row says beyond who the person is, typed once by normalise. The rules
//! read these and nothing else of the row, so a new source field is typed in one place.
//!
//! Status words stay text: what counts as 已办结 or 停保 is the county's configured
//! vocabulary (`[rules]`), which the rules apply.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// The facts of one row, by the kind of its source.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Observation {
    /// Nothing beyond who the person is: a parent named on a children-at-risk row (the
    /// row's facts are the child's).
    IdentityOnly,
    Monitoring(Box<Monitoring>),
    /// Medical settlement lines, one per source row: the record's own row and the rows
    /// that follow it. A person's consecutive claim lines with one valid ID are one record
    /// (normalise joins them), so a county's millions of lines are not a record each.
    Claims(Box<[Claim]>),
    Disability(Disability),
    Request(Box<Request>),
    Unemployment(Box<Unemployment>),
    Emergency(Box<Emergency>),
    Child(Box<ChildRow>),
    Roll(Box<RollEntry>),
}

/// An agriculture bureau's 防返贫监测对象 row.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Monitoring {
    /// 监测对象类别, e.g. 脱贫不稳定户.
    pub category: Option<String>,
    /// 纳入监测日期.
    pub since: Option<NaiveDate>,
    pub risk: Option<String>,
    pub risk_cleared: Option<bool>,
}

/// One medical settlement line (or a per-person total, which has no date).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Claim {
    /// 个人自付 in fen: integer sums are exact whatever their order.
    pub out_of_pocket_cents: Option<i64>,
    pub settled: Option<NaiveDate>,
}

/// 残疾类别, numbered as in the certificate number's 19th digit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum DisabilityCategory {
    Vision = 1,
    Hearing = 2,
    Speech = 3,
    Physical = 4,
    Intellectual = 5,
    Mental = 6,
    Multiple = 7,
}

impl DisabilityCategory {
    const ALL: [(DisabilityCategory, &'static str); 7] = [
        (DisabilityCategory::Vision, "视力"),
        (DisabilityCategory::Hearing, "听力"),
        (DisabilityCategory::Speech, "言语"),
        (DisabilityCategory::Physical, "肢体"),
        (DisabilityCategory::Intellectual, "智力"),
        (DisabilityCategory::Mental, "精神"),
        (DisabilityCategory::Multiple, "多重"),
    ];

    /// The certificate's category digit, 1 to 7.
    pub fn from_digit(digit: u32) -> Option<DisabilityCategory> {
        DisabilityCategory::ALL
            .get((digit as usize).checked_sub(1)?)
            .map(|(c, _)| *c)
    }

    /// `智力残疾`, `精神`, or the category's digit alone.
    pub fn from_text(text: &str) -> Option<DisabilityCategory> {
        let text = text.trim();
        if let Some((c, _)) = DisabilityCategory::ALL
            .iter()
            .find(|(_, w)| text.contains(w))
        {
            return Some(*c);
        }
        let mut digits = text.chars().filter(char::is_ascii_digit);
        match (digits.next(), digits.next()) {
            (Some(d), None) => DisabilityCategory::from_digit(d.to_digit(10)?),
            _ => None,
        }
    }

    pub fn label_zh(self) -> &'static str {
        DisabilityCategory::ALL[self as usize - 1].1
    }

    pub fn is_mental(self) -> bool {
        matches!(
            self,
            DisabilityCategory::Intellectual | DisabilityCategory::Mental
        )
    }
}

/// What one disability certificate says.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Disability {
    pub category: Option<DisabilityCategory>,
    /// 1 (most severe) to 4.
    pub grade: Option<u8>,
    pub issued: Option<NaiveDate>,
}

impl Disability {
    /// Grade ≤ `any` for every category, or grade ≤ `mental` for intellectual/mental.
    pub fn meets(&self, any: u8, mental: u8) -> bool {
        match self.grade {
            Some(g) if g <= any => true,
            Some(g) => self.category.is_some_and(DisabilityCategory::is_mental) && g <= mental,
            None => false,
        }
    }
}

/// A petition or a 12349 hotline order.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Request {
    pub date: Option<NaiveDate>,
    /// 信访类别 / 工单类型, e.g. 求助.
    pub kind: Option<String>,
    pub content: Option<String>,
    /// 办理状态 as written.
    pub status: Option<String>,
}

/// A registered-unemployment row.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Unemployment {
    pub registered: Option<NaiveDate>,
    /// 就业状态 as written; blank on a register of the unemployed.
    pub status: Option<String>,
    /// 是否参加失业保险.
    pub insured: Option<bool>,
}

/// An emergency-management row: someone hit by an epidemic or a disaster.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Emergency {
    pub event: Option<String>,
    pub date: Option<NaiveDate>,
    pub hardship: Option<String>,
}

/// A children-at-risk row, as it concerns the child: the parents' states as written.
/// The parents themselves are person records of their own (`Role::Father`/`Mother`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ChildRow {
    pub father_status: Option<String>,
    pub mother_status: Option<String>,
}

/// A row of an assistance roll (低保, 特困, 孤儿, 事实无人抚养儿童, 临时救助, 低收入).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct RollEntry {
    /// 状态 as written (在保, 停保 …).
    pub status: Option<String>,
    pub start: Option<NaiveDate>,
    pub end: Option<NaiveDate>,
    /// 救助日期 of a temporary-assistance payment.
    pub aided: Option<NaiveDate>,
}
