//! Network faults a framework server cannot produce: a server that accepts and never answers, and one
//! that resets the connection. Each becomes an error record after the retries; the crawl goes on.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use zwgk_audit::config::Settings;
use zwgk_audit::crawl::{CrawlOptions, CrawlTarget, crawl};

type Hits = Arc<Mutex<HashMap<String, usize>>>;

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
