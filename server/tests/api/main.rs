//! API integration tests: the real server on port 0, a fresh database per test, each test
//! on SQLite and on PostgreSQL.

mod consents;
mod helpers;
mod ledger;
mod processes;
mod public;
mod subjects;
mod tamper;
