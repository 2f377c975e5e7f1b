//! Politeness, measured at the server: the per-host rate limit in every one-second window, shared by
//! units on one host; robots.txt Disallow, Crawl-delay and unavailability.

mod crawl_support;

use std::time::{Duration, Instant};

use crawl_support::{Reply, Server, fast_settings, max_per_second, temp_store};
use zwgk_audit::crawl::{CrawlOptions, CrawlTarget, crawl};
use zwgk_audit::store::FetchKind;

fn local() -> CrawlOptions {
    CrawlOptions { allow_private: true }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rate_limit_holds_in_every_one_second_window() {
    // A list page linking 11 documents: 12 pages + robots.txt = 13 requests to one host.
    let docs: Vec<String> = (1..=11).map(|i| format!("doc{i}.html")).collect();
    let server = Server::start(move |path, _| match path {
        "/xxgk/" => Reply::links(&docs.iter().map(String::as_str).collect::<Vec<_>>()),
        "/robots.txt" => Reply::status(404),
        _ => Reply::html("<p>正文</p>"),
    })
    .await;
    let (_dir, store) = temp_store();
    let settings = zwgk_audit::config::Settings { rate_per_host: 2.0, ..fast_settings() };
    let target = CrawlTarget { unit_id: "u".into(), roots: vec![server.url("/xxgk/")] };
    let started = Instant::now();
    let stats = crawl(vec![target], &settings, &local(), store.clone()).await.unwrap();
    let elapsed = started.elapsed();

    let hits = server.hits();
    assert_eq!(hits.len(), 13, "{hits:?}");
    assert_eq!(stats[0].pages, 12);
    assert_eq!(stats[0].requests, 13);
    assert!(max_per_second(&hits) <= 2, "more than 2 requests in a one-second window: {hits:?}");
    // 13 requests spaced by at least 0.5 s take at least 6 s.
    assert!(elapsed >= Duration::from_secs(6), "crawl took only {elapsed:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn units_on_one_host_share_its_budget() {
    let server = Server::start(|path, _| match path {
        "/a/" => Reply::links(&["1.html", "2.html", "3.html", "4.html"]),
        "/b/" => Reply::links(&["1.html", "2.html", "3.html", "4.html"]),
        "/robots.txt" => Reply::status(404),
        _ => Reply::html("<p>x</p>"),
    })
    .await;
    let (_dir, store) = temp_store();
    let settings = zwgk_audit::config::Settings { rate_per_host: 4.0, ..fast_settings() };
    let targets = vec![
        CrawlTarget { unit_id: "a".into(), roots: vec![server.url("/a/")] },
        CrawlTarget { unit_id: "b".into(), roots: vec![server.url("/b/")] },
    ];
    let started = Instant::now();
    let stats = crawl(targets, &settings, &local(), store.clone()).await.unwrap();
    let elapsed = started.elapsed();

    let hits = server.hits();
    assert_eq!(hits.len(), 11, "one robots.txt for both units + 2×5 pages: {hits:?}");
    assert_eq!(server.hits_of("/robots.txt"), 1);
    assert_eq!((stats[0].pages, stats[1].pages), (5, 5));
    assert!(max_per_second(&hits) <= 4, "host budget exceeded across units: {hits:?}");
    assert!(elapsed >= Duration::from_millis(2500), "11 requests at 4/s take ≥ 2.5 s, took {elapsed:?}");
    let robots: Vec<_> = ["a", "b"]
        .iter()
        .flat_map(|u| store.records(u).unwrap())
        .filter(|r| r.kind == FetchKind::Robots)
        .collect();
    assert_eq!(robots.len(), 1, "robots.txt stored once");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn robots_disallow_and_crawl_delay_are_honoured() {
    let server = Server::start(|path, _| match path {
        "/robots.txt" => Reply::text(
            "User-agent: *\nDisallow: /\n\nUser-agent: zwgk-audit\nDisallow: /site/private/\nAllow: /site/private/open.html\nCrawl-delay: 0.5\n",
        ),
        "/site/" => Reply::links(&["private/secret.html", "private/open.html", "p1.html", "p2.html"]),
        _ => Reply::html("<p>x</p>"),
    })
    .await;
    let (_dir, store) = temp_store();
    let target = CrawlTarget { unit_id: "u".into(), roots: vec![server.url("/site/")] };
    let stats = crawl(vec![target], &fast_settings(), &local(), store.clone()).await.unwrap();

    assert_eq!(server.hits_of("/site/private/secret.html"), 0, "disallowed page was requested");
    assert_eq!(server.hits_of("/site/private/open.html"), 1, "Allow overrides Disallow");
    assert_eq!(stats[0].robots_disallowed, 1);
    let records = store.records("u").unwrap();
    let secret = records.iter().find(|r| r.url.ends_with("secret.html")).expect("disallow recorded");
    assert_eq!(secret.status, None);
    assert!(secret.error.as_deref().unwrap().contains("robots.txt"), "{secret:?}");

    // Crawl-delay 0.5 s: after robots.txt, no two requests closer than the delay (less some jitter).
    let mut at: Vec<_> = server.hits().iter().filter(|h| h.path != "/robots.txt").map(|h| h.at).collect();
    at.sort();
    assert_eq!(at.len(), 4);
    for w in at.windows(2) {
        assert!(w[1] - w[0] >= Duration::from_millis(400), "Crawl-delay ignored: gap {:?}", w[1] - w[0]);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unavailable_robots_means_disallow_all() {
    let server = Server::start(|path, _| match path {
        "/robots.txt" => Reply::status(503),
        _ => Reply::links(&["a.html"]),
    })
    .await;
    let (_dir, store) = temp_store();
    let target = CrawlTarget { unit_id: "u".into(), roots: vec![server.url("/site/")] };
    let stats = crawl(vec![target], &fast_settings(), &local(), store.clone()).await.unwrap();

    assert_eq!(server.hits_of("/site/"), 0, "a page was fetched although robots.txt answered 503");
    assert_eq!(stats[0].robots_disallowed, 1);
    let records = store.records("u").unwrap();
    assert_eq!(records[0].kind, FetchKind::Robots);
    assert_eq!(records[0].status, Some(503));
    assert!(records[1].error.as_deref().unwrap().contains("unavailable"), "{:?}", records[1]);
}
