#!/bin/sh
# Builds and runs the utterance-browser benchmark (docs/performance.md
# "Utterance browser"). Usage: bench/ui_browser/run.sh [build-dir] [bench_ui_browser options]
set -e
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
build=${1:-$root/build/default}
[ $# -gt 0 ] && shift
cmake --build "$build" --target bench_ui_browser
QT_QPA_PLATFORM=${QT_QPA_PLATFORM:-offscreen} exec "$build/bench/ui_browser/bench_ui_browser" "$@"
