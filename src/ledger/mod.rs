//! Clue ledger (问题线索台账 / 整改台账): an embedded SQLite database that remembers every
//! clue's first and last sighting, the township's review outcome and the rectification.
//!
//! A run asks the ledger for a read-only [`LedgerPlan`] (what each suspect's 状态 is, which
//! closed clues stay silent), then writes its lists while the ledger writes the plan into
//! an open transaction ([`PreparedRun`]), committed only once the run folder is in place —
//! a run that fails changes nothing here.
//! `review` imports the townships' returned workbooks; `report` reads the ledger for the
//! monthly report and the closing three lists.

pub mod decisions;
mod plan;
pub mod report;
pub mod returned;
pub mod review;
pub mod spotcheck;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use chrono::{NaiveDate, NaiveDateTime};
use rusqlite::{params, Connection};
use serde::{Deserialize, Serialize};

use crate::lang::pick;
use crate::model::{ReviewOutcome, RuleCode, RunOutcome, SourceKind, Suspect};
use crate::ops;
use crate::tr;

pub use plan::{LedgerPlan, NightCounts, PreparedRun, StoredClues};

#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum LedgerError {
    Open {
        path: PathBuf,
        source: std::io::Error,
    },
    Sqlite {
        context: &'static str,
        source: rusqlite::Error,
    },
    TooNew {
        found: i64,
        supported: i64,
    },
    Corrupt {
        context: &'static str,
        detail: String,
    },
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
    Xlsx {
        path: PathBuf,
        source: rust_xlsxwriter::XlsxError,
    },
}

impl std::fmt::Display for LedgerError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&match self {
            LedgerError::Open { path, source } => tr!(
                "无法打开线索台账 {}: {source}",
                "cannot open the clue ledger {}: {source}",
                path.display()
            ),
            LedgerError::Sqlite { context, source } => tr!(
                "线索台账数据库出错 ({context}): {source}",
                "the clue ledger's database failed ({context}): {source}"
            ),
            LedgerError::TooNew { found, supported } => tr!(
                "线索台账版本 {found} 比本程序支持的 {supported} 新, 请升级 loubao",
                "the clue ledger's version {found} is newer than the {supported} this program knows: upgrade loubao"
            ),
            LedgerError::Corrupt { context, detail } => tr!(
                "线索台账中的记录损坏 ({context}): {detail}",
                "a record in the clue ledger is corrupt ({context}): {detail}"
            ),
            LedgerError::Write { path, source } => tr!(
                "无法写出 {}: {source}",
                "cannot write {}: {source}",
                path.display()
            ),
            LedgerError::Xlsx { path, source } => tr!(
                "无法生成工作簿 {}: {source}",
                "cannot build the workbook {}: {source}",
                path.display()
            ),
        })
    }
}

/// Attaches the operation to a rusqlite error.
pub(crate) trait SqlContext<T> {
    fn ctx(self, context: &'static str) -> Result<T, LedgerError>;
}

impl<T> SqlContext<T> for Result<T, rusqlite::Error> {
    fn ctx(self, context: &'static str) -> Result<T, LedgerError> {
        self.map_err(|source| LedgerError::Sqlite { context, source })
    }
}

/// Schema migrations, applied in order; `PRAGMA user_version` counts how many ran.
/// Never edit a shipped entry: append a new one.
const MIGRATIONS: &[&str] = &[
    r#"
CREATE TABLE clues (
    clue_id     TEXT PRIMARY KEY,
    person_key  TEXT NOT NULL,
    township    TEXT,
    village     TEXT,
    name        TEXT NOT NULL,
    id_number   TEXT,
    codes       TEXT NOT NULL,   -- R01;R02
    sources     TEXT NOT NULL,   -- medical;disability
    facts       TEXT NOT NULL,   -- JSON Facts: what a closed clue is compared against
    evidence    TEXT NOT NULL,   -- 依据 at first sighting
    first_seen  TEXT NOT NULL,
    last_seen   TEXT NOT NULL,
    status      TEXT NOT NULL,   -- LedgerStatus key
    closed_on   TEXT             -- date of closure or write-off
);
CREATE INDEX clues_township ON clues(township);
CREATE TABLE reviews (
    id            INTEGER PRIMARY KEY,
    clue_id       TEXT NOT NULL REFERENCES clues(clue_id),
    outcome       TEXT NOT NULL,  -- 核查结果
    reviewer      TEXT,           -- 核查人
    review_date   TEXT NOT NULL,  -- 核查日期
    note          TEXT,           -- 备注
    imported_from TEXT NOT NULL,  -- file#row
    imported_at   TEXT NOT NULL
);
CREATE INDEX reviews_clue ON reviews(clue_id);
CREATE TABLE rectifications (
    id      INTEGER PRIMARY KEY,
    clue_id TEXT NOT NULL REFERENCES clues(clue_id),
    kind    TEXT NOT NULL,   -- 纳入保障 / 临时救助
    detail  TEXT,
    date    TEXT NOT NULL,
    state   TEXT NOT NULL    -- 待核验 / 已到位 / 整改未到位 / 已完成
);
CREATE INDEX rectifications_clue ON rectifications(clue_id);
CREATE TABLE runs (
    run_id   TEXT PRIMARY KEY,
    as_of    TEXT NOT NULL,
    started  TEXT NOT NULL,
    outcome  TEXT NOT NULL,
    counts   TEXT NOT NULL    -- JSON
);
"#,
    r#"
-- 待复核: the identity questions runs asked, and what a person answered.
CREATE TABLE link_questions (
    question    TEXT PRIMARY KEY,  -- FH + 12 hex digits, from both records' identity cells
    first_asked TEXT NOT NULL,
    last_asked  TEXT NOT NULL
);
CREATE TABLE link_verdicts (
    question      TEXT PRIMARY KEY,
    verdict       TEXT NOT NULL,  -- 同一人 / 不是同一人 / 无法确定
    reviewer      TEXT NOT NULL,  -- 复核人
    decided_on    TEXT NOT NULL,  -- 复核日期
    note          TEXT,           -- 备注
    imported_from TEXT NOT NULL,  -- file#row
    imported_at   TEXT NOT NULL
);
"#,
    r#"
-- The campaign deadline a clue had passed at its last run: 逾期未核查 / 逾期未整改.
ALTER TABLE clues ADD COLUMN overdue TEXT;
"#,
    r#"
-- 县重点抽查: a township's closure drawn for the county to check, and what it found.
CREATE TABLE spot_checks (
    id            INTEGER PRIMARY KEY,
    clue_id       TEXT NOT NULL REFERENCES clues(clue_id),
    outcome       TEXT NOT NULL,  -- the township's 核查结果 checked
    review_date   TEXT NOT NULL,  -- … and its 核查日期
    drawn_on      TEXT NOT NULL,
    verdict       TEXT,           -- 一致 / 不一致
    checker       TEXT,           -- 抽查人
    checked_on    TEXT,           -- 抽查日期
    note          TEXT,           -- 备注
    imported_from TEXT,           -- file#row
    imported_at   TEXT,
    UNIQUE (clue_id, outcome, review_date)
);
"#,
];

/// Where a clue stands in the ledger between runs (the `clues.status` column).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum LedgerStatus {
    /// Raised and not closed.
    Open,
    /// Closed by review as 不符合条件 or 无法核实: silent until its facts change.
    Closed,
    /// Reviewed as 符合条件已纳入保障: must be off the suspect list by the next run.
    Included,
    /// No longer a suspect (已核销).
    WrittenOff,
}

impl LedgerStatus {
    pub fn key(self) -> &'static str {
        match self {
            LedgerStatus::Open => "open",
            LedgerStatus::Closed => "closed",
            LedgerStatus::Included => "included",
            LedgerStatus::WrittenOff => "written_off",
        }
    }

    pub fn from_key(key: &str) -> Option<LedgerStatus> {
        [
            LedgerStatus::Open,
            LedgerStatus::Closed,
            LedgerStatus::Included,
            LedgerStatus::WrittenOff,
        ]
        .into_iter()
        .find(|s| s.key() == key)
    }

    /// The status a review with this outcome leaves a clue in.
    fn after_review(self, outcome: ReviewOutcome) -> LedgerStatus {
        match outcome {
            ReviewOutcome::NotEligible | ReviewOutcome::Unverifiable => LedgerStatus::Closed,
            ReviewOutcome::Included => LedgerStatus::Included,
            // Assistance given or monitoring does not settle eligibility for the rolls.
            ReviewOutcome::TempAssistance | ReviewOutcome::Monitoring | ReviewOutcome::Other => {
                match self {
                    LedgerStatus::Closed | LedgerStatus::Included => LedgerStatus::Open,
                    other => other,
                }
            }
        }
    }

    /// Whether a clue's latest review, with this outcome, is still its decision in this
    /// status: a closure stops standing once new facts raise the clue again.
    fn kept_by(self, outcome: ReviewOutcome) -> bool {
        !closes(outcome) || self == LedgerStatus::Closed
    }

    /// 台账状态 of a clue whose latest review has `outcome`: an open clue the township has
    /// reviewed (临时救助, 监测, 其他) is followed up, not 待核查.
    pub fn label_zh(self, outcome: Option<ReviewOutcome>) -> &'static str {
        match self {
            LedgerStatus::Open if outcome.is_some_and(|o| self.kept_by(o)) => "已核查, 继续跟踪",
            LedgerStatus::Open => "待核查",
            LedgerStatus::Closed => "核查后关闭",
            // Reported by the township; the next run checks the rolls (整改情况).
            LedgerStatus::Included => "已报纳入保障",
            LedgerStatus::WrittenOff => "已核销",
        }
    }
}

/// Whether the outcome closes a clue (不符合条件, 无法核实) rather than leave it followed up.
fn closes(outcome: ReviewOutcome) -> bool {
    LedgerStatus::Open.after_review(outcome) == LedgerStatus::Closed
}

/// What a rectification is (the `rectifications.kind` column, stored as its label).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RectificationKind {
    /// 纳入保障: the person is to be put on a roll.
    Inclusion,
    /// 临时救助: assistance was granted.
    TempAssistance,
}

impl RectificationKind {
    const ALL: [RectificationKind; 2] = [
        RectificationKind::Inclusion,
        RectificationKind::TempAssistance,
    ];

    pub fn label_zh(self) -> &'static str {
        match self {
            RectificationKind::Inclusion => "纳入保障",
            RectificationKind::TempAssistance => "临时救助",
        }
    }

    pub fn from_label(label: &str) -> Option<RectificationKind> {
        RectificationKind::ALL
            .into_iter()
            .find(|k| k.label_zh() == label)
    }

    /// The rectification a review with this outcome opens, in the state it starts in.
    fn opened_by(outcome: ReviewOutcome) -> Option<(RectificationKind, RectificationState)> {
        match outcome {
            ReviewOutcome::Included => {
                Some((RectificationKind::Inclusion, RectificationState::Pending))
            }
            ReviewOutcome::TempAssistance => Some((
                RectificationKind::TempAssistance,
                RectificationState::Granted,
            )),
            _ => None,
        }
    }
}

/// Where a rectification stands (the `rectifications.state` column, stored as its label).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RectificationState {
    /// 待核验: reported as included; the next run checks the rolls.
    Pending,
    /// 已到位: no longer a suspect, so on the rolls.
    Done,
    /// 整改未到位: reported as included, yet still a suspect.
    Missing,
    /// 已完成: assistance granted.
    Granted,
}

impl RectificationState {
    const ALL: [RectificationState; 4] = [
        RectificationState::Pending,
        RectificationState::Done,
        RectificationState::Missing,
        RectificationState::Granted,
    ];

    pub fn label_zh(self) -> &'static str {
        match self {
            RectificationState::Pending => "待核验",
            RectificationState::Done => "已到位",
            RectificationState::Missing => "整改未到位",
            RectificationState::Granted => "已完成",
        }
    }

    pub fn from_label(label: &str) -> Option<RectificationState> {
        RectificationState::ALL
            .into_iter()
            .find(|s| s.label_zh() == label)
    }
}

/// The facts a closure is judged against: a new code, a new source or a higher amount is
/// a change that raises a closed clue again. Amounts are whole yuan so that rounding in a
/// department extract is not a "change".
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Facts {
    /// Stored as `"R01"`, the code's own spelling.
    pub codes: BTreeSet<RuleCode>,
    /// Stored as the pipeline file's source keys (`"medical"`).
    pub sources: BTreeSet<SourceKind>,
    /// Largest amount (元) the findings rest on: typed, never read from 依据, which quotes
    /// clerks' free text ("申请救助3000元").
    pub amount_yuan: i64,
}

impl Facts {
    pub fn of(suspect: &Suspect) -> Facts {
        Facts {
            codes: suspect.findings.iter().map(|f| f.code).collect(),
            sources: suspect.sources.iter().copied().collect(),
            amount_yuan: suspect
                .findings
                .iter()
                .filter_map(|f| f.amount_cents())
                .max()
                .map_or(0, |cents| (cents as f64 / 100.0).round() as i64),
        }
    }

    /// What is new in `self` compared with `before`, in words; `None` when nothing is.
    pub fn news_since(&self, before: &Facts) -> Option<String> {
        let mut parts = Vec::new();
        let codes: Vec<&str> = self
            .codes
            .difference(&before.codes)
            .map(|c| c.code())
            .collect();
        if !codes.is_empty() {
            parts.push(format!("新增疑似类型 {}", codes.join(";")));
        }
        let sources: Vec<&str> = self
            .sources
            .difference(&before.sources)
            .map(|k| k.label_zh())
            .collect();
        if !sources.is_empty() {
            parts.push(format!("新增来源 {}", sources.join("、")));
        }
        if self.amount_yuan > before.amount_yuan {
            parts.push(format!(
                "金额由 {} 元增至 {} 元",
                before.amount_yuan, self.amount_yuan
            ));
        }
        (!parts.is_empty()).then(|| format!("核查关闭后事实有变化: {}", parts.join("; ")))
    }
}

/// What a committed run is recorded as in the `runs` table.
#[derive(Debug, Clone)]
pub struct RunInfo {
    /// Run folder name, e.g. `2021-06-30_2`.
    pub run_id: String,
    pub as_of: NaiveDate,
    pub started: NaiveDateTime,
    pub outcome: RunOutcome,
}

/// The clue ledger database.
pub struct Ledger {
    conn: Connection,
}

impl Ledger {
    /// Opens (creating on first use) the ledger at `path` and brings its schema up to date.
    /// The file is owner-only (0600) and so is a folder it creates (0700).
    pub fn open(path: &Path) -> Result<Ledger, LedgerError> {
        let io_err = |source| LedgerError::Open {
            path: path.to_path_buf(),
            source,
        };
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            if !dir.exists() {
                ops::create_private_dir(dir).map_err(io_err)?;
            }
        }
        if !path.exists() {
            // Create it owner-only before SQLite writes anything into it.
            ops::create_private_file(path).map_err(io_err)?;
        }
        ops::set_private(path, false).map_err(io_err)?;
        let mut conn = Connection::open(path).ctx(pick("打开数据库", "opening the database"))?;
        conn.busy_timeout(std::time::Duration::from_secs(10))
            .ctx(pick("设置等待时间", "setting the busy timeout"))?;
        conn.pragma_update(None, "foreign_keys", true)
            .ctx(pick("启用外键", "enabling foreign keys"))?;
        migrate(&mut conn)?;
        Ok(Ledger { conn })
    }

    /// The schema version (number of migrations applied).
    pub fn schema_version(&self) -> Result<i64, LedgerError> {
        self.conn
            .pragma_query_value(None, "user_version", |r| r.get(0))
            .ctx(pick("读取版本", "reading the version"))
    }

    /// One clue as stored, for reports and tests.
    pub fn clue(&self, clue_id: &str) -> Result<Option<ClueRecord>, LedgerError> {
        Ok(self.query_clues(Some(clue_id))?.pop())
    }

    /// Every clue, ordered by township and clue id, with its latest review and
    /// rectification.
    pub fn clues(&self) -> Result<Vec<ClueRecord>, LedgerError> {
        self.query_clues(None)
    }

    fn query_clues(&self, only: Option<&str>) -> Result<Vec<ClueRecord>, LedgerError> {
        let mut stmt = self
            .conn
            .prepare(
                "SELECT c.clue_id, c.person_key, c.township, c.village, c.name, c.id_number,
                        c.codes, c.sources, c.facts, c.evidence, c.first_seen, c.last_seen,
                        c.status, c.closed_on,
                        r.outcome, r.reviewer, r.review_date, r.note, r.imported_from,
                        x.kind, x.detail, x.date, x.state
                 FROM clues c
                 LEFT JOIN reviews r ON r.id = (
                     SELECT id FROM reviews WHERE clue_id = c.clue_id
                     ORDER BY review_date DESC, id DESC LIMIT 1)
                 LEFT JOIN rectifications x ON x.id = (
                     SELECT id FROM rectifications WHERE clue_id = c.clue_id
                     ORDER BY date DESC, id DESC LIMIT 1)
                 WHERE ?1 IS NULL OR c.clue_id = ?1
                 ORDER BY c.township IS NULL, c.township, c.clue_id",
            )
            .ctx(pick("读取线索", "reading clues"))?;
        let rows = stmt
            .query_map([only], |r| {
                Ok(RawClue {
                    text: (0..23)
                        .map(|i| r.get::<_, Option<String>>(i))
                        .collect::<Result<Vec<_>, _>>()?,
                })
            })
            .ctx(pick("读取线索", "reading clues"))?;
        let mut out = Vec::new();
        for raw in rows {
            out.push(raw.ctx(pick("读取线索", "reading clues"))?.into_record()?);
        }
        Ok(out)
    }

    /// All reviews of one clue, oldest first.
    pub fn reviews(&self, clue_id: &str) -> Result<Vec<ReviewRecord>, LedgerError> {
        let mut stmt = self
            .conn
            .prepare(
                "SELECT outcome, reviewer, review_date, note, imported_from FROM reviews
                 WHERE clue_id = ?1 ORDER BY review_date, id",
            )
            .ctx(pick("读取核查结果", "reading review results"))?;
        let rows = stmt
            .query_map([clue_id], |r| {
                Ok((
                    r.get::<_, String>(0)?,
                    r.get::<_, Option<String>>(1)?,
                    r.get::<_, String>(2)?,
                    r.get::<_, Option<String>>(3)?,
                    r.get::<_, String>(4)?,
                ))
            })
            .ctx(pick("读取核查结果", "reading review results"))?;
        let mut out = Vec::new();
        for row in rows {
            let (outcome, reviewer, date, note, imported_from) =
                row.ctx(pick("读取核查结果", "reading review results"))?;
            out.push(ReviewRecord {
                outcome: parse_outcome(&outcome)?,
                reviewer,
                review_date: parse_date(&date)?,
                note,
                imported_from,
            });
        }
        Ok(out)
    }

    /// How many runs were committed.
    pub fn run_count(&self) -> Result<usize, LedgerError> {
        self.conn
            .query_row("SELECT COUNT(*) FROM runs", [], |r| r.get::<_, i64>(0))
            .map(|n| n as usize)
            .ctx(pick("读取运行记录", "reading run records"))
    }

    /// (run id, outcome) of every recorded run.
    pub fn runs(&self) -> Result<Vec<(String, String)>, LedgerError> {
        let mut stmt = self
            .conn
            .prepare("SELECT run_id, outcome FROM runs ORDER BY run_id")
            .ctx(pick("读取运行记录", "reading run records"))?;
        let rows = stmt
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
            .ctx(pick("读取运行记录", "reading run records"))?;
        rows.collect::<Result<_, _>>()
            .ctx(pick("读取运行记录", "reading run records"))
    }

    /// Records the run folders under `outbox` that have no ledger row: a run killed after
    /// its folder appeared but before its ledger commit. Their lists exist, so the ledger
    /// says so (outcome `unrecorded`); their clues are seen again by the next run. Returns
    /// the run ids recorded.
    pub fn record_unrecorded_runs(&mut self, outbox: &Path) -> Result<Vec<String>, LedgerError> {
        let known: BTreeSet<String> = self.runs()?.into_iter().map(|(id, _)| id).collect();
        let mut found = Vec::new();
        if let Ok(entries) = std::fs::read_dir(outbox) {
            for entry in entries.flatten() {
                let name = entry.file_name().to_string_lossy().into_owned();
                let manifest = entry.path().join("manifest.json");
                if name.starts_with('.') || known.contains(&name) || !manifest.is_file() {
                    continue;
                }
                found.push(name);
            }
        }
        found.sort();
        let tx = self
            .conn
            .transaction()
            .ctx(pick("开始补记运行", "starting to record an unrecorded run"))?;
        for run_id in &found {
            let as_of = run_id.get(..10).unwrap_or(run_id);
            tx.execute(
                "INSERT INTO runs (run_id, as_of, started, outcome, counts)
                 VALUES (?1, ?2, '', ?3, '{}')",
                params![run_id, as_of, RunOutcome::Unrecorded.key()],
            )
            .ctx(pick("补记运行", "recording an unrecorded run"))?;
        }
        tx.commit()
            .ctx(pick("提交补记运行", "committing the recorded run"))?;
        Ok(found)
    }
}

fn migrate(conn: &mut Connection) -> Result<(), LedgerError> {
    let supported = MIGRATIONS.len() as i64;
    let tx = conn
        .transaction()
        .ctx(pick("开始升级", "starting the upgrade"))?;
    let version: i64 = tx
        .pragma_query_value(None, "user_version", |r| r.get(0))
        .ctx(pick("读取版本", "reading the version"))?;
    if version > supported {
        return Err(LedgerError::TooNew {
            found: version,
            supported,
        });
    }
    for (i, sql) in MIGRATIONS.iter().enumerate().skip(version as usize) {
        tx.execute_batch(sql)
            .ctx(pick("升级数据库结构", "upgrading the schema"))?;
        tx.pragma_update(None, "user_version", i as i64 + 1)
            .ctx(pick("记录版本", "recording the version"))?;
    }
    tx.commit().ctx(pick("提交升级", "committing the upgrade"))
}

/// A clue as the ledger holds it, with its latest review and rectification.
#[derive(Debug, Clone, PartialEq)]
pub struct ClueRecord {
    pub clue_id: String,
    pub person_key: String,
    pub township: Option<String>,
    pub village: Option<String>,
    pub name: String,
    pub id_number: Option<String>,
    /// `R01;R02`.
    pub codes: String,
    /// Source keys, `;`-separated.
    pub sources: String,
    pub facts: Facts,
    pub evidence: String,
    pub first_seen: NaiveDate,
    pub last_seen: NaiveDate,
    pub status: LedgerStatus,
    pub closed_on: Option<NaiveDate>,
    pub review: Option<ReviewRecord>,
    pub rectification: Option<RectificationRecord>,
}

impl ClueRecord {
    /// A complaint about conduct (R07), not a suspect of the township's list.
    pub fn is_conduct(&self) -> bool {
        self.facts.codes.iter().any(|c| c.is_conduct())
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct ReviewRecord {
    pub outcome: ReviewOutcome,
    pub reviewer: Option<String>,
    pub review_date: NaiveDate,
    pub note: Option<String>,
    /// `<file>#<row>` of the returned workbook.
    pub imported_from: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct RectificationRecord {
    pub kind: RectificationKind,
    pub detail: Option<String>,
    pub date: NaiveDate,
    pub state: RectificationState,
}

struct RawClue {
    text: Vec<Option<String>>,
}

impl RawClue {
    fn into_record(self) -> Result<ClueRecord, LedgerError> {
        let mut t = self.text.into_iter();
        let mut next = || t.next().flatten();
        let required = |v: Option<String>| {
            v.ok_or_else(|| LedgerError::Corrupt {
                context: pick("线索", "clue"),
                detail: pick("缺少必填字段", "a required field is missing").into(),
            })
        };
        let clue_id = required(next())?;
        let person_key = required(next())?;
        let township = next();
        let village = next();
        let name = required(next())?;
        let id_number = next();
        let codes = required(next())?;
        let sources = required(next())?;
        let facts_json = required(next())?;
        let facts = parse_facts(&facts_json)?;
        let evidence = required(next())?;
        let first_seen = parse_date(&required(next())?)?;
        let last_seen = parse_date(&required(next())?)?;
        let status = parse_status(&required(next())?)?;
        let closed_on = next().map(|d| parse_date(&d)).transpose()?;
        let review = match (next(), next(), next(), next(), next()) {
            (Some(outcome), reviewer, Some(date), note, Some(imported_from)) => {
                Some(ReviewRecord {
                    outcome: parse_outcome(&outcome)?,
                    reviewer,
                    review_date: parse_date(&date)?,
                    note,
                    imported_from,
                })
            }
            _ => None,
        };
        let corrupt = |detail| LedgerError::Corrupt {
            context: pick("整改", "rectification"),
            detail,
        };
        let rectification = match (next(), next(), next(), next()) {
            (Some(kind), detail, Some(date), Some(state)) => Some(RectificationRecord {
                kind: RectificationKind::from_label(&kind).ok_or_else(|| corrupt(kind))?,
                detail,
                date: parse_date(&date)?,
                state: RectificationState::from_label(&state).ok_or_else(|| corrupt(state))?,
            }),
            _ => None,
        };
        Ok(ClueRecord {
            clue_id,
            person_key,
            township,
            village,
            name,
            id_number,
            codes,
            sources,
            facts,
            evidence,
            first_seen,
            last_seen,
            status,
            closed_on,
            review,
            rectification,
        })
    }
}

pub(crate) fn parse_date(text: &str) -> Result<NaiveDate, LedgerError> {
    NaiveDate::parse_from_str(text, "%Y-%m-%d").map_err(|e| LedgerError::Corrupt {
        context: pick("日期", "date"),
        detail: format!("{text}: {e}"),
    })
}

pub(crate) fn parse_outcome(text: &str) -> Result<ReviewOutcome, LedgerError> {
    ReviewOutcome::from_label(text).ok_or_else(|| LedgerError::Corrupt {
        context: pick("核查结果", "review result"),
        detail: text.to_string(),
    })
}

pub(crate) fn parse_status(key: &str) -> Result<LedgerStatus, LedgerError> {
    LedgerStatus::from_key(key).ok_or_else(|| LedgerError::Corrupt {
        context: pick("线索状态", "clue state"),
        detail: key.to_string(),
    })
}

pub(crate) fn parse_facts(json: &str) -> Result<Facts, LedgerError> {
    serde_json::from_str(json).map_err(|e| LedgerError::Corrupt {
        context: pick("事实指纹", "facts fingerprint"),
        detail: e.to_string(),
    })
}

pub(crate) fn date_text(date: NaiveDate) -> String {
    date.format("%Y-%m-%d").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_new_facts_count_as_change() {
        let before = Facts {
            codes: [RuleCode::R01, RuleCode::R02].into(),
            sources: [SourceKind::Medical].into(),
            amount_yuan: 50_000,
        };
        let mut fewer = before.clone();
        fewer.codes.remove(&RuleCode::R02);
        fewer.amount_yuan = 45_000;
        assert_eq!(fewer.news_since(&before), None);
        let mut more = before.clone();
        more.sources.insert(SourceKind::Disability);
        more.amount_yuan = 60_000;
        let note = more.news_since(&before).unwrap();
        assert!(
            note.contains("残联残疾人") && note.contains("60000"),
            "{note}"
        );
    }

    #[test]
    fn facts_are_stored_in_the_spelling_earlier_ledgers_used() {
        let facts = Facts {
            codes: [RuleCode::R01].into(),
            sources: [SourceKind::TempAssistance].into(),
            amount_yuan: 3,
        };
        let json = r#"{"codes":["R01"],"sources":["temp_assistance"],"amount_yuan":3}"#;
        assert_eq!(serde_json::to_string(&facts).unwrap(), json);
        assert_eq!(parse_facts(json).unwrap(), facts);
    }

    #[test]
    fn migrations_run_once_and_are_tracked() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("l.sqlite3");
        let ledger = Ledger::open(&path).unwrap();
        assert_eq!(ledger.schema_version().unwrap(), MIGRATIONS.len() as i64);
        drop(ledger);
        let again = Ledger::open(&path).unwrap();
        assert_eq!(again.schema_version().unwrap(), MIGRATIONS.len() as i64);
    }
}
