#!/usr/bin/env bash
# Runs the whole dieharder battery (-a) on winit_fast's raw Philox stream, read from stdin.
#   tools/dieharder.sh [SEED] [OUTPUT]      (defaults: seed 1, docs/dieharder-seed1.txt)
# Needs Debian's `dieharder` (apt-get install dieharder) and winit_fast installed. It takes
# about an hour on one core; the last recorded run is in docs/reliability.md.
set -euo pipefail
seed="${1:-1}"
output="${2:-docs/dieharder-seed${seed}.txt}"
winit-fast raw --seed "$seed" | dieharder -a -g 200 -k 2 | tee "$output"
if grep -q FAILED "$output"; then
    echo "dieharder: some test FAILED" >&2
    exit 1
fi
echo "dieharder: no test FAILED (PASSED or WEAK only)"
