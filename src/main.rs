//! Thin binary: parse the arguments, call the library, map the outcome to an exit code.

// mimalloc: the crawl allocates and frees many small strings and tree nodes per page; glibc malloc cost
// about a tenth of the CPU time of a crawl (docs/PERFORMANCE.md). Version 2: it returns freed memory after
// 10 ms, where version 3 waits a second and peaks about 15 % higher on a crawl.
#[global_allocator]
static ALLOC: mimalloc::MiMalloc = mimalloc::MiMalloc;

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::Parser;
use zwgk_audit::audit::{self, AuditError, AuditOptions};
use zwgk_audit::cli::{Cli, Command};
use zwgk_audit::config::UnitsConfig;
use zwgk_audit::demo::DemoFixture;
use zwgk_audit::diff::RunDiff;
use zwgk_audit::history::History;
use zwgk_audit::ops::{self, OpsError, OpsOptions};

/// Exit codes of CONTRACT.md.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
enum Exit {
    /// The audit completed, whatever the scores.
    Ok = 0,
    /// The audit could not run (bad config, nothing reachable).
    Failed = 1,
    /// Invalid usage or invalid YAML (or an invalid manual scores file).
    Invalid = 2,
    /// Nightly mode: the audit completed and some unit lost points or gained a new `fail` since the
    /// previous run.
    Regressed = 3,
}

fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("ZWGK_LOG")
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn")),
        )
        .with_writer(std::io::stderr)
        .init();
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            let _ = e.print();
            return ExitCode::from(if e.use_stderr() { Exit::Invalid as u8 } else { Exit::Ok as u8 });
        }
    };
    // The crawl's progress on stderr: redrawn in place on a terminal, plain lines otherwise;
    // ZWGK_PROGRESS=0 turns it off.
    if std::env::var_os("ZWGK_PROGRESS").is_none_or(|v| v != "0") {
        zwgk_audit::crawl::progress::set_mode(zwgk_audit::crawl::progress::Mode::Auto);
    }
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().expect("tokio runtime");
    let code = runtime.block_on(run(cli.command));
    ExitCode::from(code as u8)
}

async fn run(command: Command) -> Exit {
    match command {
        Command::Inspect { file_or_url, base_url } => inspect(&file_or_url, base_url.as_deref()).await,
        Command::Audit { units, checks, out, as_of, allow_private, shard, history, manual, nightly } => {
            let config = match UnitsConfig::load(&units) {
                Ok(c) => c,
                Err(e) => return invalid(&e),
            };
            let as_of = match as_of.as_deref().map(parse_as_of).transpose() {
                Ok(d) => d.unwrap_or_else(audit::today_in_beijing),
                Err(e) => return invalid(&e),
            };
            let options = AuditOptions { checks_dir: checks_dir(checks), out_dir: out, as_of, allow_private };
            let ops_options = OpsOptions { history, manual, nightly };
            match shard.as_deref().map(zwgk_audit::shard::ShardSpec::parse).transpose() {
                Ok(Some(spec)) => audit_shard(config, &options, &ops_options, spec).await,
                Ok(None) => run_audit(&config, &options, &ops_options).await,
                Err(e) => invalid(&e),
            }
        }
        Command::Demo { out } => demo(out).await,
        Command::History { history, out, units } => history_list(history, &out, units.as_deref()),
        Command::Diff { run_a, run_b, history, out, units } => {
            diff(run_a, run_b, history, &out, units.as_deref())
        }
        Command::Score { report, manual, out } => match ops::rescore(&report, &manual, out.as_deref()) {
            Ok((_, _, summary)) => {
                println!("{summary}");
                Exit::Ok
            }
            Err(OpsError::Manual(e)) => invalid(&e),
            Err(e) => {
                eprintln!("error: {e}");
                Exit::Failed
            }
        },
        Command::CheckConfig { units, checks } => check_config(units.as_deref(), &checks_dir(checks)),
        Command::Pack { unit, out, dest } => pack(&out, &unit, dest.as_deref()),
        Command::Verify { pack } => verify(&pack),
        Command::Merge { shards, out } => merge(&shards, &out),
    }
}

fn invalid(e: &dyn std::fmt::Display) -> Exit {
    eprintln!("error: {e}");
    Exit::Invalid
}

fn parse_as_of(s: &str) -> Result<chrono::NaiveDate, String> {
    chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .map_err(|_| format!("--as-of `{s}` is not a YYYY-MM-DD date"))
}

/// `--checks`, else `checks/` in the current directory, else the source tree's `checks/`.
fn checks_dir(given: Option<PathBuf>) -> PathBuf {
    given.unwrap_or_else(|| {
        let local = PathBuf::from("checks");
        if local.join("rubric.yaml").is_file() {
            local
        } else {
            Path::new(env!("CARGO_MANIFEST_DIR")).join("checks")
        }
    })
}

async fn run_audit(config: &UnitsConfig, options: &AuditOptions, ops_options: &OpsOptions) -> Exit {
    match ops::run(config, options, ops_options).await {
        Ok(outcome) => {
            println!("{}", outcome.summary);
            if ops_options.nightly && outcome.regressed() { Exit::Regressed } else { Exit::Ok }
        }
        Err(OpsError::Audit(AuditError::Config(e))) => invalid(&e),
        Err(OpsError::Manual(e)) => invalid(&e),
        Err(e) => {
            eprintln!("error: {e}");
            Exit::Failed
        }
    }
}

/// `audit --shard K/N`: the units of shard K go through the usual audit; shard.json is written beside the
/// report so that `merge` can check the set of shards. A shard that received no unit writes an empty report.
async fn audit_shard(
    mut config: UnitsConfig,
    options: &AuditOptions,
    ops_options: &OpsOptions,
    spec: zwgk_audit::shard::ShardSpec,
) -> Exit {
    let file = zwgk_audit::shard::select(&mut config, spec);
    let exit = if config.units.is_empty() {
        match zwgk_audit::shard::write_empty(&options.out_dir, options.as_of, spec) {
            Ok(summary) => {
                println!("{summary}");
                Exit::Ok
            }
            Err(e) => {
                eprintln!("error: {e}");
                return Exit::Failed;
            }
        }
    } else {
        println!("分片 {}/{}：本分片测评 {} 个单位。", spec.index, spec.count, config.units.len());
        run_audit(&config, options, ops_options).await
    };
    if matches!(exit, Exit::Ok | Exit::Regressed)
        && let Err(e) = zwgk_audit::shard::write_shard_file(&options.out_dir, &file)
    {
        eprintln!("error: {e}");
        return Exit::Failed;
    }
    exit
}

async fn demo(out: PathBuf) -> Exit {
    let fixture = match DemoFixture::locate() {
        Ok(f) => f,
        Err(e) => {
            eprintln!("error: {e}");
            return Exit::Failed;
        }
    };
    let server = match fixture.serve().await {
        Ok(s) => s,
        Err(e) => {
            eprintln!("error: cannot start the demo server: {e}");
            return Exit::Failed;
        }
    };
    let units_path = fixture.dir.join("units.yaml");
    let config = match fixture
        .units_yaml(server.addr.port())
        .map_err(|e| e.to_string())
        .and_then(|text| UnitsConfig::parse(&units_path, &text).map_err(|e| e.to_string()))
    {
        Ok(c) => c,
        Err(e) => return invalid(&e),
    };
    eprintln!("演示站点：{}（审计日期 {}）", server.base_url(), fixture.as_of);
    let options = AuditOptions {
        checks_dir: checks_dir(None),
        out_dir: out,
        as_of: fixture.as_of,
        allow_private: true,
    };
    // The site's earlier state is audited first, so that the history holds a run to compare with (整改).
    if let Some(earlier) = &fixture.earlier {
        eprintln!("先测评演示站点的较早状态（审计日期 {}），记入历史记录，供整改对比。", earlier.as_of);
        server.set_overlay(Some(earlier.overlay.clone()));
        // Its reports and evidence go to a folder of their own, so that the present run fetches every
        // page afresh instead of reusing the earlier pages; the history is the present run's.
        let first = AuditOptions {
            as_of: earlier.as_of,
            out_dir: options.out_dir.join("earlier"),
            ..options.clone()
        };
        let history = Some(ops::history_path(None, Some(&config), &options.out_dir));
        if let Err(e) = ops::run(&config, &first, &OpsOptions { history, ..OpsOptions::default() }).await {
            eprintln!("error: {e}");
            return Exit::Failed;
        }
        server.set_overlay(None);
        eprintln!("再测评演示站点的当前状态（审计日期 {}）。", fixture.as_of);
    }
    run_audit(&config, &options, &OpsOptions::default()).await
}

/// The history database named by `--history`, else by the units file's settings, else in `out`.
fn open_history(flag: Option<PathBuf>, out: &Path, units: Option<&Path>) -> Result<History, Exit> {
    let config = match units.map(UnitsConfig::load).transpose() {
        Ok(c) => c,
        Err(e) => return Err(invalid(&e)),
    };
    let path = ops::history_path(flag.as_deref(), config.as_ref(), out);
    if !path.is_file() {
        eprintln!("error: no history database at {}", path.display());
        return Err(Exit::Failed);
    }
    History::open(&path).map_err(|e| {
        eprintln!("error: {e}");
        Exit::Failed
    })
}

fn history_list(flag: Option<PathBuf>, out: &Path, units: Option<&Path>) -> Exit {
    let history = match open_history(flag, out, units) {
        Ok(h) => h,
        Err(code) => return code,
    };
    match zwgk_audit::history::render_runs(&history) {
        Ok(text) => {
            print!("{text}");
            Exit::Ok
        }
        Err(e) => {
            eprintln!("error: {e}");
            Exit::Failed
        }
    }
}

fn diff(
    run_a: Option<i64>,
    run_b: Option<i64>,
    flag: Option<PathBuf>,
    out: &Path,
    units: Option<&Path>,
) -> Exit {
    let history = match open_history(flag, out, units) {
        Ok(h) => h,
        Err(code) => return code,
    };
    let pair = match (run_a, run_b) {
        (Some(a), Some(b)) => Ok((a, b)),
        // One run given: compare it with the run before it.
        (Some(b), None) => history.previous_run(Some(b)).map(|a| (a.unwrap_or(b), b)),
        _ => history.last_two(),
    };
    let result = pair.and_then(|(a, b)| Ok(RunDiff::between(&history.load(a)?, &history.load(b)?)));
    match result {
        Ok(d) => {
            print!("{}", d.render_zh());
            Exit::Ok
        }
        Err(e) => {
            eprintln!("error: {e}");
            Exit::Failed
        }
    }
}

fn check_config(units: Option<&Path>, checks: &Path) -> Exit {
    if let Some(units) = units
        && let Err(e) = UnitsConfig::load(units)
    {
        return invalid(&e);
    }
    match zwgk_audit::audit::validate_checks(checks) {
        Ok(warnings) => {
            for w in &warnings {
                eprintln!("warning: {w}");
            }
            println!("配置有效：{}", checks.display());
            Exit::Ok
        }
        Err(e) => invalid(&e),
    }
}

async fn inspect(file_or_url: &str, base_url: Option<&str>) -> Exit {
    let facts = if file_or_url.starts_with("http://") || file_or_url.starts_with("https://") {
        zwgk_audit::inspect::inspect_url(file_or_url).await
    } else {
        zwgk_audit::inspect::inspect_file(Path::new(file_or_url), base_url)
    };
    match facts {
        Ok(f) => {
            println!("{}", serde_json::to_string_pretty(&f).expect("facts serialise"));
            Exit::Ok
        }
        Err(e) => {
            eprintln!("error: {e}");
            Exit::Failed
        }
    }
}

fn pack(out: &Path, units: &[String], dest: Option<&Path>) -> Exit {
    let ids: Vec<String> = if units.is_empty() {
        match zwgk_audit::pack::read_report(out) {
            Ok(r) => r.units.into_iter().map(|u| u.id).collect(),
            Err(e) => {
                eprintln!("error: {e}");
                return Exit::Failed;
            }
        }
    } else {
        units.to_vec()
    };
    let dest = dest.unwrap_or(out);
    for id in ids {
        let path = dest.join(zwgk_audit::pack::pack_file_name(&id));
        match zwgk_audit::pack::pack_unit(out, &id, &path) {
            Ok(s) => {
                println!("已生成证据包 {}：收录被引用网页 {} 个", s.path.display(), s.responses);
                if s.missing > 0 {
                    eprintln!(
                        "warning: {id}：有 {} 个被引用网页在证据库中找不到，已列入 manifest.json 的 missing",
                        s.missing
                    );
                }
            }
            Err(e @ zwgk_audit::pack::PackError::UnknownUnit { .. }) => return invalid(&e),
            Err(e) => {
                eprintln!("error: {e}");
                return Exit::Failed;
            }
        }
    }
    Exit::Ok
}

fn verify(pack: &Path) -> Exit {
    let v = zwgk_audit::pack::verify(pack);
    if v.ok() {
        println!(
            "校验通过：{}（{} 条 WARC 记录，{} 条证据，共核对校验值 {} 处，均一致）",
            pack.display(),
            v.records,
            v.evidence,
            v.checked
        );
        Exit::Ok
    } else {
        eprintln!("校验未通过：{}，发现 {} 处不一致：", pack.display(), v.problems.len());
        for p in &v.problems {
            eprintln!("  {p}");
        }
        Exit::Failed
    }
}

fn merge(shards: &[PathBuf], out: &Path) -> Exit {
    match zwgk_audit::shard::merge(shards, out) {
        Ok(m) => {
            println!(
                "已合并 {} 个输出目录，共 {} 个单位、{} 条抓取记录，写入 {}",
                shards.len(),
                m.report.units.len(),
                m.responses,
                out.display()
            );
            Exit::Ok
        }
        Err(zwgk_audit::shard::MergeError::Mismatch(msg)) => invalid(&msg),
        Err(e) => {
            eprintln!("error: {e}");
            Exit::Failed
        }
    }
}
