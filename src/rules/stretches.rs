//! Where each pass of the rules reads: consecutive records of one source kind, role and
//! kind of observation. A county's records are millions of claim lines with a few hundred
//! thousand others among them; the claim pass walks the claim lines, the coverage pass the
//! roll rows and the fact pass the rest, instead of each reading every record.

use std::ops::Range;

use rayon::prelude::*;

use crate::model::{Observation, PersonRecord, Role, SourceKind};

/// Which pass reads a record, by its observation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Pass {
    /// Medical claim lines: summed per person.
    Claims,
    /// Roll rows: coverage.
    Rolls,
    /// Everything else: the screening facts.
    Facts,
}

impl Pass {
    fn of(observation: &Observation) -> Pass {
        match observation {
            Observation::Claims(_) => Pass::Claims,
            Observation::Roll(_) => Pass::Rolls,
            _ => Pass::Facts,
        }
    }
}

/// Consecutive records with one kind, role and pass.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Stretch {
    pub kind: SourceKind,
    pub role: Role,
    pub pass: Pass,
    pub records: Range<usize>,
}

/// Records per parallel chunk; a stretch crossing a chunk's edge is two stretches.
const CHUNK: usize = 1 << 16;

/// Every record's stretch, in record order, found on every core.
pub(crate) fn stretches(records: &[PersonRecord]) -> Vec<Stretch> {
    records
        .par_chunks(CHUNK)
        .enumerate()
        .flat_map_iter(|(c, chunk)| {
            let mut out: Vec<Stretch> = Vec::new();
            for (i, r) in chunk.iter().enumerate() {
                let index = c * CHUNK + i;
                let pass = Pass::of(&r.observation);
                match out.last_mut() {
                    Some(s) if s.kind == r.kind && s.role == r.role && s.pass == pass => {
                        s.records.end = index + 1;
                    }
                    _ => out.push(Stretch {
                        kind: r.kind,
                        role: r.role,
                        pass,
                        records: index..index + 1,
                    }),
                }
            }
            out
        })
        .collect()
}

/// The records a pass reads, in record order.
pub(crate) fn read_by(stretches: &[Stretch], pass: Pass) -> impl Iterator<Item = usize> + '_ {
    stretches
        .iter()
        .filter(move |s| s.pass == pass)
        .flat_map(|s| s.records.clone())
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::model::{Claim, Place, SourceRef};

    fn record(kind: SourceKind, role: Role, observation: Observation) -> PersonRecord {
        PersonRecord {
            kind,
            role,
            source: SourceRef::new("x.csv".to_string(), None, 2),
            name: None,
            id: None,
            birth_date: None,
            sex: None,
            contact: None,
            place: Arc::new(Place::default()),
            observation,
        }
    }

    /// Each pass reads exactly the records of its kind of observation, in record order, also
    /// where stretches cross the parallel chunks' edges; kinds and roles split stretches.
    #[test]
    fn each_pass_reads_exactly_its_records() {
        let claim = || {
            record(
                SourceKind::Medical,
                Role::Subject,
                Observation::Claims(Box::new([Claim::default()])),
            )
        };
        let roll = |kind| record(kind, Role::Subject, Observation::Roll(Box::default()));
        let mut records: Vec<PersonRecord> = (0..CHUNK + 10).map(|_| claim()).collect();
        records.push(roll(SourceKind::Dibao));
        records.push(roll(SourceKind::Tekun));
        records.push(record(
            SourceKind::Children,
            Role::Subject,
            Observation::IdentityOnly,
        ));
        records.push(record(
            SourceKind::Children,
            Role::Father,
            Observation::IdentityOnly,
        ));
        records.extend((0..5).map(|_| claim()));
        let found = stretches(&records);
        for pass in [Pass::Claims, Pass::Rolls, Pass::Facts] {
            let expected: Vec<usize> = (0..records.len())
                .filter(|&i| Pass::of(&records[i].observation) == pass)
                .collect();
            assert_eq!(
                read_by(&found, pass).collect::<Vec<_>>(),
                expected,
                "{pass:?}"
            );
        }
        let kinds: Vec<(SourceKind, Role)> = found.iter().map(|s| (s.kind, s.role)).collect();
        assert_eq!(
            kinds,
            [
                (SourceKind::Medical, Role::Subject),
                (SourceKind::Medical, Role::Subject),
                (SourceKind::Dibao, Role::Subject),
                (SourceKind::Tekun, Role::Subject),
                (SourceKind::Children, Role::Subject),
                (SourceKind::Children, Role::Father),
                (SourceKind::Medical, Role::Subject),
            ]
        );
    }
}
