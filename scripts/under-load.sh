#!/usr/bin/env bash
# Run a command while busy loops keep every core busy: does the suite pass on a loaded machine?
#
#   scripts/under-load.sh COMMAND [ARG...]
#
# LOAD_PROCS busy loops (default: one per core, `nproc`) run for the whole time; the command
# runs RUNS times in a row (default 1) and the script stops at the first failure. The loops
# are this script's own children, stopped by their process ids on any exit.
set -euo pipefail

LOAD_PROCS="${LOAD_PROCS:-$(nproc)}"
RUNS="${RUNS:-1}"
if [ "$#" -eq 0 ]; then
    echo "usage: LOAD_PROCS=2 RUNS=3 $0 COMMAND [ARG...]" >&2
    exit 2
fi

loops=()
stop_loops() {
    for pid in "${loops[@]}"; do
        kill "$pid" 2>/dev/null || true
    done
}
trap stop_loops EXIT

for _ in $(seq "$LOAD_PROCS"); do
    python3 -c 'while True: pass' &
    loops+=("$!")
done
echo "under-load: ${#loops[@]} busy loops (pids ${loops[*]}), ${RUNS} run(s) of: $*" >&2

for run in $(seq "$RUNS"); do
    start=$(date +%s)
    if "$@"; then
        echo "under-load: run ${run}/${RUNS} passed in $(( $(date +%s) - start )) s" >&2
    else
        status=$?
        echo "under-load: run ${run}/${RUNS} FAILED (exit ${status}) after $(( $(date +%s) - start )) s" >&2
        exit "$status"
    fi
done
