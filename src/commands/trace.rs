//! `loubao trace <身份证号 | 姓名 | 线索编号> <pipeline>`: one person's whole story — every
//! source record, every link and why, the facts each rule read and what it concluded, the
//! 待复核 questions and the clue's ledger history. It runs the stages a run runs on the
//! inbox as it stands (with the ledger's 待复核 answers) and writes nothing, so it also
//! answers "why is he *not* on the list?".

use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::path::Path;

use super::{Context, Error};
use crate::lang::pick;
use crate::ledger::Ledger;
use crate::mask::mask_id;
use crate::model::{LinkDecision, PersonRecord, RuleCode, SourceRef, Suspect};
use crate::normalise::ids::parse_resident_id;
use crate::normalise::names::normalise_name;
use crate::ops::Exit;
use crate::rules::{self, ScreeningInput};
use crate::{ingest, matching, normalise, report, tr};

/// Records shown per person before the rest are only counted (claim lines run to hundreds).
const RECORDS_SHOWN: usize = 30;
/// Persons shown for one name: a common name has dozens.
const PERSONS_SHOWN: usize = 10;

/// Who the clerk asks about.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Who {
    Clue(String),
    Id(String),
    Name(String),
}

impl Who {
    fn parse(text: &str) -> Who {
        let text = text.trim();
        let clue = text.len() == 12
            && text.starts_with("LB")
            && text[2..].bytes().all(|b| b.is_ascii_hexdigit());
        let digits = text.chars().filter(char::is_ascii_digit).count();
        if clue {
            Who::Clue(text.to_string())
        } else if digits >= 15 {
            // As normalise reads it, so a 15-digit or spaced ID finds its 18-digit record.
            let id =
                parse_resident_id(text).map_or_else(|| text.to_string(), |id| id.digits.into());
            Who::Id(id)
        } else {
            let key = normalise_name(text).map_or_else(|| text.to_string(), |n| n.key.into());
            Who::Name(key)
        }
    }

    fn names(&self, record: &PersonRecord) -> bool {
        match self {
            Who::Id(id) => record.id.as_ref().is_some_and(|r| r.digits == id),
            Who::Name(key) => record.name.as_ref().is_some_and(|n| n.key == key),
            Who::Clue(_) => false,
        }
    }
}

pub fn trace(who: &str, pipeline: &Path) -> Result<Exit, Error> {
    let ctx = Context::load(pipeline)?;
    let loaded = &ctx.loaded;
    let p = &loaded.pipeline;
    let ledger = ctx.open_ledger()?;
    let ingested = ingest::ingest(
        &loaded.inbox,
        &p.sources,
        &p.limits,
        &ingest::Vocabulary::new(&p.townships, &p.rules),
    );
    let normalised = normalise::normalise(ingested.records, &p.townships);
    let verdicts = ledger.verdicts()?;
    let verdicts = matching::Verdicts::new(verdicts.iter().map(|(q, v)| (*q, v.verdict)));
    let linkage = matching::link(&normalised.persons, &p.matching, &verdicts);
    let input = ScreeningInput {
        records: &normalised.persons,
        linkage: &linkage,
        settings: &p.rules,
        since: loaded.since(),
        as_of: loaded.as_of,
    };
    let screening = rules::screen(&input);
    let clues = screening.clues();
    let plan = ledger.plan(&clues, loaded.as_of, &loaded.deadlines())?;

    let mut who = Who::parse(who);
    let mut clue_of_query = None;
    if let Who::Clue(clue) = &who {
        // A clue is its suspect when listed tonight, else the ledger says whom it named.
        clue_of_query = Some(clue.clone());
        who = match screening.suspects.iter().find(|s| &s.clue_id == clue) {
            Some(s) => s
                .id_number
                .clone()
                .map_or(Who::Name(s.name.clone()), Who::Id),
            None => match ledger.clue(clue)? {
                Some(c) => c.id_number.map_or(Who::Name(c.name), Who::Id),
                None => {
                    println!(
                        "{}",
                        tr!(
                            "线索编号 {clue} 既不在本次名单中, 也不在线索台账中",
                            "clue {clue} is neither on tonight's lists nor in the clue ledger"
                        )
                    );
                    return Ok(Exit::Partial);
                }
            },
        };
    }
    let persons: BTreeSet<usize> = normalised
        .persons
        .iter()
        .enumerate()
        .filter(|(_, r)| who.names(r))
        .map(|(i, _)| linkage.person_of[i])
        .collect();
    if persons.is_empty() {
        println!(
            "{}",
            tr!(
                "收件箱的 {} 条记录中没有此人",
                "no such person among the inbox's {} records",
                normalised.person_rows()
            )
        );
        return Ok(Exit::Partial);
    }
    if persons.len() > 1 {
        println!(
            "{}",
            tr!(
                "共 {} 人符合, 逐一列出:",
                "{} persons match, one by one:",
                persons.len()
            )
        );
    }
    let shown: Vec<usize> = persons.iter().copied().take(PERSONS_SHOWN).collect();
    let stories = rules::trace::stories(&input, &shown);
    for (&person, story) in shown.iter().zip(&stories) {
        let view = PersonView {
            input: &input,
            screening: &screening,
            plan: &plan,
            person,
        };
        print!("{}", view.render(story, &ledger, clue_of_query.as_deref())?);
    }
    if persons.len() > shown.len() {
        println!(
            "{}",
            tr!(
                "…另有 {} 人未列出, 请用身份证号查询",
                "…{} more not shown: ask by resident ID",
                persons.len() - shown.len()
            )
        );
    }
    Ok(Exit::Complete)
}

/// One consolidated person, with what the run made of him.
struct PersonView<'a> {
    input: &'a ScreeningInput<'a>,
    screening: &'a rules::Screening,
    plan: &'a crate::ledger::LedgerPlan,
    person: usize,
}

impl PersonView<'_> {
    fn records(&self) -> &[usize] {
        &self.input.linkage.persons[self.person].records
    }

    fn record(&self, r: usize) -> &PersonRecord {
        &self.input.records[r]
    }

    /// His row tonight, and whether the ledger lets it be listed. A row names every source
    /// row of its person; a child and a parent named on one row are told apart by name.
    fn suspect(&self) -> Option<(&Suspect, bool)> {
        let refs = self.source_rows();
        let names: BTreeSet<&str> = self
            .records()
            .iter()
            .filter_map(|&r| self.record(r).name.as_ref())
            .map(|n| n.display.as_str())
            .collect();
        let suspect = self.screening.suspects.iter().find(|s| {
            s.source_refs.len() == refs.len()
                && s.source_refs.iter().all(|r| refs.contains(r))
                && names.contains(s.name.as_str())
        })?;
        let kept = self.plan.states.contains_key(&suspect.clue_id);
        Some((suspect, kept))
    }

    fn render(
        &self,
        story: &rules::trace::RuleStory,
        ledger: &Ledger,
        asked_clue: Option<&str>,
    ) -> Result<String, Error> {
        let mut out = String::new();
        let first = self.record(self.records()[0]);
        let name = self
            .records()
            .iter()
            .find_map(|&r| self.record(r).name.as_ref())
            .map_or(pick("(姓名未填写)", "(no name)"), |n| {
                n.display.as_str()
            });
        let id = self
            .records()
            .iter()
            .find_map(|&r| {
                self.record(r)
                    .id
                    .as_ref()
                    .filter(|id| id.quality.is_valid())
            })
            .map_or_else(
                || pick("无有效身份证号", "no valid resident ID").to_string(),
                |id| mask_id(&id.digits),
            );
        let place = [
            first.place.township.as_deref(),
            first.place.village.as_deref(),
        ]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(" ");
        let records = self.row_count();
        let _ = writeln!(
            out,
            "{}",
            tr!(
                "\n== {name} {id} {place} (合并记录 {records} 条) ==",
                "\n== {name} {id} {place} ({records} records merged) =="
            )
        );
        self.verdict(&mut out);
        self.sources(&mut out);
        self.links(&mut out);
        rule_lines(&mut out, self, story);
        self.history(&mut out, ledger, asked_clue)?;
        Ok(out)
    }

    /// Listed or not, and why in one line.
    fn verdict(&self, out: &mut String) {
        let (_, held) = self.questions();
        let line = match self.suspect() {
            Some((s, true)) => {
                let codes: Vec<&str> = s.findings.iter().map(|f| f.code.code()).collect();
                let state = self
                    .plan
                    .states
                    .get(&s.clue_id)
                    .map_or("", |c| c.status.label_zh());
                let waiting = if held {
                    pick(
                        "; 其余疑似类型待复核后判定",
                        "; the other codes wait for the identity question",
                    )
                } else {
                    ""
                };
                tr!(
                    "名单: {} 的名单, 线索编号 {}, 疑似类型 {}, 状态 {state}{waiting}",
                    "listed: on the list of {}, clue {}, codes {}, state {state}{waiting}",
                    s.township.as_deref().unwrap_or(report::UNDETERMINED),
                    s.clue_id,
                    codes.join(";")
                )
            }
            Some((s, false)) => tr!(
                "不在名单: 线索 {} 已由乡镇核查关闭, 事实未变, 不再列出",
                "not listed: clue {} was closed by the township's review and its facts have not changed",
                s.clue_id
            ),
            None if held => tr!(
                "不在名单: 身份待复核 (见下方复核问题), 暂不判定",
                "not listed: the identity waits for review (see the question below), nothing decided yet"
            ),
            None if !self.complaints().is_empty() => tr!(
                "不在乡镇名单: 其投诉列为服务问题线索, 见县级清单 服务问题线索.xlsx",
                "not on a township list: the complaints are service clues, on the county list 服务问题线索.xlsx"
            ),
            None => tr!(
                "不在名单: 没有规则触发 (见下方规则)",
                "not listed: no rule fired (see the rules below)"
            ),
        };
        let _ = writeln!(out, "{line}");
    }

    /// The conduct clues (R07) raised from his complaints.
    fn complaints(&self) -> Vec<&Suspect> {
        let refs = self.source_rows();
        self.screening
            .conduct
            .iter()
            .filter(|c| c.source_refs.iter().all(|r| refs.contains(r)))
            .collect()
    }

    /// The 待复核 questions touching him, and whether his own row waits on one.
    fn questions(&self) -> (Vec<&crate::model::ReviewItem>, bool) {
        let person = &self.input.linkage.persons[self.person];
        let touching: Vec<_> = self
            .screening
            .review
            .iter()
            .filter(|item| item.links.iter().any(|l| person.uncertain.contains(l)))
            .collect();
        let held = touching
            .iter()
            .any(|item| item.persons.contains(&self.person));
        (touching, held)
    }

    /// Every source row of the person, as a list row names them.
    fn source_rows(&self) -> BTreeSet<SourceRef> {
        self.records()
            .iter()
            .flat_map(|&r| self.record(r).sources())
            .collect()
    }

    /// How many source rows the person's records stand for.
    fn row_count(&self) -> usize {
        self.records().iter().map(|&r| self.record(r).lines()).sum()
    }

    /// The person's source rows, in record order, with what each says: a record of several
    /// claim lines gives each line with its own row.
    fn rows(&self) -> impl Iterator<Item = (&PersonRecord, SourceRef, Option<String>)> + '_ {
        self.records().iter().flat_map(|&r| {
            let record = self.record(r);
            record
                .sources()
                .enumerate()
                .map(move |(line, source)| (record, source, observation(record, line)))
        })
    }

    fn sources(&self, out: &mut String) {
        let _ = writeln!(out, "{}", pick("来源记录:", "source records:"));
        for (record, source, observation) in self.rows().take(RECORDS_SHOWN) {
            let id = record.id.as_ref().map_or_else(
                || pick("无身份证号", "no resident ID").to_string(),
                |id| {
                    let quality = pick(id.quality.label_zh(), id.quality.label_en());
                    format!("{}({quality})", mask_id(&id.digits))
                },
            );
            let _ = writeln!(
                out,
                "  {}  {}  {id}{}",
                source,
                kind_label(record.kind),
                observation.map(|o| format!("  {o}")).unwrap_or_default()
            );
        }
        let rows = self.row_count();
        if rows > RECORDS_SHOWN {
            let more = rows - RECORDS_SHOWN;
            let _ = writeln!(out, "{}", tr!("  …另 {more} 条", "  …{more} more"));
        }
    }

    fn links(&self, out: &mut String) {
        let linkage = self.input.linkage;
        let person = &linkage.persons[self.person];
        let _ = writeln!(out, "{}", pick("匹配:", "links:"));
        let fuzzy: Vec<_> = person
            .links
            .iter()
            .map(|&l| linkage.link(l))
            .filter(|l| l.decision != LinkDecision::Exact)
            .collect();
        let exact = person.links.len() - fuzzy.len();
        if exact > 0 {
            let _ = writeln!(
                out,
                "{}",
                tr!(
                    "  身份证号一致: {exact} 条链接",
                    "  same resident ID: {exact} links"
                )
            );
        }
        for link in fuzzy {
            let how = match link.decision {
                LinkDecision::Confirmed => {
                    pick("人工复核确认同一人", "confirmed the same person by review")
                }
                _ => pick("模糊匹配, 已接受", "fuzzy match, accepted"),
            };
            let _ = writeln!(
                out,
                "{}",
                tr!(
                    "  {} — {}: {how}; {}, 得分 {:.1}",
                    "  {} — {}: {how}; {}, score {:.1}",
                    self.record(link.ends().0).source,
                    self.record(link.ends().1).source,
                    matching::describe(&link),
                    link.score
                )
            );
        }
        for item in self.questions().0 {
            let link = linkage.link(item.links[0]);
            let other = link.other_end(|r| person.records.binary_search(&r).is_ok());
            let _ = writeln!(
                out,
                "{}",
                tr!(
                    "  待复核 {}: 与 {} {} 是否同一人未定 ({}, 得分 {:.1})",
                    "  identity question {}: whether the same person as {} {} is undecided ({}, score {:.1})",
                    item.question,
                    self.record(other).source,
                    kind_label(self.record(other).kind),
                    matching::describe(&link),
                    link.score
                )
            );
        }
        if let Some(near) = &person.nearest {
            let candidate = self.record(near.candidate);
            let _ = writeln!(
                out,
                "{}",
                tr!(
                    "  最接近但未匹配: {} {} {}, 得分 {:.1}",
                    "  nearest, not linked: {} {} {}, score {:.1}",
                    candidate.source,
                    kind_label(candidate.kind),
                    candidate.name.as_ref().map_or("", |n| n.display.as_str()),
                    near.score
                )
            );
        }
    }

    fn history(&self, out: &mut String, ledger: &Ledger, asked: Option<&str>) -> Result<(), Error> {
        let clue = self
            .suspect()
            .map(|(s, _)| s.clue_id.clone())
            .or_else(|| asked.map(str::to_string));
        let Some(clue) = clue else {
            return Ok(());
        };
        let _ = writeln!(out, "{}", pick("线索台账:", "clue ledger:"));
        match ledger.clue(&clue)? {
            None => {
                let _ = writeln!(
                    out,
                    "{}",
                    tr!(
                        "  {clue}: 尚未记入台账 (本次运行后记入)",
                        "  {clue}: not in the ledger yet (tonight's run records it)"
                    )
                );
            }
            Some(c) => {
                let _ = writeln!(
                    out,
                    "{}",
                    tr!(
                        "  {clue}: 首次发现 {}, 最近一次 {}, 台账状态 {}",
                        "  {clue}: first found {}, last {}, ledger state {}",
                        c.first_seen,
                        c.last_seen,
                        c.status.label_zh(c.review.as_ref().map(|r| r.outcome))
                    )
                );
                for review in ledger.reviews(&clue)? {
                    let note = review
                        .note
                        .map(|n| tr!(", 备注: {n}", ", note: {n}"))
                        .unwrap_or_default();
                    let _ = writeln!(
                        out,
                        "{}",
                        tr!(
                            "  核查 {}: {} ({}){note}",
                            "  reviewed {}: {} ({}){note}",
                            review.review_date,
                            review.outcome,
                            review.reviewer.as_deref().unwrap_or("")
                        )
                    );
                }
                if let Some(r) = &c.rectification {
                    let _ = writeln!(
                        out,
                        "{}{} {} ({})",
                        pick("  整改: ", "  rectification: "),
                        r.kind.label_zh(),
                        r.state.label_zh(),
                        r.date
                    );
                }
            }
        }
        Ok(())
    }
}

/// What each rule read and what it concluded: the person's qualifying facts and standing on
/// the rolls, then every code, fired (with its 依据) or not.
fn rule_lines(out: &mut String, view: &PersonView<'_>, story: &rules::trace::RuleStory) {
    let refs = |records: &[usize]| {
        let refs: Vec<String> = (records.iter())
            .flat_map(|&r| view.record(r).sources())
            .take(3)
            .map(|r| r.to_string())
            .collect();
        let all: usize = records.iter().map(|&r| view.record(r).lines()).sum();
        if all > 3 {
            tr!(
                "{} 等 {} 条",
                "{} and others, {} in all",
                refs.join(", "),
                all
            )
        } else {
            refs.join(", ")
        }
    };
    let _ = writeln!(out, "{}", pick("规则:", "rules:"));
    if story.qualifying.is_empty() {
        let _ = writeln!(
            out,
            "{}",
            pick(
                "  筛查资格: 无 (不符合任何来源的筛查条件)",
                "  qualifies: no (meets no source's screening condition)"
            )
        );
    }
    for (text, records) in &story.qualifying {
        let refs = refs(records);
        let _ = writeln!(
            out,
            "{}",
            tr!(
                "  筛查资格: {text} [{refs}]",
                "  qualifies: {text} [{refs}]"
            )
        );
    }
    if story.covered.is_empty() {
        let _ = writeln!(
            out,
            "{}",
            pick(
                "  保障情况: 未见有效的名册记录, 期内未获临时救助",
                "  coverage: no valid roll record, no temporary assistance in the period"
            )
        );
    }
    for (text, records) in &story.covered {
        let refs = refs(records);
        let _ = writeln!(
            out,
            "{}",
            tr!("  保障情况: {text} [{refs}]", "  coverage: {text} [{refs}]")
        );
    }
    for (text, records) in &story.lapsed {
        let refs = refs(records);
        let _ = writeln!(
            out,
            "{}",
            tr!(
                "  未计入的名册记录: {text} [{refs}]",
                "  roll records not counted: {text} [{refs}]"
            )
        );
    }
    let fired = view.suspect().map(|(s, _)| &s.findings);
    let complaints = view.complaints();
    for code in RuleCode::ALL {
        let finding = fired.and_then(|f| f.iter().find(|f| f.code == code));
        let line = match finding {
            Some(f) => tr!("触发: {}", "fired: {}", rules::evidence::finding(f)),
            // Conduct clues are the county's, one per complaint, not the person's row.
            None if code == RuleCode::R07 && !complaints.is_empty() => {
                let clues: Vec<String> = complaints
                    .iter()
                    .map(|c| format!("{} ({})", c.clue_id, rules::evidence::suspect(c)))
                    .collect();
                tr!(
                    "触发: 服务问题线索 {}, 列入县级清单",
                    "fired: service clues {}, on the county list",
                    clues.join("; ")
                )
            }
            None => tr!(
                "未触发 ({})",
                "not fired ({})",
                pick(code.label_zh(), code.label_en())
            ),
        };
        let _ = writeln!(out, "  {} {line}", code.code());
    }
}

/// A source kind's name in the language of the messages.
fn kind_label(kind: crate::model::SourceKind) -> &'static str {
    pick(kind.label_zh(), kind.label_en())
}

/// What a record says, in the words of the lists' 依据 (Chinese in both languages): of
/// its claim line `line`, for a record of several.
fn observation(record: &PersonRecord, line: usize) -> Option<String> {
    use crate::model::Observation;
    use rules::evidence;
    Some(match &record.observation {
        Observation::IdentityOnly => return None,
        Observation::Monitoring(m) => evidence::monitoring(m),
        Observation::Claims(lines) => {
            let c = lines[line];
            format!(
                "个人自付 {}{}",
                c.out_of_pocket_cents.map_or("未填".into(), evidence::yuan),
                c.settled
                    .map(|d| format!(", 结算 {}", evidence::date(d)))
                    .unwrap_or_default()
            )
        }
        Observation::Disability(d) => evidence::disability(d),
        Observation::Request(r) => evidence::request(r),
        Observation::Unemployment(u) => evidence::unemployment(u),
        Observation::Emergency(e) => match e.date {
            Some(d) => evidence::emergency(e, d),
            None => e.event.clone().unwrap_or_else(|| "突发事件".into()),
        },
        Observation::Child(_) => "困境儿童名单中的儿童".to_string(),
        Observation::Roll(entry) => format!(
            "状态 {}{}{}",
            entry.status.as_deref().unwrap_or("未填"),
            entry
                .start
                .map(|d| format!(", 起 {}", evidence::date(d)))
                .unwrap_or_default(),
            entry
                .end
                .map(|d| format!(", 止 {}", evidence::date(d)))
                .unwrap_or_default()
        ),
    })
}
