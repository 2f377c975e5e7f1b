#!/usr/bin/env bash
# Whole-run benchmark of zwgk-audit (docs/PERFORMANCE.md): generated 集约化 sites served by our own nginx
# on 127.0.0.x, zwgk-audit with the rate limit off and on, wget --recursive and a Scrapy spider on the
# same site, then the criterion benchmark of extraction and checks per page.
#
#   bash benches/run.sh [--units N] [--big-units N] [--runs N] [--keep]
#
# Setup (only when missing): nginx and wget from Debian's packages, Scrapy from PyPI into a virtualenv
# under ~/.cache/zwgk-audit-bench. Every crawl of the benchmark itself goes to loopback only.
# Not part of `cargo test`.
set -euo pipefail
cd "$(dirname "$0")/.."

need_apt=()
command -v nginx >/dev/null || need_apt+=(nginx-light)
command -v wget >/dev/null || need_apt+=(wget)
[ -x /usr/bin/time ] || need_apt+=(time)
if [ ${#need_apt[@]} -gt 0 ]; then
  echo "installing ${need_apt[*]} from Debian's packages"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need_apt[@]}" >/dev/null
fi
venv="${XDG_CACHE_HOME:-$HOME/.cache}/zwgk-audit-bench/venv"
if [ ! -x "$venv/bin/scrapy" ]; then
  echo "installing Scrapy from PyPI into $venv"
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q 'scrapy>=2.11,<3'
fi

# Both binaries are built before the clock starts: the audit's release build and criterion's bench build.
cargo build --release --quiet
cargo bench --bench pipeline --no-run --quiet
start=$(date +%s)
python3 benches/whole_run.py --venv "$venv" "$@"

echo
echo "== criterion: extraction and checks per page (cargo bench --bench pipeline) =="
cargo bench --quiet --bench pipeline -- --warm-up-time 1 --measurement-time 4 2>&1 \
  | grep -E '^(extract|checks|site)|time:|per page' || true
echo "benchmark wall time: $(( $(date +%s) - start )) s (release and bench builds excluded)"
