//! Network faults a framework server cannot produce: a server that accepts and never answers, and one
//! that resets the connection. Each becomes an error record after the retries; the crawl goes on.
//! Also slow answers, to watch the global cap on requests in flight.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use zwgk_audit::config::Settings;
use zwgk_audit::crawl::{CrawlOptions, CrawlTarget, crawl};

type Hits = Arc<Mutex<HashMap<String, usize>>>;

/// Requests to `/slow/…` pages being answered right now, over every server of this test binary.
static SLOW_NOW: AtomicUsize = AtomicUsize::new(0);
/// The most seen at once.
static SLOW_MAX: AtomicUsize = AtomicUsize::new(0);

/// Serves `/robots.txt` (404) and `/n/` (a list linking `hang`, `reset` and `ok.html`) over HTTP/1.1;
/// `/n/hang` is read and never answered, `/n/reset` is answered with a TCP reset.
async fn faulty_server() -> (SocketAddr, Hits) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let hits: Hits = Arc::default();
    let h = hits.clone();
    tokio::spawn(async move {
        loop {
            let (sock, _) = listener.accept().await.unwrap();
            tokio::spawn(connection(sock, h.clone()));
        }
    });
    (addr, hits)
}

async fn connection(mut sock: TcpStream, hits: Hits) {
    let mut buf = Vec::new();
    loop {
        let mut chunk = [0u8; 4096];
        let n = match sock.read(&mut chunk).await {
            Ok(0) | Err(_) => return,
            Ok(n) => n,
        };
        buf.extend_from_slice(&chunk[..n]);
        let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") else { continue };
        let head = String::from_utf8_lossy(&buf[..end]).to_string();
        buf.drain(..end + 4);
        let path = head.split_whitespace().nth(1).unwrap_or("").to_string();
        *hits.lock().unwrap().entry(path.clone()).or_insert(0) += 1;
        let body = match path.as_str() {
            "/n/hang" => {
                tokio::time::sleep(Duration::from_secs(3600)).await;
                return;
            }
            "/n/reset" => {
                let _ = sock.set_zero_linger();
                return; // dropping with linger 0 sends RST
            }
            p if p.starts_with("/slow/s") => {
                let now = SLOW_NOW.fetch_add(1, Ordering::SeqCst) + 1;
                SLOW_MAX.fetch_max(now, Ordering::SeqCst);
                tokio::time::sleep(Duration::from_millis(300)).await;
                SLOW_NOW.fetch_sub(1, Ordering::SeqCst);
                Some("<p>slow</p>")
            }
            "/slow/" => {
                Some("<a href=s1>1</a><a href=s2>2</a><a href=s3>3</a><a href=s4>4</a><a href=s5>5</a>")
            }
            "/robots.txt" => None,
            "/n/" => Some("<a href=\"hang\">h</a><a href=\"reset\">r</a><a href=\"ok.html\">ok</a>"),
            _ => Some("<p>ok</p>"),
        };
        let resp = match body {
            None => "HTTP/1.1 404 Not Found\r\ncontent-length: 0\r\n\r\n".to_string(),
            Some(b) => format!(
                "HTTP/1.1 200 OK\r\ncontent-type: text/html\r\ncontent-length: {}\r\n\r\n{b}",
                b.len()
            ),
        };
        if sock.write_all(resp.as_bytes()).await.is_err() {
            return;
        }
    }
}

#[tokio::test]
async fn timeouts_and_resets_are_retried_then_recorded_as_errors() {
    let (addr, hits) = faulty_server().await;
    let dir = tempfile::tempdir().unwrap();
    let store = Arc::new(zwgk_audit::store::Store::open(&dir.path().join("e.sqlite")).unwrap());
    let settings = Settings {
        rate_per_host: 100.0,
        request_timeout: Duration::from_millis(400),
        max_retries: 1,
        ..Settings::default()
    };
    let root = url::Url::parse(&format!("http://{addr}/n/")).unwrap();
    let targets = vec![CrawlTarget { unit_id: "u".into(), roots: vec![root] }];
    let stats =
        crawl(targets, &settings, &CrawlOptions { allow_private: true }, store.clone()).await.unwrap();

    let hits = hits.lock().unwrap().clone();
    assert_eq!(hits.get("/n/hang"), Some(&2), "timeout retried once: {hits:?}");
    assert_eq!(hits.get("/n/reset"), Some(&2), "reset retried once: {hits:?}");
    assert_eq!(hits.get("/n/ok.html"), Some(&1), "the crawl went on: {hits:?}");
    let records = store.records("u").unwrap();
    let error = |name: &str| records.iter().find(|r| r.url.ends_with(name)).unwrap().error.clone();
    assert!(error("hang").unwrap().starts_with("timeout"), "{:?}", error("hang"));
    assert!(error("reset").is_some());
    assert_eq!(error("ok.html"), None);
    assert_eq!(stats[0].errors, 2);
}

#[tokio::test]
async fn a_dead_host_is_a_broken_link_not_a_robots_refusal() {
    let (addr, _hits) = faulty_server().await;
    // A port that was free a moment ago: connection refused.
    let dead = TcpListener::bind("127.0.0.1:0").await.unwrap().local_addr().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let store = Arc::new(zwgk_audit::store::Store::open(&dir.path().join("e.sqlite")).unwrap());
    let settings = Settings { rate_per_host: 100.0, max_retries: 0, ..Settings::default() };
    let root = url::Url::parse(&format!("http://{dead}/gone/")).unwrap();
    let live = url::Url::parse(&format!("http://{addr}/n/ok.html")).unwrap();
    let targets = vec![CrawlTarget { unit_id: "u".into(), roots: vec![root, live] }];
    let stats =
        crawl(targets, &settings, &CrawlOptions { allow_private: true }, store.clone()).await.unwrap();

    assert_eq!((stats[0].errors, stats[0].robots_disallowed), (1, 0), "{:?}", stats[0]);
    let records = store.records("u").unwrap();
    let gone = records.iter().find(|r| r.url.ends_with("/gone/")).unwrap();
    assert_eq!(gone.status, None);
    assert!(!gone.error.as_deref().unwrap().contains("disallow"), "{gone:?}");
    assert!(records.iter().any(|r| r.url.ends_with("ok.html") && r.status == Some(200)));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn requests_in_flight_are_capped_across_hosts() {
    // Two units on two hosts: each could run max_in_flight requests alone; together they may not.
    let (a, _) = faulty_server().await;
    let (b, _) = faulty_server().await;
    let dir = tempfile::tempdir().unwrap();
    let store = Arc::new(zwgk_audit::store::Store::open(&dir.path().join("e.sqlite")).unwrap());
    let settings = Settings { rate_per_host: 500.0, max_in_flight: 3, ..Settings::default() };
    let targets = [("a", a), ("b", b)]
        .map(|(id, addr)| CrawlTarget {
            unit_id: id.into(),
            roots: vec![url::Url::parse(&format!("http://{addr}/slow/")).unwrap()],
        })
        .to_vec();
    let stats = crawl(targets, &settings, &CrawlOptions { allow_private: true }, store).await.unwrap();

    assert_eq!((stats[0].pages, stats[1].pages), (6, 6));
    let max = SLOW_MAX.load(Ordering::SeqCst);
    assert!(max <= 3, "{max} requests in flight with max_in_flight 3");
    assert!(max >= 2, "requests never overlapped ({max}): the cap is not what limits them");
}
