//! The pipeline file (`pipelines/*.toml`): what to read, where to write, the county's
//! townships and the rule thresholds. Unknown keys are errors that name the key and line.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::lang::pick;
use crate::model::{Field, SourceKind};
use crate::tr;

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Pipeline {
    /// County name, for titles.
    #[serde(default)]
    pub county: String,
    /// Screening date; defaults to the run date.
    #[serde(default, deserialize_with = "toml_date::optional")]
    pub as_of: Option<NaiveDate>,
    /// Start of the screening window.
    #[serde(default = "default_since", deserialize_with = "toml_date::required")]
    pub since: NaiveDate,
    /// Folder the departments drop files into (relative to the pipeline file).
    pub inbox: PathBuf,
    /// Folder each run writes a dated subfolder into (relative to the pipeline file).
    pub outbox: PathBuf,
    /// Clue ledger database; defaults to `<outbox>/ledger.sqlite3`.
    #[serde(default)]
    pub ledger: Option<PathBuf>,
    #[serde(default)]
    pub townships: Vec<Township>,
    #[serde(default)]
    pub sources: Vec<SourceSpec>,
    #[serde(default)]
    pub rules: RuleSettings,
    #[serde(default)]
    pub campaign: CampaignSettings,
    #[serde(default)]
    pub matching: MatchSettings,
    #[serde(default)]
    pub limits: InputLimits,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Township {
    /// Canonical name, e.g. 城关镇.
    pub name: String,
    /// Other spellings clerks use: 城关, 城关镇人民政府.
    #[serde(default)]
    pub aliases: Vec<String>,
    #[serde(default)]
    pub villages: Vec<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SourceSpec {
    pub kind: SourceKind,
    /// File-name glob inside the inbox, e.g. `*医保*.xlsx`.
    pub glob: String,
    /// Only this sheet of a workbook (default: every sheet with a recognisable table).
    #[serde(default)]
    pub sheet: Option<String>,
    /// Header overrides: canonical field → header text as written in the file.
    #[serde(default)]
    pub columns: BTreeMap<Field, String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct RuleSettings {
    /// R01/R02: medical out-of-pocket total above which a person qualifies (yuan).
    pub medical_threshold: f64,
    /// Petition/hotline qualification: category or content names one of these.
    pub assistance_keywords: Vec<String>,
    /// Hotline request types that qualify (诉求类型).
    pub hotline_types: Vec<String>,
    /// R06: days after which an unfinished request is overdue.
    pub overdue_days: i64,
    /// R06: handling statuses that count as finished.
    pub finished_statuses: Vec<String>,
    /// R07: petition categories / hotline types that are complaints about conduct (投诉).
    pub conduct_types: Vec<String>,
    /// R07: words in a petition's or order's content that name how a case was handled.
    pub conduct_keywords: Vec<String>,
    /// Unemployment statuses that count as currently registered.
    pub unemployed_statuses: Vec<String>,
    /// Words in an unemployment status that end the registration (`已就业`, `已注销` …).
    pub ended_unemployment_statuses: Vec<String>,
    /// Roll statuses that mean active on their own.
    pub active_statuses: Vec<String>,
    /// Roll statuses that mean stopped: active only while the end date is on or after `as_of`.
    pub stopped_statuses: Vec<String>,
    /// R04: parent statuses meaning dead or missing.
    pub parent_absent_statuses: Vec<String>,
    /// R05: parent statuses meaning unable to support.
    pub parent_unable_statuses: Vec<String>,
    /// R02 (glossary): severe = grade ≤ this for any category …
    pub severe_grade_any: u8,
    /// … or grade ≤ this for intellectual/mental.
    pub severe_grade_mental: u8,
    /// R05 (children's programme): 重残 = grade ≤ this for any category …
    pub fuc_grade_any: u8,
    /// … or grade ≤ this for intellectual/mental.
    pub fuc_grade_mental: u8,
    /// Age limit of R04/R05: a child is under this age on `as_of`.
    pub child_age: u32,
}

impl Default for RuleSettings {
    fn default() -> Self {
        let words = |w: &[&str]| w.iter().map(|s| s.to_string()).collect();
        RuleSettings {
            medical_threshold: 40_000.0,
            assistance_keywords: words(&["低保", "特困", "救助", "临时救助", "困难", "生活困难"]),
            hotline_types: words(&["求助"]),
            overdue_days: 30,
            finished_statuses: words(&[
                "已办结",
                "办结",
                "已完成",
                "已处理",
                "已答复",
                "已回复",
                "完结",
                "结案",
                "办毕",
                "已解决",
            ]),
            conduct_types: words(&["投诉"]),
            conduct_keywords: words(&[
                "态度",
                "推诿",
                "不作为",
                "不担当",
                "刁难",
                "拖延",
                "不予受理",
                "脸难看",
                "事难办",
                "吃拿卡要",
                "冷漠",
            ]),
            unemployed_statuses: words(&["登记失业", "失业"]),
            ended_unemployment_statuses: words(&[
                "就业", "注销", "退休", "死亡", "转出", "参军", "升学", "终止", "失效",
            ]),
            active_statuses: words(&["在保", "正常", "有效", "在册", "享受中"]),
            stopped_statuses: words(&[
                "停保", "终止", "退出", "注销", "停发", "暂停", "取消", "停止",
            ]),
            parent_absent_statuses: words(&[
                "死亡",
                "宣告死亡",
                "失踪",
                "已故",
                "去世",
                "病故",
                "亡故",
                "身故",
                "下落不明",
            ]),
            parent_unable_statuses: words(&[
                "重残",
                "重病",
                "服刑在押",
                "服刑",
                "在押",
                "强制隔离戒毒",
                "戒毒",
                "其他限制人身自由",
                "失联",
            ]),
            severe_grade_any: 2,
            severe_grade_mental: 3,
            fuc_grade_any: 2,
            fuc_grade_mental: 4,
            child_age: 18,
        }
    }
}

/// The campaign's deadlines (`[campaign]`); a date left out is the seed document's, in the
/// campaign year of `as_of`: review by 06-30, rectify by 08-31, final lists by 09-03, the
/// monthly report by the 18th of the next month.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct CampaignSettings {
    #[serde(deserialize_with = "toml_date::optional")]
    pub review_by: Option<NaiveDate>,
    #[serde(deserialize_with = "toml_date::optional")]
    pub rectify_by: Option<NaiveDate>,
    #[serde(deserialize_with = "toml_date::optional")]
    pub final_by: Option<NaiveDate>,
    /// Day of the month the monthly report is due by (for the month before).
    pub monthly_day: Option<u32>,
}

/// The deadlines in force for one `as_of`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Deadlines {
    /// A clue not reviewed after this day is 逾期未核查.
    pub review_by: NaiveDate,
    /// A rectification not done after this day is 逾期未整改.
    pub rectify_by: NaiveDate,
    /// The closing three lists are due by this day.
    pub final_by: NaiveDate,
    pub monthly_day: u32,
}

impl CampaignSettings {
    pub fn deadlines(&self, as_of: NaiveDate) -> Deadlines {
        let day = |month, day| {
            NaiveDate::from_ymd_opt(chrono::Datelike::year(&as_of), month, day)
                .expect("a fixed date of the year")
        };
        Deadlines {
            review_by: self.review_by.unwrap_or(day(6, 30)),
            rectify_by: self.rectify_by.unwrap_or(day(8, 31)),
            final_by: self.final_by.unwrap_or(day(9, 3)),
            monthly_day: self.monthly_day.unwrap_or(18),
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct MatchSettings {
    /// Score (posterior log2 odds: prior + summed match weights) at or above which a fuzzy
    /// link is accepted. 8 ≈ 99.6 % match probability under the model.
    pub upper_threshold: f64,
    /// Score below which there is no link; in between the link is uncertain (review list).
    pub lower_threshold: f64,
    /// Two candidate persons above the upper threshold within this many points of each
    /// other make the link ambiguous: both go to review instead of either being accepted.
    pub ambiguity_margin: f64,
    /// A blocking key shared by more records than this is skipped (and counted): such
    /// blocks are too common to discriminate and would blow up the pair count.
    pub max_block_size: usize,
    /// Lower bound on the population used for the prior odds, so that a small test file
    /// does not make coincidental agreement look convincing.
    pub min_population: usize,
    /// Estimate m/u from the data (u from random pairs, m from exact-ID links); when false
    /// or when there is too little data, the built-in fallback weights are used.
    pub estimate_weights: bool,
    /// Worker threads for the whole run (every stage); 0 = all cores or RAYON_NUM_THREADS.
    pub threads: usize,
}

impl Default for MatchSettings {
    fn default() -> Self {
        MatchSettings {
            upper_threshold: 8.0,
            lower_threshold: 2.0,
            ambiguity_margin: 2.0,
            max_block_size: 1000,
            min_population: 10_000,
            estimate_weights: true,
            threads: 0,
        }
    }
}

/// Bounds that keep absurd inputs from exhausting memory.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct InputLimits {
    pub max_file_bytes: u64,
    /// Total unpacked size of an xlsx (a zip): guards against zip bombs.
    pub max_unpacked_bytes: u64,
    pub max_cell_chars: usize,
    pub max_columns: usize,
    pub max_line_bytes: usize,
}

impl Default for InputLimits {
    fn default() -> Self {
        InputLimits {
            max_file_bytes: 512 * 1024 * 1024,
            max_unpacked_bytes: 2 * 1024 * 1024 * 1024,
            max_cell_chars: 4096,
            max_columns: 200,
            max_line_bytes: 1024 * 1024,
        }
    }
}

/// Dates in pipeline files may be TOML dates (`as_of = 2021-06-30`) or strings.
mod toml_date {
    use chrono::NaiveDate;
    use serde::{Deserialize, Deserializer};

    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Repr {
        Toml(toml::value::Datetime),
        Text(String),
        /// `as_of = 20210630`: a number, said so in the clerk's words below.
        Number(i64),
        Other(toml::Value),
    }

    pub fn required<'de, D: Deserializer<'de>>(d: D) -> Result<NaiveDate, D::Error> {
        let text = match Repr::deserialize(d)? {
            Repr::Toml(dt) => dt.to_string(),
            Repr::Text(s) => s,
            Repr::Number(n) => n.to_string(),
            Repr::Other(v) => v.to_string(),
        };
        NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d").map_err(|_| {
            serde::de::Error::custom(crate::tr!(
                "'{text}' 不是日期: 请写作 2021-06-30 (年-月-日, 不加引号也可)",
                "'{text}' is not a date: write it as 2021-06-30 (year-month-day, quotes optional)"
            ))
        })
    }

    pub fn optional<'de, D: Deserializer<'de>>(d: D) -> Result<Option<NaiveDate>, D::Error> {
        required(d).map(Some)
    }
}

fn default_since() -> NaiveDate {
    NaiveDate::from_ymd_opt(2020, 1, 1).expect("valid date")
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    Read { path: PathBuf, reason: String },
    Parse { path: PathBuf, message: String },
    Invalid { path: PathBuf, message: String },
}

impl std::fmt::Display for ConfigError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&match self {
            ConfigError::Read { path, reason } => tr!(
                "无法读取流水线文件 {}: {reason}",
                "cannot read the pipeline file {}: {reason}",
                path.display()
            ),
            ConfigError::Parse { path, message } | ConfigError::Invalid { path, message } => tr!(
                "流水线文件 {} 有误: {message}",
                "the pipeline file {} is wrong: {message}",
                path.display()
            ),
        })
    }
}

/// A pipeline file loaded and resolved against its own folder.
#[derive(Debug, Clone)]
pub struct LoadedPipeline {
    pub path: PathBuf,
    /// The file's bytes, recorded in the manifest.
    pub text: String,
    pub pipeline: Pipeline,
    pub inbox: PathBuf,
    pub outbox: PathBuf,
    pub ledger: PathBuf,
    pub as_of: NaiveDate,
}

impl Township {
    /// The file name (without extension) of this township's list: safe on Windows and
    /// Unix. Two townships whose names clean to the same stem are a configuration error.
    pub fn file_stem(&self) -> String {
        file_stem(&self.name)
    }
}

/// A list name made safe as a file name on Windows and Unix.
pub fn file_stem(name: &str) -> String {
    let stem: String = name
        .trim()
        .chars()
        .map(|c| match c {
            '/' | '\\' | ':' | '*' | '?' | '"' | '<' | '>' | '|' => '_',
            c if c.is_control() => '_',
            c => c,
        })
        .collect();
    let stem = stem.trim_matches(['.', ' ']).to_string();
    if stem.is_empty() {
        "_".to_string()
    } else {
        stem
    }
}

impl Pipeline {
    /// Every setting that cannot be right, in the clerk's words, all at once.
    pub fn problems(&self, as_of: NaiveDate, today: NaiveDate) -> Vec<String> {
        let mut out = Vec::new();
        if self.since > as_of {
            let since = self.since;
            out.push(tr!(
                "since ({since}) 晚于 as_of ({as_of})",
                "since ({since}) is later than as_of ({as_of})"
            ));
        }
        if as_of > today {
            out.push(tr!(
                "as_of ({as_of}) 晚于今天 ({today}): 不能按将来的日期排查",
                "as_of ({as_of}) is later than today ({today}): a screening cannot be dated in the future"
            ));
        }
        let r = &self.rules;
        let mut range = |key: &str, ok: bool, want: &str| {
            if !ok {
                out.push(format!("rules.{key} {want}"));
            }
        };
        range(
            "medical_threshold",
            r.medical_threshold.is_finite() && r.medical_threshold > 0.0,
            pick("必须大于 0", "must be greater than 0"),
        );
        range(
            "overdue_days",
            r.overdue_days >= 0,
            pick("不能为负数", "cannot be negative"),
        );
        range(
            "child_age",
            (1..=18).contains(&r.child_age),
            pick("必须在 1 到 18 之间", "must be between 1 and 18"),
        );
        for (key, grade) in [
            ("severe_grade_any", r.severe_grade_any),
            ("severe_grade_mental", r.severe_grade_mental),
            ("fuc_grade_any", r.fuc_grade_any),
            ("fuc_grade_mental", r.fuc_grade_mental),
        ] {
            range(
                key,
                (1..=4).contains(&grade),
                pick(
                    "必须在 1 到 4 之间 (残疾等级)",
                    "must be between 1 and 4 (a disability grade)",
                ),
            );
        }
        if let Some(day) = self.campaign.monthly_day.filter(|d| !(1..=28).contains(d)) {
            out.push(tr!(
                "campaign.monthly_day {day} 必须在 1 到 28 之间 (每月都有这一天)",
                "campaign.monthly_day {day} must be between 1 and 28 (a day every month has)"
            ));
        }
        let d = self.campaign.deadlines(as_of);
        if !(d.review_by <= d.rectify_by && d.rectify_by <= d.final_by) {
            out.push(tr!(
                "campaign 的期限次序不对: 核查 {} 、整改 {} 、总结 {} 应依次不早于前一项",
                "campaign deadlines out of order: review {}, rectify {}, final {} must each be no earlier than the one before",
                d.review_by,
                d.rectify_by,
                d.final_by
            ));
        }
        let m = &self.matching;
        if !(m.lower_threshold.is_finite() && m.upper_threshold.is_finite()) {
            out.push(tr!(
                "matching 的阈值必须是数字",
                "the matching thresholds must be numbers"
            ));
        } else if m.lower_threshold > m.upper_threshold {
            out.push(tr!(
                "matching.lower_threshold 大于 matching.upper_threshold",
                "matching.lower_threshold is greater than matching.upper_threshold"
            ));
        }
        if !(m.ambiguity_margin.is_finite() && m.ambiguity_margin >= 0.0) {
            out.push(tr!(
                "matching.ambiguity_margin 不能为负数",
                "matching.ambiguity_margin cannot be negative"
            ));
        }
        if m.max_block_size < 2 {
            out.push(tr!(
                "matching.max_block_size 至少为 2",
                "matching.max_block_size must be at least 2"
            ));
        }
        for spec in &self.sources {
            if let Err(e) = globset::Glob::new(&spec.glob) {
                let (kind, glob) = (spec.kind, &spec.glob);
                out.push(tr!(
                    "来源 {kind} 的 glob '{glob}' 无效: {e}",
                    "the glob '{glob}' of source {kind} is invalid: {e}"
                ));
            }
        }
        self.township_problems(&mut out);
        out
    }

    /// Names listed twice, a spelling two townships share, and list file names that
    /// collide (case-insensitively, as on Windows).
    fn township_problems(&self, out: &mut Vec<String>) {
        let mut spellings: BTreeMap<String, Vec<&str>> = BTreeMap::new();
        let mut stems: BTreeMap<String, Vec<&str>> = BTreeMap::new();
        for t in &self.townships {
            let name = t.name.trim();
            if name.is_empty() {
                out.push(tr!(
                    "[[townships]] 中有乡镇没有名称",
                    "a township in [[townships]] has no name"
                ));
                continue;
            }
            let mut own: Vec<String> = vec![name.to_string()];
            own.extend(t.aliases.iter().map(|a| a.trim().to_string()));
            own.sort();
            own.dedup();
            for spelling in own.into_iter().filter(|s| !s.is_empty()) {
                spellings.entry(spelling).or_default().push(name);
            }
            stems
                .entry(t.file_stem().to_lowercase())
                .or_default()
                .push(name);
        }
        for (spelling, owners) in &spellings {
            if owners.len() > 1 {
                let same = owners.iter().all(|o| o == &owners[0]);
                out.push(if same {
                    tr!(
                        "乡镇 {spelling} 在 [[townships]] 中列了 {} 次",
                        "township {spelling} is listed {} times in [[townships]]",
                        owners.len()
                    )
                } else {
                    tr!(
                        "名称或别名 {spelling} 同时属于乡镇 {}",
                        "the name or alias {spelling} belongs to the townships {}",
                        owners.join(pick(" 和 ", " and "))
                    )
                });
            }
        }
        for (stem, owners) in &stems {
            let mut distinct = owners.clone();
            distinct.dedup();
            if distinct.len() > 1 {
                out.push(tr!(
                    "乡镇 {} 的名单文件名相同 ({stem}.xlsx), 会互相覆盖: 请改名",
                    "the townships {} have the same list file name ({stem}.xlsx) and would overwrite each other: rename them",
                    distinct.join(pick(" 和 ", " and "))
                ));
            }
        }
    }
}

impl LoadedPipeline {
    pub fn load(path: &Path, today: NaiveDate) -> Result<LoadedPipeline, ConfigError> {
        let bytes = std::fs::read(path).map_err(|source| ConfigError::Read {
            path: path.to_path_buf(),
            reason: io_reason(&source),
        })?;
        let text = decode_text(&bytes).ok_or_else(|| ConfigError::Parse {
            path: path.to_path_buf(),
            message: tr!(
                "文件不是 UTF-8 或 GBK 文本",
                "the file is not UTF-8 or GBK text"
            ),
        })?;
        let pipeline = parse(&text).map_err(|message| ConfigError::Parse {
            path: path.to_path_buf(),
            message,
        })?;
        let invalid = |message: String| ConfigError::Invalid {
            path: path.to_path_buf(),
            message,
        };
        let as_of = pipeline.as_of.unwrap_or(today);
        let problems = pipeline.problems(as_of, today);
        if !problems.is_empty() {
            return Err(invalid(tr!(
                "{} 处设置需要修改:\n  {}",
                "{} settings to change:\n  {}",
                problems.len(),
                problems.join("\n  ")
            )));
        }
        let base = path.parent().unwrap_or(Path::new("."));
        let inbox = base.join(&pipeline.inbox);
        let outbox = base.join(&pipeline.outbox);
        let ledger = match &pipeline.ledger {
            Some(p) => base.join(p),
            None => outbox.join("ledger.sqlite3"),
        };
        Ok(LoadedPipeline {
            path: path.to_path_buf(),
            text,
            pipeline,
            inbox,
            outbox,
            ledger,
            as_of,
        })
    }

    pub fn since(&self) -> NaiveDate {
        self.pipeline.since
    }

    /// The campaign's deadlines for this `as_of`.
    pub fn deadlines(&self) -> Deadlines {
        self.pipeline.campaign.deadlines(self.as_of)
    }
}

/// An I/O error in the clerk's words.
pub fn io_reason(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => tr!("文件或文件夹不存在", "no such file or folder"),
        std::io::ErrorKind::PermissionDenied => tr!("没有读取权限", "no permission to read"),
        std::io::ErrorKind::IsADirectory => {
            tr!("这是一个文件夹, 不是文件", "this is a folder, not a file")
        }
        _ => tr!("读取出错 ({e})", "read error ({e})"),
    }
}

/// A pipeline file as Notepad saves it: UTF-8 (with or without BOM), else GBK/GB18030.
fn decode_text(bytes: &[u8]) -> Option<String> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    match std::str::from_utf8(bytes) {
        Ok(text) => Some(text.to_string()),
        Err(_) => encoding_rs::GB18030
            .decode_without_bom_handling_and_without_replacement(bytes)
            .map(|t| t.into_owned()),
    }
}

/// The TOML reader's message said in the clerk's words (in English too: the same facts in
/// the same shape); what it does not know is replaced by what to check.
fn toml_message(message: &str) -> String {
    let ticked = |s: &str| -> Vec<String> {
        s.split('`')
            .enumerate()
            .filter(|(i, _)| i % 2 == 1)
            .map(|(_, t)| t.to_string())
            .collect()
    };
    if let Some(rest) = message.strip_prefix("unknown field ") {
        let names = ticked(rest);
        if let Some((first, others)) = names.split_first() {
            let others = others.join(", ");
            return tr!(
                "未知的键 {first}; 这里可用的键: {others}",
                "unknown key {first}; the keys allowed here: {others}"
            );
        }
    }
    if let Some(rest) = message.strip_prefix("unknown variant ") {
        let names = ticked(rest);
        if let Some((first, others)) = names.split_first() {
            let others = others.join(", ");
            return tr!(
                "未知的取值 {first}; 可用的取值: {others}",
                "unknown value {first}; the values allowed: {others}"
            );
        }
    }
    if let Some(rest) = message.strip_prefix("missing field ") {
        let key = ticked(rest).join("");
        return tr!("缺少必需的键 {key}", "missing the required key {key}");
    }
    if message.contains("escape") {
        return tr!(
            "字符串里的反斜杠 \\ 被当作转义符: Windows 路径请用单引号, 如 inbox = 'D:\\共享\\收件箱', 或改用正斜杠 D:/共享/收件箱",
            "a backslash \\ in a string is taken as an escape: write Windows paths in single quotes, e.g. inbox = 'D:\\shared\\inbox', or use forward slashes D:/shared/inbox"
        );
    }
    if message.starts_with("duplicate key") {
        let key = ticked(message).join("");
        return tr!("重复的键 {key}", "duplicate key {key}");
    }
    if let Some(rest) = message.strip_prefix("invalid type: ") {
        let (found, expected) = rest.split_once(", expected ").unwrap_or((rest, ""));
        let (expected, found) = (kind_words(expected), kind_words(found));
        return tr!(
            "值的类型不对: 这里应为{expected}, 写的是{found}",
            "wrong type of value: {expected} expected here, {found} written"
        );
    }
    // Our own messages (`toml_date`: a date not written as one) are in the clerk's words
    // already; they are the ones that show the date to write.
    if message.contains("2021-06-30") {
        return message.to_string();
    }
    if message.contains("date") || message.contains("time") {
        return tr!(
            "日期无效: 写作 2021-06-30, 月份 01–12, 日不超过当月天数",
            "invalid date: write 2021-06-30, months 01–12, days within the month"
        );
    }
    // The reader's own words help a maintainer; the clerk gets what to check.
    tracing::debug!(
        toml = message,
        "{}",
        pick("流水线文件格式错误", "pipeline file syntax error")
    );
    tr!(
        "格式错误: 请对照 pipelines/example.toml 检查这一行的引号、等号和括号",
        "syntax error: check this line's quotes, equals sign and brackets against pipelines/example.toml"
    )
}

/// A TOML or serde type in words, with the value as written when there is one.
fn kind_words(kind: &str) -> String {
    let value = kind
        .split_once(' ')
        .map(|(_, v)| v.trim_matches('`').to_string())
        .unwrap_or_default();
    let word = if kind.contains("string") {
        pick("文字(加引号)", "text (in quotes)")
    } else if kind.contains("float") || kind.contains("f64") {
        pick("数字(不加引号)", "a number (no quotes)")
    } else if kind.contains("integer")
        || kind.contains("usize")
        || kind.contains("u32")
        || kind.contains("u8")
        || kind.contains("i64")
    {
        pick("整数(不加引号)", "a whole number (no quotes)")
    } else if kind.contains("bool") {
        pick("true 或 false", "true or false")
    } else if kind.contains("sequence") || kind.contains("array") {
        pick("列表 [\"…\", \"…\"]", "a list [\"…\", \"…\"]")
    } else if kind.contains("map") || kind.contains("table") || kind.contains("struct") {
        pick("一组设置 (表)", "a group of settings (a table)")
    } else if kind.contains("date") {
        pick("日期, 如 2021-06-30", "a date, e.g. 2021-06-30")
    } else {
        pick("规定的格式", "the required format")
    };
    if value.is_empty() || word.contains(value.as_str()) {
        word.to_string()
    } else {
        format!("{word} {value}")
    }
}

/// At most this many problems are reported from one reading of a pipeline file.
const MAX_PARSE_PROBLEMS: usize = 20;

/// Parses pipeline text; every problem names its line. The TOML reader stops at its first
/// problem, so the text is read again with that line blanked, and again, so that a clerk
/// can fix every problem in one go. A line is blanked only when it is a whole `key = value`
/// on its own (blanking part of a value spread over lines would invent problems), and a key
/// reported missing because its line was blanked is not reported.
pub fn parse(text: &str) -> Result<Pipeline, String> {
    let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
    let mut problems: Vec<(Option<usize>, String)> = Vec::new();
    let mut blanked_keys: Vec<String> = Vec::new();
    loop {
        let working = lines.join("\n");
        let e = match toml::from_str::<Pipeline>(&working) {
            Ok(pipeline) if problems.is_empty() => return Ok(pipeline),
            Ok(_) => break,
            Err(e) => e,
        };
        let line = e.span().map(|span| {
            working[..span.start.min(working.len())]
                .matches('\n')
                .count()
                + 1
        });
        let raw = e.message().trim();
        if let Some(missing) = raw.strip_prefix("missing field ") {
            if blanked_keys
                .iter()
                .any(|k| missing.contains(&format!("`{k}`")))
            {
                break;
            }
        }
        problems.push((line, toml_message(raw)));
        let Some(key) = line
            .and_then(|l| lines.get(l - 1))
            .and_then(|l| whole_key_value(l))
        else {
            break;
        };
        if problems.len() >= MAX_PARSE_PROBLEMS {
            break;
        }
        blanked_keys.push(key);
        if let Some(l) = line {
            lines[l - 1].clear();
        }
    }
    problems.sort_by_key(|(line, _)| *line);
    let said: Vec<String> = problems
        .into_iter()
        .map(|(line, message)| match line {
            Some(line) => tr!("第 {line} 行: {message}", "line {line}: {message}"),
            None => message,
        })
        .collect();
    Err(if said.len() == 1 {
        said.into_iter().next().unwrap_or_default()
    } else {
        tr!(
            "{} 处需要修改:\n  {}",
            "{} problems to fix:\n  {}",
            said.len(),
            said.join("\n  ")
        )
    })
}

/// The key of a line that is a whole `key = value` on its own: brackets and quotes closed.
fn whole_key_value(line: &str) -> Option<String> {
    let (key, value) = line.split_once('=')?;
    let key = key.trim();
    let plain = !key.is_empty()
        && key
            .chars()
            .all(|c| c.is_alphanumeric() || matches!(c, '_' | '-' | '.'));
    let opens = value.matches(['[', '{']).count();
    let closes = value.matches([']', '}']).count();
    let quotes_closed = value.matches('"').count() % 2 == 0 && value.matches('\'').count() % 2 == 0;
    (plain && opens == closes && quotes_closed && !value.trim().is_empty()).then(|| key.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    const MINIMAL: &str = r#"
inbox = "in"
outbox = "out"
as_of = 2021-06-30

[[sources]]
kind = "medical"
glob = "*医保*"
columns = { out_of_pocket = "个人现金支付" }
"#;

    #[test]
    fn parses_minimal_pipeline_with_defaults() {
        let p = parse(MINIMAL).unwrap();
        assert_eq!(p.as_of, NaiveDate::from_ymd_opt(2021, 6, 30));
        assert_eq!(p.since, NaiveDate::from_ymd_opt(2020, 1, 1).unwrap());
        assert_eq!(p.rules.medical_threshold, 40_000.0);
        assert_eq!(p.sources[0].kind, SourceKind::Medical);
        assert_eq!(p.sources[0].columns[&Field::OutOfPocket], "个人现金支付");
    }

    #[test]
    fn every_problem_is_reported_at_once_in_chinese() {
        let text = "county = \"测试县\"\ninbox = \"D:\\共享\\收件箱\"\noutbox = \"out\"\n\
                    as_of = 2021-06-31\n\n[[sources]]\nkind = \"medicare\"\nglob = \"*医保*\"\n\n\
                    [rules]\nmedical_treshold = 5\noverdue_days = \"三十\"\n";
        let err = parse(text).unwrap_err();
        assert!(err.starts_with("5 处需要修改:"), "{err}");
        let lines: Vec<&str> = err.lines().skip(1).map(str::trim).collect();
        let starts: Vec<&str> = lines.iter().map(|l| &l[..l.find(':').unwrap()]).collect();
        assert_eq!(
            starts,
            ["第 2 行", "第 4 行", "第 7 行", "第 11 行", "第 12 行"],
            "{err}"
        );
        assert!(lines[0].contains("用单引号"), "{err}");
        assert!(lines[1].contains("日期无效"), "{err}");
        assert!(lines[2].contains("未知的取值 medicare"), "{err}");
        assert!(lines[3].contains("未知的键 medical_treshold"), "{err}");
        assert!(lines[4].contains("应为整数"), "{err}");
        // Key and value names are the clerk's words; nothing else may be English.
        let words: Vec<&str> = err
            .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .collect();
        for english in [
            "expected", "invalid", "unknown", "field", "missing", "type", "variant",
        ] {
            assert!(!words.contains(&english), "{english}: {err}");
        }
    }

    #[test]
    fn misspelt_key_names_key_and_line() {
        let text = format!("{MINIMAL}\n[rules]\nmedical_treshold = 1\n");
        let err = parse(&text).unwrap_err();
        assert!(err.contains("medical_treshold"), "{err}");
        let line = text
            .lines()
            .position(|l| l.starts_with("medical_treshold"))
            .unwrap()
            + 1;
        assert!(err.contains(&format!("第 {line} 行")), "{err}");
    }

    #[test]
    fn unknown_source_kind_is_an_error() {
        let text = MINIMAL.replace("\"medical\"", "\"medicare\"");
        let err = parse(&text).unwrap_err();
        assert!(
            err.contains("未知的取值 medicare; 可用的取值: agriculture"),
            "{err}"
        );
    }

    #[test]
    fn toml_errors_are_said_in_chinese() {
        let err = parse(&format!("{MINIMAL}\nfoo = 1\n")).unwrap_err();
        assert!(
            err.contains("未知的键 foo; 这里可用的键: kind, glob"),
            "{err}"
        );
        let err = parse("inbox = \"D:\\共享\\收件箱\"\noutbox = \"out\"\n").unwrap_err();
        assert!(err.starts_with("第 1 行: 字符串里的反斜杠"), "{err}");
        assert!(err.contains("inbox = 'D:\\共享\\收件箱'"), "{err}");
        let err = parse("outbox = \"out\"\n").unwrap_err();
        assert!(err.contains("缺少必需的键 inbox"), "{err}");
        assert!(!err.is_ascii());
    }

    #[test]
    fn a_pipeline_file_saved_as_gbk_loads_and_a_missing_one_is_said_in_chinese() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("县.toml");
        let text = "county = \"示例县\"\nas_of = 2021-06-30\ninbox = \"in\"\noutbox = \"out\"\n";
        std::fs::write(&path, encoding_rs::GB18030.encode(text).0).unwrap();
        let today = NaiveDate::from_ymd_opt(2021, 7, 1).unwrap();
        let loaded = LoadedPipeline::load(&path, today).unwrap();
        assert_eq!(loaded.pipeline.county, "示例县");
        let err = LoadedPipeline::load(&dir.path().join("无.toml"), today).unwrap_err();
        assert!(
            err.to_string().ends_with("无.toml: 文件或文件夹不存在"),
            "{err}"
        );
    }
    /// English messages say the same problems, with nothing Chinese but the file's values.
    #[test]
    fn every_problem_is_said_in_english_under_lang_en() {
        use crate::lang::{with, Lang};
        let text = "county = \"测试县\"\ninbox = \"D:\\共享\\收件箱\"\noutbox = \"out\"\n\
                    as_of = 2021-06-31\n\n[[sources]]\nkind = \"medicare\"\nglob = \"*医保*\"\n\n\
                    [rules]\nmedical_treshold = 5\noverdue_days = \"三十\"\nchild_age = 30\n";
        let err = with(Lang::En, || parse(text)).unwrap_err();
        assert!(err.starts_with("5 problems to fix:"), "{err}");
        for said in [
            "line 2: a backslash",
            "line 4: invalid date",
            "line 7: unknown value medicare; the values allowed: agriculture",
            "line 11: unknown key medical_treshold",
            "line 12: wrong type of value: a whole number (no quotes) expected here, text (in quotes) \"三十\" written",
        ] {
            assert!(err.contains(said), "{said:?} in {err}");
        }
        let without_values = err.replace("三十", "");
        assert!(!crate::lang::has_han(&without_values), "{err}");
        let pipeline =
            parse("inbox = \"in\"\noutbox = \"out\"\n[rules]\nchild_age = 30\n").unwrap();
        let today = NaiveDate::from_ymd_opt(2021, 6, 30).unwrap();
        let problems = with(Lang::En, || pipeline.problems(today, today));
        assert_eq!(problems, ["rules.child_age must be between 1 and 18"]);
    }
}

#[cfg(test)]
mod example_tests {
    /// The documented example must stay loadable: it is what clerks copy.
    #[test]
    fn example_pipeline_parses() {
        let text = include_str!("../pipelines/example.toml");
        let pipeline = super::parse(text).unwrap();
        // The example lists the campaign's keys with the seed document's defaults.
        let as_of = chrono::NaiveDate::from_ymd_opt(2021, 7, 1).unwrap();
        assert_eq!(
            pipeline.campaign.deadlines(as_of),
            super::CampaignSettings::default().deadlines(as_of)
        );
    }

    #[test]
    fn deadlines_default_to_the_campaign_year_of_as_of() {
        let as_of = chrono::NaiveDate::from_ymd_opt(2022, 3, 1).unwrap();
        let d = super::CampaignSettings::default().deadlines(as_of);
        assert_eq!(d.review_by.to_string(), "2022-06-30");
        assert_eq!(d.rectify_by.to_string(), "2022-08-31");
        assert_eq!(d.final_by.to_string(), "2022-09-03");
        assert_eq!(d.monthly_day, 18);
    }
}
