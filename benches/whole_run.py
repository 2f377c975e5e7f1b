#!/usr/bin/env python3
"""Whole-run benchmark of zwgk-audit against generated sites served by nginx on loopback.

Started by benches/run.sh (which builds the release binary and installs nginx, wget and Scrapy when
missing); see docs/PERFORMANCE.md for what it measures and how to read it. Python 3 stdlib only, apart
from the Scrapy spider it writes and runs in Scrapy's own virtualenv. Every URL it gives a crawler is on
127.0.0.0/8.
"""
import argparse
import collections
import hashlib
import json
import os
import shutil
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.parse

REPO = os.path.abspath(os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
BIN = os.path.join(REPO, "target", "release", "zwgk-audit")
AS_OF = "2025-12-31"
HOSTS = ["127.0.0.%d" % i for i in range(2, 12)]
T0 = time.time()


def say(msg=""):
    print(msg, flush=True)


def step(msg):
    say("[%5.0fs] %s" % (time.time() - T0, msg))


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def timed(cmd, log, cwd=None, env=None):
    """Runs cmd under /usr/bin/time: (exit code, wall s, user+sys s, peak RSS KiB)."""
    tf = log + ".time"
    with open(log, "wb") as out:
        rc = subprocess.call(["/usr/bin/time", "-f", "%e %U %S %M", "-o", tf] + cmd, stdout=out,
                             stderr=subprocess.STDOUT, cwd=cwd, env=env)
    with open(tf) as f:
        fields = f.read().split()[-4:]
    wall, user, sys_, rss = float(fields[0]), float(fields[1]), float(fields[2]), int(fields[3])
    return rc, wall, user + sys_, rss


# ---------------------------------------------------------------- nginx
class Nginx:
    """One nginx instance of our own: own config, pid file, logs and temp paths, loopback only."""

    def __init__(self, tmp, servers):
        self.dir = os.path.join(tmp, "nginx")
        os.makedirs(self.dir, exist_ok=True)
        self.conf = os.path.join(self.dir, "nginx.conf")
        blocks = []
        for name, (addrs, port, root) in servers.items():
            listens = "\n".join("    listen %s:%d;" % (a, port) for a in addrs)
            blocks.append('''  server {
%s
    server_name _;
    root %s;
    access_log %s/%s.log bench;
    location ~ ^/jd[0-9]+/ { charset gb2312; }
  }''' % (listens, root, self.dir, name))
        d = self.dir
        with open(self.conf, "w") as f:
            f.write('''worker_processes 1;
pid %(d)s/nginx.pid;
error_log %(d)s/error.log warn;
events { worker_connections 4096; }
http {
  types { text/html html htm; text/css css; text/plain txt; application/pdf pdf;
          application/vnd.openxmlformats-officedocument.spreadsheetml.sheet xlsx; }
  default_type application/octet-stream;
  log_format bench '$msec $server_addr $status $body_bytes_sent $request_uri';
  client_body_temp_path %(d)s/body; proxy_temp_path %(d)s/proxy; fastcgi_temp_path %(d)s/fastcgi;
  uwsgi_temp_path %(d)s/uwsgi; scgi_temp_path %(d)s/scgi;
  sendfile on; tcp_nopush on; keepalive_requests 1000000; keepalive_timeout 75s;
%(blocks)s
}
''' % dict(d=d, blocks="\n".join(blocks)))

    def start(self):
        subprocess.check_call(["nginx", "-c", self.conf, "-p", self.dir, "-e", os.path.join(self.dir, "error.log")])
        pidfile = os.path.join(self.dir, "nginx.pid")
        for _ in range(100):
            if os.path.exists(pidfile):
                break
            time.sleep(0.05)
        with open(pidfile) as f:
            self.pid = int(f.read().strip())

    def stop(self):
        try:
            os.kill(self.pid, 15)  # our own master process, by its pid file
        except (AttributeError, ProcessLookupError):
            pass

    def log_lines(self, name):
        path = os.path.join(self.dir, name + ".log")
        if not os.path.exists(path):
            return []
        with open(path) as f:
            return [ln.split(" ", 4) for ln in f.read().splitlines()]

    def truncate(self, name):
        path = os.path.join(self.dir, name + ".log")
        if os.path.exists(path):
            open(path, "w").close()  # nginx writes with O_APPEND, so it goes on at offset 0


# ---------------------------------------------------------------- site and expected pages
def generate(tmp, label, units, docs):
    out = os.path.join(tmp, label)
    subprocess.check_call([sys.executable, os.path.join(REPO, "benches", "gensite.py"), out, "--units", str(units),
                           "--docs-per-column", str(docs)], stdout=subprocess.DEVNULL)
    with open(os.path.join(out, "manifest.json")) as f:
        manifest = json.load(f)
    expected = {p for p in manifest["files"] if not p.startswith("/static/")}
    return out, manifest, expected


def path_of(url):
    """The site file a URL names (directory URLs name their index.html)."""
    p = urllib.parse.urlsplit(url).path
    return p + "index.html" if p.endswith("/") else p


def write_units(path, manifest, base_of, rate, per_unit_pages=6000):
    lines = ["settings:", "  rate_per_host: %s" % rate, "  max_pages_per_unit: %d" % per_unit_pages,
             "  max_depth: 40", "  max_in_flight: 16", '  user_agent: "zwgk-audit/0.1 (bench)"', "units:"]
    for i, u in enumerate(manifest["units"]):
        lines += ["  - id: %s" % u["id"], "    name: %s" % u["name"], "    kind: %s" % u["kind"],
                  '    roots: ["%s%s"]' % (base_of(i), u["root"])]
    with open(path, "w") as f:
        f.write("\n".join(lines) + "\n")


# ---------------------------------------------------------------- zwgk-audit
def audit(units, out, log):
    cmd = [BIN, "audit", "--units", units, "--out", out, "--as-of", AS_OF, "--allow-private",
           "--checks", os.path.join(REPO, "checks")]
    return timed(cmd, log)


def store_view(out):
    """(found expected-file paths, digest of every stored record's url/status/sha256)."""
    db = sqlite3.connect(os.path.join(out, "evidence.sqlite"))
    rows = db.execute("SELECT url, final_url, status, sha256, kind FROM responses ORDER BY url, id").fetchall()
    db.close()
    found = {path_of(r[1]) for r in rows if r[2] == 200}
    h = hashlib.sha256()
    for r in sorted((r[0], r[2] or 0, r[3] or "", r[4]) for r in rows):
        h.update(repr(r).encode())
    return found, h.hexdigest()[:16]


def report_digest(out):
    """SHA-256 of report.json without the fields that differ between identical runs."""
    with open(os.path.join(out, "report.json")) as f:
        rep = json.load(f)
    # robots.txt is requested once per host by whichever unit asks first, so the requests of each unit
    # may differ by one between identical runs; their total may not.
    rep["requests_total"] = sum(u["crawl"].pop("requests") for u in rep["units"])

    def scrub(v):
        if isinstance(v, dict):
            return {k: scrub(x) for k, x in v.items() if k not in ("generated_at", "fetched_at", "trend")}
        if isinstance(v, list):
            return [scrub(x) for x in v]
        return v
    return hashlib.sha256(json.dumps(scrub(rep), sort_keys=True).encode()).hexdigest()[:16]


def crawl_totals(out):
    with open(os.path.join(out, "report.json")) as f:
        rep = json.load(f)
    tot = collections.Counter()
    for u in rep["units"]:
        for k, v in u["crawl"].items():
            if isinstance(v, int) and not isinstance(v, bool):
                tot[k] += v
    return tot


# ---------------------------------------------------------------- reference crawlers
def wget(start, dest, log):
    cmd = ["wget", "--recursive", "--level=inf", "--no-parent", "--no-host-directories", "--no-verbose",
           "--tries=1", "-e", "robots=on", "--directory-prefix", dest, start]
    rc, wall, cpu, rss = timed(cmd, log)
    found = set()
    for root, _dirs, files in os.walk(dest):
        for name in files:
            found.add("/" + os.path.relpath(os.path.join(root, name), dest))
    return rc, wall, cpu, rss, found


SPIDER = '''
import scrapy
from scrapy.http import TextResponse


class SiteSpider(scrapy.Spider):
    """Follows every <a href> on the start URL's host, as wget --recursive does; records each response."""
    name = "site"
    custom_settings = {
        "ROBOTSTXT_OBEY": True, "CONCURRENT_REQUESTS": 16, "CONCURRENT_REQUESTS_PER_DOMAIN": 16,
        "DOWNLOAD_DELAY": 0, "AUTOTHROTTLE_ENABLED": False, "COOKIES_ENABLED": False, "RETRY_ENABLED": False,
        "TELNETCONSOLE_ENABLED": False, "LOG_LEVEL": "WARNING", "DEPTH_LIMIT": 0,
        "USER_AGENT": "scrapy-bench", "DOWNLOAD_MAXSIZE": 20 * 1024 * 1024,
    }

    def __init__(self, start, out, **kw):
        super().__init__(**kw)
        self.start_urls = [start]
        self.prefix = start.split("/", 3)[:3]
        self.prefix = "/".join(self.prefix) + "/"
        self.out = open(out, "w")
        # Scrapy's dupe filter would drop repeats too, but only after building a Request for each of the
        # ~20 links per page; a set here keeps the spider as cheap as wget's own de-duplication.
        self.seen = set()

    def parse(self, response):
        self.out.write("%d %s %d\\n" % (response.status, response.url, len(response.body)))
        if isinstance(response, TextResponse) and b"html" in response.headers.get(b"Content-Type", b""):
            for href in response.css("a::attr(href)").getall():
                url = response.urljoin(href.strip()).split("#")[0]
                if url.startswith(self.prefix) and url not in self.seen:
                    self.seen.add(url)
                    yield scrapy.Request(url, callback=self.parse)
'''


def scrapy(venv, spider, start, out, log):
    cmd = [os.path.join(venv, "bin", "scrapy"), "runspider", spider, "-a", "start=" + start, "-a", "out=" + out]
    rc, wall, cpu, rss = timed(cmd, log)
    found = set()
    with open(out) as f:
        for ln in f:
            status, url, _n = ln.split(" ")
            if status == "200":
                found.add(path_of(url))
    return rc, wall, cpu, rss, found


# ---------------------------------------------------------------- politeness
def max_in_window(times, window=1.0):
    best, j = 0, 0
    for i, t in enumerate(times):
        while times[j] <= t - window:
            j += 1
        best = max(best, i - j + 1)
    return best


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--venv", required=True, help="virtualenv holding Scrapy")
    ap.add_argument("--units", type=int, default=10, help="units of the main site (about 2,120 pages each)")
    ap.add_argument("--big-units", type=int, default=48, help="units of the RSS-only site (0 to skip)")
    ap.add_argument("--polite-docs", type=int, default=10, help="documents per column on the politeness site")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--keep", action="store_true", help="keep the temporary directory")
    args = ap.parse_args()

    tmp = tempfile.mkdtemp(prefix="zwgk-bench-")
    os.chmod(tmp, 0o755)  # nginx's workers run as another user when started by root
    say("zwgk-audit whole-run benchmark, %s" % time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime()))
    cpu_model = next((ln.split(":", 1)[1].strip() for ln in open("/proc/cpuinfo") if ln.startswith("model name")), "?")
    mem_gib = int(open("/proc/meminfo").readline().split()[1]) / 1024 / 1024
    say("machine: nproc %d, %s, %.1f GiB memory, load average at start %s" % (
        os.cpu_count(), cpu_model, mem_gib, " ".join(open("/proc/loadavg").read().split()[:3])))
    versions = [subprocess.run(c, capture_output=True, text=True).stdout.splitlines()[0]
                for c in ([BIN, "--version"], ["wget", "--version"], [os.path.join(args.venv, "bin", "scrapy"), "version"])]
    nginx_v = subprocess.run(["nginx", "-v"], capture_output=True, text=True).stderr.strip()
    say("tools: %s; %s; Scrapy %s; %s" % (versions[0], versions[1], versions[2].split()[-1], nginx_v))
    say("temp dir: %s" % tmp)

    step("generating the main site (%d units) and the politeness site (10 units)" % args.units)
    main_dir, manifest, expected = generate(tmp, "site-main", args.units, 240)
    pol_dir, pol_manifest, _ = generate(tmp, "site-polite", 10, args.polite_docs)
    big_dir = os.path.join(tmp, "site-big", "site")
    os.makedirs(big_dir, exist_ok=True)
    size = sum(os.path.getsize(os.path.join(main_dir, "site", p.lstrip("/"))) for p in expected)
    enc = collections.Counter(u["cms"] for u in manifest["units"])
    say("main site: %d pages and attachments (%.0f MB), %d units (%s)" % (
        len(expected), size / 1e6, len(manifest["units"]), ", ".join("%d %s" % (n, k) for k, n in sorted(enc.items()))))

    p_main, p_big, p_pol = free_port(), free_port(), free_port()
    ng = Nginx(tmp, {"main": (["127.0.0.1"], p_main, os.path.join(main_dir, "site")),
                     "big": (["127.0.0.1"], p_big, big_dir),
                     "polite": (HOSTS, p_pol, os.path.join(pol_dir, "site"))})
    ng.start()
    try:
        run(args, tmp, ng, manifest, expected, p_main, p_big, p_pol, pol_manifest, big_dir)
        say("load average at the end: %s" % " ".join(open("/proc/loadavg").read().split()[:3]))
    finally:
        ng.stop()
        if not args.keep:
            shutil.rmtree(tmp, ignore_errors=True)
    step("done")


def run(args, tmp, ng, manifest, expected, p_main, p_big, p_pol, pol_manifest, big_dir):
    base = "http://127.0.0.1:%d" % p_main
    units = os.path.join(tmp, "units-main.yaml")
    write_units(units, manifest, lambda i: base, "unlimited")
    n = len(expected)
    results = collections.OrderedDict()

    # ---- zwgk-audit and wget, limit off, alternately: the machine's speed drifts by tens of percent within
    # minutes (a VM), so each zwgk-audit run is compared with the wget run just after it.
    say()
    say("== zwgk-audit (rate_per_host: unlimited) and wget on the main site, %d runs each, alternately ==" % args.runs)
    digests = set()
    rows, wget_rows = [], []
    for r in range(args.runs):
        out = os.path.join(tmp, "zwgk-%d" % r)
        ng.truncate("main")
        rc, wall, cpu, rss = audit(units, out, out + ".log")
        found, rec_digest = store_view(out)
        rep_digest = report_digest(out)
        digests.add((rec_digest, rep_digest))
        got = len(found & expected)
        reqs = len(ng.log_lines("main"))
        rows.append((wall, cpu, rss, got, reqs))
        say("zwgk run %d: exit %d, %d/%d expected pages found, %d requests, %.1f s wall, %.0f pages/s, "
            "CPU %.2f ms/page, peak RSS %.0f MiB, records %s, report %s" % (
                r + 1, rc, got, n, reqs, wall, got / wall, 1000 * cpu / got if got else 0, rss / 1024,
                rec_digest, rep_digest))
        if got != n:
            missing = sorted(expected - found)[:5]
            say("  MISSING (first 5 of %d): %s" % (n - got, missing))
        dest = os.path.join(tmp, "wget-%d" % r)
        rc, wall, cpu, rss, found = wget(base + "/index.html", dest, dest + ".log")
        shutil.rmtree(dest, ignore_errors=True)
        got = len(found & expected)
        wget_rows.append((wall, cpu, rss, got, 0))
        say("wget run %d: exit %d, %d/%d expected pages found, %.1f s wall, %.0f pages/s, CPU %.2f ms/page, "
            "peak RSS %.0f MiB" % (r + 1, rc, got, n, wall, got / wall, 1000 * cpu / got if got else 0, rss / 1024))
    say("zwgk-audit identical on every run (records and report.json): %s" % ("yes" if len(digests) == 1 else "NO"))
    results["zwgk"] = rows
    results["wget"] = wget_rows

    # ---- incremental second run on run 1's out folder, site unchanged
    step("incremental second run (same out folder as run 1, site unchanged)")
    out = os.path.join(tmp, "zwgk-0")
    ng.truncate("main")
    rc, wall, cpu, rss = audit(units, out, out + "-incr.log")
    first = crawl_totals(os.path.join(tmp, "zwgk-1"))
    again = crawl_totals(out)
    served = ng.log_lines("main")
    say("first run: %d requests, %d full downloads, %d bytes" % (first["requests"], first["downloads"], first["bytes"]))
    say("second run: exit %d, %d requests (%d answered 304 by nginx), %d full downloads, %d bytes, %d reused "
        "(%d not requested at all: listed unchanged and confirmed < revisit_days ago), %.1f s wall" % (
            rc, again["requests"], sum(1 for x in served if x[2] == "304"), again["downloads"], again["bytes"],
            again["reused"], again["reused"] - again["not_modified"], wall))
    found, _ = store_view(out)
    say("second run's store holds %d/%d expected pages" % (len(found & expected), n))

    # ---- Scrapy (a tenth of the speed: the drift matters less than its own spread)
    say()
    say("== Scrapy on the same site, %d runs ==" % args.runs)
    spider = os.path.join(tmp, "spider.py")
    with open(spider, "w") as f:
        f.write(SPIDER)
    rows = []
    for r in range(args.runs):
        o = os.path.join(tmp, "scrapy-%d.txt" % r)
        rc, wall, cpu, rss, found = scrapy(args.venv, spider, base + "/index.html", o, o + ".log")
        got = len(found & expected)
        rows.append((wall, cpu, rss, got, 0))
        say("scrapy run %d: exit %d, %d/%d expected pages found, %.1f s wall, %.0f pages/s, CPU %.2f ms/page, "
            "peak RSS %.0f MiB" % (r + 1, rc, got, n, wall, got / wall, 1000 * cpu / got if got else 0, rss / 1024))
    results["scrapy"] = rows

    say()
    say("== side by side (median of %d runs; pages/s counts only expected pages found) ==" % args.runs)

    def med(xs):
        xs = sorted(xs)
        return xs[len(xs) // 2]
    summary = {}
    for name, rows in results.items():
        summary[name] = (med([g / w for w, _c, _m, g, _ in rows]), med([m for _w, _c, m, _g, _ in rows]),
                         med([1000 * c / g for _w, c, _m, g, _ in rows if g]), [g for *_x, g, _ in rows])
        say("%-10s %7.0f pages/s  %6.0f MiB peak RSS  %5.2f ms CPU/page  pages found per run: %s" % (
            name, summary[name][0], summary[name][1] / 1024, summary[name][2], summary[name][3]))
    z = summary["zwgk"]
    for name in ("wget", "scrapy"):
        o = summary[name]
        say("zwgk-audit / %s: throughput x%.2f, peak memory x%.2f" % (name, z[0] / o[0], z[1] / o[1]))
    pairs = [(zg / zw) / (wg / ww) for (zw, _c, _m, zg, _), (ww, _c2, _m2, wg, _2) in
             zip(results["zwgk"], results["wget"]) if zw and ww and wg]
    if pairs:
        say("zwgk-audit / wget, each run against the wget run just after it: %s; median x%.2f" % (
            ", ".join("x%.2f" % x for x in pairs), med(pairs)))
    # wget's speed swings with the machine's phase far more than zwgk-audit's: the fastest run of each is the
    # comparison least flattering to zwgk-audit.
    best = {name: max((got / wall for wall, _c, _m, got, _r in results[name] if wall), default=0)
            for name in ("zwgk", "wget")}
    if best["wget"]:
        say("zwgk-audit / wget, the fastest run of each: x%.2f (%.0f against %.0f pages/s)" % (
            best["zwgk"] / best["wget"], best["zwgk"], best["wget"]))

    # ---- RSS at 100k pages
    if args.big_units:
        say()
        step("generating the big site (%d units) for peak RSS" % args.big_units)
        shutil.rmtree(os.path.dirname(big_dir))
        big_root, big_manifest, big_expected = generate(tmp, "site-big", args.big_units, 240)
        units_big = os.path.join(tmp, "units-big.yaml")
        write_units(units_big, big_manifest, lambda i: "http://127.0.0.1:%d" % p_big, "unlimited")
        out = os.path.join(tmp, "zwgk-big")
        rc, wall, cpu, rss = audit(units_big, out, out + ".log")
        found, _ = store_view(out)
        got = len(found & big_expected)
        store_mb = sum(os.path.getsize(os.path.join(out, f)) for f in os.listdir(out) if f.startswith("evidence")) / 1e6
        say("big site: exit %d, %d/%d expected pages found, %.1f s wall, %.0f pages/s, CPU %.2f ms/page, "
            "peak RSS %.0f MiB, evidence store %.0f MB on disk" % (
                rc, got, len(big_expected), wall, got / wall, 1000 * cpu / got, rss / 1024, store_mb))
        small = results["zwgk"][0]
        say("peak RSS %d pages: %.0f MiB; %d pages: %.0f MiB (x%.2f for x%.2f pages)" % (
            n, small[2] / 1024, len(big_expected), rss / 1024, rss / small[2], len(big_expected) / n))
        shutil.rmtree(out, ignore_errors=True)
        shutil.rmtree(big_root, ignore_errors=True)

    # ---- politeness: 10 hosts at 2 requests/s each
    say()
    step("politeness: 10 units on 10 hosts (127.0.0.2 … 127.0.0.11), rate_per_host 2")
    units_pol = os.path.join(tmp, "units-polite.yaml")
    write_units(units_pol, pol_manifest, lambda i: "http://%s:%d" % (HOSTS[i], p_pol), 2)
    out = os.path.join(tmp, "zwgk-polite")
    rc, wall, cpu, rss = audit(units_pol, out, out + ".log")
    lines = ng.log_lines("polite")
    by_host = collections.defaultdict(list)
    for t, addr, _status, _bytes, _uri in lines:
        by_host[addr].append(float(t))
    total = len(lines)
    bound = total / (2.0 * len(HOSTS))
    for h in HOSTS:
        ts = sorted(by_host[h])
        rate = (len(ts) - 1) / (ts[-1] - ts[0]) if len(ts) > 1 else 0
        say("%-10s %4d requests, achieved %.3f req/s, at most %d in any 1 s window" % (
            h, len(ts), rate, max_in_window(ts)))
    first = min(float(x[0]) for x in lines)
    last = max(float(x[0]) for x in lines)
    say("total: exit %d, %d requests; bound pages/(rate x hosts) = %.1f s; audit wall time %.1f s (%+.1f%%); "
        "first to last request %.1f s (%+.1f%%)" % (
            rc, total, bound, wall, 100 * (wall / bound - 1), last - first, 100 * ((last - first) / bound - 1)))


if __name__ == "__main__":
    main()
