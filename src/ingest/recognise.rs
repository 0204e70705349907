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

use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::sync::OnceLock;

use chrono::Datelike;
use serde::Serialize;

use crate::config::{RuleSettings, Township};
use crate::model::{Field, FieldType, SourceKind};
use crate::normalise::{parse_certificate, parse_resident_id, Gazetteer};

use super::headers::{normalise_header, SYNONYMS};
use super::values::{parse_amount, parse_bool, parse_date};

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
            Evidence::Override => write!(f, "按覆盖设置"),
            Evidence::Header => write!(f, "按表头"),
            Evidence::Keyword { word } => write!(f, "按表头关键字「{word}」"),
            Evidence::Content { share, what } => write!(f, "按内容 ({share}% 为{what})"),
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

/// A header keyword rule: the header contains one of `any`, and one of `also` (when given),
/// and none of `not`.
struct Keyword {
    field: Field,
    any: &'static [&'static str],
    also: &'static [&'static str],
    not: &'static [&'static str],
    score: f32,
}

const DATE_WORDS: &[&str] = &["日期", "时间", "年月", "日", "月份"];
/// What a date header must not say to be the request's date: those are handling dates.
const NOT_REQUEST_DATE: &[&str] = &[
    "办结", "完成", "回复", "截止", "处理", "反馈", "回访", "结案", "期限", "办理", "答复", "出生",
];
const NOT_START: &[&str] = &["终止", "结束", "停", "退出", "截止", "到期", "出生", "止"];
const NOT_END: &[&str] = &["起始", "开始", "出生", "批准", "审批", "纳入"];

const fn kw(field: Field, any: &'static [&'static str]) -> Keyword {
    Keyword {
        field,
        any,
        also: &[],
        not: &[],
        score: 6.0,
    }
}

const KEYWORDS: &[Keyword] = &[
    Keyword {
        not: &[
            "父",
            "母",
            "户主",
            "主申请",
            "监护",
            "单位",
            "经办",
            "机构",
            "医院",
        ],
        ..kw(Field::Name, &["姓名", "名字"])
    },
    Keyword {
        not: &[
            "电话", "号码", "身份", "证", "地址", "关系", "编号", "类型", "日期", "时间",
        ],
        score: 5.0,
        ..kw(
            Field::Name,
            &[
                "来电人",
                "信访人",
                "申请人",
                "当事人",
                "患者",
                "参保人",
                "求助人",
                "救助对象",
                "反映人",
                "诉求人",
                "就诊人",
                "残疾人",
                "失业人员",
                "儿童",
                "对象",
            ],
        )
    },
    Keyword {
        not: &["关系", "身份", "证", "号码", "电话", "编号"],
        score: 5.5,
        ..kw(Field::HeadName, &["户主", "主申请人"])
    },
    Keyword {
        not: &["父", "母", "户主", "监护", "残疾", "发证"],
        ..kw(
            Field::IdNumber,
            &[
                "身份证",
                "身份号",
                "公民身份",
                "证件号",
                "证件编号",
                "身份证件",
            ],
        )
    },
    // The head's ID is the person's only when no member ID column exists, not even one
    // found by its content alone.
    Keyword {
        also: &["身份证", "身份号", "证件号"],
        not: &["父", "母", "监护"],
        score: 3.0,
        ..kw(Field::IdNumber, &["户主"])
    },
    Keyword {
        not: &["身份", "发证", "日期", "时间"],
        ..kw(
            Field::CertNumber,
            &["残疾人证", "残疾证", "证号", "证编号", "持证", "证书编号"],
        )
    },
    kw(Field::Sex, &["性别"]),
    kw(Field::BirthDate, &["出生"]),
    Keyword {
        not: &["村", "社区", "地址", "住址"],
        ..kw(
            Field::Township,
            &[
                "乡镇",
                "街道",
                "乡(镇)",
                "镇(乡)",
                "镇街",
                "所属镇",
                "所在镇",
                "乡别",
            ],
        )
    },
    Keyword {
        not: &["乡镇", "地址", "住址", "街道", "人数"],
        score: 5.5,
        ..kw(Field::Village, &["村", "社区", "居委"])
    },
    kw(
        Field::Address,
        &["地址", "住址", "住所", "居住地", "户籍地", "现居"],
    ),
    Keyword {
        not: &["时间", "日期"],
        ..kw(
            Field::Phone,
            &["电话", "手机", "联系方式", "联系号码", "来电号码"],
        )
    },
    kw(
        Field::HouseholdId,
        &[
            "户编号",
            "户号",
            "户码",
            "家庭编号",
            "户编码",
            "家庭户号",
            "户籍编号",
            "户主编号",
        ],
    ),
    // A roll's 低保证号/供养证号 names the household; on a disability list 证号 is the
    // certificate, which outscores this.
    Keyword {
        not: &["身份", "残疾", "日期", "时间"],
        score: 5.0,
        ..kw(Field::HouseholdId, &["证号", "证编号"])
    },
    Keyword {
        not: &["联系"],
        ..kw(Field::Relation, &["关系"])
    },
    Keyword {
        also: &["监测", "对象", "户"],
        ..kw(Field::MonitorCategory, &["类别", "类型", "属性"])
    },
    Keyword {
        also: DATE_WORDS,
        not: &["消除", "退出", "出生"],
        ..kw(Field::MonitorDate, &["识别", "纳入", "监测"])
    },
    Keyword {
        not: &["消除", "是否"],
        ..kw(Field::RiskType, &["风险", "致贫", "返贫原因"])
    },
    kw(Field::RiskCleared, &["消除"]),
    Keyword {
        also: DATE_WORDS,
        ..kw(
            Field::SettlementDate,
            &["结算", "出院", "就诊", "费用发生", "报销", "入院"],
        )
    },
    Keyword {
        not: &["自付", "个人", "统筹", "基金", "报销", "支付"],
        ..kw(
            Field::TotalCost,
            &[
                "总费用",
                "总金额",
                "费用总额",
                "医疗费用",
                "总额",
                "合计费用",
                "医疗费",
            ],
        )
    },
    // What the patient paid himself; the fund's share (统筹/基金支付) is not it.
    Keyword {
        not: &["统筹", "基金", "医保支付", "报销"],
        ..kw(
            Field::OutOfPocket,
            &[
                "自付",
                "个人负担",
                "自费",
                "个人现金",
                "现金支付",
                "个人支付",
                "个人承担",
                "自负",
            ],
        )
    },
    Keyword {
        not: &["证", "等级", "级别"],
        ..kw(Field::DisabilityCategory, &["类别", "类型", "残疾种类"])
    },
    kw(Field::DisabilityGrade, &["等级", "级别"]),
    Keyword {
        also: DATE_WORDS,
        ..kw(
            Field::CertIssueDate,
            &["发证", "办证", "颁证", "核发", "持证", "领证"],
        )
    },
    Keyword {
        also: DATE_WORDS,
        not: NOT_REQUEST_DATE,
        ..kw(
            Field::RequestDate,
            &[
                "来电", "受理", "登记", "信访", "来信", "来访", "提交", "创建", "反映", "发起",
                "接收", "求助", "诉求", "工单", "派单", "呼入",
            ],
        )
    },
    Keyword {
        not: &["时间", "日期", "状态"],
        ..kw(Field::RequestType, &["类型", "类别", "分类", "性质"])
    },
    Keyword {
        not: &[
            "类型", "类别", "分类", "时间", "日期", "状态", "人", "编号", "电话",
        ],
        score: 5.0,
        ..kw(
            Field::RequestContent,
            &[
                "内容", "事项", "诉求", "问题", "描述", "摘要", "概况", "详情", "反映",
            ],
        )
    },
    Keyword {
        not: &["时间", "日期"],
        ..kw(
            Field::HandlingStatus,
            &[
                "状态",
                "办理情况",
                "办结情况",
                "处理情况",
                "办理结果",
                "处理结果",
                "是否办结",
            ],
        )
    },
    Keyword {
        also: DATE_WORDS,
        not: &["就业", "出生", "注销"],
        ..kw(Field::RegistrationDate, &["登记", "失业"])
    },
    Keyword {
        not: &["金", "领取", "待遇", "日期", "时间", "缴费"],
        ..kw(Field::Insured, &["参保", "失业保险", "参加保险"])
    },
    Keyword {
        not: &["日期", "时间"],
        ..kw(Field::ReceivesBenefit, &["领取", "保险金", "待遇", "享受"])
    },
    Keyword {
        not: &["日期", "时间"],
        ..kw(Field::EmploymentStatus, &["状态", "就业失业", "失业状态"])
    },
    Keyword {
        not: &["日期", "时间", "情况", "描述"],
        ..kw(Field::EventType, &["类型", "类别", "灾种"])
    },
    Keyword {
        also: DATE_WORDS,
        not: &["出生", "登记", "上报", "填报"],
        ..kw(
            Field::EventDate,
            &["受灾", "发生", "事件", "灾害", "遭遇", "致困", "受疫"],
        )
    },
    Keyword {
        not: &["类型", "类别", "日期", "时间"],
        score: 5.0,
        ..kw(
            Field::Hardship,
            &[
                "困难情况",
                "困难描述",
                "情况",
                "描述",
                "说明",
                "原因",
                "困难",
            ],
        )
    },
    Keyword {
        also: &["姓名", "名"],
        not: &["母", "身份", "证"],
        ..kw(Field::FatherName, &["父"])
    },
    Keyword {
        also: &["身份", "证件", "证号"],
        not: &["母"],
        ..kw(Field::FatherId, &["父"])
    },
    Keyword {
        also: &["状况", "状态", "情况", "类型", "类别", "健康"],
        not: &["母"],
        ..kw(Field::FatherStatus, &["父"])
    },
    Keyword {
        also: &["姓名", "名"],
        not: &["父", "身份", "证"],
        ..kw(Field::MotherName, &["母"])
    },
    Keyword {
        also: &["身份", "证件", "证号"],
        not: &["父"],
        ..kw(Field::MotherId, &["母"])
    },
    Keyword {
        also: &["状况", "状态", "情况", "类型", "类别", "健康"],
        not: &["父"],
        ..kw(Field::MotherStatus, &["母"])
    },
    Keyword {
        not: &["日期", "时间"],
        ..kw(Field::RollStatus, &["状态", "状况", "在保", "保障情况"])
    },
    Keyword {
        also: DATE_WORDS,
        not: NOT_START,
        ..kw(
            Field::StartDate,
            &[
                "起始",
                "开始",
                "批准",
                "纳入",
                "审批",
                "认定",
                "享受",
                "生效",
                "起保",
                "始",
                "救助起",
            ],
        )
    },
    Keyword {
        also: DATE_WORDS,
        not: NOT_END,
        ..kw(
            Field::EndDate,
            &[
                "终止", "结束", "停", "退出", "截止", "到期", "止", "注销", "取消", "减员",
            ],
        )
    },
    Keyword {
        also: DATE_WORDS,
        not: &["出生"],
        ..kw(
            Field::AidDate,
            &[
                "救助", "发放", "审批", "批准", "支付", "领取", "拨付", "到账",
            ],
        )
    },
    Keyword {
        not: &["日期", "时间", "类型"],
        ..kw(
            Field::Amount,
            &["金额", "元", "救助金", "发放额", "数额", "救助款", "资金"],
        )
    },
    Keyword {
        not: &["日期", "时间"],
        ..kw(Field::AidType, &["类型", "类别", "方式", "种类"])
    },
];

/// Normalised header → fields, in synonym-table order.
fn synonym_index() -> &'static HashMap<String, Vec<Field>> {
    static INDEX: OnceLock<HashMap<String, Vec<Field>>> = OnceLock::new();
    INDEX.get_or_init(|| {
        let mut index: HashMap<String, Vec<Field>> = HashMap::new();
        for (field, names) in SYNONYMS {
            for name in *names {
                let fields = index.entry(normalise_header(name)).or_default();
                if !fields.contains(field) {
                    fields.push(*field);
                }
            }
        }
        index
    })
}

/// The header is a known spelling (a trailing unit such as `(元)` ignored).
pub fn is_known_spelling(text: &str) -> bool {
    known_fields(&normalise_header(text)).is_some()
}

fn known_fields(norm: &str) -> Option<&'static Vec<Field>> {
    let index = synonym_index();
    index.get(norm).or_else(|| {
        let stripped = norm.strip_suffix(')')?;
        let open = stripped.rfind('(')?;
        index.get(&stripped[..open])
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

/// Header evidence for one cell: known spellings first, then keywords.
fn header_candidates(kind: SourceKind, cell: &HeaderCell) -> Vec<(Field, f32, Evidence)> {
    for text in &cell.tries {
        let norm = normalise_header(text);
        if let Some(fields) = known_fields(&norm) {
            let fields: Vec<Field> = fields
                .iter()
                .copied()
                .filter(|f| allowed(kind, *f))
                .collect();
            // A spelling two fields share (户主姓名) yields to a column only one field has.
            let score = if fields.len() > 1 { 9.5 } else { 10.0 };
            if !fields.is_empty() {
                return fields
                    .into_iter()
                    .map(|f| (f, score, Evidence::Header))
                    .collect();
            }
        }
        let found = keyword_candidates(kind, &norm);
        if !found.is_empty() {
            return found;
        }
    }
    Vec::new()
}

fn keyword_candidates(kind: SourceKind, norm: &str) -> Vec<(Field, f32, Evidence)> {
    let mut out: Vec<(Field, f32, Evidence)> = Vec::new();
    let contains = |words: &'static [&'static str]| first_in(norm, words);
    for rule in KEYWORDS {
        if !allowed(kind, rule.field) || out.iter().any(|(f, _, _)| *f == rule.field) {
            continue;
        }
        let Some(word) = contains(rule.any) else {
            continue;
        };
        if !rule.also.is_empty() && contains(rule.also).is_none() {
            continue;
        }
        if contains(rule.not).is_some() {
            continue;
        }
        out.push((
            rule.field,
            rule.score,
            Evidence::Keyword {
                word: word.to_string(),
            },
        ));
    }
    // A header that only says it is a date (日期, 受理时间 …) is the kind's own date.
    if let Some(date) = primary_date(kind) {
        let vetoed = contains(&["出生"]).is_some()
            || (date == Field::RequestDate && contains(NOT_REQUEST_DATE).is_some())
            || (date == Field::StartDate && contains(NOT_START).is_some());
        let is_date = out
            .iter()
            .any(|(f, _, _)| f.field_type() == FieldType::Date);
        if !vetoed && !is_date {
            if let Some(word) = contains(&["日期", "时间", "年月"]) {
                out.push((
                    date,
                    4.0,
                    Evidence::Keyword {
                        word: word.to_string(),
                    },
                ));
            }
        }
    }
    out
}

fn first_in(text: &str, words: &'static [&'static str]) -> Option<&'static str> {
    words.iter().find(|w| text.contains(**w)).copied()
}

/// The header looks like the field (a rule's word) but a rule forbids it, and no rule of the
/// field takes it: such a column is not that field, whatever its content (`办结时间` holds
/// dates, but not the request's).
fn vetoed(field: Field, header: &str) -> bool {
    let norm = normalise_header(header);
    let has = |words: &[&str]| words.iter().any(|w| norm.contains(w));
    let rules = || KEYWORDS.iter().filter(|r| r.field == field);
    let forbidden = rules().any(|r| has(r.any) && has(r.not));
    let taken = rules().any(|r| has(r.any) && (r.also.is_empty() || has(r.also)) && !has(r.not));
    (forbidden && !taken) || (field == Field::RequestDate && has(NOT_REQUEST_DATE))
}

/// What the values of one column look like, as shares of its non-empty values.
#[derive(Debug, Default, Clone)]
struct Profile {
    values: usize,
    id: f32,
    valid_id: f32,
    certificate: f32,
    phone: f32,
    date: f32,
    /// Dates, or numbers that read as Excel date serials (only to accept a date header).
    date_loose: f32,
    /// Yes/no in any spelling `parse_bool` reads (已参保, 未领取 …).
    flag: f32,
    /// Dates equal to the birth date in the row's ID column.
    birth: f32,
    amount: f32,
    yes_no: f32,
    township: f32,
    village: f32,
    name: f32,
    long_text: f32,
    address: f32,
    words: Vec<(Field, f32)>,
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

pub(super) fn looks_like_id(v: &str) -> bool {
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
pub(super) fn looks_like_date(v: &str) -> bool {
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
    fn of(rows: &[&[String]], column: usize, vocab: &Vocabulary) -> Profile {
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
    fn birth_share(rows: &[&[String]], column: usize, id_column: usize) -> f32 {
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

    fn word_share(&self, field: Field) -> f32 {
        self.words
            .iter()
            .find(|(f, _)| *f == field)
            .map_or(0.0, |(_, s)| *s)
    }

    /// How well the values fit the field's shape, when the field has one (`None`: any text).
    fn fit(&self, field: Field) -> Option<f32> {
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
    fn candidates(&self, kind: SourceKind) -> Vec<(Field, f32, Evidence)> {
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
            push(Field::CertNumber, 5.5, self.certificate, "残疾人证号");
        } else if self.id >= STRONG {
            push(Field::IdNumber, 5.0, self.valid_id.max(self.id), "身份证号");
        }
        if self.phone >= STRONG {
            push(Field::Phone, 5.0, self.phone, "电话号码");
        }
        let sparse = self.values < MIN_VALUES;
        if self.date >= STRONG {
            if self.birth >= 0.5 {
                push(
                    Field::BirthDate,
                    5.5,
                    self.birth,
                    "与身份证号一致的出生日期",
                );
            } else if let Some(field) = primary_date(kind) {
                push(field, 4.0, self.date, "日期");
                if field == Field::StartDate {
                    push(Field::EndDate, 3.9, self.date, "日期");
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
            push(Field::Amount, 3.5, self.amount, "金额");
        }
        if self.yes_no >= STRONG {
            for (field, score) in [
                (Field::Insured, 3.6),
                (Field::ReceivesBenefit, 3.5),
                (Field::RiskCleared, 3.5),
            ] {
                push(field, score, self.yes_no, "是/否");
            }
        }
        if self.township >= STRONG {
            push(Field::Township, 5.0, self.township, "乡镇名");
        }
        if self.village >= STRONG {
            push(Field::Village, 4.5, self.village, "村社区名");
        }
        let words: &[(Field, &'static str)] = &[
            (Field::Sex, "性别"),
            (Field::Relation, "与户主关系"),
            (Field::DisabilityCategory, "残疾类别"),
            (Field::DisabilityGrade, "残疾等级"),
            (Field::MonitorCategory, "监测对象类别"),
            (Field::RequestType, "诉求类型"),
            (Field::EventType, "灾害/事件类型"),
            (Field::AidType, "救助类型"),
            (Field::RollStatus, "保障状态用语"),
            (Field::HandlingStatus, "办理状态用语"),
            (Field::EmploymentStatus, "就业失业状态用语"),
        ];
        for &(field, what) in words {
            let s = self.word_share(field);
            if s >= STRONG {
                push(field, 5.0, s, what);
            }
        }
        if self.name >= 0.8 && self.township < 0.3 && self.village < 0.3 {
            push(Field::Name, 3.5, self.name, "2–4 字的姓名");
        }
        if self.address >= STRONG && self.long_text >= 0.5 {
            push(Field::Address, 3.5, self.address, "地址");
        } else if self.long_text >= STRONG {
            push(Field::RequestContent, 3.2, self.long_text, "文字描述");
            push(Field::Hardship, 3.2, self.long_text, "文字描述");
        }
        out
    }
}

/// Maps header cells onto fields. With `sample` rows (the data below the header), content
/// both corroborates headers and finds columns no header names; without, headers alone
/// decide (used to locate the header row).
pub fn recognise(ctx: &Context<'_>, cells: &[HeaderCell], sample: &[&[String]]) -> Vec<Column> {
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

    let headed: Vec<Vec<(Field, f32, Evidence)>> = cells
        .iter()
        .map(|cell| header_candidates(ctx.kind, cell))
        .collect();
    let profiles: Vec<Profile> = if sample.is_empty() {
        Vec::new()
    } else {
        let mut profiles: Vec<Profile> = (0..cells.len())
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
    };

    for (column, cell) in cells.iter().enumerate() {
        if overridden[column] {
            continue;
        }
        let profile = profiles.get(column);
        let mut header_strength: f32 = 0.0;
        for (field, score, evidence) in &headed[column] {
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
        // Content speaks for columns whose header names nothing, and settles an ID header
        // over certificate numbers (or the reverse).
        let Some(profile) = profile else { continue };
        for (field, score, evidence) in profile.candidates(ctx.kind) {
            if vetoed(field, &cell.shown) || headed[column].iter().any(|c| c.0 == field) {
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

#[cfg(test)]
mod tests {
    use super::*;

    fn cells(headers: &[&str]) -> Vec<HeaderCell> {
        headers
            .iter()
            .map(|h| HeaderCell {
                shown: h.to_string(),
                tries: vec![h.to_string()],
            })
            .collect()
    }

    fn rows(data: &[&[&str]]) -> Vec<Vec<String>> {
        data.iter()
            .map(|r| r.iter().map(|s| s.to_string()).collect())
            .collect()
    }

    fn mapped(kind: SourceKind, headers: &[&str], data: &[&[&str]]) -> Vec<(usize, Field)> {
        let vocabulary = Vocabulary::new(
            &[Township {
                name: "城关镇".into(),
                aliases: vec!["城关".into()],
                villages: vec!["东关社区".into(), "王庄村".into()],
            }],
            &RuleSettings::default(),
        );
        let overrides = BTreeMap::new();
        let ctx = Context {
            kind,
            overrides: &overrides,
            vocabulary: &vocabulary,
        };
        let data = rows(data);
        let sample: Vec<&[String]> = data.iter().map(Vec::as_slice).collect();
        recognise(&ctx, &cells(headers), &sample)
            .into_iter()
            .map(|c| (c.index, c.field))
            .collect()
    }

    const ROLL: &[&[&str]] = &[
        &[
            "张三",
            "410123199001011237",
            "在保",
            "2019-01-01",
            "",
            "城关镇",
        ],
        &[
            "李四",
            "410123198502021234",
            "停保",
            "2018-03-01",
            "2020-05-01",
            "城关镇",
        ],
        &[
            "王五",
            "410123197703031231",
            "在保",
            "2020-07-15",
            "",
            "城关",
        ],
        &[
            "赵六",
            "410123196604041238",
            "停保",
            "2016-01-01",
            "2016-12-31",
            "城关镇",
        ],
        &[
            "钱七",
            "410123195505051235",
            "在保",
            "2021-01-01",
            "2021-12-31",
            "城关镇",
        ],
        &[
            "孙八",
            "410123194406061232",
            "在保",
            "2021-02-01",
            "",
            "城关镇",
        ],
    ];

    #[test]
    fn keyword_headers_name_roll_status_and_dates() {
        let m = mapped(
            SourceKind::LowIncome,
            &[
                "户主",
                "证件号",
                "认定状态",
                "认定日期",
                "停保日期",
                "所在乡镇",
            ],
            ROLL,
        );
        assert_eq!(
            m,
            vec![
                (0, Field::Name),
                (1, Field::IdNumber),
                (5, Field::Township),
                (2, Field::RollStatus),
                (3, Field::StartDate),
                (4, Field::EndDate),
            ]
        );
    }

    #[test]
    fn meaningless_headers_are_found_by_content() {
        let m = mapped(
            SourceKind::Dibao,
            &["姓名", "列2", "列3", "列4", "列5", "列6"],
            ROLL,
        );
        assert_eq!(
            m,
            vec![
                (0, Field::Name),
                (1, Field::IdNumber),
                (5, Field::Township),
                (2, Field::RollStatus),
                (3, Field::StartDate),
                (4, Field::EndDate),
            ]
        );
    }

    #[test]
    fn a_handling_date_is_not_the_request_date() {
        let data: &[&[&str]] = &[
            &["张三", "2021-01-05 10:00", "2021-01-20", "求助"],
            &["李四", "2021-02-05 09:30", "2021-02-21", "咨询"],
            &["王五", "2021-03-05 11:00", "2021-03-09", "求助"],
            &["赵六", "2021-04-05 08:00", "2021-04-30", "投诉"],
            &["钱七", "2021-05-05 15:00", "2021-05-06", "求助"],
        ];
        let m = mapped(
            SourceKind::Hotline,
            &["来电人", "受理时间", "办结时间", "列4"],
            data,
        );
        assert_eq!(
            m,
            vec![
                (0, Field::Name),
                (1, Field::RequestDate),
                (3, Field::RequestType)
            ]
        );
    }

    #[test]
    fn certificate_numbers_under_any_header_are_certificates() {
        let data: &[&[&str]] = &[
            &["张三", "41012319900101123741", "2020-03-01"],
            &["李四", "41012319850202123412", "2020-04-01"],
            &["王五", "41012319770303123153", "2020-05-01"],
            &["赵六", "41012319660404123864", "2020-06-01"],
            &["钱七", "41012319550505123522", "2020-07-01"],
        ];
        let m = mapped(SourceKind::Disability, &["姓名", "编码", "日期"], data);
        assert_eq!(
            m,
            vec![
                (0, Field::Name),
                (1, Field::CertNumber),
                (2, Field::CertIssueDate)
            ]
        );
        // 证号 over IDs is the ID column.
        let ids: Vec<Vec<&str>> = ROLL.iter().map(|r| vec![r[0], r[1], r[3]]).collect();
        let ids: Vec<&[&str]> = ids.iter().map(Vec::as_slice).collect();
        let m = mapped(SourceKind::Disability, &["姓名", "证号", "日期"], &ids);
        assert_eq!(
            m,
            vec![
                (0, Field::Name),
                (1, Field::IdNumber),
                (2, Field::CertIssueDate)
            ]
        );
    }

    #[test]
    fn a_date_header_over_names_is_not_a_date() {
        let m = mapped(
            SourceKind::Dibao,
            &["起始日期", "身份证号", "保障状态"],
            &ROLL.iter().map(|r| &r[..3]).collect::<Vec<_>>(),
        );
        // Names by content: the header's claim to be a date is refused.
        assert_eq!(
            m,
            vec![
                (0, Field::Name),
                (1, Field::IdNumber),
                (2, Field::RollStatus)
            ]
        );
    }

    #[test]
    fn a_member_id_column_found_by_content_beats_the_heads_id_header() {
        let data: Vec<Vec<&str>> = ROLL.iter().map(|r| vec![r[0], r[1], r[1]]).collect();
        let data: Vec<&[&str]> = data.iter().map(Vec::as_slice).collect();
        let m = mapped(SourceKind::Dibao, &["姓名", "户主身份证号", "列3"], &data);
        assert_eq!(m, vec![(0, Field::Name), (2, Field::IdNumber)]);
        // Alone, the head's ID is the person's.
        let m = mapped(SourceKind::Dibao, &["姓名", "户主身份证号"], &data);
        assert_eq!(m, vec![(0, Field::Name), (1, Field::IdNumber)]);
    }
}
