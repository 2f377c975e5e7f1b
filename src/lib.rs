//! zwgk-audit audits a unit's 政府信息公开专栏 the way an inspector does during 网上测评.
//!
//! The pipeline, one module per stage, data flowing one way:
//! - [`config`]: the units file (who to audit, politeness settings) → validated [`config::Unit`]s.
//! - [`crawl`]: polite, bounded async crawler (per-host rate limit, robots.txt, private-address guard)
//!   writing every response into the [`store`].
//! - [`store`]: the SQLite evidence store: raw bytes, headers, fetch time and SHA-256 of every response.
//! - [`extract`]: pure functions from (URL, decoded HTML) to [`extract::PageFacts`].
//! - [`site`]: a unit's crawled pages and facts assembled into columns and documents.
//! - [`checks`]: YAML-declared checks (a kind + parameters) turning a site into findings with evidence.
//! - [`rubric`] and [`score`]: 附件1's items, weights and 测评方式 → item statuses and the unit score.
//! - [`report`]: report.json (the contract) and the self-contained HTML report.
//! - [`audit`] runs the whole pipeline; [`demo`] serves the bundled fixture site and audits it.
//! - [`ops`] wraps an audit in operations: [`history`] (every run in SQLite) and [`diff`] (what got
//!   worse), [`manual`] (inspectors' scores → the final score), [`todo`] (the self-check to-do list) and
//!   [`notify`] (the nightly digest to 企业微信 / 钉钉 robots).
//! - [`xlsx`]: the 评分表 spreadsheet; [`pack`]: per-unit evidence packs (WARC 1.1) and their verification;
//!   [`shard`]: splitting a run across machines by host, and merging the shards' outputs.
#![warn(missing_docs)]

pub mod attachments;
pub mod audit;
pub mod calendar;
pub mod checks;
pub mod cli;
pub mod config;
pub mod crawl;
pub mod demo;
pub mod diff;
pub mod extract;
pub mod findings;
pub mod history;
pub mod inspect;
pub mod manual;
pub mod notify;
pub mod ops;
pub mod pack;
pub mod report;
pub mod rubric;
pub mod score;
pub mod shard;
pub mod site;
pub mod sketch;
pub mod store;
pub mod todo;
pub mod xlsx;
pub mod yaml;
