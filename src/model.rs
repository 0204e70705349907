//! Typed records that flow between the pipeline stages.
//!
//! ingest → `RawRecord` (+ `Reject`) → normalise → `PersonRecord` → matching → `Linkage`
//! → rules → `Suspect` (+ `ReviewItem`) → report.
//!
//! Every record carries its `SourceRef` so that a clerk can always go back to the row a
//! finding came from.

use std::borrow::Cow;
use std::fmt;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// What a department file is. Screening sources qualify people; rolls say who is covered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SourceKind {
    Agriculture,
    Medical,
    Disability,
    Petition,
    Hotline,
    Unemployment,
    Emergency,
    Children,
    Dibao,
    Tekun,
    Orphan,
    Fuc,
    TempAssistance,
    LowIncome,
}

impl SourceKind {
    pub const ALL: [SourceKind; 14] = [
        SourceKind::Agriculture,
        SourceKind::Medical,
        SourceKind::Disability,
        SourceKind::Petition,
        SourceKind::Hotline,
        SourceKind::Unemployment,
        SourceKind::Emergency,
        SourceKind::Children,
        SourceKind::Dibao,
        SourceKind::Tekun,
        SourceKind::Orphan,
        SourceKind::Fuc,
        SourceKind::TempAssistance,
        SourceKind::LowIncome,
    ];

    /// The seven department sources of SPEC 3.2 that feed R01.
    pub const DEPARTMENTS: [SourceKind; 7] = [
        SourceKind::Agriculture,
        SourceKind::Medical,
        SourceKind::Disability,
        SourceKind::Petition,
        SourceKind::Hotline,
        SourceKind::Unemployment,
        SourceKind::Emergency,
    ];

    /// Assistance rolls kept by the civil-affairs bureau itself.
    pub fn is_roll(self) -> bool {
        matches!(
            self,
            SourceKind::Dibao
                | SourceKind::Tekun
                | SourceKind::Orphan
                | SourceKind::Fuc
                | SourceKind::TempAssistance
                | SourceKind::LowIncome
        )
    }

    /// The key used in pipeline files (`kind = "medical"`).
    pub fn key(self) -> &'static str {
        match self {
            SourceKind::Agriculture => "agriculture",
            SourceKind::Medical => "medical",
            SourceKind::Disability => "disability",
            SourceKind::Petition => "petition",
            SourceKind::Hotline => "hotline",
            SourceKind::Unemployment => "unemployment",
            SourceKind::Emergency => "emergency",
            SourceKind::Children => "children",
            SourceKind::Dibao => "dibao",
            SourceKind::Tekun => "tekun",
            SourceKind::Orphan => "orphan",
            SourceKind::Fuc => "fuc",
            SourceKind::TempAssistance => "temp_assistance",
            SourceKind::LowIncome => "low_income",
        }
    }

    /// Chinese name a clerk reads (来源部门 column, summary).
    pub fn label_zh(self) -> &'static str {
        match self {
            SourceKind::Agriculture => "农业农村局防返贫监测对象",
            SourceKind::Medical => "医保局个人自付",
            SourceKind::Disability => "残联残疾人",
            SourceKind::Petition => "信访局信访",
            SourceKind::Hotline => "12349热线",
            SourceKind::Unemployment => "人社局登记失业",
            SourceKind::Emergency => "应急局因疫因灾",
            SourceKind::Children => "困境儿童",
            SourceKind::Dibao => "低保",
            SourceKind::Tekun => "特困",
            SourceKind::Orphan => "孤儿",
            SourceKind::Fuc => "事实无人抚养儿童",
            SourceKind::TempAssistance => "临时救助",
            SourceKind::LowIncome => "低收入家庭",
        }
    }

    pub fn from_key(key: &str) -> Option<SourceKind> {
        SourceKind::ALL.into_iter().find(|k| k.key() == key)
    }
}

impl fmt::Display for SourceKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.key())
    }
}

/// Where a record came from: `<file>#<row>` or `<file>!<sheet>#<row>` (SPEC 3.1).
/// `row` is the physical 1-based row as a spreadsheet shows it, title rows included.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct SourceRef {
    pub file: String,
    /// Set only when the workbook has more than one data sheet.
    pub sheet: Option<String>,
    pub row: u32,
}

impl fmt::Display for SourceRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.sheet {
            Some(sheet) => write!(f, "{}!{}#{}", self.file, sheet, self.row),
            None => write!(f, "{}#{}", self.file, self.row),
        }
    }
}

/// A canonical column. Ingest maps each header onto one of these via the synonym table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Field {
    // Person fields common to all kinds.
    Name,
    IdNumber,
    Sex,
    BirthDate,
    Township,
    Village,
    Address,
    Phone,
    HouseholdId,
    Relation,
    // Agriculture.
    MonitorCategory,
    MonitorDate,
    RiskType,
    RiskCleared,
    // Medical.
    SettlementDate,
    TotalCost,
    OutOfPocket,
    // Disability.
    CertNumber,
    DisabilityCategory,
    DisabilityGrade,
    CertIssueDate,
    // Petition / hotline.
    RequestDate,
    RequestType,
    RequestContent,
    HandlingStatus,
    // Unemployment.
    RegistrationDate,
    Insured,
    ReceivesBenefit,
    EmploymentStatus,
    // Emergency.
    EventType,
    EventDate,
    Hardship,
    // Children.
    FatherName,
    FatherId,
    FatherStatus,
    MotherName,
    MotherId,
    MotherStatus,
    // Rolls.
    RollStatus,
    StartDate,
    EndDate,
    AidDate,
    Amount,
    AidType,
    HeadName,
}

/// How a field's cells are typed on ingest.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldType {
    Text,
    Date,
    Amount,
    Bool,
}

impl Field {
    pub fn field_type(self) -> FieldType {
        use Field::*;
        match self {
            BirthDate | MonitorDate | SettlementDate | CertIssueDate | RequestDate
            | RegistrationDate | EventDate | StartDate | EndDate | AidDate => FieldType::Date,
            TotalCost | OutOfPocket | Amount => FieldType::Amount,
            RiskCleared | Insured | ReceivesBenefit => FieldType::Bool,
            _ => FieldType::Text,
        }
    }
}

/// A typed cell value.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Value {
    Text(String),
    Date(NaiveDate),
    Amount(f64),
    Bool(bool),
}

impl Value {
    pub fn as_text(&self) -> Option<&str> {
        match self {
            Value::Text(s) => Some(s),
            _ => None,
        }
    }
    pub fn as_date(&self) -> Option<NaiveDate> {
        match self {
            Value::Date(d) => Some(*d),
            _ => None,
        }
    }
    pub fn as_amount(&self) -> Option<f64> {
        match self {
            Value::Amount(a) => Some(*a),
            _ => None,
        }
    }
    pub fn as_bool(&self) -> Option<bool> {
        match self {
            Value::Bool(b) => Some(*b),
            _ => None,
        }
    }
}

/// One usable input row, with its cells typed and keyed by canonical field.
/// Empty cells are absent.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RawRecord {
    pub kind: SourceKind,
    pub source: SourceRef,
    /// Sorted by field; at most one value per field.
    pub fields: Vec<(Field, Value)>,
}

impl RawRecord {
    pub fn get(&self, field: Field) -> Option<&Value> {
        self.fields
            .binary_search_by_key(&field, |(f, _)| *f)
            .ok()
            .map(|i| &self.fields[i].1)
    }
    pub fn text(&self, field: Field) -> Option<&str> {
        self.get(field).and_then(Value::as_text)
    }
    /// The field's text, trimmed; `None` when absent or blank.
    pub fn trimmed(&self, field: Field) -> Option<&str> {
        self.text(field).map(str::trim).filter(|s| !s.is_empty())
    }
    pub fn date(&self, field: Field) -> Option<NaiveDate> {
        self.get(field).and_then(Value::as_date)
    }
    pub fn amount(&self, field: Field) -> Option<f64> {
        self.get(field).and_then(Value::as_amount)
    }
    pub fn flag(&self, field: Field) -> Option<bool> {
        self.get(field).and_then(Value::as_bool)
    }
}

/// An input row or file that could not be used, and why. Nothing is dropped silently.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reject {
    /// File name (and sheet, row when the problem is a row).
    pub file: String,
    pub sheet: Option<String>,
    /// `None` when the whole file or sheet was rejected.
    pub row: Option<u32>,
    pub kind: Option<SourceKind>,
    /// Chinese, for the clerk.
    pub reason: String,
}

impl Reject {
    /// `<file>!<sheet>#<row>` in the SPEC 3.1 form, or as much of it as is known.
    pub fn reference(&self) -> String {
        let mut s = self.file.clone();
        if let Some(sheet) = &self.sheet {
            s.push('!');
            s.push_str(sheet);
        }
        if let Some(row) = self.row {
            s.push('#');
            s.push_str(&row.to_string());
        }
        s
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Sex {
    Male,
    Female,
}

/// Which person of a raw record a `PersonRecord` describes: children-at-risk rows name the
/// child and both parents; the parents are linked like anyone else (R05 needs their
/// disability records) but only the child is screened.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Role {
    Subject,
    Father,
    Mother,
}

/// What became of a resident ID on normalisation (SPEC 4).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum IdQuality {
    /// Valid 18-digit ID as written.
    Clean,
    /// Valid after removing formatting (fullwidth digits, spaces, dashes, apostrophe, lowercase x).
    Reformatted,
    /// 15-digit ID upgraded to 18 digits.
    Upgraded15,
    /// Taken from the 20-digit disability certificate number.
    FromCertificate,
    /// Damaged: check character does not match.
    BadCheck,
    /// Damaged: birth date impossible.
    BadDate,
    /// Damaged: Excel scientific/float text lost the trailing digits.
    ExcelFloat,
    /// Damaged: Excel float rounding left `000` at the end.
    Trailing000,
    /// Damaged: neither 15 nor 18 characters, or non-digit characters.
    WrongLength,
}

impl IdQuality {
    pub fn is_valid(self) -> bool {
        matches!(
            self,
            IdQuality::Clean
                | IdQuality::Reformatted
                | IdQuality::Upgraded15
                | IdQuality::FromCertificate
        )
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            IdQuality::Clean => "有效",
            IdQuality::Reformatted => "格式已修正",
            IdQuality::Upgraded15 => "15位已升18位",
            IdQuality::FromCertificate => "取自残疾人证号",
            IdQuality::BadCheck => "校验码错误",
            IdQuality::BadDate => "出生日期无效",
            IdQuality::ExcelFloat => "被Excel转为科学计数法",
            IdQuality::Trailing000 => "被Excel截为000结尾",
            IdQuality::WrongLength => "位数或字符错误",
        }
    }
}

/// A resident ID after normalisation. A damaged ID keeps whatever digits survived for fuzzy
/// comparison but is never an exact key.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct ResidentId {
    /// 18 characters when valid (upper-case `X`); the surviving digits otherwise.
    pub digits: String,
    pub quality: IdQuality,
    /// How many leading characters of `digits` are trustworthy (18 when valid; for an Excel
    /// float, the digits before the rounding; for 15-digit damage, region + birth date).
    pub reliable_prefix: u8,
}

impl ResidentId {
    /// The exact-match key: only for valid IDs.
    pub fn exact_key(&self) -> Option<&str> {
        self.quality.is_valid().then_some(self.digits.as_str())
    }
}

/// A name cleaned for matching; `display` keeps what the clerk typed.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct PersonName {
    pub display: String,
    /// Trimmed, no inner spaces, halfwidth, simplified, one middle dot.
    pub key: String,
    /// Toneless pinyin per character, space-separated (`wang wei`).
    pub pinyin: String,
}

/// One person as described by one source row, normalised. The unit of linkage.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PersonRecord {
    /// Index of the `RawRecord` this person was read from.
    pub raw: usize,
    pub kind: SourceKind,
    pub role: Role,
    pub source: SourceRef,
    pub name: Option<PersonName>,
    pub id: Option<ResidentId>,
    /// From a valid ID, else a birth-date column, else the surviving ID digits.
    pub birth_date: Option<NaiveDate>,
    pub sex: Option<Sex>,
    pub phones: Vec<String>,
    /// Canonical township name from the pipeline file, when it could be decided.
    pub township: Option<String>,
    pub village: Option<String>,
    pub address: Option<String>,
    pub household_id: Option<String>,
}

/// How one field compared in a candidate pair; carried to the 匹配说明 column.
/// Field and level are mostly fixed words: a county has a hundred thousand fuzzy links,
/// and none of them needs to allocate its words.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FieldEvidence {
    /// e.g. "身份证号", "姓名", "电话".
    pub field: &'static str,
    /// e.g. "一致", "一位不同", "拼音相同", "前缀一致(前15位)".
    pub level: Cow<'static, str>,
    pub weight: f64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum LinkDecision {
    /// Same valid resident ID.
    Exact,
    /// Probabilistic score at or above the upper threshold.
    Accepted,
    /// Between the thresholds: goes to the review list, decides nothing.
    Uncertain,
}

/// A scored link between two person records (indices into the `PersonRecord` slice).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Link {
    pub left: usize,
    pub right: usize,
    pub decision: LinkDecision,
    pub score: f64,
    pub evidence: Vec<FieldEvidence>,
}

/// The best candidate that was *not* linked, so a clerk sees "nearest: 张玮 …, score 3.1".
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NearMiss {
    pub record: usize,
    pub candidate: usize,
    pub score: f64,
}

/// One consolidated person: every record (any source, any roll) that links to the others.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Person {
    /// Indices into the `PersonRecord` slice, sorted.
    pub records: Vec<usize>,
    /// Links inside this person (exact and accepted).
    pub links: Vec<usize>,
    /// Uncertain links touching this person: while any exists, rules do not decide.
    pub uncertain: Vec<usize>,
    pub nearest: Option<NearMiss>,
}

/// Output of the matching stage.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Linkage {
    pub persons: Vec<Person>,
    /// All links, indexed by `Person::links` / `Person::uncertain`.
    pub links: Vec<Link>,
    /// For each person record, the index of its `Person`.
    pub person_of: Vec<usize>,
    /// Figures for the summary: pairs compared, thresholds, training results.
    pub stats: LinkageStats,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct LinkageStats {
    pub exact_links: usize,
    pub candidate_pairs: usize,
    pub accepted_links: usize,
    pub uncertain_links: usize,
    pub upper_threshold: f64,
    pub lower_threshold: f64,
    /// Histogram of scored pairs for the summary chart: (bucket lower bound, count).
    pub score_histogram: Vec<(f64, usize)>,
}

/// Screening rule codes (SPEC 6).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum RuleCode {
    R01,
    R02,
    R03,
    R04,
    R05,
    R06,
}

impl RuleCode {
    pub const ALL: [RuleCode; 6] = [
        RuleCode::R01,
        RuleCode::R02,
        RuleCode::R03,
        RuleCode::R04,
        RuleCode::R05,
        RuleCode::R06,
    ];

    pub fn code(self) -> &'static str {
        match self {
            RuleCode::R01 => "R01",
            RuleCode::R02 => "R02",
            RuleCode::R03 => "R03",
            RuleCode::R04 => "R04",
            RuleCode::R05 => "R05",
            RuleCode::R06 => "R06",
        }
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            RuleCode::R01 => "未纳入保障且未获临时救助",
            RuleCode::R02 => "低收入家庭重残重病人员未单人户施保",
            RuleCode::R03 => "未参保失业人员未发放一次性临时救助金",
            RuleCode::R04 => "疑似孤儿未纳入保障",
            RuleCode::R05 => "疑似事实无人抚养儿童未纳入保障",
            RuleCode::R06 => "救助诉求超期未办结",
        }
    }

    pub fn from_code(code: &str) -> Option<RuleCode> {
        RuleCode::ALL.into_iter().find(|c| c.code() == code)
    }
}

/// How a run ended, as the manifest, the summary and the ledger record it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RunOutcome {
    Complete,
    /// Some files, sheets or rows were rejected, or a result-changing field is missing.
    Partial,
    /// The run's folder exists but its ledger commit was lost (recorded by a later run).
    Unrecorded,
}

impl RunOutcome {
    pub fn key(self) -> &'static str {
        match self {
            RunOutcome::Complete => "complete",
            RunOutcome::Partial => "partial",
            RunOutcome::Unrecorded => "unrecorded",
        }
    }

    pub fn label_zh(self) -> &'static str {
        match self {
            RunOutcome::Complete => "完整",
            RunOutcome::Partial => "部分完成(有拒收记录或缺少字段, 见数据质量)",
            RunOutcome::Unrecorded => "名单已写出, 台账未记录(运行中断)",
        }
    }
}

/// One rule that fired for one person, with its evidence in words.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Finding {
    pub code: RuleCode,
    /// The facts behind the code, each naming its source, in Chinese:
    /// `医保: 2020年以来个人自付 52,310.00 元(8 笔结算)`.
    pub facts: Vec<String>,
    /// What turns the facts into this code: `未纳入低保或特困, 期内未获临时救助`.
    pub conclusion: String,
    /// The largest amount among the facts, in fen (the medical out-of-pocket total).
    #[serde(default)]
    pub amount_cents: Option<i64>,
    /// Person records behind this finding.
    pub records: Vec<usize>,
}

impl Finding {
    /// This finding's 依据 on its own: the facts, then the conclusion.
    pub fn evidence(&self) -> String {
        let mut parts: Vec<&str> = self.facts.iter().map(String::as_str).collect();
        if !self.conclusion.is_empty() {
            parts.push(&self.conclusion);
        }
        parts.join("; ")
    }
}

/// One suspect person: one row of a township list.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Suspect {
    /// 线索编号: stable across runs for the same person.
    pub clue_id: String,
    /// Stable person key the clue id derives from (normalised ID, or sorted source refs).
    pub person_key: String,
    /// Canonical township, or `None` for 未确定乡镇.
    pub township: Option<String>,
    pub village: Option<String>,
    pub name: String,
    /// Best ID for display (valid if any, else the surviving digits).
    pub id_number: Option<String>,
    pub address: Option<String>,
    pub findings: Vec<Finding>,
    /// Source kinds behind the row (来源部门).
    pub sources: Vec<SourceKind>,
    /// 匹配说明.
    pub match_note: String,
    /// 置信度 in [0, 1].
    pub confidence: f64,
    /// Every source reference behind the row.
    pub source_refs: Vec<SourceRef>,
}

impl Suspect {
    /// The 依据 column: every fact once (several codes often rest on the same facts), then
    /// each code's conclusion.
    pub fn evidence(&self) -> String {
        let mut facts: Vec<&str> = Vec::new();
        for fact in self.findings.iter().flat_map(|f| &f.facts) {
            if !facts.contains(&fact.as_str()) {
                facts.push(fact);
            }
        }
        let conclusions: Vec<String> = self
            .findings
            .iter()
            .map(|f| format!("{}: {}", f.code.code(), f.conclusion))
            .collect();
        if facts.is_empty() {
            conclusions.join("; ")
        } else {
            format!("{}；{}", facts.join("; "), conclusions.join("; "))
        }
    }
}

/// An uncertain link shown to a clerk: both records side by side.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReviewItem {
    pub link: usize,
    /// Why the person could not be decided.
    pub reason: String,
}

/// A clue's state in this run (状态 column), decided by the clue ledger.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum ClueStatus {
    /// 新增: first seen in this run.
    New,
    /// 持续: seen before and still open.
    Continuing,
}

impl ClueStatus {
    pub fn label_zh(self) -> &'static str {
        match self {
            ClueStatus::New => "新增",
            ClueStatus::Continuing => "持续",
        }
    }
}

/// What the ledger knows of a clue when the lists are written.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClueState {
    pub status: ClueStatus,
    pub first_seen: NaiveDate,
    /// Set when a clue reported as included (符合条件已纳入保障) is still not on the rolls.
    pub rectification_missing: bool,
}

// ─── Vocabularies ───────────────────────────────────────────────────────────────────────
// Words that a writer and its readers must agree on — the township lists' columns, the
// 核查结果 choices, counts per rule — each defined once here: the report writes them, the
// ledger reads returned lists back with them, the generator's scorer reads the lists by them.

/// 核查结果: the closed list of outcomes a township may return for a clue. The labels are
/// the township lists' drop-down choices and what the ledger stores.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ReviewOutcome {
    Included,
    TempAssistance,
    NotEligible,
    Monitoring,
    Unverifiable,
    Other,
}

impl ReviewOutcome {
    pub const ALL: [ReviewOutcome; 6] = [
        ReviewOutcome::Included,
        ReviewOutcome::TempAssistance,
        ReviewOutcome::NotEligible,
        ReviewOutcome::Monitoring,
        ReviewOutcome::Unverifiable,
        ReviewOutcome::Other,
    ];

    /// The labels in `ALL` order: the choices of the 核查结果 drop-down.
    pub const LABELS: [&'static str; 6] = {
        let mut labels = [""; 6];
        let mut i = 0;
        while i < labels.len() {
            labels[i] = ReviewOutcome::ALL[i].label_zh();
            i += 1;
        }
        labels
    };

    pub const fn label_zh(self) -> &'static str {
        match self {
            ReviewOutcome::Included => "符合条件已纳入保障",
            ReviewOutcome::TempAssistance => "已给予临时救助",
            ReviewOutcome::NotEligible => "不符合条件",
            ReviewOutcome::Monitoring => "纳入监测",
            ReviewOutcome::Unverifiable => "无法核实",
            ReviewOutcome::Other => "其他",
        }
    }

    pub fn from_label(label: &str) -> Option<ReviewOutcome> {
        ReviewOutcome::ALL
            .into_iter()
            .find(|o| o.label_zh() == label)
    }
}

impl fmt::Display for ReviewOutcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label_zh())
    }
}

/// A column of a township suspect list (SPEC 7), in file order. The report writes the
/// lists with these headers; `review` and the generator's scorer find the columns by them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ListColumn {
    ClueId,
    Township,
    Village,
    Name,
    IdNumber,
    /// 疑似类型代码: `R01;R02`.
    Codes,
    /// 疑似类型: the codes' labels.
    CodeLabels,
    Sources,
    Evidence,
    MatchNote,
    Confidence,
    SourceRefs,
    Status,
    FirstSeen,
    /// 核查结果, 核查人, 核查日期 and 备注 are filled in by the township.
    Outcome,
    Reviewer,
    ReviewDate,
    Note,
}

impl ListColumn {
    pub const ALL: [ListColumn; 18] = [
        ListColumn::ClueId,
        ListColumn::Township,
        ListColumn::Village,
        ListColumn::Name,
        ListColumn::IdNumber,
        ListColumn::Codes,
        ListColumn::CodeLabels,
        ListColumn::Sources,
        ListColumn::Evidence,
        ListColumn::MatchNote,
        ListColumn::Confidence,
        ListColumn::SourceRefs,
        ListColumn::Status,
        ListColumn::FirstSeen,
        ListColumn::Outcome,
        ListColumn::Reviewer,
        ListColumn::ReviewDate,
        ListColumn::Note,
    ];

    /// The header row of a township list.
    pub const HEADERS: [&'static str; 18] = {
        let mut headers = [""; 18];
        let mut i = 0;
        while i < headers.len() {
            headers[i] = ListColumn::ALL[i].header();
            i += 1;
        }
        headers
    };

    pub const fn header(self) -> &'static str {
        match self {
            ListColumn::ClueId => "线索编号",
            ListColumn::Township => "乡镇",
            ListColumn::Village => "村社区",
            ListColumn::Name => "姓名",
            ListColumn::IdNumber => "身份证号",
            ListColumn::Codes => "疑似类型代码",
            ListColumn::CodeLabels => "疑似类型",
            ListColumn::Sources => "来源部门",
            ListColumn::Evidence => "依据",
            ListColumn::MatchNote => "匹配说明",
            ListColumn::Confidence => "置信度",
            ListColumn::SourceRefs => "来源记录",
            ListColumn::Status => "状态",
            ListColumn::FirstSeen => "首次发现日期",
            ListColumn::Outcome => "核查结果",
            ListColumn::Reviewer => "核查人",
            ListColumn::ReviewDate => "核查日期",
            ListColumn::Note => "备注",
        }
    }

    /// The column's 0-based position in a list as written.
    pub const fn index(self) -> usize {
        self as usize
    }
}

impl fmt::Display for ListColumn {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.header())
    }
}

/// A count per rule code (persons per code in the summary), indexed by `RuleCode`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RuleCounts([usize; RuleCode::ALL.len()]);

impl RuleCounts {
    /// The counts in `RuleCode::ALL` order.
    pub fn values(&self) -> impl Iterator<Item = usize> + '_ {
        self.0.iter().copied()
    }
}

impl std::ops::Index<RuleCode> for RuleCounts {
    type Output = usize;
    fn index(&self, code: RuleCode) -> &usize {
        // `RuleCode` is declared in `ALL` order.
        &self.0[code as usize]
    }
}

impl std::ops::IndexMut<RuleCode> for RuleCounts {
    fn index_mut(&mut self, code: RuleCode) -> &mut usize {
        &mut self.0[code as usize]
    }
}

impl std::ops::AddAssign<&RuleCounts> for RuleCounts {
    fn add_assign(&mut self, other: &RuleCounts) {
        for (mine, theirs) in self.0.iter_mut().zip(other.0) {
            *mine += theirs;
        }
    }
}

#[cfg(test)]
mod vocabulary_tests {
    use super::*;

    #[test]
    fn orders_follow_the_declarations() {
        for (i, code) in RuleCode::ALL.into_iter().enumerate() {
            assert_eq!(code as usize, i, "{code:?}");
        }
        for (i, column) in ListColumn::ALL.into_iter().enumerate() {
            assert_eq!(column.index(), i, "{column:?}");
            assert_eq!(ListColumn::HEADERS[i], column.header());
        }
        for (outcome, label) in ReviewOutcome::ALL.into_iter().zip(ReviewOutcome::LABELS) {
            assert_eq!(ReviewOutcome::from_label(label), Some(outcome));
        }
    }

    #[test]
    fn rule_counts_are_indexed_by_code() {
        let mut counts = RuleCounts::default();
        counts[RuleCode::R03] += 2;
        let mut total = counts;
        total += &counts;
        assert_eq!(total.values().collect::<Vec<_>>(), [0, 0, 4, 0, 0, 0]);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn evidence_states_shared_facts_once_then_each_conclusion() {
        let finding = |code, facts: &[&str], conclusion: &str| Finding {
            code,
            facts: facts.iter().map(|s| s.to_string()).collect(),
            conclusion: conclusion.into(),
            amount_cents: None,
            records: vec![0],
        };
        let medical = "医保: 2020年以来个人自付 52,310.00 元(8 笔结算)";
        let suspect = Suspect {
            clue_id: "LB0000000000".into(),
            person_key: "k".into(),
            township: None,
            village: None,
            name: "张三".into(),
            id_number: None,
            address: None,
            findings: vec![
                finding(RuleCode::R01, &[medical], "未纳入保障, 期内未获临时救助"),
                finding(
                    RuleCode::R02,
                    &[medical, "农业农村: 防返贫监测对象"],
                    "未纳入低保或特困",
                ),
            ],
            sources: vec![SourceKind::Medical],
            match_note: String::new(),
            confidence: 1.0,
            source_refs: Vec::new(),
        };
        assert_eq!(
            suspect.evidence(),
            "医保: 2020年以来个人自付 52,310.00 元(8 笔结算); 农业农村: 防返贫监测对象；\
             R01: 未纳入保障, 期内未获临时救助; R02: 未纳入低保或特困"
        );
        assert_eq!(
            suspect.findings[1].evidence(),
            format!("{medical}; 农业农村: 防返贫监测对象; 未纳入低保或特困")
        );
    }
}
