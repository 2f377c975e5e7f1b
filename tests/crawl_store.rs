//! The evidence store keeps every field of a record across a reopen, per unit and in order, and a
//! crawl leaves a finished run behind.

mod crawl_support;

use chrono::DateTime;
use crawl_support::{Reply, Server, fast_settings, temp_store};
use zwgk_audit::crawl::{CrawlOptions, CrawlTarget, crawl};
use zwgk_audit::store::{FetchKind, FetchRecord, SCHEMA_VERSION, Store};

fn record(unit: &str, url: &str) -> FetchRecord {
    FetchRecord {
        id: 0,
        unit_id: unit.into(),
        url: url.into(),
        final_url: format!("{url}?final"),
        kind: FetchKind::Attachment,
        depth: 3,
        referrer: Some("http://gov.example.cn/xxgk/".into()),
        status: Some(200),
        error: None,
        content_type: Some("application/pdf".into()),
        headers: vec![("etag".into(), "\"abc\"".into()), ("server".into(), "政务云".into())],
        fetched_at: DateTime::parse_from_rfc3339("2021-11-25T02:00:00.123+08:00").unwrap(),
        sha256: Some("00ff".into()),
        body: vec![0, 159, 146, 150, 255],
        truncated: true,
        revalidated: None,
    }
}

#[test]
fn records_round_trip_through_a_reopen() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("evidence.sqlite");
    let mut expected = Vec::new();
    {
        let store = Store::open(&path).unwrap();
        for (unit, url) in [("a", "http://h/1.pdf"), ("b", "http://h/2.pdf"), ("a", "http://h/3.pdf")] {
            let mut r = record(unit, url);
            r.id = store.insert(&r).unwrap();
            if unit == "a" {
                expected.push(r);
            }
        }
        let mut failed = record("a", "http://h/4.html");
        failed.status = None;
        failed.error = Some("timeout: operation timed out".into());
        failed.body.clear();
        failed.sha256 = None;
        failed.referrer = None;
        failed.kind = FetchKind::External;
        failed.id = store.insert(&failed).unwrap();
        expected.push(failed);
    }
    let store = Store::open(&path).unwrap();
    assert_eq!(store.records("a").unwrap(), expected);
    assert_eq!(store.count("b").unwrap(), 1);
    assert_eq!(store.count("nobody").unwrap(), 0);
    assert_eq!(store.latest("http://h/2.pdf").unwrap().unwrap().unit_id, "b");
    let light = store.records_without_bodies("a").unwrap();
    assert_eq!(light.len(), expected.len());
    assert!(light.iter().all(|r| r.body.is_empty()));
    assert_eq!(light[0].sha256, expected[0].sha256);
    assert_eq!(store.body(light[0].id).unwrap(), Some(expected[0].body.clone()));
    assert_eq!(store.body(9999).unwrap(), None);

    let conn = rusqlite::Connection::open(&path).unwrap();
    let version: i64 = conn.pragma_query_value(None, "user_version", |r| r.get(0)).unwrap();
    assert_eq!(version, SCHEMA_VERSION);
    let mode: String = conn.pragma_query_value(None, "journal_mode", |r| r.get(0)).unwrap();
    assert_eq!(mode, "wal");
}

#[test]
fn a_newer_schema_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("evidence.sqlite");
    rusqlite::Connection::open(&path)
        .unwrap()
        .pragma_update(None, "user_version", SCHEMA_VERSION + 1)
        .unwrap();
    let err = Store::open(&path).err().expect("a newer schema must not be opened");
    assert!(err.to_string().contains("newer"), "{err}");
}

#[tokio::test]
async fn a_crawl_stores_every_outcome_and_records_its_run() {
    let server = Server::start(|path, _| match path {
        "/x/" => Reply::links(&["a.html", "f.pdf"]),
        "/robots.txt" => Reply::status(404),
        _ => Reply::html("<p>x</p>").with_header("etag", "\"v1\""),
    })
    .await;
    let (_dir, store) = temp_store();
    let options = CrawlOptions { allow_private: true };
    let target = CrawlTarget { unit_id: "u".into(), roots: vec![server.url("/x/")] };
    crawl(vec![target], &fast_settings(), &options, store.clone()).await.unwrap();

    let records = store.records("u").unwrap();
    let kinds: Vec<_> = records.iter().map(|r| r.kind).collect();
    assert_eq!(kinds[0], FetchKind::Robots);
    assert_eq!(records.len(), 4, "{kinds:?}");
    let a = records.iter().find(|r| r.url.ends_with("a.html")).unwrap();
    assert!(a.headers.contains(&("etag".into(), "\"v1\"".into())), "{:?}", a.headers);
    assert_eq!(a.fetched_at.offset().local_minus_utc(), 8 * 3600);
    assert!(a.sha256.as_ref().is_some_and(|h| h.len() == 64));
    let runs = store.runs().unwrap();
    assert_eq!(runs.len(), 1);
    assert!(runs[0].finished_at.is_some());
}
