//! Tests of declaration loading (exact lines) and of the engine's guarantees.

use std::path::Path;

use super::*;
use crate::checks::testkit::{SiteBuilder, d};

fn load(files: &[(&str, &str)]) -> Result<CheckSet, YamlError> {
    let dir = tempfile::tempdir().unwrap();
    for (name, text) in files {
        std::fs::write(dir.path().join(name), text).unwrap();
    }
    CheckSet::load_dir(dir.path())
}

const GOOD: &str = "checks:
  - id: standard-columns
    items: [common-13]
    kind: column-present
    params:
      columns:
        - name: 政府信息公开指南
          synonyms: [公开指南]
  - id: pii
    items: [common-17]
    kind: pii-leak
";

#[test]
fn loads_declarations_with_defaults() {
    let set = load(&[("a.yaml", GOOD), ("rubric.yaml", "not: [a, check, file")]).unwrap();
    assert_eq!(set.ids, ["standard-columns", "pii"]);
    assert_eq!(set.checks[0].line, 2);
    assert_eq!(set.checks[1].weight, 1.0);
    assert!(matches!(&set.checks[1].params, KindParams::PiiLeak(p) if p.ids && p.mobiles));
    assert_eq!(
        set.referenced_items(),
        [
            ("standard-columns".to_string(), "common-13".to_string()),
            ("pii".to_string(), "common-17".to_string())
        ]
    );
}

/// Each broken file and the exact line its error must name.
#[test]
fn errors_name_the_exact_line() {
    let cases: &[(&str, &str, usize, &str)] = &[
        (
            "unknown kind",
            "checks:\n  - id: a\n    items: [common-13]\n    kind: column-absent\n",
            4,
            "column-absent",
        ),
        (
            "unknown parameter",
            "checks:\n  - id: a\n    items: [common-13]\n    kind: column-fresh\n    params:\n      columns: [{name: 工作动态}]\n      max_age_days: 14\n      max_age: 3\n",
            8,
            "max_age",
        ),
        (
            "ill-typed parameter",
            "checks:\n  - id: a\n    items: [common-15]\n    kind: publish-lag\n    params:\n      max_working_days: twenty\n",
            6,
            "",
        ),
        (
            "missing required parameter",
            "checks:\n  - id: a\n    items: [common-13]\n    kind: column-present\n    params:\n      min_entries: 1\n",
            6,
            "columns",
        ),
        (
            "typo in a nested column",
            "checks:\n  - id: a\n    items: [common-13]\n    kind: column-present\n    params:\n      columns:\n        - name: 公开指南\n          synonym: [指南]\n",
            8,
            "synonym",
        ),
        (
            "unknown metadata field",
            "checks:\n  - id: a\n    items: [common-15]\n    kind: metadata-complete\n    params:\n      required: [index_no, author]\n",
            6,
            "author",
        ),
        (
            "unknown field",
            "checks:\n  - id: a\n    items: [common-13]\n    kind: pii-leak\n    wieght: 2\n",
            5,
            "wieght",
        ),
        (
            "params before kind",
            // Reported at the declaration: the parser cannot point at a key it has already passed.
            "checks:\n  - id: a\n    items: [common-13]\n    params: {}\n    kind: pii-leak\n",
            2,
            "kind",
        ),
        (
            "semantic validation",
            "checks:\n  - id: a\n    items: [common-13]\n    kind: column-present\n    params:\n      columns: []\n",
            2,
            "columns",
        ),
        ("no items", "checks:\n  - id: a\n    items: []\n    kind: pii-leak\n", 2, "no rubric items"),
        ("bad id", "checks:\n  - id: A_b\n    items: [common-17]\n    kind: pii-leak\n", 2, "A_b"),
        (
            "missing params of a kind that needs them",
            "checks:\n  - id: a\n    items: [common-25]\n    kind: interpretation-formats\n",
            2,
            "params",
        ),
    ];
    for (name, text, line, needle) in cases {
        let err = load(&[("x.yaml", text)]).expect_err(name);
        assert!(err.path.ends_with("x.yaml"), "{name}: {err}");
        assert_eq!(err.line, Some(*line), "{name}: {err}");
        assert!(err.message.contains(needle), "{name}: {err}");
    }
}

#[test]
fn duplicate_ids_across_files_name_the_second_line() {
    let second = "checks:\n  - id: other\n    items: [common-17]\n    kind: pii-leak\n  - id: pii\n    items: [common-17]\n    kind: pii-leak\n";
    let err = load(&[("a.yaml", GOOD), ("b.yaml", second)]).unwrap_err();
    assert!(err.path.ends_with("b.yaml"), "{err}");
    assert_eq!(err.line, Some(5));
    assert!(err.message.contains("duplicate") && err.message.contains("a.yaml:9"), "{err}");
}

#[test]
fn unreadable_root_makes_every_check_an_error() {
    let set = load(&[("a.yaml", GOOD)]).unwrap();
    let root = "http://gov.test/xxgk/";
    let site = SiteBuilder::new(root).failed(root, None, Some("connection reset")).build();
    let results = set.run(&Context { site: &site, as_of: d("2021-11-25") });
    assert_eq!(results.len(), 2);
    for r in results {
        assert_eq!(r.status, Status::Error, "{r:?}");
        assert_eq!(r.credit, None);
        assert!(r.findings[0].message.contains("connection reset"));
    }
}

#[test]
fn the_shipped_declarations_load() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("checks");
    let set = CheckSet::load_dir(&dir).unwrap_or_else(|e| panic!("{e}"));
    let kinds: std::collections::HashSet<CheckKind> = set.checks.iter().map(|c| c.kind).collect();
    for k in CheckKind::ALL {
        assert!(kinds.contains(&k), "kind {} is used by no shipped check", k.as_str());
    }
    for item in ["common-13", "common-14", "common-15", "common-17", "common-25", "common-27"] {
        assert!(set.referenced_items().iter().any(|(_, i)| i == item), "{item}");
    }
}

#[test]
fn absence_is_not_asserted_over_an_incomplete_crawl() {
    use crate::checks::testkit::{facts_doc, facts_nav};
    let set = load(&[("a.yaml", GOOD)]).unwrap();
    let root = "http://gov.test/xxgk/";
    let mut few = SiteBuilder::new(root).page(root, facts_nav(root, &[]));
    for n in 0..5 {
        let u = format!("http://gov.test/xxgk/{n}.html");
        few = few.page(&u, facts_doc(&u, "文件", ""));
    }
    let few = few.failed("http://gov.test/xxgk/x.html", None, Some("timeout")).build();
    let r = run_check(&set.checks[0], &Context { site: &few, as_of: d("2021-11-25") });
    assert_eq!(r.status, Status::Fail, "{r:?}");
    assert!(r.findings[0].message.contains("1个页面未能抓取"), "{r:?}");
    let many = SiteBuilder::new(root)
        .page(root, facts_nav(root, &[]))
        .failed("http://gov.test/xxgk/a.html", None, Some("timeout"))
        .failed("http://gov.test/xxgk/b.html", Some(503), None)
        .failed("http://gov.test/xxgk/c.html", Some(404), None)
        .build();
    assert_eq!(many.fetch_failures(), (2, 4), "a 404 is an answer");
    let r = run_check(&set.checks[0], &Context { site: &many, as_of: d("2021-11-25") });
    assert_eq!((r.status, r.credit), (Status::Error, None), "{r:?}");
    assert!(r.findings.iter().all(|f| f.status != Status::Fail));
}

#[test]
fn no_output_repeats_a_number_in_full() {
    use crate::checks::testkit::{facts_doc, facts_nav};
    let yaml = "checks:\n  - id: k\n    items: [common-05]\n    kind: keyword-documents\n    params:\n      groups:\n        - name: 主动公开\n          keywords: [主动公开]\n";
    let set = load(&[("k.yaml", yaml)]).unwrap();
    let root = "http://gov.test/xxgk/";
    let doc = "http://gov.test/xxgk/1.html";
    let site = SiteBuilder::new(root)
        .page(root, facts_nav(root, &[]))
        .page(doc, facts_doc(doc, "主动公开制度（联系人13812345678）", ""))
        .build();
    let r = run_check(&set.checks[0], &Context { site: &site, as_of: d("2021-11-25") });
    assert_eq!(r.status, Status::Pass);
    let shown = format!("{r:?}");
    assert!(!shown.contains("13812345678") && shown.contains("138****5678"), "{shown}");
}
