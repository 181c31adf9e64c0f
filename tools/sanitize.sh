#!/usr/bin/env bash
# Builds the extension with AddressSanitizer + UndefinedBehaviorSanitizer in a scratch copy of
# the repository and runs the test suite against it.  Usage: tools/sanitize.sh [SCRATCH_DIR [PYTEST_ARGS...]]
# (default /tmp/winit_fast-sanitize).  Python itself is not instrumented, so libasan is
# preloaded; leak checking is off (CPython keeps memory until exit).  Exits non-zero on any
# sanitizer report (halt_on_error / abort_on_error) or test failure.  Last run: docs/reliability.md
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
scratch="${1:-/tmp/winit_fast-sanitize}"
shift || true  # the remaining arguments go to pytest
rm -rf "$scratch"
git -C "$root" ls-files -z | (cd "$root" && xargs -0 cp --parents -t "$(mkdir -p "$scratch" && echo "$scratch")")
cd "$scratch"
WINIT_FAST_SANITIZE=1 WINIT_FAST_REQUIRE_EXTENSION=1 python3 setup.py -q build_ext --inplace
export LD_PRELOAD="$(gcc -print-file-name=libasan.so):$(gcc -print-file-name=libubsan.so)"
# allocator_may_return_null: the huge-shape tests must get MemoryError, not an ASan abort
export ASAN_OPTIONS=detect_leaks=0:abort_on_error=1:allocator_may_return_null=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
export PYTHONPATH="$scratch/src"
python3 -c "import winit_fast._core as c; assert '$scratch' in c.__file__, c.__file__"
# The nested whole-suite fallback run and the 10^8-sample and 4 GiB tests are skipped only
# for time: the sanitized build is several times slower.
python3 -m pytest -q -p no:cacheprovider \
    --deselect tests/test_fallback_suite.py::test_suite_passes_under_the_fallback \
    --deselect tests/test_distributions.py::test_no_inf_or_nan_in_1e8_float32_normals \
    --deselect tests/test_concurrency.py::test_ctrl_c_interrupts_a_long_fill_within_a_second \
    "$@"
