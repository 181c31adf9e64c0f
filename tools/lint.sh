#!/usr/bin/env bash
# The code-health gates of CI (.ci/run), in one place: `make lint` and the pre-commit hook run
# this file. Needs ruff, cython-lint, mypy (pip install "ruff>=0.6" "cython-lint>=0.16"
# "mypy>=1.10") and clang-format. PYTHON picks the interpreter (default python3).
set -euo pipefail
cd "$(dirname "$0")/.."
python="${PYTHON:-python3}"
"$python" -m ruff check src tests tools setup.py docs/conf.py
"$python" -m ruff format --check src tests tools setup.py docs/conf.py
cython-lint src/winit_fast/_core.pyx
clang-format --dry-run -Werror $(git ls-files 'csrc/*.c' 'csrc/*.h' 'csrc/*.inc')
"$python" -m mypy
