//! One person's rule story, for `loubao trace`: the facts the rules read and the standing on
//! the rolls they compared against, worded as the lists word them. Computed by the same
//! functions `screen` uses, so the story and the lists cannot disagree.

use super::{coverage, qualify, ScreeningInput};
use crate::model::SourceKind;

/// What the rules read of one consolidated person, in words, each with its source rows.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RuleStory {
    /// Facts that qualify him for screening (SPEC 3.2).
    pub qualifying: Vec<(String, Vec<usize>)>,
    /// Active roll memberships and temporary assistance in the window.
    pub covered: Vec<(String, Vec<usize>)>,
    /// Roll records that did not count on `as_of`, and why.
    pub lapsed: Vec<(String, Vec<usize>)>,
}

/// The rule stories of `persons` (indices into `input.linkage.persons`).
pub fn stories(input: &ScreeningInput<'_>, persons: &[usize]) -> Vec<RuleStory> {
    let stretches = super::stretches::stretches(input.records);
    let facts = qualify::assess(input, &stretches);
    let cover = coverage::coverage(input, &stretches);
    persons
        .iter()
        .map(|&p| {
            let worded = |g: &qualify::Grounds| (super::evidence::fact(&g.fact), g.records.clone());
            let mut covered: Vec<(String, Vec<usize>)> = cover[p]
                .active
                .iter()
                .map(|(kind, records)| (format!("{} 在册有效", kind.label_zh()), records.clone()))
                .collect();
            if cover[p].is_aided() {
                covered.push((
                    format!("排查期内获{}", SourceKind::TempAssistance.label_zh()),
                    cover[p].aided.clone(),
                ));
            }
            RuleStory {
                qualifying: facts[p].qualifying.iter().map(worded).collect(),
                covered,
                lapsed: cover[p].lapsed.iter().map(worded).collect(),
            }
        })
        .collect()
}
