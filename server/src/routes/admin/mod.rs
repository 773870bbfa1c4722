//! The admin API (`/v1/admin/…`): every handler declares its guard in its signature
//! ([`crate::admin_auth`]).

pub mod ledger;
pub mod notices;
pub mod session;
pub mod sites;
pub mod stats;
pub mod subjects;
pub mod tcf;
pub mod users;
pub mod webhooks;
