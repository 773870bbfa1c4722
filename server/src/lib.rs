//! Assent's server: the public and admin API, the consent ledger, the embed loader and
//! the demo site. `main.rs` only parses the command line and calls into here.

pub mod admin_auth;
pub mod assets;
pub mod auth;
pub mod backup;
pub mod cli;
pub mod cli_sites;
pub mod clock;
pub mod config;
// `in_transaction!` serves the modules after it too (the webhook sender's queue).
#[macro_use]
pub mod db;
pub mod error;
pub mod export;
pub mod extract;
pub mod impressions;
pub mod keys;
pub mod ledger;
pub mod metrics;
pub mod notice_cache;
pub mod rate_limit;
pub mod request_bound;
pub mod request_context;
pub mod request_limits;
pub mod routes;
pub mod security_headers;
pub mod serve;
pub mod site_auth;
pub mod starter;
pub mod startup;
pub mod state;
pub mod tcf;
pub mod webhooks;
