//! Clue ledger (问题线索台账 / 整改台账): an embedded SQLite database that remembers every
//! clue's first and last sighting, the township's review outcome and the rectification.
