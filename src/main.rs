//! Thin binary: parse the arguments, call the library, map the outcome to an exit code.

use std::process::ExitCode;

use clap::Parser;
use zwgk_audit::cli::{Cli, Command};

/// Exit codes of CONTRACT.md.
#[repr(u8)]
enum Exit {
    /// The audit completed, whatever the scores.
    Ok = 0,
    /// The audit could not run (bad config, nothing reachable).
    Failed = 1,
    /// Invalid usage or invalid YAML.
    Invalid = 2,
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
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().expect("tokio runtime");
    let code = runtime.block_on(run(cli.command));
    ExitCode::from(code as u8)
}

async fn run(command: Command) -> Exit {
    match command {
        Command::Inspect { file_or_url, base_url } => {
            let facts = if file_or_url.starts_with("http://") || file_or_url.starts_with("https://") {
                zwgk_audit::inspect::inspect_url(&file_or_url).await
            } else {
                zwgk_audit::inspect::inspect_file(std::path::Path::new(&file_or_url), base_url.as_deref())
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
        _ => {
            eprintln!("error: not implemented yet");
            Exit::Failed
        }
    }
}
