//! Hostile YAML: alias bombs ("billion laughs"), deep nesting and oversized files in the units file, the
//! rubric and the check declarations. Each must end in a clear error naming the file, exit 2, quickly and
//! without eating memory; never a hang.

mod common;

use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

/// Runs the binary with a wall-clock bound: a hang is a failure, not a stuck test suite.
fn run_bounded(args: &[&std::ffi::OsStr]) -> (Output, Duration) {
    let started = Instant::now();
    let mut child = Command::new(env!("CARGO_BIN_EXE_zwgk-audit"))
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start zwgk-audit");
    loop {
        if child.try_wait().unwrap().is_some() {
            return (child.wait_with_output().unwrap(), started.elapsed());
        }
        if started.elapsed() > Duration::from_secs(20) {
            let _ = child.kill();
            panic!("zwgk-audit did not finish within 20 s on {args:?}");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// A "billion laughs" document: nine levels, each a list of ten aliases of the level below, all inside
/// the file's top-level key so that no "unknown field" error can stop it before the aliases are seen.
fn billion_laughs(key: &str) -> String {
    let mut s = format!("{key}:\n  - &a0 [\"lol\"]\n");
    for i in 1..=9 {
        let refs: Vec<String> = (0..10).map(|_| format!("*a{}", i - 1)).collect();
        s.push_str(&format!("  - &a{i} [{}]\n", refs.join(", ")));
    }
    s.push_str("  - *a9\n");
    s
}

/// Block-style nesting `depth` levels deep.
fn deep_block(key: &str, depth: usize) -> String {
    let mut s = format!("{key}:\n");
    for i in 0..depth {
        s.push_str(&" ".repeat(2 * (i + 1)));
        s.push_str("- \n");
    }
    s
}

/// Flow-style nesting `depth` levels deep.
fn deep_flow(key: &str, depth: usize) -> String {
    format!("{key}: {}{}\n", "[".repeat(depth), "]".repeat(depth))
}

fn copy_checks(to: &Path) {
    for entry in std::fs::read_dir(common::repo().join("checks")).unwrap() {
        let entry = entry.unwrap();
        if entry.path().extension().is_some_and(|e| e == "yaml") {
            std::fs::copy(entry.path(), to.join(entry.file_name())).unwrap();
        }
    }
}

/// Asserts a clear, bounded refusal of `file`.
fn assert_refused(out: &Output, took: Duration, file: &str) {
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains(file), "the error must name {file}: {stderr}");
    assert!(stderr.len() < 4_000, "the error is short: {} bytes", stderr.len());
    assert!(took < Duration::from_secs(10), "refusal took {took:?}");
}

fn hostile_inputs(key: &str) -> Vec<(&'static str, String)> {
    vec![
        ("billion-laughs", billion_laughs(key)),
        ("deep-block", deep_block(key, 1_000)),
        ("deep-flow", deep_flow(key, 200_000)),
        // Many documents, and an oversized file of harmless comment lines (64 MiB).
        ("doc-storm", "---\n".repeat(200_000)),
        (
            "huge",
            format!(
                "{}{key}: []\n",
                "# padding padding padding padding padding padding padding\n".repeat(1_200_000)
            ),
        ),
    ]
}

#[test]
fn hostile_units_files_are_refused_naming_the_file() {
    let dir = tempfile::tempdir().unwrap();
    for (name, text) in hostile_inputs("units") {
        let file = dir.path().join(format!("units-{name}.yaml"));
        std::fs::write(&file, text).unwrap();
        let (out, took) = run_bounded(&[
            "check-config".as_ref(),
            "--units".as_ref(),
            file.as_os_str(),
            "--checks".as_ref(),
            common::repo().join("checks").as_os_str(),
        ]);
        assert_refused(&out, took, &format!("units-{name}.yaml"));
    }
}

#[test]
fn hostile_rubric_and_check_files_are_refused_naming_the_file() {
    for (name, text) in hostile_inputs("checks") {
        // As a check declaration file next to the shipped ones.
        let dir = tempfile::tempdir().unwrap();
        copy_checks(dir.path());
        let file = format!("zz-{name}.yaml");
        std::fs::write(dir.path().join(&file), &text).unwrap();
        let (out, took) =
            run_bounded(&["check-config".as_ref(), "--checks".as_ref(), dir.path().as_os_str()]);
        assert_refused(&out, took, &file);

        // As the rubric itself.
        let dir = tempfile::tempdir().unwrap();
        copy_checks(dir.path());
        std::fs::write(dir.path().join("rubric.yaml"), text.replace("checks:", "items:")).unwrap();
        let (out, took) =
            run_bounded(&["check-config".as_ref(), "--checks".as_ref(), dir.path().as_os_str()]);
        assert_refused(&out, took, "rubric.yaml");
    }
}

#[test]
fn the_audit_command_refuses_a_bomb_before_touching_the_out_folder() {
    let dir = tempfile::tempdir().unwrap();
    let units = dir.path().join("units.yaml");
    std::fs::write(&units, billion_laughs("units")).unwrap();
    let out_dir = dir.path().join("out");
    std::fs::create_dir(&out_dir).unwrap();
    std::fs::write(out_dir.join("keep.txt"), "stored before").unwrap();
    let (out, took) = run_bounded(&[
        "audit".as_ref(),
        "--units".as_ref(),
        units.as_os_str(),
        "--out".as_ref(),
        out_dir.as_os_str(),
    ]);
    assert_refused(&out, took, "units.yaml");
    assert_eq!(std::fs::read_to_string(out_dir.join("keep.txt")).unwrap(), "stored before");
}
