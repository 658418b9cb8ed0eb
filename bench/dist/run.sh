#!/bin/sh
# bench/dist/run.sh [build-dir] [bench_dist.py options]: sync vs GTC vs BMUF on
# 2 local ranks against one process, on the tiny and demo corpora.
set -e
build=${1:-build/default}
[ $# -gt 0 ] && shift
exec /usr/bin/python3 "$(dirname "$0")/bench_dist.py" --cli "$build/app/cli/understudy-cli" "$@"
