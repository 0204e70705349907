//! The pipeline file (`pipelines/*.toml`): what to read, where to write, the county's
//! townships and the rule thresholds. Unknown keys are errors that name the key and line.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::model::{Field, SourceKind};

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
    /// Unemployment statuses that count as currently registered.
    pub unemployed_statuses: Vec<String>,
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
            finished_statuses: words(&["已办结", "办结", "已完成", "已处理", "已答复", "已回复"]),
            unemployed_statuses: words(&["登记失业", "失业"]),
            active_statuses: words(&["在保", "正常", "有效", "在册", "享受中"]),
            stopped_statuses: words(&["停保", "终止", "退出", "注销"]),
            parent_absent_statuses: words(&["死亡", "宣告死亡", "失踪"]),
            parent_unable_statuses: words(&[
                "重残",
                "重病",
                "服刑在押",
                "服刑",
                "强制隔离戒毒",
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
    }

    pub fn required<'de, D: Deserializer<'de>>(d: D) -> Result<NaiveDate, D::Error> {
        let text = match Repr::deserialize(d)? {
            Repr::Toml(dt) => dt.to_string(),
            Repr::Text(s) => s,
        };
        NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d")
            .map_err(|_| serde::de::Error::custom(format!("'{text}' 不是 YYYY-MM-DD 格式的日期")))
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
    #[error("无法读取流水线文件 {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("流水线文件 {path} 有误: {message}")]
    Parse { path: PathBuf, message: String },
    #[error("流水线文件 {path} 有误: {message}")]
    Invalid { path: PathBuf, message: String },
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

impl LoadedPipeline {
    pub fn load(path: &Path, today: NaiveDate) -> Result<LoadedPipeline, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
            path: path.to_path_buf(),
            source,
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
        if pipeline.since > as_of {
            return Err(invalid(format!(
                "since ({}) 晚于 as_of ({as_of})",
                pipeline.since
            )));
        }
        if pipeline.matching.lower_threshold > pipeline.matching.upper_threshold {
            return Err(invalid(
                "matching.lower_threshold 大于 matching.upper_threshold".into(),
            ));
        }
        for spec in &pipeline.sources {
            globset::Glob::new(&spec.glob).map_err(|e| {
                invalid(format!(
                    "来源 {} 的 glob '{}' 无效: {e}",
                    spec.kind, spec.glob
                ))
            })?;
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
}

/// Parses pipeline text; the error names the key and the line.
pub fn parse(text: &str) -> Result<Pipeline, String> {
    toml::from_str::<Pipeline>(text).map_err(|e| {
        let line = e
            .span()
            .map(|span| text[..span.start.min(text.len())].matches('\n').count() + 1);
        let message = e.message().trim().to_string();
        match line {
            Some(line) => format!("第 {line} 行: {message}"),
            None => message,
        }
    })
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
        assert!(parse(&text).unwrap_err().contains("medicare"));
    }
}

#[cfg(test)]
mod example_tests {
    /// The documented example must stay loadable: it is what clerks copy.
    #[test]
    fn example_pipeline_parses() {
        let text = include_str!("../pipelines/example.toml");
        super::parse(text).unwrap();
    }
}
