//! `loubao sample` and `loubao eval`. The generator and its truth are the `loubao-sample`
//! crate, which knows only the model types; this module runs the pipeline's own stages on a
//! generated county for the truth to score.

use std::path::Path;

pub use loubao_sample::{as_of, generate, EvalReport, NoiseLevel, SampleOptions};

use crate::config::LoadedPipeline;
use crate::{ingest, matching, normalise};

/// Scores the pipeline of `pipeline` (its ingest, normalise and matching stages, and the
/// newest complete run folder in its outbox) against the truth in `truth_dir`.
pub fn evaluate(pipeline: &Path, truth_dir: &Path) -> anyhow::Result<EvalReport> {
    let loaded = LoadedPipeline::load(pipeline, as_of())?;
    let p = &loaded.pipeline;
    let ingested = ingest::ingest(
        &loaded.inbox,
        &p.sources,
        &p.limits,
        &ingest::Vocabulary::new(&p.townships, &p.rules),
    );
    let normalised = normalise::normalise(ingested.records, &p.townships);
    let linkage = matching::link(
        &normalised.persons,
        &p.matching,
        &matching::Verdicts::default(),
    );
    loubao_sample::evaluate(truth_dir, &normalised.persons, &linkage, &loaded.outbox)
}
