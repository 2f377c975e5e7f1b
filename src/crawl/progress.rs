//! The crawl's progress on stderr: pages fetched, queued and failed, in total and per host.
//!
//! On a terminal the display is redrawn in place a few times a second; otherwise (a log file, cron, a
//! pipe) a plain line is written every [`PLAIN_INTERVAL`] and once at the end. Off unless the binary
//! turns it on ([`set_mode`]): the library and the tests stay quiet.

use std::collections::BTreeMap;
use std::io::{IsTerminal, Write};
use std::sync::Mutex;
use std::sync::atomic::{AtomicU8, Ordering};
use std::time::{Duration, Instant};

/// How often the plain display writes a line.
pub const PLAIN_INTERVAL: Duration = Duration::from_secs(10);
/// How often the terminal display is redrawn.
pub const TTY_INTERVAL: Duration = Duration::from_millis(250);
/// Hosts shown one per line; the rest are summed on one line.
const MAX_HOST_LINES: usize = 8;

/// Where progress goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
pub enum Mode {
    /// No display (the default: library use and tests).
    Off = 0,
    /// Redrawn in place when stderr is a terminal, plain lines otherwise.
    Auto = 1,
    /// Plain lines whatever stderr is.
    Plain = 2,
}

static MODE: AtomicU8 = AtomicU8::new(Mode::Off as u8);

/// Turns the display on or off for every later crawl of this process.
pub fn set_mode(mode: Mode) {
    MODE.store(mode as u8, Ordering::Relaxed);
}

fn mode() -> Mode {
    match MODE.load(Ordering::Relaxed) {
        1 => Mode::Auto,
        2 => Mode::Plain,
        _ => Mode::Off,
    }
}

/// Counts of one host.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct HostCounts {
    /// Responses filed (pages, attachments, link checks).
    pub fetched: u64,
    /// URLs waiting in the frontiers.
    pub queued: i64,
    /// Requests that got no usable response.
    pub errors: u64,
}

/// The counters of one crawl, per host (`host:port`).
#[derive(Debug)]
pub struct Progress {
    started: Instant,
    hosts: Mutex<BTreeMap<String, HostCounts>>,
}

impl Default for Progress {
    fn default() -> Progress {
        Progress { started: Instant::now(), hosts: Mutex::new(BTreeMap::new()) }
    }
}

fn host_key(url: &url::Url) -> String {
    match url.port() {
        Some(p) => format!("{}:{p}", url.host_str().unwrap_or_default()),
        None => url.host_str().unwrap_or_default().to_string(),
    }
}

impl Progress {
    fn with(&self, url: &url::Url, f: impl FnOnce(&mut HostCounts)) {
        let mut hosts = self.hosts.lock().unwrap_or_else(|p| p.into_inner());
        f(hosts.entry(host_key(url)).or_default());
    }

    /// A URL was queued.
    pub fn queued(&self, url: &url::Url) {
        self.with(url, |c| c.queued += 1);
    }

    /// A queued URL was taken off the queue (fetched or dropped).
    pub fn dequeued(&self, url: &url::Url) {
        self.with(url, |c| c.queued -= 1);
    }

    /// A response was filed; `error` when it was not usable.
    pub fn fetched(&self, url: &url::Url, error: bool) {
        self.with(url, |c| {
            c.fetched += 1;
            c.errors += u64::from(error);
        });
    }

    /// The counts now, per host.
    pub fn snapshot(&self) -> BTreeMap<String, HostCounts> {
        self.hosts.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }

    /// The display's lines: a total line, then one per host (the busiest [`MAX_HOST_LINES`]).
    pub fn lines(&self) -> Vec<String> {
        let hosts = self.snapshot();
        let sum = hosts.values().fold(HostCounts::default(), |a, c| HostCounts {
            fetched: a.fetched + c.fetched,
            queued: a.queued + c.queued.max(0),
            errors: a.errors + c.errors,
        });
        let mut out = vec![format!(
            "crawl {:.0}s: {} fetched, {} queued, {} errors, {} hosts",
            self.started.elapsed().as_secs_f64(),
            sum.fetched,
            sum.queued,
            sum.errors,
            hosts.len()
        )];
        let mut by_load: Vec<(&String, &HostCounts)> = hosts.iter().collect();
        by_load.sort_by_key(|(h, c)| (std::cmp::Reverse(c.fetched + c.queued.max(0) as u64), (*h).clone()));
        for (h, c) in by_load.iter().take(MAX_HOST_LINES) {
            out.push(format!(
                "  {h}: {} fetched, {} queued, {} errors",
                c.fetched,
                c.queued.max(0),
                c.errors
            ));
        }
        if by_load.len() > MAX_HOST_LINES {
            out.push(format!("  … {} more hosts", by_load.len() - MAX_HOST_LINES));
        }
        out
    }
}

/// The running display of one crawl; [`Display::finish`] writes the last state.
pub struct Display {
    task: Option<tokio::task::JoinHandle<()>>,
    progress: std::sync::Arc<Progress>,
    tty: bool,
    drawn: std::sync::Arc<Mutex<usize>>,
}

impl Display {
    /// Starts the display of `progress` if the mode asks for one.
    pub fn start(progress: std::sync::Arc<Progress>) -> Display {
        let m = mode();
        let tty = m == Mode::Auto && std::io::stderr().is_terminal();
        let drawn = std::sync::Arc::new(Mutex::new(0usize));
        let task = (m != Mode::Off).then(|| {
            let (p, d) = (progress.clone(), drawn.clone());
            tokio::spawn(async move {
                let every = if tty { TTY_INTERVAL } else { PLAIN_INTERVAL };
                let mut tick = tokio::time::interval_at(tokio::time::Instant::now() + every, every);
                loop {
                    tick.tick().await;
                    draw(&p, tty, &d);
                }
            })
        });
        Display { task, progress, tty, drawn }
    }

    /// Stops the display, writing the final counts.
    pub fn finish(mut self) {
        if let Some(t) = self.task.take() {
            t.abort();
            draw(&self.progress, self.tty, &self.drawn);
        }
    }
}

impl Drop for Display {
    fn drop(&mut self) {
        if let Some(t) = self.task.take() {
            t.abort();
        }
    }
}

fn draw(p: &Progress, tty: bool, drawn: &Mutex<usize>) {
    let lines = p.lines();
    let mut err = std::io::stderr().lock();
    if tty {
        let mut drawn = drawn.lock().unwrap_or_else(|p| p.into_inner());
        // Back to the first line of the previous frame, clear to the end of the screen, draw again.
        if *drawn > 0 {
            let _ = write!(err, "\x1b[{}A\r\x1b[J", *drawn);
        }
        for l in &lines {
            let _ = writeln!(err, "{l}");
        }
        *drawn = lines.len();
    } else {
        let _ = writeln!(err, "{}", lines.join(" |"));
    }
    let _ = err.flush();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_per_host_and_total() {
        let p = Progress::default();
        let a = url::Url::parse("http://a.gov.cn/x").unwrap();
        let b = url::Url::parse("http://127.0.0.2:8080/y").unwrap();
        p.queued(&a);
        p.queued(&a);
        p.queued(&b);
        p.dequeued(&a);
        p.fetched(&a, false);
        p.dequeued(&b);
        p.fetched(&b, true);
        let lines = p.lines();
        assert!(lines[0].ends_with("2 fetched, 1 queued, 1 errors, 2 hosts"), "{lines:?}");
        assert_eq!(lines[1], "  a.gov.cn: 1 fetched, 1 queued, 0 errors");
        assert_eq!(lines[2], "  127.0.0.2:8080: 1 fetched, 0 queued, 1 errors");
    }
}
