#!/bin/sh
# bench/train/run.sh [build-dir] [bench_train options]: C++ Trainer vs python3-torch.
set -e
build=${1:-build/default}
[ $# -gt 0 ] && shift
exec "$build/bench/train/bench_train" "$@"
