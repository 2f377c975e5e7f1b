//! The binary's contract: exit codes and errors that name file and line.

mod common;

use std::path::Path;
use std::process::Command;

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_zwgk-audit"))
}

/// Copies the shipped checks directory so a test can add a broken file to it.
fn copy_checks(to: &Path) {
    for entry in std::fs::read_dir(common::repo().join("checks")).unwrap() {
        let entry = entry.unwrap();
        if entry.path().extension().is_some_and(|e| e == "yaml") {
            std::fs::copy(entry.path(), to.join(entry.file_name())).unwrap();
        }
    }
}

#[test]
fn shipped_config_is_valid_and_warns_about_the_declared_totals() {
    let out = bin().args(["check-config", "--checks"]).arg(common::repo().join("checks")).output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    // 附件1 declares 共性指标 70分 while its items add up to 60: kept as printed, and warned about.
    assert!(stderr.contains("70") && stderr.contains("60"), "{stderr}");
}

#[test]
fn unknown_check_kind_names_file_and_line_and_exits_2() {
    let dir = tempfile::tempdir().unwrap();
    copy_checks(dir.path());
    std::fs::write(
        dir.path().join("zz-broken.yaml"),
        "checks:\n  - id: speling\n    items: [common-13]\n    kind: column-presnet\n    params:\n      columns:\n        - name: 政府信息公开指南\n",
    )
    .unwrap();
    let out = bin().args(["check-config", "--checks"]).arg(dir.path()).output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("zz-broken.yaml:4") || stderr.contains("zz-broken.yaml:5"), "{stderr}");
    assert!(stderr.contains("column-presnet"), "{stderr}");
}

#[test]
fn check_naming_an_unknown_rubric_item_is_rejected() {
    let dir = tempfile::tempdir().unwrap();
    copy_checks(dir.path());
    std::fs::write(
        dir.path().join("zz-item.yaml"),
        "checks:\n  - id: orphan\n    items: [common-99]\n    kind: column-present\n    params:\n      columns:\n        - name: 政府信息公开指南\n",
    )
    .unwrap();
    let out = bin().args(["check-config", "--checks"]).arg(dir.path()).output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("common-99") && stderr.contains("zz-item.yaml"), "{stderr}");
}

#[test]
fn invalid_units_file_exits_2_naming_the_line() {
    let dir = tempfile::tempdir().unwrap();
    let units = dir.path().join("units.yaml");
    std::fs::write(
        &units,
        "units:\n  - id: Bad_Id\n    name: 某街道\n    kind: street\n    roots: [\"http://x.gov.cn/\"]\n",
    )
    .unwrap();
    let out = bin().args(["audit", "--units"]).arg(&units).output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("units.yaml:2"), "{stderr}");
}

#[test]
fn bad_as_of_is_invalid_usage() {
    let dir = tempfile::tempdir().unwrap();
    let units = dir.path().join("units.yaml");
    std::fs::write(
        &units,
        "units:\n  - id: a\n    name: 某街道\n    kind: street\n    roots: [\"http://x.gov.cn/\"]\n",
    )
    .unwrap();
    let out = bin().args(["audit", "--as-of", "2025-13-01", "--units"]).arg(&units).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn unreachable_units_exit_1_without_accusing_anyone() {
    // A port nobody listens on: the audit cannot judge anything, so it must not produce a report of fails.
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let dir = tempfile::tempdir().unwrap();
    let units = dir.path().join("units.yaml");
    std::fs::write(
        &units,
        format!(
            "settings:\n  max_retries: 0\n  request_timeout_secs: 2\nunits:\n  - id: a\n    name: 某街道\n    kind: street\n    roots: [\"http://127.0.0.1:{port}/xxgk/\"]\n"
        ),
    )
    .unwrap();
    let out_dir = dir.path().join("out");
    let out = bin()
        .args(["audit", "--allow-private", "--as-of", "2025-03-20", "--units"])
        .arg(&units)
        .arg("--out")
        .arg(&out_dir)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "{}", String::from_utf8_lossy(&out.stderr));
}
