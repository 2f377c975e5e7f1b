//! The whole pipeline for a units file: crawl, extract, check, score, report.
//!
//! Stages meet only here, in pipeline order; each stage's module knows nothing of the others' internals.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use chrono::{FixedOffset, NaiveDate, Utc};

use crate::checks::{CheckSet, Context};
use crate::config::{Unit, UnitsConfig};
use crate::crawl::{self, CrawlOptions, CrawlTarget};
use crate::report::{self, AuditReport};
use crate::rubric::Rubric;
use crate::score;
use crate::site::UnitSite;
use crate::store::Store;
use crate::yaml::YamlError;

/// How to run an audit.
#[derive(Debug, Clone)]
pub struct AuditOptions {
    /// The directory holding `rubric.yaml` and the check declarations.
    pub checks_dir: PathBuf,
    /// Where the reports and the evidence store are written.
    pub out_dir: PathBuf,
    /// "Today" for every timeliness rule.
    pub as_of: NaiveDate,
    /// Allow loopback and private addresses (tests and the demo).
    pub allow_private: bool,
}

/// A finished audit.
#[derive(Debug)]
pub struct AuditOutcome {
    /// The report as written to report.json.
    pub report: AuditReport,
    /// Files written.
    pub written: Vec<PathBuf>,
    /// The one-screen summary.
    pub summary: String,
}

/// Why an audit could not run.
#[derive(Debug, thiserror::Error)]
pub enum AuditError {
    /// Invalid rubric or checks.
    #[error(transparent)]
    Config(#[from] YamlError),
    /// The out folder could not be prepared.
    #[error("cannot prepare {path}: {source}")]
    OutDir {
        /// The folder.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
    /// The evidence store failed.
    #[error(transparent)]
    Store(#[from] crate::store::StoreError),
    /// The crawler could not start.
    #[error(transparent)]
    Crawl(#[from] crawl::CrawlError),
    /// Reports could not be written.
    #[error(transparent)]
    Report(#[from] report::ReportError),
    /// The 评分表 spreadsheet could not be written.
    #[error(transparent)]
    Xlsx(#[from] crate::xlsx::XlsxError),
    /// No unit's entry page could be fetched: nothing to judge.
    #[error("no unit's entry page could be fetched; nothing was audited")]
    NothingReachable,
}

/// The China Standard Time offset (no daylight saving).
pub fn beijing() -> FixedOffset {
    FixedOffset::east_opt(8 * 3600).expect("valid offset")
}

/// Today's date in Asia/Shanghai, the default `--as-of`.
pub fn today_in_beijing() -> NaiveDate {
    Utc::now().with_timezone(&beijing()).date_naive()
}

/// Loads the rubric and the checks of a checks directory.
pub fn load_checks(dir: &Path) -> Result<(Rubric, CheckSet), YamlError> {
    let rubric = Rubric::load(&dir.join("rubric.yaml"))?;
    let checks = CheckSet::load_dir(dir)?;
    Ok((rubric, checks))
}

/// Runs the whole audit.
pub async fn run(config: &UnitsConfig, options: &AuditOptions) -> Result<AuditOutcome, AuditError> {
    let report = assemble(config, options).await?;
    finish(report, &options.out_dir)
}

/// Crawls, checks and scores every unit: the report, not yet written (callers may add extensions,
/// e.g. [`crate::ops`]'s trend, to-do list and manual scores, before [`finish`]).
pub async fn assemble(config: &UnitsConfig, options: &AuditOptions) -> Result<AuditReport, AuditError> {
    assemble_with(config, options, None).await
}

/// [`assemble`], with each unit's past from the history database (unit id → past), which the
/// `rectification` checks compare with this run; without it they leave 整改 to a person.
pub async fn assemble_with(
    config: &UnitsConfig,
    options: &AuditOptions,
    pasts: Option<&std::collections::HashMap<String, crate::history::UnitPast>>,
) -> Result<AuditReport, AuditError> {
    let (rubric, checks) = load_checks(&options.checks_dir)?;
    let out = &options.out_dir;
    std::fs::create_dir_all(out).map_err(|source| AuditError::OutDir { path: out.clone(), source })?;
    let store_path = out.join("evidence.sqlite");
    // A store whose audit was killed is continued, not rotated away: what it holds is reused.
    let resume = store_path.exists() && !Store::open(&store_path)?.interrupted_runs()?.is_empty();
    if !resume {
        rotate_previous_store(&store_path)
            .map_err(|source| AuditError::OutDir { path: store_path.clone(), source })?;
    }
    let prev_path = store_path.with_extension("prev.sqlite");
    let prior = if prev_path.exists() { Some(Arc::new(Store::open(&prev_path)?)) } else { None };
    let store = Arc::new(Store::open(&store_path)?);
    // The audit's own run row stays unfinished until every crawl of it is done, so a kill between
    // two crawls is still seen as an interruption.
    let audit_run = store.start_run(crawl::fetch::now_cst())?;
    if resume {
        tracing::info!("resuming the interrupted audit in {}", store_path.display());
        store.mark_resumed(audit_run)?;
    }
    // Always `resume`: in a fresh store nothing is found, and a resumed audit then takes exactly the
    // path an uninterrupted one took (the search probes reuse robots.txt in both).
    let reuse = crawl::fetch::Reuse { prior, resume: true };

    let started = std::time::Instant::now();
    let targets =
        config.units.iter().map(|u| CrawlTarget { unit_id: u.id.clone(), roots: u.roots.clone() }).collect();
    let crawl_options = CrawlOptions { allow_private: options.allow_private };
    let stats =
        crawl::crawl_reusing(targets, &config.settings, &crawl_options, &[], reuse.clone(), store.clone())
            .await?;
    // The search-function check needs one search submitted per unit: a second, one-page crawl of the
    // search addresses (robots.txt and the address guard apply as to any page).
    let probes = search_probes(config, &store)?;
    if !probes.is_empty() {
        let settings = crate::config::Settings { max_depth: 0, ..config.settings.clone() };
        crawl::crawl_reusing(probes, &settings, &crawl_options, &[], reuse, store.clone()).await?;
    }
    store.finish_run(audit_run, crawl::fetch::now_cst())?;
    tracing::info!(seconds = started.elapsed().as_secs_f64(), "crawl finished");
    // Attachments unchanged since the previous run keep the text read then.
    if prev_path.exists() {
        let adopted = store.adopt_attachment_texts(&prev_path)?;
        tracing::info!(adopted, "attachment texts kept from the previous run");
    }

    // Units are judged on every core, a unit at a time per core: one unit's site model is in memory
    // per worker, whatever the number of units.
    let jobs: Vec<(&Unit, &crawl::UnitCrawlStats)> = config.units.iter().zip(&stats).collect();
    let workers = std::thread::available_parallelism().map_or(1, |n| n.get()).clamp(1, jobs.len().max(1));
    let next = AtomicUsize::new(0);
    let empty = crate::history::UnitPast::default();
    let judged: Vec<(usize, Judged)> = std::thread::scope(|scope| {
        let workers: Vec<_> = (0..workers)
            .map(|_| {
                scope.spawn(|| {
                    let mut out = Vec::new();
                    loop {
                        let i = next.fetch_add(1, Ordering::Relaxed);
                        let Some((unit, stat)) = jobs.get(i) else { break };
                        let past = pasts.map(|m| m.get(&unit.id).unwrap_or(&empty));
                        out.push((i, judge_unit(unit, stat, past, &store, &rubric, &checks, options.as_of)));
                    }
                    out
                })
            })
            .collect();
        workers.into_iter().flat_map(|w| w.join().expect("a unit's checks panicked")).collect()
    });
    tracing::info!(seconds = started.elapsed().as_secs_f64(), units = jobs.len(), workers, "units judged");
    let mut judged: Vec<Option<(report::UnitReport, bool)>> = {
        let mut slots: Vec<Option<(report::UnitReport, bool)>> = (0..jobs.len()).map(|_| None).collect();
        for (i, r) in judged {
            slots[i] = Some(r?);
        }
        slots
    };
    let mut units = Vec::with_capacity(config.units.len());
    let mut any_root_reached = false;
    for slot in judged.iter_mut() {
        let (unit_report, reached) = slot.take().expect("every unit judged");
        any_root_reached |= reached;
        units.push(unit_report);
    }
    if !any_root_reached {
        // Nothing was audited: the previous run's store goes back in place (report.json still cites it),
        // so that a run of failed nights cannot rotate the last good evidence away.
        drop(store);
        restore_previous_store(&store_path)
            .map_err(|source| AuditError::OutDir { path: store_path.clone(), source })?;
        return Err(AuditError::NothingReachable);
    }
    let mut report = AuditReport::new(options.as_of.format("%Y-%m-%d").to_string(), units);
    report.notes = rubric.warnings();
    Ok(report)
}

/// One unit's report, and whether any of its roots was fetched.
type Judged = Result<(report::UnitReport, bool), crate::store::StoreError>;

/// Builds one unit's site model from the store, runs every check on it and scores it; also says
/// whether any of the unit's roots was fetched.
fn judge_unit(
    unit: &Unit,
    stat: &crawl::UnitCrawlStats,
    past: Option<&crate::history::UnitPast>,
    store: &Store,
    rubric: &Rubric,
    checks: &CheckSet,
    as_of: NaiveDate,
) -> Judged {
    let mut records = store.records_for_site(&unit.id)?;
    // Breadth-first by (depth, URL), not by the order responses happened to arrive: concurrent
    // fetches, 304s, pages reused without a request and resumed runs all store in different
    // orders, and the report must not depend on it. Records of one URL keep their order.
    records.sort_by(|a, b| (a.depth, &a.url, a.id).cmp(&(b.depth, &b.url, b.id)));
    let mut texts = crate::site::AttachmentTexts::known(store.unit_attachment_texts(&unit.id)?);
    let kept = store.unit_facts(&unit.id)?;
    let site = UnitSite::build_with_facts(unit, records, kept, store.unit_chromes(&unit.id)?, &mut texts);
    for (sha256, text) in &texts.read {
        store.put_attachment_text(sha256, text)?;
    }
    let reached = unit.roots.iter().any(|r| site.page(r.as_str()).is_some_and(|p| p.record.is_ok()));
    let ctx = Context { site: &site, as_of };
    let results = checks.run_with(&ctx, past);
    let scored = score::score_unit(rubric, unit.kind, &results);
    let crawl = crawl_summary(stat);
    let tree = report::ColumnNode::tree(&site, as_of);
    let mut unit_report = report::UnitReport::new(unit, crawl, scored).with_columns(tree);
    unit_report.annual_reports = crate::checks::annual_report_index::year_table(checks, &ctx);
    unit_report.script_pages = site.script_pages.clone();
    Ok((unit_report, reached))
}

/// Writes the reports of an assembled audit into `out` and prepares the one-screen summary.
pub fn finish(report: AuditReport, out: &Path) -> Result<AuditOutcome, AuditError> {
    let mut written = report::write_reports(out, &report)?;
    written.push(crate::xlsx::write(out, &report)?);
    let mut summary = report::summary_text(&report, out);
    summary.push_str(&traffic_line(&report));
    summary.push_str(&format!("评分表已写入 {}。\n", out.join(crate::xlsx::FILE_NAME).display()));
    Ok(AuditOutcome { report, written, summary })
}

/// One search per unit whose entry page has a search form: the form submitted with a title the crawl saw
/// (`search_function::plan`, which the check repeats over the same pages to find the answer).
fn search_probes(config: &UnitsConfig, store: &Store) -> Result<Vec<CrawlTarget>, AuditError> {
    use crate::extract::PageFacts;
    use crate::site::canonical_url;
    let mut out = Vec::new();
    for unit in &config.units {
        let pages = store.unit_pages(&unit.id)?;
        let facts_of = |url: &str| -> Option<PageFacts> {
            let wanted = canonical_url(url);
            let r = pages.iter().find(|r| {
                r.url == url
                    || r.final_url == url
                    || canonical_url(&r.url) == wanted
                    || canonical_url(&r.final_url) == wanted
            })?;
            let body = store.body(r.id).ok()??;
            let text = crate::crawl::decode::decode(&body, r.content_type.as_deref()).text;
            let base = url::Url::parse(&r.final_url).or_else(|_| url::Url::parse(&r.url)).ok()?;
            Some(crate::extract::extract_page(&base, &text))
        };
        let roots: Vec<PageFacts> = unit.roots.iter().filter_map(|r| facts_of(r.as_str())).collect();
        let refs: Vec<&PageFacts> = roots.iter().collect();
        if let Some(p) = crate::checks::search_function::plan(&refs, &facts_of) {
            out.push(CrawlTarget { unit_id: unit.id.clone(), roots: vec![p.url] });
        }
    }
    Ok(out)
}

/// The crawl figures of report.json: the contract's `pages` and `errors`, and the rest as extras.
fn crawl_summary(stat: &crawl::UnitCrawlStats) -> report::CrawlSummary {
    let mut extra = serde_json::Map::new();
    extra.insert("requests".into(), stat.requests.into());
    extra.insert("robots_disallowed".into(), stat.robots_disallowed.into());
    extra.insert("truncated".into(), stat.truncated.into());
    extra.insert("downloads".into(), stat.downloads.into());
    extra.insert("bytes".into(), stat.bytes.into());
    extra.insert("not_modified".into(), stat.not_modified.into());
    extra.insert("reused".into(), stat.reused.into());
    extra.insert("resumed".into(), stat.resumed.into());
    extra.insert("sitemap_urls".into(), stat.sitemap_urls.into());
    extra.insert(
        "limits_hit".into(),
        serde_json::to_value(&stat.limits_hit)
            .unwrap_or_else(|_| serde_json::Value::Object(Default::default())),
    );
    extra.insert("notes".into(), serde_json::to_value(&stat.notes).unwrap_or_default());
    extra.insert("unreachable_hosts".into(), stat.unreachable_hosts.clone().into());
    report::CrawlSummary { pages: stat.pages as u64, errors: stat.errors as u64, extra }
}

/// One line of the printed summary: what the crawl cost, over all units.
fn traffic_line(report: &AuditReport) -> String {
    let sum = |key: &str| -> u64 {
        report.units.iter().filter_map(|u| u.crawl.extra.get(key).and_then(serde_json::Value::as_u64)).sum()
    };
    let limits: u64 = report
        .units
        .iter()
        .filter_map(|u| u.crawl.extra.get("limits_hit").and_then(serde_json::Value::as_object))
        .flat_map(|m| m.values().filter_map(serde_json::Value::as_u64))
        .sum();
    let limits = if limits > 0 {
        format!("触及抓取限制 {limits} 次（详见报告“抓取概况”）。")
    } else {
        String::new()
    };
    format!(
        "抓取：请求 {} 次，完整下载 {} 个（{} 字节），304 未修改 {} 个，沿用上次内容 {} 个，续跑接管 {} 个。{limits}\n",
        sum("requests"),
        sum("downloads"),
        sum("bytes"),
        sum("not_modified"),
        sum("reused"),
        sum("resumed")
    )
}

/// Keeps the previous run's evidence store as `evidence.prev.sqlite` instead of overwriting it.
fn rotate_previous_store(path: &Path) -> std::io::Result<()> {
    if path.exists() {
        let prev = path.with_extension("prev.sqlite");
        // The -wal file may hold committed transactions of a run that was killed: move it with the
        // database, never delete it.
        for suffix in ["", "-wal", "-shm"] {
            let from = PathBuf::from(format!("{}{suffix}", path.display()));
            let to = PathBuf::from(format!("{}{suffix}", prev.display()));
            if from.exists() {
                std::fs::rename(from, to)?;
            } else if to.exists() {
                std::fs::remove_file(to)?;
            }
        }
    }
    Ok(())
}

/// Undoes [`rotate_previous_store`] after a run that audited nothing: its store becomes
/// `evidence.failed.sqlite` (the refusals and errors stay readable) and the previous one is put back.
fn restore_previous_store(path: &Path) -> std::io::Result<()> {
    let prev = path.with_extension("prev.sqlite");
    if !prev.exists() {
        return Ok(());
    }
    let failed = path.with_extension("failed.sqlite");
    for (from, to) in [(path, failed.as_path()), (prev.as_path(), path)] {
        for suffix in ["", "-wal", "-shm"] {
            let from = PathBuf::from(format!("{}{suffix}", from.display()));
            let to = PathBuf::from(format!("{}{suffix}", to.display()));
            if from.exists() {
                std::fs::rename(from, to)?;
            } else if to.exists() {
                std::fs::remove_file(to)?;
            }
        }
    }
    Ok(())
}

/// Validates a checks directory: the rubric, the declarations, and that every check names rubric items
/// that exist. Returns the warnings (e.g. the document's declared totals that differ from its items).
pub fn validate_checks(dir: &Path) -> Result<Vec<String>, YamlError> {
    let (rubric, checks) = load_checks(dir)?;
    for (check, item) in checks.referenced_items() {
        if rubric.item(&item).is_none() {
            let (file, line) = checks.location(&check).map_or((dir, None), |(f, l)| (f, Some(l)));
            return Err(YamlError::at(
                file,
                line,
                format!("check `{check}` names unknown rubric item `{item}`"),
            ));
        }
    }
    Ok(rubric.warnings())
}
