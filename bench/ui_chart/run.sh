#!/bin/sh
# Builds and runs the training-chart refresh benchmark (docs/performance.md
# "Training charts"). Usage: bench/ui_chart/run.sh [build-dir] [bench_ui_chart options]
set -e
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
build=${1:-$root/build/default}
[ $# -gt 0 ] && shift
cmake --build "$build" --target bench_ui_chart
QT_QPA_PLATFORM=${QT_QPA_PLATFORM:-offscreen} exec "$build/bench/ui_chart/bench_ui_chart" "$@"
