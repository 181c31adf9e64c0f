"""Build of the compiled core: C sources in csrc/, Cython wrapper in src/winit_fast/_core.pyx.

* OpenMP is detected by compiling a probe; without it the build is serial, with a warning
  (``WINIT_FAST_REQUIRE_OPENMP=1`` makes that an error).
* If the extension cannot be built at all (no compiler), the install goes on with the
  pure-NumPy fallback and a warning (``WINIT_FAST_REQUIRE_EXTENSION=1`` makes that an error).
* Flags never target the build machine's CPU (no -march=native): the wheel must run on any
  x86-64. Floating-point contraction is off, so no compiler can fuse a multiply-add and change
  the bytes of a result.
* ``WINIT_FAST_SANITIZE=1`` builds with AddressSanitizer and UndefinedBehaviorSanitizer.
"""

from __future__ import annotations

import os
import platform
import sys
import tempfile
import textwrap
import warnings
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
]
# Kernels compiled for one instruction set each; they run only after the CPU check in
# csrc/wf_dispatch.c, so these flags never leak into code that runs unconditionally.
SIMD_SOURCES = {
    "csrc/wf_kernels_avx2.c": ["-mavx2", "-mf16c"],
    "csrc/wf_kernels_avx512.c": ["-mavx512f", "-mavx512dq", "-mavx512bw", "-mavx512vl"],
}


def env_flag(name: str) -> bool:
    return os.environ.get(name, "").strip().lower() in {"1", "true", "yes", "on"}


def is_msvc(compiler) -> bool:
    return getattr(compiler, "compiler_type", "") == "msvc"


def base_flags(compiler) -> list[str]:
    if is_msvc(compiler):
        return ["/O2", "/fp:precise"]
    flags = ["-O3", "-std=c11", "-ffp-contract=off", "-fno-math-errno", "-fvisibility=hidden"]
    if env_flag("WINIT_FAST_SANITIZE"):
        flags += ["-O1", "-g", "-fsanitize=address,undefined", "-fno-omit-frame-pointer"]
    return flags


def targets_x86_64() -> bool:
    """Whether the extension is built for x86-64 (where the AVX2/AVX-512 kernels apply)."""
    if env_flag("WINIT_FAST_NO_SIMD"):
        return False
    machine = platform.machine().lower()
    if sys.platform == "darwin" and "arm64" in os.environ.get("ARCHFLAGS", ""):
        return False
    return machine in {"x86_64", "amd64", "x64"}


def openmp_flags(compiler) -> tuple[list[str], list[str]]:
    """(compile, link) flags for OpenMP on this compiler, or ([], []) if none works."""
    if is_msvc(compiler):
        candidates = [(["/openmp"], [])]
    elif sys.platform == "darwin":
        prefix = os.environ.get("LIBOMP_PREFIX", "/opt/homebrew/opt/libomp")
        candidates = [
            (["-Xpreprocessor", "-fopenmp", f"-I{prefix}/include"], [f"-L{prefix}/lib", "-lomp"]),
            (["-fopenmp"], ["-fopenmp"]),
        ]
    else:
        candidates = [(["-fopenmp"], ["-fopenmp"])]
    probe = textwrap.dedent(
        """
        #include <omp.h>
        int main(void) { int n = 0;
        #pragma omp parallel reduction(+:n)
            n += 1;
        return n > 0 ? 0 : 1; }
        """
    )
    for cflags, lflags in candidates:
        with tempfile.TemporaryDirectory() as tmp:
            src = os.path.join(tmp, "probe.c")
            with open(src, "w") as handle:
                handle.write(probe)
            try:
                objects = compiler.compile([src], output_dir=tmp, extra_postargs=cflags)
                compiler.link_executable(objects, "probe", output_dir=tmp, extra_postargs=lflags)
            except Exception:
                continue
        return cflags, lflags
    return [], []


class BuildExt(build_ext):
    """build_ext that configures OpenMP and falls back to a pure-Python install."""

    def build_extensions(self) -> None:
        cflags = base_flags(self.compiler)
        omp_c, omp_l = openmp_flags(self.compiler)
        if not omp_c:
            message = "winit_fast: no working OpenMP found; building the C core serial."
            if env_flag("WINIT_FAST_REQUIRE_OPENMP"):
                raise RuntimeError(message + " (WINIT_FAST_REQUIRE_OPENMP=1)")
            warnings.warn(message, stacklevel=1)
        simd = targets_x86_64()
        for ext in self.extensions:
            ext.extra_compile_args = cflags + omp_c
            ext.extra_link_args = omp_l + (
                ["-fsanitize=address,undefined"] if env_flag("WINIT_FAST_SANITIZE") else []
            )
            if simd:
                ext.define_macros.append(("WF_HAVE_X86_SIMD", "1"))
                ext.extra_objects = self.compile_simd_kernels(ext, cflags)
        super().build_extensions()

    def compile_simd_kernels(self, ext: Extension, cflags: list[str]) -> list[str]:
        """Objects of the per-instruction-set kernel files, each with its own -m flags."""
        objects = []
        for source, isa_flags in SIMD_SOURCES.items():
            extra = [] if is_msvc(self.compiler) else isa_flags  # MSVC needs no flag
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
        except Exception as exc:
            if env_flag("WINIT_FAST_REQUIRE_EXTENSION"):
                raise
            warnings.warn(
                "winit_fast: the C extension could not be built "
                f"({type(exc).__name__}: {exc}); installing the pure-NumPy fallback "
                "(same results, slower). Set WINIT_FAST_REQUIRE_EXTENSION=1 to fail instead.",
                stacklevel=1,
            )


def extensions():
    import numpy as np
    from Cython.Build import cythonize

    ext = Extension(
        "winit_fast._core",
        sources=["src/winit_fast/_core.pyx", *SOURCES],
        include_dirs=["csrc", np.get_include()],
        depends=[str(p) for p in Path("csrc").rglob("*") if p.suffix in {".h", ".inc"}],
        define_macros=[("NPY_NO_DEPRECATED_API", "NPY_1_21_API_VERSION")],
    )
    return cythonize([ext], compiler_directives={"language_level": "3"})


setup(ext_modules=extensions(), cmdclass={"build_ext": BuildExt})
