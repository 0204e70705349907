//! Typed records that flow between the pipeline stages.
//!
//! ingest → `RawRecord` (+ `Reject`) → normalise → `PersonRecord` (with its row's typed
//! `Observation`) → matching → `Linkage` → rules → `Suspect` (+ `ReviewItem`) → report.
//!
//! Every record carries its `SourceRef` so that a clerk can always go back to the row a
//! finding came from. This crate is shared by loubao and its synthetic-county generator.

mod finding;
mod linkage;
mod observation;
mod person;
mod source;
mod vocabulary;

pub use finding::*;
pub use linkage::*;
pub use observation::*;
pub use person::*;
pub use source::*;
pub use vocabulary::*;
