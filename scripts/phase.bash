# Sourced by scripts/test, scripts/test-asan and .ci/run: names the phases of a
# run and prints how long each took, so a CI log shows where its time goes.
#   phase "build"    ends the previous phase (prints "== <name>: N s"), starts "build"
#   phase ""         ends the last phase
phase() {
  if [ -n "${_phase_name:-}" ]; then
    echo "== ${_phase_name}: $((SECONDS - _phase_start)) s"
  fi
  _phase_name=$1
  _phase_start=$SECONDS
  if [ -n "$_phase_name" ]; then echo "== $_phase_name"; fi
}
# A script that stops on an error still prints how long its last phase ran.
trap 'phase ""' EXIT
