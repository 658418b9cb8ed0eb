#!/bin/sh
# Builds and runs the labeling benchmark (docs/performance.md "Labeling").
# Usage: bench/label/run.sh [build-dir] [bench_label options]
#   bench/label/run.sh build/default                       # temporary tiny workspace
#   bench/label/run.sh build/default --workspace WS --model teacher-demo --dataset synth-unlabeled
set -e
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
build=${1:-$root/build/default}
[ $# -gt 0 ] && shift
cmake --build "$build" --target bench_label
exec "$build/bench/label/bench_label" "$@"
