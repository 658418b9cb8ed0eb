#!/bin/sh
# Builds and runs the record-store commit benchmark (docs/performance.md
# "Record-store commits"). Usage: bench/store/run.sh [build-dir] [bench_store options]
set -e
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
build=${1:-$root/build/default}
[ $# -gt 0 ] && shift
cmake --build "$build" --target bench_store
exec "$build/bench/store/bench_store" "$@"
