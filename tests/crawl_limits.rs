//! The crawler's bounds and guards, against real servers on 127.0.0.1: the private-address guard
//! (literal hosts, names, redirects), body cut, redirect limit, retries, scope, time and page limits,
//! GBK pages kept byte for byte.

mod crawl_support;

use std::time::Duration;

use crawl_support::{Reply, Server, fast_settings, temp_store};
use zwgk_audit::config::Settings;
use zwgk_audit::crawl::{CrawlOptions, CrawlTarget, crawl, crawl_trusting};
use zwgk_audit::store::FetchKind;

fn local() -> CrawlOptions {
    CrawlOptions { allow_private: true }
}

fn target(root: url::Url) -> Vec<CrawlTarget> {
    vec![CrawlTarget { unit_id: "u".into(), roots: vec![root] }]
}

#[tokio::test]
async fn literal_loopback_is_refused_without_allow_private() {
    let server = Server::start(|_, _| Reply::html("<p>secret</p>")).await;
    let (_dir, store) = temp_store();
    let stats =
        crawl(target(server.url("/admin/")), &fast_settings(), &CrawlOptions::default(), store.clone())
            .await
            .unwrap();

    assert!(server.hits().is_empty(), "the guard let a request through: {:?}", server.hits());
    assert_eq!((stats[0].pages, stats[0].errors, stats[0].requests), (1, 1, 0));
    let r = &store.records("u").unwrap()[0];
    assert_eq!(r.status, None);
    assert!(r.error.as_deref().unwrap().starts_with("refused"), "{r:?}");
}

#[tokio::test]
async fn redirects_into_loopback_are_refused() {
    // The unit's own platform is trusted explicitly; a redirect from it to any other local address is not.
    let inner = Server::start(|_, _| Reply::html("<p>router admin</p>")).await;
    let port = inner.addr.port();
    let platform = Server::start(move |path, _| match path {
        "/xxgk/" => Reply::links(&["go-name", "go-literal"]),
        "/xxgk/go-name" => Reply::redirect(&format!("http://localhost:{port}/admin")),
        "/xxgk/go-literal" => Reply::redirect(&format!("http://127.0.0.2:{port}/admin")),
        _ => Reply::status(404),
    })
    .await;
    let (_dir, store) = temp_store();
    let options = CrawlOptions { allow_private: false };
    let trusted = ["127.0.0.1".to_string()];
    let root = target(platform.url("/xxgk/"));
    let stats = crawl_trusting(root, &fast_settings(), &options, &trusted, store.clone()).await.unwrap();

    assert!(inner.hits().is_empty(), "a redirect reached a private address: {:?}", inner.hits());
    assert_eq!(platform.hits_of("/xxgk/go-name"), 1);
    assert_eq!(platform.hits_of("/xxgk/go-literal"), 1);
    let records = store.records("u").unwrap();
    for name in ["go-name", "go-literal"] {
        let r = records.iter().find(|r| r.url.ends_with(name)).unwrap();
        assert_eq!(r.status, None, "{r:?}");
        assert!(r.error.as_deref().unwrap().starts_with("refused"), "{r:?}");
        assert!(r.final_url.contains("/admin"), "the refused hop is named: {r:?}");
    }
    assert_eq!(stats[0].errors, 2);
}

#[tokio::test]
async fn long_bodies_are_cut_at_the_limit() {
    let server = Server::start(|path, _| match path {
        "/d/" => Reply::links(&["big.pdf"]),
        "/d/big.pdf" => Reply {
            status: 200,
            headers: vec![("content-type".into(), "application/pdf".into())],
            body: vec![b'%'; 1 << 20],
        },
        _ => Reply::status(404),
    })
    .await;
    let (_dir, store) = temp_store();
    let settings = Settings { max_body_bytes: 10_000, ..fast_settings() };
    crawl(target(server.url("/d/")), &settings, &local(), store.clone()).await.unwrap();

    let records = store.records("u").unwrap();
    let pdf = records.iter().find(|r| r.url.ends_with("big.pdf")).unwrap();
    assert_eq!(pdf.kind, FetchKind::Attachment);
    assert_eq!(pdf.status, Some(200));
    assert!(pdf.truncated);
    assert_eq!(pdf.body.len(), 10_000);
    use sha2::Digest;
    assert_eq!(pdf.sha256.as_deref(), Some(hex::encode(sha2::Sha256::digest(&pdf.body)).as_str()));
    let page = records.iter().find(|r| r.url.ends_with("/d/")).unwrap();
    assert!(!page.truncated);
}

#[tokio::test]
async fn redirect_chains_are_followed_up_to_the_limit() {
    let server = Server::start(|path, _| {
        if let Some(n) = path.strip_prefix("/r/loop") {
            let n: u32 = n.parse().unwrap();
            return Reply::redirect(&format!("/r/loop{}", n + 1));
        }
        match path {
            "/r/" => Reply::links(&["loop0", "two"]),
            "/r/two" => Reply::redirect("/r/two-b"),
            "/r/two-b" => Reply::redirect("/r/final.html#frag"),
            "/r/final.html" => Reply::html("<p>ok</p>"),
            _ => Reply::status(404),
        }
    })
    .await;
    let (_dir, store) = temp_store();
    let settings = Settings { max_redirects: 3, ..fast_settings() };
    crawl(target(server.url("/r/")), &settings, &local(), store.clone()).await.unwrap();

    let records = store.records("u").unwrap();
    let looped = records.iter().find(|r| r.url.ends_with("loop0")).unwrap();
    assert!(looped.error.as_deref().unwrap().contains("too many redirects"), "{looped:?}");
    let loop_hits = server.hits().iter().filter(|h| h.path.starts_with("/r/loop")).count();
    assert_eq!(loop_hits, 4, "the first request and 3 redirects, nothing more");
    let two = records.iter().find(|r| r.url.ends_with("/r/two")).unwrap();
    assert_eq!(two.status, Some(200));
    assert_eq!(two.final_url, server.url("/r/final.html").to_string());
    assert_eq!(server.hits_of("/r/final.html"), 1, "the redirect target is not fetched again as a link");
}

#[tokio::test]
async fn transient_failures_are_retried_and_client_errors_are_not() {
    let server = Server::start(|path, nth| match (path, nth) {
        ("/s/", _) => {
            Reply::links(&["flaky.html", "busy.html", "missing.html", "down.html", "throttled.html"])
        }
        ("/s/flaky.html", 1) => Reply::status(503),
        ("/s/busy.html", 1) => Reply::status(429).with_header("retry-after", "1"),
        ("/s/down.html", _) => Reply::status(500),
        ("/s/throttled.html", _) => Reply::status(429).with_header("retry-after", "0"),
        ("/s/missing.html", _) => Reply::status(404),
        _ => Reply::html("<p>ok</p>"),
    })
    .await;
    let (_dir, store) = temp_store();
    let settings = Settings { max_retries: 2, ..fast_settings() };
    let stats = crawl(target(server.url("/s/")), &settings, &local(), store.clone()).await.unwrap();

    assert_eq!(server.hits_of("/s/flaky.html"), 2);
    assert_eq!(server.hits_of("/s/busy.html"), 2);
    assert_eq!(server.hits_of("/s/missing.html"), 1, "404 must not be retried");
    assert_eq!(server.hits_of("/s/down.html"), 3, "500 retried max_retries times");
    let busy: Vec<_> = server.hits().into_iter().filter(|h| h.path == "/s/busy.html").collect();
    assert!(busy[1].at - busy[0].at >= Duration::from_millis(900), "Retry-After: 1 not honoured");
    let records = store.records("u").unwrap();
    let status = |name: &str| records.iter().find(|r| r.url.ends_with(name)).unwrap().status;
    assert_eq!(status("flaky.html"), Some(200));
    assert_eq!(status("busy.html"), Some(200));
    assert_eq!(status("missing.html"), Some(404));
    assert_eq!(status("down.html"), Some(500));
    assert_eq!(status("throttled.html"), Some(429));
    assert_eq!(server.hits_of("/s/throttled.html"), 3);
    assert_eq!(stats[0].errors, 2, "the 500 and the 429 after retries are errors, the 404 is not");
    assert_eq!(stats[0].requests, 1 + 1 + 2 + 2 + 1 + 3 + 3, "robots + list + retries counted");
}

#[tokio::test]
async fn links_leaving_the_scope_are_checked_once_and_not_crawled() {
    let other = Server::start(|path, _| match path {
        "/elsewhere/page.html" => Reply::links(&["deep.html"]),
        _ => Reply::html("<p>x</p>"),
    })
    .await;
    let ext = other.url("/elsewhere/page.html").to_string();
    let server = Server::start(move |path, _| match path {
        "/unit/" => Reply::links(&["a.html", "b.html", &ext, "/news/x.html"]),
        "/unit/a.html" | "/unit/b.html" => Reply::links(&[&ext, "/news/x.html", "/unit/"]),
        "/news/x.html" => Reply::links(&["y.html"]),
        _ => Reply::status(404),
    })
    .await;
    let (_dir, store) = temp_store();
    let stats = crawl(target(server.url("/unit/")), &fast_settings(), &local(), store.clone()).await.unwrap();

    assert_eq!(other.hits_of("/elsewhere/page.html"), 1);
    assert_eq!(other.hits_of("/elsewhere/deep.html"), 0, "an external page was crawled");
    assert_eq!(server.hits_of("/news/x.html"), 1);
    assert_eq!(server.hits_of("/news/y.html"), 0, "an out-of-scope page on the same host was crawled");
    assert_eq!(server.hits_of("/unit/"), 1);
    let records = store.records("u").unwrap();
    let kinds: Vec<_> =
        records.iter().filter(|r| r.kind == FetchKind::External).map(|r| r.url.clone()).collect();
    assert_eq!(kinds.len(), 2, "{kinds:?}");
    assert_eq!(stats[0].pages, 5);
    let a = records.iter().find(|r| r.url.ends_with("/unit/a.html")).unwrap();
    assert_eq!((a.depth, a.referrer.as_deref()), (1, Some(server.url("/unit/").as_str())));
}

#[tokio::test]
async fn gbk_pages_are_stored_raw_and_decode() {
    let (gbk, _, _) = encoding_rs::GBK.encode(
        "<html><head><meta charset=\"gb2312\"><title>政务公开</title></head><body><a href=\"next.html\">下一页</a>镕堃</body></html>",
    );
    let raw = gbk.into_owned();
    let served = raw.clone();
    let server = Server::start(move |path, _| match path {
        "/g/" => Reply {
            status: 200,
            headers: vec![("content-type".into(), "text/html".into())],
            body: served.clone(),
        },
        "/g/next.html" => Reply::html("<p>ok</p>"),
        _ => Reply::status(404),
    })
    .await;
    let (_dir, store) = temp_store();
    crawl(target(server.url("/g/")), &fast_settings(), &local(), store.clone()).await.unwrap();

    let records = store.records("u").unwrap();
    let page = records.iter().find(|r| r.url.ends_with("/g/")).unwrap();
    assert_eq!(page.body, raw, "the body must be stored byte for byte");
    let text = zwgk_audit::crawl::decode::decode(&page.body, page.content_type.as_deref()).text;
    assert!(text.contains("政务公开") && text.contains("镕堃"), "{text}");
    assert_eq!(server.hits_of("/g/next.html"), 1, "links of a GBK page are followed");
}

#[tokio::test]
async fn page_and_time_limits_truncate_the_crawl() {
    let server = Server::start(|path, _| match path {
        "/l/" => Reply::links(&["1.html", "2.html", "3.html", "4.html", "5.html", "6.html"]),
        _ => Reply::html("<p>x</p>"),
    })
    .await;
    let (_dir, store) = temp_store();
    let settings = Settings { max_pages_per_unit: 3, ..fast_settings() };
    let stats = crawl(target(server.url("/l/")), &settings, &local(), store.clone()).await.unwrap();
    assert_eq!(stats[0].pages, 3);
    assert!(stats[0].truncated);

    let (_dir2, store2) = temp_store();
    let slow =
        Settings { rate_per_host: 2.0, unit_time_budget: Duration::from_millis(1200), ..fast_settings() };
    let started = std::time::Instant::now();
    let stats = crawl(target(server.url("/l/")), &slow, &local(), store2.clone()).await.unwrap();
    assert!(stats[0].truncated, "{:?}", stats[0]);
    assert!(stats[0].pages < 7, "{:?}", stats[0]);
    assert!(started.elapsed() < Duration::from_secs(20), "the budget did not stop the crawl");
}
