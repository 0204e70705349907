//! Generator checks: table shapes, overlap, traps, claim profiles.

use super::*;
use crate::noise::Rates;
use crate::since;
use crate::write::Cell;
use crate::NoiseLevel;
use rand::SeedableRng;

fn drawn(noise: NoiseLevel) -> (County, Drawn) {
    let mut rng = ChaCha8Rng::seed_from_u64(9);
    let county = super::super::county::generate(&mut rng, 3000);
    let noiser = |stream| Noiser {
        rng: ChaCha8Rng::seed_from_u64(stream),
        rates: Rates::screening(noise),
    };
    let d = draw(&county, ChaCha8Rng::seed_from_u64(2), noiser(3), noiser(4));
    (county, d)
}

#[test]
fn every_row_has_one_cell_per_header() {
    let (_, d) = drawn(NoiseLevel::Default);
    for t in &d.tables {
        assert!(
            t.rows.iter().all(|r| r.cells.len() == t.headers.len()),
            "{}",
            t.file
        );
    }
}

#[test]
fn screening_lists_overlap_the_rolls_and_traps_are_planted() {
    let (county, d) = drawn(NoiseLevel::None);
    let covered: BTreeSet<usize> = [&d.facts.dibao, &d.facts.tekun]
        .into_iter()
        .flatten()
        .filter(|m| truth::active(m, as_of()))
        .map(|m| m.pid)
        .collect();
    let emergency: Vec<usize> = d.facts.emergency.iter().map(|e| e.0).collect();
    let share =
        emergency.iter().filter(|p| covered.contains(p)).count() as f64 / emergency.len() as f64;
    assert!(share > 0.25, "covered share {share}");
    // Same-name trap: an uncovered namesake in the same township.
    assert!(!d.renamed.is_empty());
    for (b, name) in &d.renamed {
        let namesake = county.residents.iter().enumerate().find(|(a, r)| {
            a != b && &r.name == name && r.township == county.residents[*b].township
        });
        assert!(namesake.is_some_and(|(a, _)| covered.contains(&a)));
        assert!(!covered.contains(b));
    }
    // A dibao membership that ended before as_of.
    assert!(d.facts.dibao.iter().any(|m| !truth::active(m, as_of())));
    // Stopped status but end date on or after as_of: still active.
    assert!(d
        .facts
        .dibao
        .iter()
        .any(|m| m.status == "停保" && truth::active(m, as_of())));
    // Hotline rows with no ID, only a phone.
    let hotline = d.tables.iter().find(|t| t.file == HOTLINE).unwrap();
    assert!(hotline
        .rows
        .iter()
        .any(|r| r.cells[3] == Cell::Empty && r.cells[2] != Cell::Empty));
    // Without noise the only IDs that differ from the register are the planted ones.
    let emergency = d.tables.iter().find(|t| t.file == EMERGENCY).unwrap();
    let damaged = emergency
        .rows
        .iter()
        .filter(|r| !r.noise.is_empty())
        .count();
    assert!(damaged >= 3, "{damaged}");
}

#[test]
fn claim_profiles_land_on_the_right_side_of_the_threshold() {
    let mut rng = ChaCha8Rng::seed_from_u64(4);
    let w = crate::truth::Window {
        since: since(),
        as_of: as_of(),
    };
    for (profile, over) in [
        (ClaimProfile::Serious, true),
        (ClaimProfile::NearThreshold, false),
        (ClaimProfile::BeforeSince, false),
    ] {
        for _ in 0..50 {
            let mut f = Facts::default();
            for (date, total, oop) in claims(&mut rng, profile) {
                assert!(total >= oop);
                f.add_claim(w, 0, date, oop);
            }
            let sum = f.medical_window.get(&0).copied().unwrap_or(0.0);
            assert_eq!(sum > 40_000.0, over, "{profile:?} {sum}");
        }
    }
}
