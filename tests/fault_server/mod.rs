//! A fault-injecting HTTP/1.1 server on 127.0.0.x, written on raw tokio TCP so that it can misbehave
//! the way a framework will not let it: hang, reset, drip a body byte by byte, send a body that never
//! ends, send a gzip bomb. Each test says how to answer each request path.
#![allow(dead_code)]

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use url::Url;

/// How to answer one request.
#[derive(Debug, Clone)]
pub enum Fault {
    /// A normal response.
    Reply { status: u16, headers: Vec<(String, String)>, body: Vec<u8> },
    /// Read the request, never answer.
    Hang,
    /// Answer with a TCP reset.
    Reset,
    /// Headers at once (with this content-length), then the body one chunk every `every`.
    Drip { content_length: usize, chunk: usize, every: Duration },
    /// A chunked body that never ends, as fast as the client reads it.
    Endless,
}

impl Fault {
    pub fn html(body: impl Into<Vec<u8>>) -> Fault {
        Fault::Reply {
            status: 200,
            headers: vec![("content-type".into(), "text/html; charset=utf-8".into())],
            body: body.into(),
        }
    }

    /// An HTML page linking to each href.
    pub fn links(hrefs: &[String]) -> Fault {
        let a: String = hrefs.iter().map(|h| format!("<a href=\"{h}\">链接</a>\n")).collect();
        Fault::html(format!("<html><head><title>t</title></head><body>{a}</body></html>"))
    }

    pub fn status(status: u16) -> Fault {
        Fault::Reply { status, headers: Vec::new(), body: Vec::new() }
    }

    pub fn with_header(self, k: &str, v: &str) -> Fault {
        match self {
            Fault::Reply { status, mut headers, body } => {
                headers.push((k.into(), v.into()));
                Fault::Reply { status, headers, body }
            }
            other => other,
        }
    }
}

type Handler = dyn Fn(&str, usize) -> Fault + Send + Sync;

/// A running fault server.
pub struct FaultServer {
    pub addr: SocketAddr,
    hits: Arc<Mutex<Vec<(String, Instant)>>>,
}

impl FaultServer {
    /// Starts on `ip` (e.g. "127.0.0.1", "127.0.0.2"), answering `handler(path_and_query, nth)`.
    pub async fn start(
        ip: &str,
        handler: impl Fn(&str, usize) -> Fault + Send + Sync + 'static,
    ) -> FaultServer {
        let listener = TcpListener::bind(format!("{ip}:0")).await.unwrap();
        let addr = listener.local_addr().unwrap();
        let hits: Arc<Mutex<Vec<(String, Instant)>>> = Arc::default();
        let counts: Arc<Mutex<HashMap<String, usize>>> = Arc::default();
        let handler: Arc<Handler> = Arc::new(handler);
        let h = hits.clone();
        tokio::spawn(async move {
            loop {
                let Ok((sock, _)) = listener.accept().await else { return };
                tokio::spawn(connection(sock, h.clone(), counts.clone(), handler.clone()));
            }
        });
        FaultServer { addr, hits }
    }

    pub fn url(&self, path: &str) -> Url {
        Url::parse(&format!("http://{}{path}", self.addr)).unwrap()
    }

    /// Every request path (with query), in arrival order, with its arrival time.
    pub fn hits(&self) -> Vec<(String, Instant)> {
        self.hits.lock().unwrap().clone()
    }

    pub fn hits_of(&self, path: &str) -> usize {
        self.hits().iter().filter(|(p, _)| p == path).count()
    }
}

async fn connection(
    mut sock: TcpStream,
    hits: Arc<Mutex<Vec<(String, Instant)>>>,
    counts: Arc<Mutex<HashMap<String, usize>>>,
    handler: Arc<Handler>,
) {
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
        hits.lock().unwrap().push((path.clone(), Instant::now()));
        let nth = {
            let mut c = counts.lock().unwrap();
            let n = c.entry(path.clone()).or_insert(0);
            *n += 1;
            *n
        };
        match handler(&path, nth) {
            Fault::Reply { status, headers, body } => {
                let mut resp = format!("HTTP/1.1 {status} X\r\ncontent-length: {}\r\n", body.len());
                for (k, v) in headers {
                    resp.push_str(&format!("{k}: {v}\r\n"));
                }
                resp.push_str("\r\n");
                let mut bytes = resp.into_bytes();
                bytes.extend_from_slice(&body);
                if sock.write_all(&bytes).await.is_err() {
                    return;
                }
            }
            Fault::Hang => {
                tokio::time::sleep(Duration::from_secs(3600)).await;
                return;
            }
            Fault::Reset => {
                let _ = sock.set_zero_linger();
                return;
            }
            Fault::Drip { content_length, chunk, every } => {
                let head = format!(
                    "HTTP/1.1 200 OK\r\ncontent-type: text/html; charset=utf-8\r\ncontent-length: {content_length}\r\n\r\n"
                );
                if sock.write_all(head.as_bytes()).await.is_err() {
                    return;
                }
                let mut sent = 0;
                while sent < content_length {
                    let n = chunk.min(content_length - sent);
                    if sock.write_all(&vec![b'x'; n]).await.is_err() {
                        return;
                    }
                    sent += n;
                    tokio::time::sleep(every).await;
                }
            }
            Fault::Endless => {
                let head = "HTTP/1.1 200 OK\r\ncontent-type: text/html\r\ntransfer-encoding: chunked\r\n\r\n";
                if sock.write_all(head.as_bytes()).await.is_err() {
                    return;
                }
                let piece = format!("4000\r\n{}\r\n", &"<p>endless</p>".repeat(16384 / 14 + 1)[..16384]);
                loop {
                    if sock.write_all(piece.as_bytes()).await.is_err() {
                        return;
                    }
                }
            }
        }
    }
}

/// `len` zero bytes, gzip-compressed (a few kilobytes per ten megabytes).
pub fn gzip_zeros(len: usize) -> Vec<u8> {
    use std::io::Write;
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    let block = vec![0u8; 1 << 20];
    let mut left = len;
    while left > 0 {
        let n = left.min(block.len());
        gz.write_all(&block[..n]).unwrap();
        left -= n;
    }
    gz.finish().unwrap()
}
