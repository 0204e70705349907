//! Evidence from the header: known spellings (`headers::SYNONYMS`) and keyword rules per
//! field, with the words that rule a header out.

use std::collections::HashMap;
use std::sync::OnceLock;

use crate::model::{Field, SourceKind};

use super::super::headers::{normalise_header, SYNONYMS};
use super::*;

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

/// Header evidence for one cell: known spellings first, then keywords.
pub(super) fn header_candidates(
    kind: SourceKind,
    cell: &HeaderCell,
) -> Vec<(Field, f32, Evidence)> {
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
pub(super) fn vetoed(field: Field, header: &str) -> bool {
    let norm = normalise_header(header);
    let has = |words: &[&str]| words.iter().any(|w| norm.contains(w));
    let rules = || KEYWORDS.iter().filter(|r| r.field == field);
    let forbidden = rules().any(|r| has(r.any) && has(r.not));
    let taken = rules().any(|r| has(r.any) && (r.also.is_empty() || has(r.also)) && !has(r.not));
    (forbidden && !taken) || (field == Field::RequestDate && has(NOT_REQUEST_DATE))
}
