//! The header synonym table: header texts departments are known to use, per canonical field.
//! A known spelling is the strongest evidence `recognise` has; headers it lacks are still
//! found by keywords and by their column's content (see `recognise.rs`), or by an override in
//! the pipeline file (`columns = { field = "header" }`).
//!
//! Headers are compared after `normalise_header`: whitespace, brackets and the `*`/`★`
//! required-field markers are removed and ASCII is lower-cased.

use crate::model::Field;

/// (field, synonyms). The first synonym is the canonical Chinese header.
pub const SYNONYMS: &[(Field, &[&str])] = &[
    (
        Field::Name,
        &[
            "姓名",
            "名字",
            "户主姓名",
            "成员姓名",
            "儿童姓名",
            "救助对象姓名",
            "申请人姓名",
            "来电人",
            "来电人姓名",
            "信访人",
            "信访人姓名",
            "参保人姓名",
            "患者姓名",
            "残疾人姓名",
            "人员姓名",
            "受灾人员姓名",
            "困难群众姓名",
            "对象姓名",
        ],
    ),
    (
        Field::IdNumber,
        &[
            "身份证号",
            "公民身份号码",
            "证件号码",
            "身份证号码",
            "身份证件号码",
            "身份证",
            "证件号",
            "儿童身份证号",
            "成员身份证号",
            "参保人身份证号",
            "来电人身份证号",
            "信访人身份证号",
            "居民身份证号码",
        ],
    ),
    (Field::Sex, &["性别"]),
    (Field::BirthDate, &["出生日期", "出生年月", "出生年月日"]),
    (
        Field::Township,
        &[
            "乡镇",
            "乡镇(街道)",
            "乡镇街道",
            "所属乡镇",
            "乡(镇)",
            "镇(乡)",
            "街道",
            "所在乡镇",
        ],
    ),
    (
        Field::Village,
        &[
            "村社区",
            "村/社区",
            "村(社区)",
            "行政村",
            "所属村",
            "村",
            "社区",
            "村居",
        ],
    ),
    (
        Field::Address,
        &[
            "地址",
            "家庭住址",
            "住址",
            "现住址",
            "户籍地址",
            "居住地址",
            "联系地址",
        ],
    ),
    (
        Field::Phone,
        &[
            "联系电话",
            "电话",
            "手机号",
            "手机号码",
            "来电号码",
            "联系方式",
            "电话号码",
        ],
    ),
    (
        Field::HouseholdId,
        &["户编号", "户号", "家庭编号", "户主编号"],
    ),
    (
        Field::Relation,
        &["与户主关系", "家庭关系", "与户主的关系", "关系"],
    ),
    (
        Field::MonitorCategory,
        &["监测对象类别", "监测类别", "对象类别"],
    ),
    (
        Field::MonitorDate,
        &[
            "识别时间",
            "纳入时间",
            "识别纳入时间",
            "识别/纳入时间",
            "纳入监测时间",
        ],
    ),
    (Field::RiskType, &["风险类型", "致贫返贫风险", "主要风险"]),
    (Field::RiskCleared, &["风险是否消除", "是否消除风险"]),
    (
        Field::SettlementDate,
        &["结算日期", "结算时间", "出院日期", "费用结算日期"],
    ),
    (Field::TotalCost, &["医疗总费用", "总费用", "医疗费用总额"]),
    (
        Field::OutOfPocket,
        &[
            "个人自付",
            "个人负担",
            "个人现金支付",
            "个人自付金额",
            "自付费用",
            "个人自付费用",
        ],
    ),
    (
        Field::CertNumber,
        &["残疾人证号", "残疾证号", "残疾人证号码"],
    ),
    (Field::DisabilityCategory, &["残疾类别", "残疾类型"]),
    (Field::DisabilityGrade, &["残疾等级", "残疾级别"]),
    (Field::CertIssueDate, &["发证日期", "发证时间", "办证日期"]),
    (
        Field::RequestDate,
        &[
            "信访日期",
            "来电时间",
            "来信来访日期",
            "登记日期",
            "受理日期",
            "来电日期",
        ],
    ),
    (
        Field::RequestType,
        &["诉求类型", "工单类型", "问题类别", "信访类别", "问题分类"],
    ),
    (
        Field::RequestContent,
        &[
            "诉求内容",
            "信访内容",
            "信访事项",
            "事项",
            "来电内容",
            "反映问题",
            "主要诉求",
        ],
    ),
    (
        Field::HandlingStatus,
        &[
            "办理状态",
            "办结状态",
            "处理状态",
            "办理情况",
            // Only petition and hotline files carry this field, so a bare 状态 is safe here.
            "状态",
        ],
    ),
    (
        Field::RegistrationDate,
        &["失业登记日期", "登记失业日期", "失业登记时间"],
    ),
    (
        Field::Insured,
        &["是否参加失业保险", "是否参保", "参加失业保险"],
    ),
    (
        Field::ReceivesBenefit,
        &["是否领取失业保险金", "领取失业保险金"],
    ),
    (
        Field::EmploymentStatus,
        &["状态", "人员状态", "就业失业状态", "失业状态"],
    ),
    (
        Field::EventType,
        &[
            "灾害/事件类型",
            "灾害类型",
            "事件类型",
            "受灾类型",
            "困难类型",
        ],
    ),
    (
        Field::EventDate,
        &["受灾日期", "发生日期", "受灾时间", "事件日期"],
    ),
    (Field::Hardship, &["困难情况", "困难描述", "基本情况"]),
    (Field::FatherName, &["父亲姓名"]),
    (
        Field::FatherId,
        &["父亲身份证号", "父亲公民身份号码", "父亲证件号码"],
    ),
    (Field::FatherStatus, &["父亲状况", "父亲状态", "父亲情况"]),
    (Field::MotherName, &["母亲姓名"]),
    (
        Field::MotherId,
        &["母亲身份证号", "母亲公民身份号码", "母亲证件号码"],
    ),
    (Field::MotherStatus, &["母亲状况", "母亲状态", "母亲情况"]),
    (
        Field::RollStatus,
        &["保障状态", "状态", "救助状态", "供养状态", "享受状态"],
    ),
    (
        Field::StartDate,
        &[
            "起始日期",
            "开始日期",
            "保障起始日期",
            "纳入日期",
            "起始时间",
        ],
    ),
    (
        Field::EndDate,
        &[
            "终止日期",
            "结束日期",
            "保障终止日期",
            "退出日期",
            "终止时间",
        ],
    ),
    (Field::AidDate, &["救助日期", "发放日期", "救助时间"]),
    (Field::Amount, &["金额", "救助金额", "发放金额", "金额(元)"]),
    (Field::AidType, &["救助类型", "救助类别"]),
    (Field::HeadName, &["户主", "户主姓名"]),
];

/// The Chinese header a clerk knows a field by (the first synonym).
pub fn canonical_header(field: Field) -> &'static str {
    SYNONYMS
        .iter()
        .find(|(f, _)| *f == field)
        .and_then(|(_, names)| names.first().copied())
        .unwrap_or("")
}

/// The field's key in pipeline files (`columns = { out_of_pocket = "…" }`).
pub fn field_key(field: Field) -> String {
    serde_json::to_value(field)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default()
}

/// Compares header cells: removes whitespace, brackets' shape and required markers.
pub fn normalise_header(text: &str) -> String {
    text.chars()
        .filter(|c| !c.is_whitespace() && !matches!(c, '*' | '★' | '\u{3000}'))
        .map(|c| match c {
            '（' => '(',
            '）' => ')',
            '／' => '/',
            c => c.to_ascii_lowercase(),
        })
        .collect()
}
