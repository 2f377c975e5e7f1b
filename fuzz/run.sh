#!/bin/sh
# Runs fuzz targets one after another, each for SECONDS (default 600), and prints one summary line per
# target: executions, crashes/timeouts/OOMs, the final corpus (files, bytes). Logs go to fuzz/logs/.
#
#   fuzz/run.sh [TARGET ...]            (default: every target)
#   SECONDS_PER_TARGET=60 fuzz/run.sh dates
#
# libFuzzer runs in fork mode with crashes, timeouts and OOMs recorded and skipped, so one run finds them
# all; the inputs land in fuzz/artifacts/TARGET/. Per input: 10 s, 2 GB of RSS.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
cd "$(dirname "$here")"
secs=${SECONDS_PER_TARGET:-600}
targets=${*:-"page_facts plain_html dates metadata checks_yaml units_yaml attachments annual_text"}
mkdir -p "$here/logs"
for t in $targets; do
    mkdir -p "$here/corpus/$t" "$here/artifacts/$t"
    log="$here/logs/$t.log"
    start=$(date +%s)
    cargo +nightly fuzz run -s none -a "$t" -- -fork=1 -ignore_crashes=1 -ignore_timeouts=1 -ignore_ooms=1 \
        -max_total_time="$secs" -rss_limit_mb=2048 -timeout=10 -print_final_stats=1 > "$log" 2>&1 || true
    end=$(date +%s)
    last=$(grep -E '^#[0-9]+: cov' "$log" | tail -n 1)
    files=$(ls "$here/corpus/$t" | wc -l)
    bytes=$(cat "$here/corpus/$t"/* | wc -c)
    found=$(ls "$here/artifacts/$t" | wc -l)
    printf '%s\t%ss\t%s\tcorpus %s files %s bytes\tartifacts %s\n' "$t" $((end - start)) "$last" "$files" \
        "$bytes" "$found"
done
