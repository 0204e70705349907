//! What a run means for the ledger: `plan` decides each suspect's 状态 without writing;
//! `prepare` writes the run into an open transaction while its lists are written, and
//! `PreparedRun::commit` commits it once the run's folder is in place.

use std::collections::{BTreeMap, BTreeSet};

use chrono::NaiveDate;
use rayon::prelude::*;
use rusqlite::params;

use super::decisions::record_questions;
use super::{
    date_text, parse_date, parse_facts, parse_outcome, parse_status, Facts, Ledger, LedgerError,
    LedgerStatus, RectificationKind, RectificationState, RunInfo, SqlContext,
};
use crate::config::Deadlines;
use crate::lang::pick;
use crate::model::{ClueReview, ClueState, ClueStatus, Overdue, QuestionId, Suspect};

/// The ledger's decisions for one run.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct LedgerPlan {
    /// State of every suspect that is listed (kept), by clue id.
    pub states: BTreeMap<String, ClueState>,
    /// Clue ids closed by review whose facts did not change: not listed again.
    pub suppressed: Vec<String>,
    /// Per suspect (same order as the slice given to `plan`): list it or not.
    pub keep: Vec<bool>,
    /// Clues open before that are no longer suspects: written off (已核销) on commit.
    pub vanished: Vec<String>,
    /// Closed clues raised again because their facts changed, with what changed.
    pub reopened: BTreeMap<String, String>,
    /// The stored clues the plan was made against, for the commit: the run holds the
    /// ledger's lock in between, so they cannot change, and reading them once is enough.
    known: BTreeMap<String, Known>,
}

/// A run written into the ledger's open transaction (see `Ledger::prepare`).
pub struct PreparedRun<'l> {
    tx: rusqlite::Transaction<'l>,
}

impl PreparedRun<'_> {
    /// Records the run: until here, dropping it leaves the ledger as it was.
    pub fn commit(self) -> Result<(), LedgerError> {
        self.tx.commit().ctx(pick("提交运行", "committing the run"))
    }
}

/// One night's figures for the summary's trend: from a committed run's `counts`, or from
/// tonight's plan before it is committed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NightCounts {
    pub run_id: String,
    /// Suspects listed, of them new.
    pub listed: usize,
    pub new: usize,
    /// Closed clues not listed again, and clues no longer suspects (written off).
    pub suppressed: usize,
    pub written_off: usize,
}

impl NightCounts {
    fn from_counts(run_id: String, counts: &BTreeMap<String, usize>) -> NightCounts {
        let get = |key: &str| counts.get(key).copied().unwrap_or(0);
        NightCounts {
            run_id,
            listed: get("listed"),
            new: get("new"),
            suppressed: get("suppressed"),
            written_off: get("written_off"),
        }
    }
}

impl Ledger {
    /// Every committed run's figures, oldest first (runs recorded without figures, after a
    /// crash, are left out).
    pub fn night_counts(&self) -> Result<Vec<NightCounts>, LedgerError> {
        let mut stmt = self
            .conn
            .prepare("SELECT run_id, counts FROM runs WHERE counts != '{}' ORDER BY run_id")
            .ctx(pick("读取运行记录", "reading run records"))?;
        let rows = stmt
            .query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))
            .ctx(pick("读取运行记录", "reading run records"))?;
        let mut out = Vec::new();
        for row in rows {
            let (run_id, counts) = row.ctx(pick("读取运行记录", "reading run records"))?;
            let counts: BTreeMap<String, usize> =
                serde_json::from_str(&counts).map_err(|e| LedgerError::Corrupt {
                    context: pick("运行记录", "run record"),
                    detail: format!("{run_id}: {e}"),
                })?;
            out.push(NightCounts::from_counts(run_id, &counts));
        }
        Ok(out)
    }
}

impl LedgerPlan {
    /// Tonight's figures, as `commit` will record them.
    pub fn night(&self, run_id: &str) -> NightCounts {
        let counts: BTreeMap<String, usize> = self
            .counts()
            .into_iter()
            .map(|(k, v)| (k.to_string(), v))
            .collect();
        NightCounts::from_counts(run_id.to_string(), &counts)
    }

    /// Run statistics recorded in the `runs` table.
    pub fn counts(&self) -> BTreeMap<&'static str, usize> {
        let count = |status| self.states.values().filter(|s| s.status == status).count();
        let overdue = |o| {
            self.states
                .values()
                .filter(|s| s.overdue == Some(o))
                .count()
        };
        BTreeMap::from([
            ("listed", self.states.len()),
            ("new", count(ClueStatus::New)),
            ("continuing", count(ClueStatus::Continuing)),
            ("suppressed", self.suppressed.len()),
            ("reopened", self.reopened.len()),
            (
                "rectification_missing",
                self.states
                    .values()
                    .filter(|s| s.rectification_missing)
                    .count(),
            ),
            ("written_off", self.vanished.len()),
            ("overdue_review", overdue(Overdue::Review)),
            ("overdue_rectify", overdue(Overdue::Rectify)),
        ])
    }
}

/// 状态 of a clue whose closure the county's spot check found 不一致 (after 持续).
pub const SPOT_CHECK_DISAGREED: &str = "县重点抽查结果不一致, 请重新核查";

/// The part of a stored clue a plan needs.
#[derive(Debug, Clone, PartialEq)]
struct Known {
    status: LedgerStatus,
    first_seen: NaiveDate,
    facts: Facts,
    /// The latest review (by 核查日期, then import order).
    review: Option<ClueReview>,
}

/// What a plan decides against: every stored clue, and the spot checks that disputed a
/// closure. None of it depends on tonight's clues, so a run reads it while it links.
#[derive(Debug)]
pub struct StoredClues {
    known: BTreeMap<String, Known>,
    disputed: BTreeMap<String, NaiveDate>,
}

impl Ledger {
    /// The stored clues and disputed closures a plan decides against.
    pub fn stored_clues(&self) -> Result<StoredClues, LedgerError> {
        Ok(StoredClues {
            known: self.known_clues()?,
            disputed: self.disputed()?,
        })
    }

    /// Decides, without writing anything, what this run's suspects are to the ledger, and
    /// which of them are past a campaign deadline on `as_of`.
    pub fn plan(
        &self,
        suspects: &[Suspect],
        as_of: NaiveDate,
        deadlines: &Deadlines,
    ) -> Result<LedgerPlan, LedgerError> {
        Ok(self.stored_clues()?.plan(suspects, as_of, deadlines))
    }
}

impl StoredClues {
    /// `Ledger::plan` against clues read before: the ledger must not have changed since.
    pub fn plan(self, suspects: &[Suspect], as_of: NaiveDate, deadlines: &Deadlines) -> LedgerPlan {
        let StoredClues { known, disputed } = self;
        // Each suspect is decided on its own, on every core; the plan takes the decisions
        // in suspect order.
        let decisions: Vec<Decision> = suspects
            .par_iter()
            .map(|suspect| decide(suspect, &known, &disputed, as_of, deadlines))
            .collect();
        let mut plan = LedgerPlan::default();
        // The maps are built in bulk from sorted entries (a later clue of one ID wins, as
        // when inserted one by one), not by twenty thousand searches each.
        let mut states = Vec::with_capacity(suspects.len());
        let mut reopened = Vec::new();
        for (suspect, decision) in suspects.iter().zip(decisions) {
            match decision {
                Decision::List {
                    state,
                    reopened: note,
                } => {
                    plan.keep.push(true);
                    if let Some(note) = note {
                        reopened.push((suspect.clue_id.clone(), note));
                    }
                    states.push((suspect.clue_id.clone(), state));
                }
                Decision::Suppress => {
                    plan.keep.push(false);
                    plan.suppressed.push(suspect.clue_id.clone());
                }
            }
        }
        plan.states = states.into_iter().collect();
        plan.reopened = reopened.into_iter().collect();
        let mut seen: Vec<&str> = suspects.iter().map(|s| s.clue_id.as_str()).collect();
        seen.par_sort_unstable();
        plan.vanished = known
            .iter()
            .filter(|(id, clue)| {
                matches!(clue.status, LedgerStatus::Open | LedgerStatus::Included)
                    && seen.binary_search(&id.as_str()).is_err()
            })
            .map(|(id, _)| id.clone())
            .collect();
        plan.known = known;
        plan
    }
}

impl Ledger {
    /// Writes the run — new clues, sightings, reopened and written-off clues, the
    /// rectification check, the 待复核 questions asked and the run's figures — into one
    /// transaction, left open: nothing is recorded until `PreparedRun::commit`, and a run
    /// that stops before it (killed, or its folder not put in place) changes nothing.
    /// `plan` is this ledger's plan for `suspects`, with no other run committed since.
    pub fn prepare(
        &mut self,
        plan: &LedgerPlan,
        suspects: &[&Suspect],
        questions: &[QuestionId],
        run: &RunInfo,
    ) -> Result<PreparedRun<'_>, LedgerError> {
        let as_of = date_text(run.as_of);
        let known = &plan.known;
        let tx = self
            .conn
            .transaction()
            .ctx(pick("开始提交运行", "starting to commit the run"))?;
        // On one core: the run writes its lists on the others meanwhile.
        for (suspect, &keep) in suspects.iter().zip(&plan.keep) {
            if !keep {
                // Suppressed: seen again, but its closure still stands on the old facts.
                execute_cached(
                    &tx,
                    "UPDATE clues SET last_seen = ?2, overdue = NULL WHERE clue_id = ?1",
                    params![suspect.clue_id, as_of],
                )
                .ctx(pick("记录线索", "recording clues"))?;
                continue;
            }
            let codes = join(suspect.findings.iter().map(|f| f.code.code()));
            let sources = join(suspect.sources.iter().map(|k| k.key()));
            let facts = serde_json::to_string(&Facts::of(suspect)).expect("facts serialise");
            let Some(clue) = known.get(&suspect.clue_id) else {
                // A new clue: its evidence text is stored once, on its first sighting.
                let evidence = crate::rules::evidence::suspect(suspect);
                execute_cached(
                    &tx,
                    "INSERT INTO clues (clue_id, person_key, township, village, name, id_number,
                        codes, sources, facts, evidence, first_seen, last_seen, status)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?11, ?12)",
                    params![
                        suspect.clue_id,
                        suspect.person_key,
                        suspect.township,
                        suspect.village,
                        suspect.name,
                        suspect.id_number,
                        codes,
                        sources,
                        facts,
                        evidence,
                        as_of,
                        LedgerStatus::Open.key(),
                    ],
                )
                .ctx(pick("记录新增线索", "recording new clues"))?;
                continue;
            };
            let status = match clue.status {
                LedgerStatus::Included => LedgerStatus::Included,
                LedgerStatus::Open | LedgerStatus::Closed | LedgerStatus::WrittenOff => {
                    LedgerStatus::Open
                }
            };
            execute_cached(
                &tx,
                "UPDATE clues SET township = ?2, village = ?3, name = ?4, id_number = ?5,
                    codes = ?6, sources = ?7, facts = ?8, last_seen = ?9, status = ?10,
                    closed_on = NULL
                 WHERE clue_id = ?1",
                params![
                    suspect.clue_id,
                    suspect.township,
                    suspect.village,
                    suspect.name,
                    suspect.id_number,
                    codes,
                    sources,
                    facts,
                    as_of,
                    status.key(),
                ],
            )
            .ctx(pick("记录持续线索", "recording continuing clues"))?;
            if clue.status == LedgerStatus::Included {
                set_inclusion_state(&tx, &suspect.clue_id, RectificationState::Missing, &as_of)?;
            }
        }
        for (clue_id, state) in &plan.states {
            execute_cached(
                &tx,
                "UPDATE clues SET overdue = ?2 WHERE clue_id = ?1",
                params![clue_id, state.overdue.map(Overdue::label_zh)],
            )
            .ctx(pick("记录逾期", "recording overdue clues"))?;
        }
        for clue_id in &plan.vanished {
            if known.get(clue_id).map(|c| c.status) == Some(LedgerStatus::Included) {
                set_inclusion_state(&tx, clue_id, RectificationState::Done, &as_of)?;
            }
            execute_cached(
                &tx,
                "UPDATE clues SET status = ?2, closed_on = ?3, overdue = NULL WHERE clue_id = ?1",
                params![clue_id, LedgerStatus::WrittenOff.key(), as_of],
            )
            .ctx(pick("核销线索", "closing clues"))?;
        }
        let counts = serde_json::to_string(&plan.counts()).expect("counts serialise");
        execute_cached(
            &tx,
            "INSERT OR REPLACE INTO runs (run_id, as_of, started, outcome, counts)
             VALUES (?1, ?2, ?3, ?4, ?5)",
            params![
                run.run_id,
                as_of,
                run.started.format("%Y-%m-%dT%H:%M:%S").to_string(),
                run.outcome.key(),
                counts
            ],
        )
        .ctx(pick("记录运行", "recording the run"))?;
        record_questions(&tx, questions, run.as_of)?;
        Ok(PreparedRun { tx })
    }

    fn known_clues(&self) -> Result<BTreeMap<String, Known>, LedgerError> {
        let mut stmt = self
            .conn
            .prepare(
                "SELECT c.clue_id, c.status, c.first_seen, c.facts,
                        r.outcome, r.reviewer, r.review_date, r.note
                 FROM clues c
                 LEFT JOIN reviews r ON r.id = (
                     SELECT id FROM reviews WHERE clue_id = c.clue_id
                     ORDER BY review_date DESC, id DESC LIMIT 1)",
            )
            .ctx(pick("读取线索", "reading clues"))?;
        let rows = stmt
            .query_map([], |r| {
                Ok((
                    [r.get::<_, String>(0)?, r.get(1)?, r.get(2)?, r.get(3)?],
                    (
                        r.get::<_, Option<String>>(4)?,
                        r.get::<_, Option<String>>(5)?,
                        r.get::<_, Option<String>>(6)?,
                        r.get::<_, Option<String>>(7)?,
                    ),
                ))
            })
            .ctx(pick("读取线索", "reading clues"))?;
        let mut out = BTreeMap::new();
        for row in rows {
            let ([id, status, first_seen, facts], (outcome, reviewer, date, note)) =
                row.ctx(pick("读取线索", "reading clues"))?;
            let review = match (outcome, date) {
                (Some(outcome), Some(date)) => Some(ClueReview {
                    outcome: parse_outcome(&outcome)?,
                    reviewer,
                    date: parse_date(&date)?,
                    note,
                }),
                _ => None,
            };
            out.insert(
                id,
                Known {
                    status: parse_status(&status)?,
                    first_seen: parse_date(&first_seen)?,
                    facts: parse_facts(&facts)?,
                    review,
                },
            );
        }
        Ok(out)
    }
}

/// What the plan does with one suspect.
enum Decision {
    /// Listed, in this state; with the note saying why, when a closed clue is raised again.
    List {
        state: ClueState,
        reopened: Option<String>,
    },
    /// Closed by review and its facts unchanged: not listed again.
    Suppress,
}

/// One suspect's decision against the stored clues and the spot checks that disputed a
/// closure, and, when listed, the deadline it has passed.
fn decide(
    suspect: &Suspect,
    known: &BTreeMap<String, Known>,
    disputed: &BTreeMap<String, NaiveDate>,
    as_of: NaiveDate,
    deadlines: &Deadlines,
) -> Decision {
    let list = |state: ClueState, reopened: Option<String>| {
        let overdue = overdue(suspect, &state, as_of, deadlines);
        Decision::List {
            state: ClueState { overdue, ..state },
            reopened,
        }
    };
    let Some(clue) = known.get(&suspect.clue_id) else {
        return list(ClueState::new_on(as_of), None);
    };
    let continuing = ClueState {
        status: ClueStatus::Continuing,
        first_seen: clue.first_seen,
        review: clue
            .review
            .clone()
            .filter(|r| clue.status.kept_by(r.outcome)),
        rectification_missing: false,
        reopened: None,
        overdue: None,
    };
    // The county's spot check overturned the closure, and no review came since.
    let overturned = disputed
        .get(&suspect.clue_id)
        .is_some_and(|checked| clue.review.as_ref().is_none_or(|r| r.date <= *checked));
    match clue.status {
        LedgerStatus::Open | LedgerStatus::WrittenOff if overturned => list(
            ClueState {
                review: None,
                reopened: Some(SPOT_CHECK_DISAGREED.to_string()),
                ..continuing
            },
            None,
        ),
        LedgerStatus::Open | LedgerStatus::WrittenOff => list(continuing, None),
        // Reported as included, yet still a suspect: not on the rolls (整改未到位).
        LedgerStatus::Included => list(
            ClueState {
                rectification_missing: true,
                ..continuing
            },
            None,
        ),
        LedgerStatus::Closed => match Facts::of(suspect).news_since(&clue.facts) {
            // Its closure no longer stands: to be reviewed again.
            Some(note) => list(
                ClueState {
                    review: None,
                    reopened: Some(note.clone()),
                    ..continuing
                },
                Some(note),
            ),
            None => Decision::Suppress,
        },
    }
}

/// The deadline a listed clue has passed. A township reviews its own suspects, never a
/// complaint about its own staff (R07), so conduct clues have no deadline here.
fn overdue(
    suspect: &Suspect,
    state: &ClueState,
    as_of: NaiveDate,
    deadlines: &Deadlines,
) -> Option<Overdue> {
    if suspect.findings.iter().any(|f| f.code.is_conduct()) {
        return None;
    }
    if state.rectification_missing {
        (as_of > deadlines.rectify_by).then_some(Overdue::Rectify)
    } else if state.review.is_none() {
        (as_of > deadlines.review_by).then_some(Overdue::Review)
    } else {
        None
    }
}

/// Runs `sql` with `params`, the statement prepared once per connection: a commit runs the
/// same few statements for each of a county's clues.
fn execute_cached(
    tx: &rusqlite::Transaction<'_>,
    sql: &str,
    params: impl rusqlite::Params,
) -> rusqlite::Result<usize> {
    tx.prepare_cached(sql)?.execute(params)
}

/// Updates the pending (or previously missing) inclusion rectification of a clue.
fn set_inclusion_state(
    tx: &rusqlite::Transaction<'_>,
    clue_id: &str,
    state: RectificationState,
    date: &str,
) -> Result<(), LedgerError> {
    execute_cached(
        tx,
        "UPDATE rectifications SET state = ?3, date = ?4
         WHERE clue_id = ?1 AND kind = ?2 AND state IN (?5, ?6)",
        params![
            clue_id,
            RectificationKind::Inclusion.label_zh(),
            state.label_zh(),
            date,
            RectificationState::Pending.label_zh(),
            RectificationState::Missing.label_zh()
        ],
    )
    .ctx(pick("记录整改", "recording rectifications"))?;
    Ok(())
}

/// Sorted, de-duplicated, `;`-separated: the 疑似类型代码 / source-key form.
fn join<'a>(items: impl Iterator<Item = &'a str>) -> String {
    items
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect::<Vec<_>>()
        .join(";")
}
