"""Packaging (docs/packaging.md): metadata, sdist contents, the build's OpenMP and pure-Python
paths, and the SIMD portability of the built extension.

Tests marked ``build`` build the package from this source tree in a subprocess (about a
minute in all); they need the source tree, setuptools, Cython and a Unix C compiler chosen
through ``CC``. Installs go into throwaway virtual environments that see this environment's
site-packages through a .pth file (so nothing is downloaded) but get their own winit_fast.
"""

from __future__ import annotations

import email.parser
import importlib.util
import json
import os
import re
import shutil
import subprocess
import sys
import sysconfig
import tarfile
import venv
from pathlib import Path

import pytest
from support import CORE, TESTS, needs_core

import winit_fast as wf

ROOT = TESTS.parent
EXTRAS = {
    "test",
    "bench",
    "train",
    "keras",
    "torch",
    "dask",
    "plot",
    "jax",
    "safetensors",
    "transformers",
    "gpu",
    "all",
}
PROJECT_URLS = {"Homepage", "Documentation", "Source", "Issues", "Changelog"}

needs_source = pytest.mark.skipif(
    not (ROOT / "setup.py").exists(), reason="needs the source tree (setup.py beside tests/)"
)
needs_objdump = pytest.mark.skipif(
    shutil.which("objdump") is None, reason="needs objdump (binutils) to disassemble"
)
needs_unix_cc = pytest.mark.skipif(
    os.name != "posix" or not sysconfig.get_config_var("CC"),
    reason="needs a Unix C compiler that setuptools takes from CC (not MSVC)",
)


def _has(module: str) -> bool:
    return importlib.util.find_spec(module) is not None


needs_build_tools = pytest.mark.skipif(
    not (_has("setuptools") and _has("Cython")),
    reason="needs setuptools and Cython in this environment (pip install '.[test]')",
)


def load_module(path: Path, name: str):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def setup_py():
    """setup.py as a module: its functions, without running setup() (guarded by __main__)."""
    if not (ROOT / "setup.py").exists():
        pytest.skip("needs the source tree (setup.py beside tests/)")
    if not _has("setuptools"):
        pytest.skip("needs setuptools")
    return load_module(ROOT / "setup.py", "winit_fast_setup")


@pytest.fixture(scope="module")
def check_simd():
    path = ROOT / "tools" / "check_simd.py"
    if not path.exists():
        pytest.skip("needs tools/check_simd.py from the source tree")
    return load_module(path, "winit_fast_check_simd")


# --- setup.py logic, on any platform ------------------------------------------------------


def test_flags_keep_contraction_off_and_never_target_the_build_cpu(setup_py):
    unix, msvc = setup_py.base_flags(False, {}), setup_py.base_flags(True, {})
    assert "-ffp-contract=off" in unix and "/fp:precise" in msvc
    every = [*unix, *msvc]
    every += [f for flags in setup_py.SIMD_SOURCES.values() for f in flags]
    every += [f for flags in setup_py.NEON_SOURCES.values() for f in flags]
    for system in ("darwin", "linux"):
        for c, link, _ in setup_py.openmp_candidates(False, "macosx-14.0-arm64", {}, system):
            every += c + link
    assert not [f for f in every if "native" in f or f.startswith(("-march", "/arch"))]
    # and nowhere in the build configuration either
    for path in (
        "setup.py",
        "pyproject.toml",
        "tools/build_wheel.sh",
        ".ci/run",
        ".github/workflows",
    ):
        files = [ROOT / path] if (ROOT / path).is_file() else sorted((ROOT / path).glob("*"))
        for file in files:
            assert "march=native" not in file.read_text(encoding="utf-8"), file


def test_openmp_candidates_per_compiler(setup_py):
    cand = setup_py.openmp_candidates
    assert cand(True, "win-amd64", {}, "win32") == [(["/openmp"], [], None)]
    assert cand(False, "linux-x86_64", {}, "linux") == [(["-fopenmp"], ["-fopenmp"], None)]
    # macOS: -fopenmp first (LLVM clang, gcc), then Homebrew's libomp, the target's prefix first
    arm = cand(False, "macosx-14.0-arm64", {}, "darwin")
    assert [c[2] for c in arm] == [
        None,
        "/opt/homebrew/opt/libomp/lib",
        "/usr/local/opt/libomp/lib",
    ]
    assert arm[1][0] == ["-Xpreprocessor", "-fopenmp", "-I/opt/homebrew/opt/libomp/include"]
    assert "-lomp" in arm[1][1]
    intel = cand(False, "macosx-14.0-arm64", {"ARCHFLAGS": "-arch x86_64"}, "darwin")
    assert [c[2] for c in intel][1:] == [
        "/usr/local/opt/libomp/lib",
        "/opt/homebrew/opt/libomp/lib",
    ]
    # an explicit LIBOMP_PREFIX comes first
    mine = cand(False, "macosx-11.0-x86_64", {"LIBOMP_PREFIX": "/opt/omp"}, "darwin")
    assert mine[0][2] == "/opt/omp/lib" and mine[1][2] is None


def test_neon_kernels_only_for_aarch64_targets(setup_py):
    wants = setup_py.wants_neon
    assert wants("linux-aarch64", {}) and wants("macosx-11.0-arm64", {})
    assert wants("macosx-11.0-x86_64", {"ARCHFLAGS": "-arch arm64"})
    assert not wants("macosx-11.0-arm64", {"ARCHFLAGS": "-arch x86_64"})
    assert not wants("macosx-10.9-universal2", {})  # one object cannot hold both slices
    assert not wants("linux-x86_64", {}) and not wants("win-arm64", {})  # MSVC: scalar
    assert not wants("linux-aarch64", {"WINIT_FAST_NO_SIMD": "1"})
    # the build takes the macro and kernel files of the target's level, and only those
    assert setup_py.simd_kernels("linux-aarch64", {}) == ("WF_HAVE_NEON", setup_py.NEON_SOURCES)
    assert setup_py.simd_kernels("linux-x86_64", {}) == ("WF_HAVE_X86_SIMD", setup_py.SIMD_SOURCES)
    assert setup_py.simd_kernels("macosx-10.9-universal2", {}) == (None, {})
    assert setup_py.NEON_SOURCES == {"csrc/wf_kernels_neon.c": []}  # NEON is baseline AArch64


def test_simd_kernels_only_for_x86_64_targets(setup_py):
    wants = setup_py.wants_x86_simd
    assert wants("linux-x86_64", {}) and wants("win-amd64", {})
    assert wants("macosx-11.0-arm64", {"ARCHFLAGS": "-arch x86_64"})
    assert not wants("macosx-11.0-x86_64", {"ARCHFLAGS": "-arch arm64"})
    assert not wants("macosx-10.9-universal2", {})  # one object cannot hold both slices
    assert not wants("linux-aarch64", {}) and not wants("win-arm64", {})
    assert not wants("linux-x86_64", {"WINIT_FAST_NO_SIMD": "1"})


def test_macos_minimum_version_of_libomp(setup_py):
    parse = setup_py.parse_macos_min_version
    modern = (
        "Load command 9\n      cmd LC_BUILD_VERSION\n  cmdsize 32\n platform 1\n    minos 14.0\n"
    )
    legacy = "Load command 8\n      cmd LC_VERSION_MIN_MACOSX\n  cmdsize 16\n  version 10.9\n"
    assert parse(modern + "      sdk 14.2\n") == (14, 0)
    assert parse(legacy + "      sdk 10.14\n") == (10, 9)
    assert parse("Load command 0\n      cmd LC_SEGMENT_64\n") is None


@needs_unix_cc
def test_openmp_probe_takes_the_first_candidate_that_links(setup_py, tmp_path):
    from setuptools._distutils.ccompiler import new_compiler
    from setuptools._distutils.sysconfig import customize_compiler

    compiler = new_compiler()
    customize_compiler(compiler)
    bogus = (["-fno-such-openmp-flag"], [], None)
    missing = (["-fopenmp"], ["-fopenmp"], str(tmp_path / "no-such-libomp"))
    assert setup_py.probe_openmp(compiler, [bogus, missing]) is None
    found = setup_py.probe_openmp(compiler, [bogus, (["-fopenmp"], ["-fopenmp"], None)])
    if found is None:
        pytest.skip("needs a compiler with -fopenmp (gcc, or clang with libomp)")
    assert found[0] == ["-fopenmp"]


OPENMP_2_CLAUSE = re.compile(
    r"(schedule\((static|dynamic|guided)(,[^)]*)?\)|num_threads\([^)]*\)|"
    r"(private|firstprivate|lastprivate|shared|reduction)\([^)]*\)|nowait)"
)


@needs_source
def test_openmp_code_keeps_to_msvc_openmp_2_0():
    """MSVC's /openmp is OpenMP 2.0: `parallel for` loops need a signed integer index and
    take no `collapse`, `simd` or task constructs. MSVC is not here to compile it, so the
    rules are checked on the source."""
    pragmas = 0
    for source in sorted((ROOT / "csrc").rglob("*.c")):
        lines = source.read_text(encoding="utf-8").splitlines()
        for number, line in enumerate(lines):
            if not line.strip().startswith("#pragma omp"):
                continue
            pragmas += 1
            where = f"{source.name}:{number + 1}"
            directive = line.strip().removeprefix("#pragma omp").strip()
            assert directive.startswith("parallel for"), where  # the only construct in use
            assert OPENMP_2_CLAUSE.sub("", directive.removeprefix("parallel for")).strip() == ""
            loop = next(x for x in lines[number + 1 :] if not x.strip().startswith("#"))
            assert re.match(r"\s*for \((int|int64_t|long long|ptrdiff_t) \w+ = ", loop), where
    assert pragmas >= 2


# --- metadata and the sdist ---------------------------------------------------------------


@pytest.fixture(scope="module")
def sdist(tmp_path_factory):
    """The sdist, built by setuptools' PEP 517 hook (as `python -m build` does) from a copy of
    this tree without build leftovers: an old egg-info's SOURCES.txt would add files that
    MANIFEST.in forgets."""
    if not (ROOT / "setup.py").exists():
        pytest.skip("needs the source tree (setup.py beside tests/)")
    if not (_has("setuptools") and _has("Cython")):
        pytest.skip("needs setuptools and Cython in this environment (pip install '.[test]')")
    tree, out = tmp_path_factory.mktemp("tree") / "src", tmp_path_factory.mktemp("sdist")
    leftovers = (".git", "*.egg-info", "build", "dist", "__pycache__", "*.so", "*.o", ".*cache")
    shutil.copytree(ROOT, tree, ignore=shutil.ignore_patterns(*leftovers, ".hypothesis", ".venv*"))
    code = (
        "import sys; from setuptools import build_meta; print(build_meta.build_sdist(sys.argv[1]))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code, str(out)], cwd=tree, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return out / result.stdout.strip().splitlines()[-1]


@pytest.mark.build
def test_sdist_holds_every_source_test_and_tool(sdist):
    with tarfile.open(sdist) as archive:
        names = {name.split("/", 1)[1] for name in archive.getnames() if "/" in name}
    wanted = {"LICENSE", "README.md", "pyproject.toml", "setup.py", "src/winit_fast/_core.pyx"}
    wanted |= {"src/winit_fast/py.typed", "csrc/wf_kernels_avx2.c", "csrc/simd/wf_vec_avx512.h"}
    for folder in ("csrc", "tests", "tools"):
        for path in (ROOT / folder).rglob("*"):
            if (
                path.is_file()
                and "__pycache__" not in path.parts
                and path.suffix not in {".so", ".o", ".pyc"}
            ):
                wanted.add(path.relative_to(ROOT).as_posix())
    assert wanted - names == set()
    built = {n for n in names if n.endswith((".so", ".o", ".pyd")) or n == "src/winit_fast/_core.c"}
    assert built == set()


@pytest.mark.build
def test_sdist_metadata(sdist):
    with tarfile.open(sdist) as archive:
        member = next(
            m
            for m in archive.getmembers()
            if m.name.count("/") == 1 and m.name.endswith("/PKG-INFO")
        )
        meta = email.parser.Parser().parsestr(archive.extractfile(member).read().decode())
    assert meta["Name"] == "winit-fast" and meta["Version"] == wf.__version__
    assert meta["Requires-Python"] == ">=3.10"
    assert meta["License-Expression"] == "BSD-3-Clause"
    classifiers = meta.get_all("Classifier")
    assert {f"Programming Language :: Python :: 3.{minor}" for minor in (10, 11, 12, 13)} <= set(
        classifiers
    )
    assert set(meta.get_all("Provides-Extra")) == EXTRAS
    requires = meta.get_all("Requires-Dist")
    assert any(r.startswith("numpy") and "extra" not in r for r in requires)
    everything = [r for r in requires if r.endswith('extra == "all"')]
    assert len(everything) == 1 and everything[0].startswith("winit-fast[")
    assert set(re.search(r"\[(.*)\]", everything[0]).group(1).split(",")) == EXTRAS - {"all"}
    urls = dict(entry.split(", ", 1) for entry in meta.get_all("Project-URL") or [])
    assert set(urls) == PROJECT_URLS, urls
    for label, url in urls.items():
        assert url.startswith("https://"), (label, url)
        assert not re.search(r"example\.|TODO|your[-_]?name|USERNAME", url), (label, url)


# --- builds into throwaway environments -------------------------------------------------


def make_venv(path: Path) -> Path:
    """A fresh venv whose own site-packages comes first, then this environment's."""
    venv.EnvBuilder(with_pip=False, symlinks=os.name != "nt").create(path)
    python = path / ("Scripts/python.exe" if os.name == "nt" else "bin/python")
    site = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    ours = [p for p in sys.path if Path(p).name in {"site-packages", "dist-packages"}]
    (Path(site) / "_runner_site.pth").write_text("\n".join(ours) + "\n")
    return python


def compiler_wrapper(tmp_path: Path, name: str, body: str) -> str:
    script = tmp_path / name
    script.write_text("#!/bin/sh\n" + body)
    script.chmod(0o755)
    return str(script)


def real_cc() -> str:
    cc = shutil.which((os.environ.get("CC") or sysconfig.get_config_var("CC")).split()[0])
    if cc is None:
        pytest.skip("needs the C compiler Python was built with (sysconfig CC)")
    return cc


def pip_install(python: Path, sdist: Path, cc: str, **env: str) -> subprocess.CompletedProcess:
    environ = clean_env()
    environ.update(CC=cc, PIP_DISABLE_PIP_VERSION_CHECK="1", **env)
    environ.pop("LDSHARED", None)  # derived from CC by setuptools
    command = [str(python), "-m", "pip", "install", "-v", "--no-build-isolation", "--no-deps"]
    command += ["--ignore-installed", "--no-cache-dir", "--no-index", str(sdist)]
    return subprocess.run(command, env=environ, capture_output=True, text=True, timeout=600)


PROBE = """
import json, sys, warnings
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    import winit_fast as wf
config = wf.show_config()
print(json.dumps({
    "file": wf.__file__, "backend": config["backend"], "openmp": config["openmp"],
    "simd": config["simd"], "reason": config["fallback_reason"],
    "warnings": [str(w.message) for w in caught if w.category is RuntimeWarning],
    "normal": wf.normal(1001, seed=5, offset=3).tobytes().hex(),
    "typed": (__import__("pathlib").Path(wf.__file__).parent / "py.typed").exists(),
}))
"""


def installed(python: Path, cwd: Path) -> dict:
    result = subprocess.run(
        [str(python), "-c", PROBE], cwd=cwd, capture_output=True, text=True, env=clean_env()
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return json.loads(result.stdout.splitlines()[-1])


def clean_env() -> dict:
    """The environment of a fresh install: no WINIT_FAST_ switches, and no PYTHONPATH (a
    developer's PYTHONPATH=src would make the venv import the checkout, not what it built)."""
    return {
        k: v for k, v in os.environ.items() if not k.startswith("WINIT_FAST_") and k != "PYTHONPATH"
    }


def assert_from_venv(info: dict, env_dir: Path) -> None:
    assert Path(info["file"]).resolve().is_relative_to(env_dir.resolve()), info["file"]


def reference_normal() -> str:
    return wf.normal(1001, seed=5, offset=3).tobytes().hex()


FAILING_CC = 'echo "failing_cc: no C compiler here" >&2\nexit 1\n'


@pytest.mark.build
@needs_unix_cc
@needs_build_tools
def test_without_a_compiler_the_install_falls_back_to_numpy(sdist, tmp_path):
    python = make_venv(tmp_path / "env")
    result = pip_install(python, sdist, compiler_wrapper(tmp_path, "failing_cc", FAILING_CC))
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-4000:]
    assert "the C extension could not be built" in output and "pure-NumPy fallback" in output
    info = installed(python, tmp_path)
    assert_from_venv(info, tmp_path / "env")
    assert info["backend"] == "python" and info["openmp"] is None
    # the real cause (not Python's "circular import" guess) and how to get the core
    assert "_core was not built or failed to import (ModuleNotFoundError" in info["reason"]
    assert any("NumPy fallback" in w and "C compiler" in w for w in info["warnings"])
    assert not any("circular" in w for w in info["warnings"])
    assert info["normal"] == reference_normal()  # same bytes as this environment's backend
    assert info["typed"]


@pytest.mark.build
@needs_unix_cc
@needs_build_tools
def test_without_a_compiler_the_install_fails_if_the_extension_is_required(sdist, tmp_path):
    python = make_venv(tmp_path / "env")
    cc = compiler_wrapper(tmp_path, "failing_cc", FAILING_CC)
    result = pip_install(python, sdist, cc, WINIT_FAST_REQUIRE_EXTENSION="1")
    output = result.stdout + result.stderr
    assert result.returncode != 0
    assert "WINIT_FAST_REQUIRE_EXTENSION=1 asks for it" in output, output[-4000:]


def no_openmp_cc(tmp_path: Path) -> str:
    body = (
        'for arg in "$@"; do case "$arg" in -fopenmp | -fopenmp=* | -lomp | -lgomp)\n'
        '    echo "no_openmp_cc: no OpenMP here" >&2; exit 1;; esac; done\n'
        f'exec "{real_cc()}" "$@"\n'
    )
    return compiler_wrapper(tmp_path, "no_openmp_cc", body)


@pytest.mark.build
@needs_unix_cc
@needs_build_tools
def test_without_openmp_the_build_is_serial_with_the_same_bytes(sdist, tmp_path):
    python = make_venv(tmp_path / "env")
    result = pip_install(python, sdist, no_openmp_cc(tmp_path))
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-4000:]
    assert "no working OpenMP found; building the C core serial" in output
    assert "could not be built" not in output, output[-6000:]
    info = installed(python, tmp_path)
    assert_from_venv(info, tmp_path / "env")
    assert info["backend"] == "c", info["reason"]
    assert info["openmp"] is None and info["reason"] is None
    if CORE is not None:
        assert info["simd"] == CORE.runtime_info()["simd_available"]
    assert info["normal"] == reference_normal() and info["typed"]
    # the pinned golden bytes, from the serial build
    golden = subprocess.run(
        [
            str(python),
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            "-c",
            str(ROOT / "pyproject.toml"),
            "--rootdir",
            str(ROOT),
            str(TESTS / "test_golden.py"),
        ],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        env=clean_env(),
    )
    assert golden.returncode == 0, golden.stdout[-4000:] + golden.stderr[-2000:]
    assert " passed" in golden.stdout


@pytest.mark.build
@needs_unix_cc
@needs_build_tools
def test_without_openmp_the_build_fails_if_openmp_is_required(sdist, tmp_path):
    # REQUIRE_OPENMP alone: the pure-Python fallback must not swallow this error.
    python = make_venv(tmp_path / "env")
    result = pip_install(python, sdist, no_openmp_cc(tmp_path), WINIT_FAST_REQUIRE_OPENMP="1")
    output = result.stdout + result.stderr
    assert result.returncode != 0
    assert "WINIT_FAST_REQUIRE_OPENMP=1 asks for OpenMP" in output, output[-4000:]


# --- SIMD portability of the built extension ----------------------------------------------


def x86_64_elf(path: Path) -> bool:
    head = path.read_bytes()[:20]
    return head[:4] == b"\x7fELF" and int.from_bytes(head[18:20], "little") == 62  # EM_X86_64


@needs_core
@needs_objdump
def test_installed_extension_has_avx_only_in_the_dispatched_kernels(check_simd):
    path = Path(CORE.__file__)
    if not x86_64_elf(path):
        pytest.skip("needs an x86-64 ELF extension (Linux x86-64)")
    assert check_simd.check_linked(path) == {}
    counts = check_simd.kernel_instruction_counts(path)
    if "avx512" in CORE.SIMD_LEVELS and any(n.endswith("_avx512") for n in counts):
        # the check saw the kernels' AVX code, so it is not blind
        assert sum(v for n, v in counts.items() if n.endswith("_avx512")) > 1000
        assert sum(v for n, v in counts.items() if n.endswith("_avx2")) > 1000


@needs_objdump
@needs_unix_cc
def test_simd_check_catches_avx_outside_the_kernels(check_simd, tmp_path):
    source = tmp_path / "stray.c"
    source.write_text(
        "void scale(float *x, int n) { for (int i = 0; i < n; ++i) x[i] *= 3.0f; }\n"
        "void scale_avx2(float *x, int n) { for (int i = 0; i < n; ++i) x[i] *= 5.0f; }\n"
        "static void helper(float *x) { x[0] += 1.0f; }\n"
        "void baseline(float *x) { helper(x); }\n"
    )
    library, obj = tmp_path / "libstray.so", tmp_path / "stray.o"
    cc = real_cc()
    for args in (["-shared", "-fPIC", "-o", str(library)], ["-c", "-o", str(obj)]):
        subprocess.run([cc, "-O3", "-mavx2", *args, str(source)], check=True)
    if not x86_64_elf(library):
        pytest.skip("needs an x86-64 C compiler")
    bad = check_simd.check_linked(library)
    assert "scale" in bad and "scale_avx2" not in bad  # named like a kernel: allowed
    assert any(k.startswith("helper") or k == "baseline" for k in bad)  # vaddss, VEX-encoded
    assert check_simd.check_object(obj)  # an object outside the kernels: reported whole
    assert check_simd.main([str(library)]) == 1


@pytest.mark.build
@needs_source
@needs_objdump
@needs_unix_cc
@needs_build_tools
def test_build_objects_outside_the_kernels_have_no_avx(check_simd, tmp_path):
    """Compile with setup.py's own flags; check every object file and the linked extension."""
    if not x86_64_elf(Path(sys.executable).resolve()):
        pytest.skip("needs an x86-64 Linux build (the SIMD kernels are x86-64 only)")
    temp, lib = tmp_path / "temp", tmp_path / "lib"
    result = subprocess.run(
        [
            sys.executable,
            "setup.py",
            "build_ext",
            "--build-temp",
            str(temp),
            "--build-lib",
            str(lib),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env=clean_env(),
    )
    log = result.stdout + result.stderr
    assert result.returncode == 0, log[-6000:]
    compile_lines = [line for line in log.splitlines() if " -c " in line and "csrc/" in line]
    assert len(compile_lines) >= 7 and all("-ffp-contract=off" in x for x in compile_lines)
    assert "march=native" not in log
    objects = sorted(temp.rglob("*.o"))
    assert {o.stem for o in objects} >= {"wf_fill", "wf_dispatch", "wf_kernels_avx2", "_core"}
    for obj in objects:
        assert check_simd.check_object(obj) == {}, obj
    kernels = [o for o in objects if o.stem in {"wf_kernels_avx2", "wf_kernels_avx512"}]
    assert all(
        any(check_simd.is_avx(m, a) for _, m, a in check_simd.instructions(k)) for k in kernels
    )
    (built,) = lib.rglob("_core*.so")
    assert check_simd.check_linked(built) == {}


# --- the suite running against an installed wheel -----------------------------------------


@pytest.mark.skipif(
    os.environ.get("WINIT_FAST_EXPECT_WHEEL") != "1",
    reason="needs WINIT_FAST_EXPECT_WHEEL=1 (set by cibuildwheel and tools/build_wheel.sh "
    "when the tests run against an installed wheel)",
)
def test_the_suite_runs_against_the_installed_wheel():
    package = Path(wf.__file__).resolve().parent
    assert not package.is_relative_to((ROOT / "src").resolve()), package
    # The compiled core, whichever backend this run uses by default; wheels are built with
    # WINIT_FAST_REQUIRE_OPENMP=1.
    assert CORE is not None, "the wheel has no compiled extension"
    assert Path(CORE.__file__).resolve().parent == package
    assert CORE.runtime_info()["openmp"] is not None


@pytest.mark.skipif(
    not os.environ.get("WINIT_FAST_EXPECT_SIMD"),
    reason="needs WINIT_FAST_EXPECT_SIMD=<level> (set by cibuildwheel for the ARM wheels: neon)",
)
def test_the_wheel_picks_the_expected_simd_level():
    expected = os.environ["WINIT_FAST_EXPECT_SIMD"]
    assert CORE is not None, "the wheel has no compiled extension"
    assert CORE.simd_available() == expected, CORE.runtime_info()
    assert expected in CORE.simd_levels() and CORE.runtime_info()["simd"] == expected
