//! Field recognition: which column of a sheet is which canonical field, found by the header
//! and by the values below it.
//!
//! No synonym list is ever complete: every county's department systems spell headers their
//! own way. So each column collects scored candidates from four kinds of evidence, and the
//! best candidates win, one column per field, deterministically:
//!
//! 1. an override from the pipeline file (`columns = { aid_date = "审批日期" }`);
//! 2. a known spelling (`headers::SYNONYMS`);
//! 3. keywords and parts of the header (`…状态` on a roll is its status; `停保日期` is an end
//!    date; `…时间` on a hotline is the request's date);
//! 4. the content: a column where most values are resident IDs is the ID column whatever it
//!    is called; certificate numbers, mobiles, dates, the kind's status words, the pipeline's
//!    township and village names, 是/否, 2–4-character names.
//!
//! Content also vetoes: a header that says "date" over a column of names is not a date.

use std::collections::BTreeMap;
use std::fmt;

use serde::Serialize;

use crate::config::{RuleSettings, Township};
use crate::lang::pick;
use crate::model::{Field, FieldType, SourceKind};
use crate::normalise::Gazetteer;
use crate::tr;

use super::headers::normalise_header;

mod content;
mod keywords;
#[cfg(test)]
mod tests;

use content::Profile;
pub use content::{looks_like_date, looks_like_id};
pub use keywords::is_known_spelling;
use keywords::{header_candidates, vetoed};

/// How many data rows below the header are looked at to recognise columns by content.
pub const SAMPLE_ROWS: usize = 200;

/// Below this many non-empty values a column's content says nothing …
const MIN_VALUES: usize = 3;
/// … except that two values, both dates, say "date": a roll's end dates are sparse.
const MIN_DATES: usize = 2;

/// A candidate must score at least this to be taken.
const ACCEPT: f32 = 3.0;

/// The words and places content is recognised by, built once per run from the pipeline.
#[derive(Debug, Clone)]
pub struct Vocabulary {
    gazetteer: Gazetteer,
    /// Status words per status field: what a status column of that kind holds.
    statuses: Vec<(Field, Vec<String>)>,
}

/// Words that show a column's meaning but decide nothing in the rules (those come from
/// `RuleSettings`, so a configured status word is recognised too).
const ROLL_STATES: &[&str] = &["暂停", "取消", "正常", "停发", "待审"];
const HANDLING_STATES: &[&str] = &[
    "办理中",
    "待办理",
    "未办理",
    "未办结",
    "处理中",
    "待处理",
    "已受理",
    "受理",
    "已转办",
    "转办",
    "已签收",
    "待回访",
    "已回访",
];
const EMPLOYMENT_STATES: &[&str] = &["已就业", "就业", "注销", "退休", "灵活就业", "创业"];
const PARENT_STATES: &[&str] = &["健在", "正常", "外出务工", "务工", "在家"];
const SEX_WORDS: &[&str] = &["男", "女", "男性", "女性"];
const RELATION_WORDS: &[&str] = &[
    "户主", "本人", "配偶", "妻", "夫", "子", "女", "儿子", "女儿", "长子", "次子", "长女", "次女",
    "之子", "之女", "父亲", "母亲", "父", "母", "孙子", "孙女", "儿媳", "女婿", "兄", "弟", "姐",
    "妹", "其他",
];
const DISABILITY_CATEGORIES: &[&str] = &["视力", "听力", "言语", "肢体", "智力", "精神", "多重"];
const DISABILITY_GRADES: &[&str] = &["一级", "二级", "三级", "四级", "1级", "2级", "3级", "4级"];
const MONITOR_CATEGORIES: &[&str] = &["脱贫不稳定", "边缘易致贫", "突发严重困难", "监测户"];
const REQUEST_TYPES: &[&str] = &["求助", "咨询", "投诉", "建议", "举报", "表扬", "意见"];
const EVENT_TYPES: &[&str] = &[
    "疫情",
    "洪涝",
    "洪水",
    "地震",
    "火灾",
    "干旱",
    "旱灾",
    "冰雹",
    "泥石流",
    "台风",
    "暴雨",
    "滑坡",
    "雪灾",
    "风灾",
    "灾",
];
const AID_TYPES: &[&str] = &["急难", "支出型", "一次性", "临时救助"];

impl Vocabulary {
    pub fn new(townships: &[Township], rules: &RuleSettings) -> Vocabulary {
        let owned = |configured: &[&[String]], extra: &[&str]| -> Vec<String> {
            configured
                .iter()
                .flat_map(|w| w.iter().cloned())
                .chain(extra.iter().map(|w| w.to_string()))
                .collect()
        };
        let parent = owned(
            &[&rules.parent_absent_statuses, &rules.parent_unable_statuses],
            PARENT_STATES,
        );
        Vocabulary {
            gazetteer: Gazetteer::new(townships),
            statuses: vec![
                (
                    Field::RollStatus,
                    owned(
                        &[&rules.active_statuses, &rules.stopped_statuses],
                        ROLL_STATES,
                    ),
                ),
                (
                    Field::HandlingStatus,
                    owned(&[&rules.finished_statuses], HANDLING_STATES),
                ),
                (
                    Field::EmploymentStatus,
                    owned(&[&rules.unemployed_statuses], EMPLOYMENT_STATES),
                ),
                (Field::FatherStatus, parent.clone()),
                (Field::MotherStatus, parent),
            ],
        }
    }

    fn status_words(&self, field: Field) -> &[String] {
        self.statuses
            .iter()
            .find(|(f, _)| *f == field)
            .map_or(&[], |(_, w)| w.as_slice())
    }
}

impl Default for Vocabulary {
    fn default() -> Self {
        Vocabulary::new(&[], &RuleSettings::default())
    }
}

/// What recognition needs to know about the sheet's source.
pub struct Context<'a> {
    pub kind: SourceKind,
    pub overrides: &'a BTreeMap<Field, String>,
    pub vocabulary: &'a Vocabulary,
}

/// Why a column was taken for a field: shown by `check`, kept in the manifest.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "by", rename_all = "snake_case")]
pub enum Evidence {
    /// `columns = { … }` in the pipeline file.
    Override,
    /// A known spelling of the field.
    Header,
    /// The header contains a word that names the field.
    Keyword { word: String },
    /// The values: `share` percent of them are `what`.
    Content { share: u8, what: &'static str },
}

impl fmt::Display for Evidence {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Evidence::Override => f.write_str(pick("按覆盖设置", "by the pipeline's columns")),
            Evidence::Header => f.write_str(pick("按表头", "by header")),
            Evidence::Keyword { word } => f.write_str(&tr!(
                "按表头关键字「{word}」",
                "by the header keyword \"{word}\""
            )),
            Evidence::Content { share, what } => f.write_str(&tr!(
                "按内容 ({share}% 为{what})",
                "by content ({share}% are {what})"
            )),
        }
    }
}

/// One header column: what to show, and the texts to try, best first (a two-row header
/// tries `父亲身份证号` before `身份证号`).
#[derive(Debug, Clone)]
pub struct HeaderCell {
    pub shown: String,
    pub tries: Vec<String>,
}

/// A mapped column: which cell feeds which field, the header as the file wrote it, and why.
#[derive(Debug, Clone, PartialEq)]
pub struct Column {
    pub index: usize,
    pub field: Field,
    pub header: String,
    pub evidence: Evidence,
}

/// Fields every kind may carry.
const PERSON_FIELDS: &[Field] = &[
    Field::Name,
    Field::IdNumber,
    Field::Sex,
    Field::BirthDate,
    Field::Township,
    Field::Village,
    Field::Address,
    Field::Phone,
    Field::HouseholdId,
    Field::Relation,
    Field::HeadName,
];

/// Fields specific to a kind. Restricting candidates per kind is what lets `状态` mean the
/// employment status on an unemployment register and the roll status on a roll.
fn kind_fields(kind: SourceKind) -> &'static [Field] {
    use Field::*;
    match kind {
        SourceKind::Agriculture => &[MonitorCategory, MonitorDate, RiskType, RiskCleared],
        SourceKind::Medical => &[SettlementDate, TotalCost, OutOfPocket],
        SourceKind::Disability => &[
            CertNumber,
            DisabilityCategory,
            DisabilityGrade,
            CertIssueDate,
        ],
        SourceKind::Petition | SourceKind::Hotline => {
            &[RequestDate, RequestType, RequestContent, HandlingStatus]
        }
        SourceKind::Unemployment => &[RegistrationDate, Insured, ReceivesBenefit, EmploymentStatus],
        SourceKind::Emergency => &[EventType, EventDate, Hardship],
        SourceKind::Children => &[
            FatherName,
            FatherId,
            FatherStatus,
            MotherName,
            MotherId,
            MotherStatus,
        ],
        SourceKind::Dibao
        | SourceKind::Tekun
        | SourceKind::Orphan
        | SourceKind::Fuc
        | SourceKind::LowIncome => &[RollStatus, StartDate, EndDate],
        SourceKind::TempAssistance => &[AidDate, Amount, AidType],
    }
}

pub fn allowed(kind: SourceKind, field: Field) -> bool {
    PERSON_FIELDS.contains(&field) || kind_fields(kind).contains(&field)
}

/// The date a kind is about (its one date a header merely calling itself 日期/时间 means).
fn primary_date(kind: SourceKind) -> Option<Field> {
    use Field::*;
    Some(match kind {
        SourceKind::Agriculture => MonitorDate,
        SourceKind::Medical => SettlementDate,
        SourceKind::Disability => CertIssueDate,
        SourceKind::Petition | SourceKind::Hotline => RequestDate,
        SourceKind::Unemployment => RegistrationDate,
        SourceKind::Emergency => EventDate,
        SourceKind::TempAssistance => AidDate,
        SourceKind::Dibao
        | SourceKind::Tekun
        | SourceKind::Orphan
        | SourceKind::Fuc
        | SourceKind::LowIncome => StartDate,
        SourceKind::Children => return None,
    })
}

/// A scored reason to take a column for a field.
#[derive(Debug, Clone)]
struct Candidate {
    column: usize,
    field: Field,
    score: f32,
    evidence: Evidence,
}

/// Maps header cells onto fields. With `sample` rows (the data below the header), content
/// both corroborates headers and finds columns no header names; without, headers alone
/// decide (used to locate the header row).
pub fn recognise(ctx: &Context<'_>, cells: &[HeaderCell], sample: &[&[String]]) -> Vec<Column> {
    let (mut candidates, overridden) = override_candidates(ctx, cells);
    let headed: Vec<Vec<(Field, f32, Evidence)>> = cells
        .iter()
        .map(|cell| header_candidates(ctx.kind, cell))
        .collect();
    let profiles = content_profiles(ctx, cells.len(), sample, &headed);

    for (column, cell) in cells.iter().enumerate() {
        if overridden[column] {
            continue;
        }
        let profile = profiles.get(column);
        let header_strength = score_headers(column, &headed[column], profile, &mut candidates);
        // Content speaks for columns whose header names nothing, and settles an ID header
        // over certificate numbers (or the reverse).
        let Some(profile) = profile else { continue };
        score_content(
            ctx.kind,
            column,
            cell,
            &headed[column],
            profile,
            header_strength,
            &mut candidates,
        );
    }

    let mut columns = assign(candidates, cells);
    // 户主姓名 alone names the person.
    if !columns.iter().any(|c| c.field == Field::Name) {
        if let Some(head) = columns.iter_mut().find(|c| c.field == Field::HeadName) {
            head.field = Field::Name;
        }
    }
    columns.sort_by_key(|c| c.field);
    columns
}

/// The pipeline's overrides, each on the first column not yet taken whose header it names;
/// also which columns they took.
fn override_candidates(ctx: &Context<'_>, cells: &[HeaderCell]) -> (Vec<Candidate>, Vec<bool>) {
    let mut candidates: Vec<Candidate> = Vec::new();
    let mut overridden = vec![false; cells.len()];
    for (field, text) in ctx.overrides {
        let want = normalise_header(text);
        let hit = cells.iter().enumerate().position(|(i, cell)| {
            !overridden[i] && cell.tries.iter().any(|t| normalise_header(t) == want)
        });
        if let Some(i) = hit {
            overridden[i] = true;
            candidates.push(Candidate {
                column: i,
                field: *field,
                score: 100.0,
                evidence: Evidence::Override,
            });
        }
    }
    (candidates, overridden)
}

/// Each column's content profile; none without sample rows.
fn content_profiles(
    ctx: &Context<'_>,
    columns: usize,
    sample: &[&[String]],
    headed: &[Vec<(Field, f32, Evidence)>],
) -> Vec<Profile> {
    if sample.is_empty() {
        return Vec::new();
    }
    let mut profiles: Vec<Profile> = (0..columns)
        .map(|c| Profile::of(sample, c, ctx.vocabulary))
        .collect();
    // The ID column's birth dates tell a birth-date column from the kind's own date.
    let id_column = profiles
        .iter()
        .enumerate()
        .filter(|(c, p)| {
            p.id >= 0.6
                && headed[*c]
                    .iter()
                    .all(|(f, _, _)| !matches!(f, Field::FatherId | Field::MotherId))
        })
        .max_by(|a, b| a.1.id.total_cmp(&b.1.id).then(b.0.cmp(&a.0)))
        .map(|(c, _)| c);
    if let Some(id_column) = id_column {
        for (c, p) in profiles.iter_mut().enumerate() {
            if c != id_column && p.date >= 0.6 {
                p.birth = Profile::birth_share(sample, c, id_column);
            }
        }
    }
    profiles
}

/// The header's candidates for one column, corroborated or contradicted by its content;
/// returns the strongest header score.
fn score_headers(
    column: usize,
    headed: &[(Field, f32, Evidence)],
    profile: Option<&Profile>,
    candidates: &mut Vec<Candidate>,
) -> f32 {
    let mut header_strength: f32 = 0.0;
    for (field, score, evidence) in headed {
        let mut score = *score;
        if let Some(fit) = profile.and_then(|p| p.fit(*field)) {
            // A known spelling is trusted over messy values, but not over none at all.
            let floor = if matches!(evidence, Evidence::Header) {
                0.05
            } else {
                0.2
            };
            if fit < floor {
                score -= 8.0;
            } else {
                score += fit;
            }
        }
        header_strength = header_strength.max(score);
        candidates.push(Candidate {
            column,
            field: *field,
            score,
            evidence: evidence.clone(),
        });
    }
    header_strength
}

/// The content's candidates for one column, for fields its header neither names nor rules
/// out.
fn score_content(
    kind: SourceKind,
    column: usize,
    cell: &HeaderCell,
    headed: &[(Field, f32, Evidence)],
    profile: &Profile,
    header_strength: f32,
    candidates: &mut Vec<Candidate>,
) {
    for (field, score, evidence) in profile.candidates(kind) {
        if vetoed(field, &cell.shown) || headed.iter().any(|c| c.0 == field) {
            continue;
        }
        // A column a header already names weakly prefers that name.
        let score = if header_strength >= 6.0 {
            score - 2.0
        } else {
            score
        };
        candidates.push(Candidate {
            column,
            field,
            score,
            evidence,
        });
    }
}

/// Best candidates first, one field per column and one column per field; ties go to the
/// earlier column, then the earlier field, so the result never depends on hashing.
fn assign(mut candidates: Vec<Candidate>, cells: &[HeaderCell]) -> Vec<Column> {
    candidates.retain(|c| c.score >= ACCEPT);
    candidates.sort_by(|a, b| {
        b.score
            .total_cmp(&a.score)
            .then(a.column.cmp(&b.column))
            .then(a.field.cmp(&b.field))
    });
    let mut used_columns = vec![false; cells.len()];
    let mut used_fields: Vec<Field> = Vec::new();
    let mut columns = Vec::new();
    for c in candidates {
        if used_columns[c.column] || used_fields.contains(&c.field) {
            continue;
        }
        used_columns[c.column] = true;
        used_fields.push(c.field);
        columns.push(Column {
            index: c.column,
            field: c.field,
            header: cells[c.column].shown.clone(),
            evidence: c.evidence,
        });
    }
    columns
}
