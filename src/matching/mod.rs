//! Matching: link person records to each other and to the rolls — exact on valid IDs,
//! Fellegi–Sunter for damaged or missing IDs — and consolidate them into persons (SPEC 5).
//!
//! 1. `exact`: a sort join on valid IDs; each group is one person. Exact links carry no
//!    field list (`describe` words them as 身份证号一致).
//! 2. `compare::Fields`: every record's compared fields, hashed once.
//! 3. `blocking::representatives`: copies with identical fields inside an ID group (claim
//!    lines, mostly) are compared and counted once.
//! 4. `weights`: m/u estimated from the data (u from random pairs, m from the exact links,
//!    phone u from how numbers spread over persons).
//! 5. `blocking`: the blocks of every record without a valid ID, or whose valid ID may
//!    still be damaged (`000` ending, upgraded 15-digit) — the *queries*.
//! 6. In parallel, each query gathers its candidates from its blocks, compares and scores
//!    them, and links to at most one person: its best
//!    candidate above the upper threshold, unless a different person scores within the
//!    ambiguity margin (then both links are uncertain). Between the thresholds the link is
//!    uncertain; below, the best candidate is kept as the nearest miss.
//! 7. `decisions`: a person's verdicts from 待复核 (同一人 / 不是同一人) override the scores.
//! 8. `consolidate`: union-find over exact, accepted and confirmed links.
//!
//! The output does not depend on the number of threads: candidates are sorted, ties are
//! broken by record index, and the random pairs for u come from a fixed seed.

mod blocking;
mod compare;
mod consolidate;
mod decisions;
mod exact;
mod hash;
mod weights;

#[cfg(test)]
mod tests;

use std::collections::BTreeMap;
use std::time::Instant;

use rayon::prelude::*;

use crate::config::MatchSettings;
use crate::model::{
    FieldEvidence, Link, LinkDecision, Linkage, LinkageStats, Links, NearMiss, PersonRecord,
    QuestionId,
};
use compare::Comparison;
pub use decisions::{question_of, Verdicts};
use exact::ExactGroups;
use weights::Weights;

/// A fuzzy link as decided for one query, before evidence is rendered.
struct FoundLink {
    query: u32,
    candidate: u32,
    decision: LinkDecision,
    score: f64,
    cmp: Comparison,
    name_weight: f64,
}

impl FoundLink {
    fn pair(&self) -> (u32, u32) {
        (
            self.query.min(self.candidate),
            self.query.max(self.candidate),
        )
    }
}

/// A scored candidate: the best record of one person-to-be (`anchor`: an exact-ID group,
/// or `ANCHOR_SINGLE | record` for a record without a valid ID).
#[derive(Clone, Copy)]
struct Scored {
    anchor: u64,
    score: f64,
    record: u32,
    cmp: Comparison,
}

const ANCHOR_SINGLE: u64 = 1 << 32;

impl Scored {
    fn has_valid_id(&self) -> bool {
        self.anchor < ANCHOR_SINGLE
    }
}

#[derive(Default)]
struct QueryOutcome {
    /// Candidates scored.
    candidates: usize,
    links: Vec<FoundLink>,
    near: Option<NearMiss>,
    /// Scored pairs per histogram bucket (lower bound / 2); a query's scores fall in a
    /// handful of buckets, so a short list beats a map.
    histogram: Vec<(i64, usize)>,
}

const HISTOGRAM_BUCKET: f64 = 2.0;

/// The histogram bucket a score falls in.
fn bucket(score: f64) -> i64 {
    (score / HISTOGRAM_BUCKET).floor() as i64
}

/// Links `records` (any sources, rolls included) into persons, on the current rayon pool
/// (the run sizes it from `matching.threads`), with the verdicts people gave in 待复核.
pub fn link(records: &[PersonRecord], settings: &MatchSettings, verdicts: &Verdicts) -> Linkage {
    let started = Instant::now();
    let mut fields = compare::RecordFields::of(records);
    let fields_done = Instant::now();
    let exact = ExactGroups::build(&fields);
    fields.set_groups(|record| exact.group_of(record));
    // Records without a valid ID, and those whose valid ID may still be damaged.
    let queries: Vec<u32> = fields
        .par_iter()
        .enumerate()
        .filter_map(|(i, f)| (f.group == exact::NONE || f.suspect()).then_some(i as u32))
        .collect();
    let exact_done = Instant::now();
    let keep = blocking::representatives(records, &fields, &exact);
    let weights = Weights::estimate(records, &fields, &queries, &exact, settings);
    tracing::debug!(?weights, "Match weights.");
    let weights_done = Instant::now();
    let copies = copy_runs(&queries, &fields);
    // Copies block alike: the first of each run stands for its run.
    let firsts: Vec<u32> = copies.iter().map(|run| run[0]).collect();
    let blocks = blocking::Blocks::build(
        records,
        &fields,
        &keep,
        &firsts,
        &exact,
        settings.max_block_size.max(1),
    );
    let blocking_done = Instant::now();

    let context = Context {
        records,
        fields: &fields,
        exact: &exact,
        weights: &weights,
        settings,
    };
    // Each worker gathers a run of query copies' candidates into its own scratch, scores
    // and ranks them once and keeps only each copy's decision.
    let outcomes: Vec<QueryOutcome> = copies
        .par_iter()
        .map_init(
            || (Vec::new(), Vec::new(), RankedRun::default(), Vec::new()),
            |(gathered, scored, ranked, best), copies| {
                blocks.gather(copies[0], gathered);
                score_gathered(&context, copies[0], gathered, scored);
                ranked.rank(scored, |r| fields[r as usize].roll);
                copies
                    .iter()
                    .filter_map(|&q| decide(&context, q, gathered, ranked, best))
                    .collect::<Vec<_>>()
            },
        )
        .flatten_iter()
        .collect();
    let scoring_done = Instant::now();

    let exact_links = exact.linked();
    let decided = decisions::apply(records, unique_links(&outcomes), verdicts);
    let fuzzy = &decided.links;
    let edges: Vec<consolidate::FuzzyEdge> = fuzzy
        .iter()
        .map(|&(l, decision)| consolidate::FuzzyEdge {
            left: l.pair().0,
            right: l.pair().1,
            decision,
        })
        .collect();
    let near: Vec<NearMiss> = outcomes
        .iter()
        .filter_map(|o| o.near.clone())
        .chain(decided.kept_apart.iter().cloned())
        .collect();

    // Wording the fuzzy links' evidence and questions, and consolidating persons, are
    // independent.
    let ((scored, questions), (persons, person_of)) = rayon::join(
        || {
            (
                scored_links(fuzzy, &weights),
                uncertain_questions(records, fuzzy, exact_links),
            )
        },
        || consolidate::consolidate(records.len(), &exact, &edges, &near),
    );
    let count = |d: LinkDecision| edges.iter().filter(|e| e.decision == d).count();
    let (accepted_links, uncertain_links) = (
        count(LinkDecision::Accepted),
        count(LinkDecision::Uncertain),
    );

    let consolidated = Instant::now();
    tracing::debug!(
        fields_ms = (fields_done - started).as_millis() as u64,
        exact_ms = (exact_done - fields_done).as_millis() as u64,
        weights_ms = (weights_done - exact_done).as_millis() as u64,
        blocking_ms = (blocking_done - weights_done).as_millis() as u64,
        scoring_ms = (scoring_done - blocking_done).as_millis() as u64,
        links_and_persons_ms = (consolidated - scoring_done).as_millis() as u64,
        "Matching steps."
    );
    let stats = LinkageStats {
        exact_links,
        candidate_pairs: outcomes.iter().map(|o| o.candidates).sum(),
        accepted_links,
        uncertain_links,
        decided_same: decided.confirmed,
        decided_different: decided.kept_apart.len(),
        upper_threshold: settings.upper_threshold,
        lower_threshold: settings.lower_threshold,
        score_histogram: score_histogram(&outcomes),
    };
    tracing::debug!(
        stage = crate::stage::Stage::Matching.key(),
        records = records.len(),
        field_runs = fields.held(),
        queries = queries.len(),
        persons = persons.len(),
        exact_links,
        candidate_pairs = stats.candidate_pairs,
        accepted_links,
        uncertain_links,
        skipped_blocks = blocks.skipped_blocks,
        prior = weights.prior,
        estimated_u = weights.estimated_u,
        estimated_m = weights.estimated_m,
        elapsed_ms = started.elapsed().as_millis() as u64,
        "比对完成 (明细)"
    );
    // An exact link's evidence is always "same valid ID": `describe` words it.
    let links = Links::new(exact.into_links(), weights.max_score(), scored);
    Linkage {
        persons,
        links,
        person_of,
        questions,
        stats,
    }
}

/// Every fuzzy link the queries found, once: a pair of two queries can be found from both
/// ends, and is kept at its strongest.
fn unique_links(outcomes: &[QueryOutcome]) -> Vec<&FoundLink> {
    let rank = |d: LinkDecision| u8::from(!d.joins());
    let mut fuzzy: Vec<&FoundLink> = outcomes.iter().flat_map(|o| o.links.iter()).collect();
    // Stable, like `sort_by_key`, on both cores: hundreds of thousands of links at 2.4 M.
    fuzzy.par_sort_by_key(|l| (l.pair(), rank(l.decision), l.query));
    fuzzy.dedup_by_key(|l| l.pair());
    fuzzy
}

/// The queries' score histograms summed: (bucket lower bound, pairs).
fn score_histogram(outcomes: &[QueryOutcome]) -> Vec<(f64, usize)> {
    let mut histogram: BTreeMap<i64, usize> = BTreeMap::new();
    for o in outcomes {
        for &(b, n) in &o.histogram {
            *histogram.entry(b).or_default() += n;
        }
    }
    histogram
        .into_iter()
        .map(|(b, n)| (b as f64 * HISTOGRAM_BUCKET, n))
        .collect()
}

/// Every uncertain link's question, by link index (the fuzzy links follow the
/// `exact_links` exact ones), for the review list to name.
fn uncertain_questions(
    records: &[PersonRecord],
    fuzzy: &[(&FoundLink, LinkDecision)],
    exact_links: usize,
) -> BTreeMap<usize, QuestionId> {
    fuzzy
        .iter()
        .enumerate()
        .filter(|(_, (_, d))| *d == LinkDecision::Uncertain)
        .map(|(i, (l, _))| {
            let (a, b) = l.pair();
            (
                exact_links + i,
                question_of(&records[a as usize], &records[b as usize]),
            )
        })
        .collect()
}

/// The fuzzy links with their evidence, in the order `consolidate` numbers them (after
/// the exact ones).
fn scored_links(fuzzy: &[(&FoundLink, LinkDecision)], weights: &Weights) -> Vec<Link> {
    fuzzy
        .iter()
        .map(|&(l, decision)| Link {
            left: l.pair().0,
            right: l.pair().1,
            decision,
            score: (l.score * 100.0).round() / 100.0,
            evidence: weights.explain(&l.cmp, l.name_weight).into_boxed_slice(),
        })
        .collect()
}

/// What scoring a query reads.
struct Context<'a> {
    records: &'a [PersonRecord],
    fields: &'a compare::RecordFields,
    exact: &'a ExactGroups,
    weights: &'a Weights,
    settings: &'a MatchSettings,
}

/// The queries in runs of copies: consecutive queries of one run of equal fields (a
/// person's claim lines whose ID is damaged or missing, mostly). Copies have the same
/// blocks, so the same candidates apart from themselves, and every candidate scores the same
/// against each of them.
fn copy_runs<'q>(queries: &'q [u32], fields: &compare::RecordFields) -> Vec<&'q [u32]> {
    queries
        .chunk_by(|&a, &b| fields.run_of(a as usize) == fields.run_of(b as usize))
        .collect()
}

/// Scores query `q` against every record it `gathered` (itself and its copies among them)
/// into `scored`, in the gathered order. A copy of `q` scores every record as `q` does, and
/// another copy as `q` scores itself.
fn score_gathered(cx: &Context<'_>, q: u32, gathered: &[u32], scored: &mut Vec<Scored>) {
    let query = Query::new(cx, q);
    let (records, fields) = (cx.records, cx.fields);
    let q = q as usize;
    // The candidates lie at random in a few hundred megabytes of `Fields`: load them all
    // first, so that their cache misses overlap instead of each stalling one compare.
    let touched = gathered
        .iter()
        .fold(0u32, |acc, &r| acc ^ fields[r as usize].group);
    std::hint::black_box(touched);
    scored.clear();
    scored.extend(
        gathered
            .iter()
            .filter(|&&r| !query.suspect || fields[r as usize].group != query.own_group)
            .map(|&r| {
                let fr = &fields[r as usize];
                let cmp = compare::compare(&records[q], &fields[q], &records[r as usize], fr);
                let anchor = if fr.group == exact::NONE {
                    ANCHOR_SINGLE | u64::from(r)
                } else {
                    u64::from(fr.group)
                };
                Scored {
                    anchor,
                    score: cx.weights.score(&cmp, query.name_weight),
                    record: r,
                    cmp,
                }
            }),
    );
}

/// Decides query `q`'s link from its run's ranked scores (of the records its run
/// `gathered`), without its own entry; `None` when it has no candidate. `best` is scratch
/// space reused across the queries of one worker.
fn decide(
    cx: &Context<'_>,
    q: u32,
    gathered: &[u32],
    ranked: &RankedRun,
    best: &mut Vec<Scored>,
) -> Option<QueryOutcome> {
    let candidates = gathered.len() - usize::from(gathered.binary_search(&q).is_ok());
    if candidates == 0 {
        return None;
    }
    let query = Query::new(cx, q);
    let mut outcome = QueryOutcome {
        candidates,
        ..QueryOutcome::default()
    };
    let nearest_roll = ranked.for_copy(q, best, &mut outcome.histogram);
    if best.is_empty() || (query.suspect && best[0].score < cx.settings.upper_threshold) {
        return Some(outcome);
    }
    judge(cx, &query, best, nearest_roll, &mut outcome);
    Some(outcome)
}

/// One query record and what its decision depends on.
struct Query {
    record: u32,
    /// Its exact-ID group, `exact::NONE` without a valid ID.
    own_group: u32,
    /// It has a valid ID (and is a query because that ID may be damaged): already linked
    /// to its own group, it only looks for another person, and only a confident link to
    /// one is worth reporting.
    suspect: bool,
    /// The weight of its name agreeing, by the name's frequency.
    name_weight: f64,
}

impl Query {
    fn new(cx: &Context<'_>, record: u32) -> Query {
        let own_group = cx.exact.group_of(record as usize);
        let name = cx.fields[record as usize].name;
        Query {
            record,
            own_group,
            suspect: own_group != exact::NONE,
            name_weight: if name == 0 {
                0.0
            } else {
                cx.weights.name_equal(name)
            },
        }
    }

    fn link(&self, c: &Scored, decision: LinkDecision) -> FoundLink {
        FoundLink {
            query: self.record,
            candidate: c.record,
            decision,
            score: c.score,
            cmp: c.cmp,
            name_weight: self.name_weight,
        }
    }
}

/// A run's scores ranked once for all its copies. Each copy decides on them without its
/// own entry, and that entry takes nothing else with it: its anchor is its own (a record
/// without a valid ID is its own person-to-be, and a query with one never scores its own
/// group), so it is the best of its anchor, kept in `best`, and leaving it out leaves the
/// others' order.
#[derive(Default)]
struct RankedRun {
    /// The best candidate per person-to-be (an exact-ID group, or a single record without
    /// one), strongest first, ties to the smaller record.
    best: Vec<Scored>,
    /// Every score, per histogram bucket.
    histogram: Vec<(i64, usize)>,
    /// The first strongest roll record in scored order, and the first strongest of the
    /// others: the nearest roll record of a copy that is itself the first.
    nearest_rolls: [Option<(f64, u32, Comparison)>; 2],
}

impl RankedRun {
    /// Ranks a run's `scored` candidates; `on_roll` tells a roll record.
    fn rank(&mut self, scored: &[Scored], on_roll: impl Fn(u32) -> bool) {
        self.histogram.clear();
        self.nearest_rolls = [None, None];
        for c in scored {
            if on_roll(c.record) {
                let [first, second] = &mut self.nearest_rolls;
                if first.is_none_or(|(s, _, _)| c.score > s) {
                    *second = *first;
                    *first = Some((c.score, c.record, c.cmp));
                } else if second.is_none_or(|(s, _, _)| c.score > s) {
                    *second = Some((c.score, c.record, c.cmp));
                }
            }
            let bucket = bucket(c.score);
            match self.histogram.iter_mut().find(|(b, _)| *b == bucket) {
                Some((_, n)) => *n += 1,
                None => self.histogram.push((bucket, 1)),
            }
        }
        self.best.clear();
        self.best.extend_from_slice(scored);
        // Record breaks every tie: unstable sorts order as stable ones would.
        self.best.sort_unstable_by(|a, b| {
            (a.anchor.cmp(&b.anchor))
                .then(b.score.total_cmp(&a.score))
                .then(a.record.cmp(&b.record))
        });
        self.best.dedup_by_key(|c| c.anchor);
        self.best
            .sort_unstable_by(|a, b| b.score.total_cmp(&a.score).then(a.record.cmp(&b.record)));
    }

    /// Copy `q`'s candidates (the run's, without `q`'s own entry) into `best` and its scores
    /// into `histogram`; returns its nearest roll record.
    fn for_copy(
        &self,
        q: u32,
        best: &mut Vec<Scored>,
        histogram: &mut Vec<(i64, usize)>,
    ) -> Option<(f64, u32, Comparison)> {
        best.clear();
        let mut own = None;
        for c in &self.best {
            if c.record == q {
                own = Some(c.score);
            } else {
                best.push(*c);
            }
        }
        histogram.clone_from(&self.histogram);
        if let Some(score) = own {
            let bucket = bucket(score);
            let at = histogram.iter().position(|(b, _)| *b == bucket);
            let at = at.expect("every score is counted");
            histogram[at].1 -= 1;
            if histogram[at].1 == 0 {
                histogram.remove(at);
            }
        }
        match self.nearest_rolls {
            [Some((_, r, _)), second] if r == q => second,
            [first, _] => first,
        }
    }
}

/// Links the query to its best candidate (accepted, or uncertain between the thresholds or
/// beside a rival), holds a namesake on a roll for review, or keeps the nearest miss.
fn judge(
    cx: &Context<'_>,
    query: &Query,
    best: &[Scored],
    nearest_roll: Option<(f64, u32, Comparison)>,
    outcome: &mut QueryOutcome,
) {
    let settings = cx.settings;
    // A person with a valid ID above the upper threshold wins over a record without one:
    // two copies of the same damaged ID must both join the roll person, not only each other.
    let top = best
        .iter()
        .find(|c| c.has_valid_id() && c.score >= settings.upper_threshold)
        .unwrap_or(&best[0]);
    if top.score >= settings.upper_threshold {
        // Only persons known to differ (different valid IDs) make a link ambiguous; a
        // record without an ID close behind may well be the same person.
        let rivals: Vec<_> = best
            .iter()
            .filter(|c| {
                c.record != top.record
                    && c.has_valid_id()
                    && top.has_valid_id()
                    && c.score >= settings.upper_threshold
                    && (top.score - c.score).abs() < settings.ambiguity_margin
            })
            .collect();
        if rivals.is_empty() {
            outcome.links.push(query.link(top, LinkDecision::Accepted));
        } else if !query.suspect {
            outcome.links.push(query.link(top, LinkDecision::Uncertain));
            for c in rivals {
                outcome.links.push(query.link(c, LinkDecision::Uncertain));
            }
        }
    } else if top.score >= settings.lower_threshold {
        let decision = doubt_unless_rare(cx, query, top.record, &top.cmp);
        outcome.links.push(query.link(top, decision));
    } else if let Some((score, candidate, cmp)) =
        nearest_roll.filter(|(_, _, cmp)| !query.suspect && namesake_on_roll(cmp))
    {
        // No ID, and someone of the same name in the same place is on a roll: whether this
        // is that person (covered) or a namesake (not covered) is the 同名同姓 question the
        // spec leaves to a person, so the pair goes to review instead of deciding either way
        // — unless the name is rare enough to settle it.
        outcome.links.push(FoundLink {
            query: query.record,
            candidate,
            decision: doubt_unless_rare(cx, query, candidate, &cmp),
            score,
            cmp,
            name_weight: query.name_weight,
        });
    } else {
        // The clerk wants the closest roll record; any record when no roll one was near.
        let (score, candidate) = nearest_roll
            .map(|(s, r, _)| (s, r))
            .unwrap_or((top.score, top.record));
        outcome.near = Some(NearMiss {
            record: query.record as usize,
            candidate: candidate as usize,
            score: (score * 100.0).round() / 100.0,
        });
    }
    if !query.suspect && !top.has_valid_id() && !outcome.links.is_empty() {
        hold_beside_a_copy(cx, query, best, nearest_roll, outcome);
    }
}

/// The query linked to a record without a valid ID — often a copy as damaged as itself
/// (another claim line with the same Excel-destroyed ID). That link must not hide the
/// person a valid ID names: a valid-ID candidate between the thresholds, or a namesake on
/// a roll, goes to review beside it; otherwise the nearest roll record is kept for the
/// clerk.
fn hold_beside_a_copy(
    cx: &Context<'_>,
    query: &Query,
    best: &[Scored],
    nearest_roll: Option<(f64, u32, Comparison)>,
    outcome: &mut QueryOutcome,
) {
    let q = query.record;
    let name_weight = query.name_weight;
    let hold = |candidate: u32, score: f64, cmp: Comparison| FoundLink {
        query: q,
        candidate,
        decision: doubt_unless_rare(cx, query, candidate, &cmp),
        score,
        cmp,
        name_weight,
    };
    // `best` is ordered by score: the first valid-ID candidate is the strongest one, and it
    // is below the upper threshold (else it would have been chosen).
    match best.iter().find(|c| c.has_valid_id()) {
        Some(v) if v.score >= cx.settings.lower_threshold => {
            outcome.links.push(hold(v.record, v.score, v.cmp));
        }
        _ => match nearest_roll {
            Some((score, candidate, cmp)) if namesake_on_roll(&cmp) => {
                outcome.links.push(hold(candidate, score, cmp));
            }
            Some((score, candidate, _)) => {
                outcome.near = Some(NearMiss {
                    record: q as usize,
                    candidate: candidate as usize,
                    score: (score * 100.0).round() / 100.0,
                });
            }
            None => {}
        },
    }
}

/// Uncertain, unless a rare name settles the pair without a person (Splink's term
/// frequency, by persons): the query has no ID to compare, the candidate is the one person
/// with a valid ID the county knows by that name, the village or a phone agrees, and
/// nothing differs. A common name, or agreement on the township alone, waits for a person.
fn doubt_unless_rare(
    cx: &Context<'_>,
    query: &Query,
    candidate: u32,
    cmp: &Comparison,
) -> LinkDecision {
    let rare = !query.suspect
        && cx.fields[candidate as usize].group != exact::NONE
        && cmp.id.is_none()
        && cmp.name == Some(compare::NameLevel::Equal)
        && (cmp.place == Some(compare::PlaceLevel::SameVillage)
            || cmp.phone == Some(compare::Agree::Equal))
        && cmp.birth != Some(compare::BirthLevel::Different)
        && cmp.sex != Some(compare::Agree::Different)
        && cx
            .weights
            .sole_carrier(cx.fields[query.record as usize].name);
    if rare {
        LinkDecision::Accepted
    } else {
        LinkDecision::Uncertain
    }
}

/// Same name and same township or village, and nothing that tells the two apart (no ID to
/// compare, no birth date or sex that differs).
fn namesake_on_roll(cmp: &Comparison) -> bool {
    cmp.id.is_none()
        && cmp.name == Some(compare::NameLevel::Equal)
        && matches!(
            cmp.place,
            Some(compare::PlaceLevel::SameVillage | compare::PlaceLevel::SameTownship)
        )
        && cmp.birth != Some(compare::BirthLevel::Different)
        && cmp.sex != Some(compare::Agree::Different)
}

/// Evidence of a link, for callers that render one (report, review list). An exact link
/// carries no field list: its evidence is the shared valid ID.
pub fn describe(link: &Link) -> String {
    if link.decision == LinkDecision::Exact && link.evidence.is_empty() {
        return "身份证号一致".to_string();
    }
    link.evidence
        .iter()
        .map(
            |FieldEvidence {
                 field,
                 level,
                 weight,
             }| format!("{field}{level}({weight:+.1})"),
        )
        .collect::<Vec<_>>()
        .join(", ")
}
