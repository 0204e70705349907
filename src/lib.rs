//! loubao: nightly 漏保/漏救 screening for a county civil-affairs bureau.
//!
//! The pipeline is a chain of stages, one module each, with typed records between them
//! (see `model`): `ingest` → `normalise` → `matching` → `rules` → `report`, with the clue
//! `ledger` remembering what townships verified, and `ops` keeping nightly runs safe.
//! The synthetic county generator and its truth are the `loubao-sample` crate, which knows
//! only the model types; `sample` here runs the stages that `loubao eval` scores.
//! Helpers several stages share are leaves that depend on nothing else in the crate:
//! `digest` (SHA-256), `idcheck` (the ID check character) and `mask` (IDs and phones shown
//! masked), so that no two stages import each other for them.

pub mod cli;
pub mod commands;
pub mod config;
pub mod digest;
pub mod idcheck;
pub mod ingest;
pub mod ledger;
pub mod mask;
pub mod matching;
pub mod normalise;
pub mod ops;
pub mod progress;
pub mod report;
pub mod rules;
pub mod sample;
pub mod stage;
pub mod telemetry;

/// The typed records between the stages live in their own crate, shared with the generator.
pub use loubao_model as model;

/// The language of the messages, shared with the generator too; `tr!` writes a message in
/// both.
pub use loubao_lang as lang;
pub use loubao_lang::tr;
