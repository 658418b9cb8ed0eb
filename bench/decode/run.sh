#!/bin/sh
# Builds and runs the decoding benchmark (docs/performance.md "decode").
# Usage: bench/decode/run.sh [build-dir] [bench_decode options]
#   bench/decode/run.sh build/default                          # scripts/demo's workspace, synth-test-clean
#   bench/decode/run.sh build/default --workspace WS --model teacher-demo --dataset synth-test-clean
set -e
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
build=${1:-$root/build/default}
[ $# -gt 0 ] && shift
cmake --build "$build" --target bench_decode
exec "$build/bench/decode/bench_decode" "$@"
