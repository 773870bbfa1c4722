//! API integration tests: the real server on port 0, a fresh database per test, each test
//! on SQLite and on PostgreSQL.

mod admin;
mod admin_subjects;
mod backup;
mod backup_kit;
mod backup_refusals;
mod bad_input;
mod bundle;
mod checkpoint_heads;
mod connections;
mod consents;
mod dashboard;
mod export;
mod gvl;
mod gvl_fixture;
mod helpers;
mod identity;
mod identity_kit;
mod ledger;
mod logs;
mod metrics;
mod openapi;
mod outage;
mod preview;
mod privacy_page;
mod processes;
mod public;
mod receiver;
mod settings;
mod sites;
mod stats;
mod subjects;
mod sync;
mod tamper;
mod webhook_endpoints;
mod webhooks;
