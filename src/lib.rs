//! loubao: nightly 漏保/漏救 screening for a county civil-affairs bureau.
//!
//! The pipeline is a chain of stages, one module each, with typed records between them
//! (see `model`): `ingest` → `normalise` → `matching` → `rules` → `report`, with the clue
//! `ledger` remembering what townships verified, and `ops` keeping nightly runs safe.

pub mod cli;
pub mod commands;
pub mod config;
pub mod ingest;
pub mod ledger;
pub mod matching;
pub mod model;
pub mod normalise;
pub mod ops;
pub mod progress;
pub mod report;
pub mod rules;
pub mod sample;
pub mod telemetry;
