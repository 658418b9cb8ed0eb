#!/bin/sh
# Builds and runs the filterbank benchmark (docs/performance.md "fbank").
# Usage: bench/fbank/run.sh [build-dir] [bench_fbank options, e.g. --repeats 7]
set -e
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
build=${1:-$root/build/default}
[ $# -gt 0 ] && shift
cmake --build "$build" --target bench_fbank
exec "$build/bench/fbank/bench_fbank" "$@"
