"""Build of the compiled core: C sources in csrc/, Cython wrapper in src/winit_fast/_core.pyx.

* OpenMP is found by compiling and linking a probe with each candidate flag set: gcc's
  ``-fopenmp`` (libgomp), clang's ``-fopenmp`` (libomp), Apple clang's ``-Xpreprocessor
  -fopenmp -lomp`` with libomp from ``LIBOMP_PREFIX`` or Homebrew, MSVC's ``/openmp``. Without
  one the build is serial, with a warning; ``WINIT_FAST_REQUIRE_OPENMP=1`` makes that an error.
* If the extension cannot be built at all (no compiler), the install goes on with the
  pure-NumPy fallback and a warning; ``WINIT_FAST_REQUIRE_EXTENSION=1`` makes that an error.
* Flags never target the build machine's CPU (no native -march): the wheel must run on any
  x86-64. Only csrc/wf_kernels_avx2.c and wf_kernels_avx512.c get -m flags, and they run only
  after the CPU check in csrc/wf_dispatch.c. On AArch64, csrc/wf_kernels_neon.c needs no flag
  (NEON is part of the architecture). Floating-point contraction is off, so no compiler can
  fuse a multiply-add and change the bytes of a result.
* ``WINIT_FAST_SANITIZE=1`` builds with AddressSanitizer and UndefinedBehaviorSanitizer;
  ``WINIT_FAST_NO_SIMD=1`` leaves the AVX2/AVX-512 and NEON kernels out.

The functions above ``setup()`` take their inputs as arguments so that
tests/test_packaging.py can import this file and check them on any platform.
"""

from __future__ import annotations

import os
import platform
import re
import subprocess
import sys
import sysconfig
import tempfile
import textwrap
from pathlib import Path

from setuptools import Extension, setup
from setuptools.command.build_ext import build_ext

SOURCES = [
    "csrc/wf_fill.c",
    "csrc/wf_kernels_scalar.c",
    "csrc/wf_constant.c",
    "csrc/wf_info.c",
    "csrc/wf_dispatch.c",
    "csrc/wf_parallel.c",
    "csrc/wf_runs.c",
]
# Kernels compiled for one instruction set each; they run only after the CPU check in
# csrc/wf_dispatch.c, so these flags never leak into code that runs unconditionally.
SIMD_SOURCES = {
    "csrc/wf_kernels_avx2.c": ["-mavx2", "-mf16c"],
    "csrc/wf_kernels_avx512.c": ["-mavx512f", "-mavx512dq", "-mavx512bw", "-mavx512vl"],
}
# AArch64: Advanced SIMD (NEON) is in every CPU of the architecture, so no flag and no check.
NEON_SOURCES: dict[str, list[str]] = {"csrc/wf_kernels_neon.c": []}
REQUIRE_OPENMP = "WINIT_FAST_REQUIRE_OPENMP"
REQUIRE_EXTENSION = "WINIT_FAST_REQUIRE_EXTENSION"
# Where Homebrew puts libomp: Apple silicon, then Intel (tried in the target's order).
HOMEBREW_LIBOMP = {"arm64": "/opt/homebrew/opt/libomp", "x86_64": "/usr/local/opt/libomp"}

OPENMP_PROBE = textwrap.dedent(
    """
    #include <omp.h>
    int main(void)
    {
        int n = 0;
    #pragma omp parallel reduction(+ : n)
        n += 1;
        return n > 0 && omp_get_max_threads() > 0 ? 0 : 1;
    }
    """
)


class RequiredBuildError(RuntimeError):
    """A build that was asked to be complete (WINIT_FAST_REQUIRE_*) cannot be."""


def env_flag(name: str, environ=os.environ) -> bool:
    return environ.get(name, "").strip().lower() in {"1", "true", "yes", "on"}


def warn(message: str) -> None:
    # Printed, not warnings.warn: a warnings filter must not turn a fallback into a failure,
    # and pip shows a build's stderr with -v (the import-time RuntimeWarning says it again).
    print(f"\nWARNING: {message}\n", file=sys.stderr, flush=True)


def is_msvc(compiler) -> bool:
    return getattr(compiler, "compiler_type", "") == "msvc"


def base_flags(msvc: bool, environ=os.environ) -> list[str]:
    if msvc:
        # /fp:precise: no contraction into FMA (VS 2022 contracts only with /fp:contract).
        return ["/O2", "/fp:precise"]
    flags = ["-O3", "-std=c11", "-ffp-contract=off", "-fno-math-errno", "-fvisibility=hidden"]
    if env_flag("WINIT_FAST_SANITIZE", environ):
        flags += ["-O1", "-g", "-fsanitize=address,undefined", "-fno-omit-frame-pointer"]
    return flags


def target_arches(plat_name: str, environ=os.environ) -> set[str]:
    """The CPU architectures the extension is built for (more than one: a universal2 build).

    ``ARCHFLAGS`` (set by cibuildwheel and by users for macOS cross builds) wins over the
    platform name, which is the interpreter's (``build_ext.plat_name``).
    """
    archs = set(re.findall(r"-arch\s+(\S+)", environ.get("ARCHFLAGS", "")))
    if archs:
        return archs
    plat = plat_name.lower()
    if plat.endswith("universal2"):
        return {"arm64", "x86_64"}
    if plat.endswith(("x86_64", "amd64")):
        return {"x86_64"}
    machine = plat.rsplit("-", 1)[-1] if "-" in plat else platform.machine().lower()
    return {"arm64" if machine == "aarch64" else machine}


def wants_x86_simd(plat_name: str, environ=os.environ) -> bool:
    """Whether to add the AVX2/AVX-512 kernels: only for a build for x86-64 alone."""
    if env_flag("WINIT_FAST_NO_SIMD", environ):
        return False
    return target_arches(plat_name, environ) == {"x86_64"}


def wants_neon(plat_name: str, environ=os.environ) -> bool:
    """Whether to add the NEON kernels: only for a build for AArch64 alone (Linux, macOS).

    A universal2 build compiles each file once for both slices, as for the x86 kernels; MSVC
    on Windows on ARM has its own NEON types, which the kernels are not written for.
    """
    if env_flag("WINIT_FAST_NO_SIMD", environ) or plat_name.lower().startswith("win"):
        return False
    return target_arches(plat_name, environ) == {"arm64"}


def simd_kernels(plat_name: str, environ=os.environ) -> tuple[str | None, dict[str, list[str]]]:
    """The macro that enables the SIMD levels of this target and their kernel files (each
    with its own flags), or (None, {}) for the portable kernels alone."""
    if wants_x86_simd(plat_name, environ):
        return "WF_HAVE_X86_SIMD", SIMD_SOURCES
    if wants_neon(plat_name, environ):
        return "WF_HAVE_NEON", NEON_SOURCES
    return None, {}


def openmp_candidates(
    msvc: bool, plat_name: str, environ=os.environ, sys_platform: str = sys.platform
) -> list[tuple[list[str], list[str], str | None]]:
    """(compile flags, link flags, libomp directory or None) to try, in order."""
    if msvc:
        # MSVC implements OpenMP 2.0: the core's loops use signed indices and no collapse.
        return [(["/openmp"], [], None)]
    plain = (["-fopenmp"], ["-fopenmp"], None)  # gcc (libgomp), LLVM clang (libomp)
    if sys_platform != "darwin":
        return [plain]
    # Apple clang has no -fopenmp driver flag: the preprocessor gets it, libomp is linked
    # by hand. An explicit LIBOMP_PREFIX comes first; then Homebrew, the target's prefix first.
    prefixes = [environ["LIBOMP_PREFIX"]] if environ.get("LIBOMP_PREFIX") else []
    arches = target_arches(plat_name, environ)
    order = ["x86_64", "arm64"] if arches == {"x86_64"} else ["arm64", "x86_64"]
    prefixes += [HOMEBREW_LIBOMP[arch] for arch in order]
    apple = [
        (
            ["-Xpreprocessor", "-fopenmp", f"-I{prefix}/include"],
            [f"-L{prefix}/lib", "-lomp", f"-Wl,-rpath,{prefix}/lib"],
            f"{prefix}/lib",
        )
        for prefix in dict.fromkeys(prefixes)
    ]
    return [*apple[:1], plain, *apple[1:]] if environ.get("LIBOMP_PREFIX") else [plain, *apple]


def probe_openmp(compiler, candidates) -> tuple[list[str], list[str], str | None] | None:
    """The first candidate with which a small OpenMP program compiles and links."""
    for cflags, lflags, libdir in candidates:
        if libdir is not None and not os.path.isdir(libdir):
            continue
        with tempfile.TemporaryDirectory() as tmp:
            source = os.path.join(tmp, "omp_probe.c")
            Path(source).write_text(OPENMP_PROBE)
            try:
                objects = compiler.compile([source], output_dir=tmp, extra_postargs=cflags)
                compiler.link_executable(
                    objects, "omp_probe", output_dir=tmp, extra_postargs=lflags
                )
            except Exception:  # any failure just means: not this candidate
                continue
        return cflags, lflags, libdir
    return None


def parse_macos_min_version(otool_output: str) -> tuple[int, ...] | None:
    """The minimum macOS of a Mach-O file, from ``otool -l`` (LC_BUILD_VERSION ``minos`` or
    LC_VERSION_MIN_MACOSX ``version``)."""
    modern = r"cmd LC_BUILD_VERSION.*?\bminos\s+([\d.]+)"
    legacy = r"cmd LC_VERSION_MIN_MACOSX.*?\bversion\s+([\d.]+)"
    match = re.search(f"{modern}|{legacy}", otool_output, re.DOTALL)
    if not match:
        return None
    return tuple(int(part) for part in (match.group(1) or match.group(2)).split("."))


def version_tuple(text: str) -> tuple[int, ...]:
    return tuple(int(part) for part in text.split(".") if part.isdigit())


def check_libomp_deployment_target(libdir: str, environ=os.environ) -> str | None:
    """A message if libomp needs a newer macOS than MACOSX_DEPLOYMENT_TARGET, else None.

    The wheel is tagged with the deployment target; a libomp built for a newer macOS would
    be bundled into it (delocate) and fail to load on the older systems the tag admits.
    """
    target = environ.get("MACOSX_DEPLOYMENT_TARGET") or sysconfig.get_config_var(
        "MACOSX_DEPLOYMENT_TARGET"
    )
    dylib = os.path.join(libdir, "libomp.dylib")
    if not target or not os.path.exists(dylib):
        return None
    try:
        out = subprocess.run(["otool", "-l", dylib], capture_output=True, text=True).stdout
    except OSError:
        return None
    needed = parse_macos_min_version(out)
    if needed is None or needed <= version_tuple(str(target)):
        return None
    return (
        f"{dylib} needs macOS {'.'.join(map(str, needed))} but MACOSX_DEPLOYMENT_TARGET is "
        f"{target}: set MACOSX_DEPLOYMENT_TARGET to at least that, or point LIBOMP_PREFIX at "
        "a libomp built for an older macOS."
    )


class BuildExt(build_ext):
    """build_ext that configures OpenMP and SIMD, and falls back to a pure-Python install."""

    def build_extensions(self) -> None:
        msvc = is_msvc(self.compiler)
        cflags = base_flags(msvc)
        found = probe_openmp(self.compiler, openmp_candidates(msvc, self.plat_name))
        if found is None:
            message = "winit_fast: no working OpenMP found; building the C core serial."
            if env_flag(REQUIRE_OPENMP):
                raise RequiredBuildError(f"{message} ({REQUIRE_OPENMP}=1 asks for OpenMP)")
            warn(message)
            omp_c, omp_l = [], []
        else:
            omp_c, omp_l, libdir = found
            problem = libdir and sys.platform == "darwin" and check_libomp_deployment_target(libdir)
            if problem and env_flag(REQUIRE_OPENMP):
                raise RequiredBuildError(f"winit_fast: {problem}")
            if problem:
                warn(f"winit_fast: {problem}")
        macro, kernels = simd_kernels(self.plat_name)
        sanitize = ["-fsanitize=address,undefined"] if env_flag("WINIT_FAST_SANITIZE") else []
        for ext in self.extensions:
            ext.extra_compile_args = cflags + omp_c
            ext.extra_link_args = omp_l + sanitize
            if macro:
                ext.define_macros.append((macro, "1"))
                ext.extra_objects = self.compile_simd_kernels(ext, kernels, cflags, msvc)
        super().build_extensions()

    def compile_simd_kernels(
        self, ext: Extension, kernels: dict[str, list[str]], cflags: list[str], msvc: bool
    ) -> list[str]:
        """Objects of the per-instruction-set kernel files, each with its own -m flags."""
        objects = []
        for source, isa_flags in kernels.items():
            extra = [] if msvc else isa_flags  # MSVC emits any intrinsic without a flag
            objects += self.compiler.compile(
                [source],
                output_dir=self.build_temp,
                macros=ext.define_macros,
                include_dirs=ext.include_dirs,
                extra_postargs=cflags + extra,
                depends=ext.depends,
            )
        return objects

    def run(self) -> None:
        try:
            super().run()
        except RequiredBuildError:
            raise
        except Exception as exc:
            reason = f"{type(exc).__name__}: {exc}"
            if env_flag(REQUIRE_EXTENSION):
                raise RequiredBuildError(
                    f"winit_fast: the C extension could not be built ({reason}) and "
                    f"{REQUIRE_EXTENSION}=1 asks for it."
                ) from exc
            warn(
                f"winit_fast: the C extension could not be built ({reason}); installing the "
                "pure-NumPy fallback (same results, slower). Set "
                f"{REQUIRE_EXTENSION}=1 to fail instead."
            )


def extensions() -> list[Extension]:
    import numpy as np
    from Cython.Build import cythonize

    ext = Extension(
        "winit_fast._core",
        sources=["src/winit_fast/_core.pyx", *SOURCES],
        include_dirs=["csrc", np.get_include()],
        depends=sorted(str(p) for p in Path("csrc").rglob("*") if p.suffix in {".h", ".inc"}),
        define_macros=[("NPY_NO_DEPRECATED_API", "NPY_1_21_API_VERSION")],
    )
    return cythonize([ext], compiler_directives={"language_level": "3"})


# setuptools' PEP 517 backend runs this file as __main__; tests import it for the functions.
if __name__ == "__main__":
    setup(ext_modules=extensions(), cmdclass={"build_ext": BuildExt})
