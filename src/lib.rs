//! gitsync: a GitOps reconciler. A git repository declares the desired state,
//! a SQLite file holds the live state, and every difference becomes an audited
//! proposal that is applied after approval or, for trusted repos, automatically.
#![forbid(unsafe_code)]

pub mod apply;
pub mod credentials;
pub mod diff;
pub mod hooks;
pub mod hostfile;
pub mod interrupt;
pub mod layout;
pub mod limits;
pub mod metrics;
pub mod model;
pub mod process;
pub mod propose;
pub mod reconcile;
pub mod source;
pub mod status;
pub mod store;
pub mod text;
pub mod validate;
