#!/usr/bin/env bash
# valgrind memcheck over tools/valgrind_subset.py with the installed winit_fast. Fails if
# valgrind reports an error in winit_fast's extension (CPython's own noise is not counted:
# PYTHONMALLOC=malloc makes CPython's allocations visible to valgrind as plain mallocs).
# Last run: docs/reliability.md
set -euo pipefail
log="${1:-/tmp/winit_fast-valgrind.log}"
# the interpreter itself, not a wrapper script (pyenv shims), so valgrind sees Python
python="$(python3 -c "import sys; print(sys.executable)")"
PYTHONMALLOC=malloc valgrind --tool=memcheck --leak-check=no --track-origins=yes \
    --num-callers=30 --log-file="$log" "$python" "$(dirname "$0")/valgrind_subset.py"
errors=$(grep -c -E "_core\.cpython|winit_fast|\bwf_" "$log" || true)
grep "ERROR SUMMARY" "$log"
if [ "$errors" != "0" ]; then
    echo "valgrind: $errors stack frames in winit_fast._core, see $log" >&2
    exit 1
fi
echo "valgrind: no error involving winit_fast._core"
