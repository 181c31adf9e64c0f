# Sourced by tools/check_aarch64.sh and tools/neon_instructions.sh: the cross tools, and the
# C core with csrc/tests/check_fills.c built for x86-64 (the host compiler) and for AArch64
# (gcc-aarch64-linux-gnu, run under qemu-aarch64), from the sources, SIMD kernels and flags
# that setup.py gives the wheels.  Installs nothing: a missing tool is named, with its
# Debian package, and the caller exits 77 (skipped).

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
HOST_CC=${CC:-gcc}
CROSS_CC=${CROSS_CC:-aarch64-linux-gnu-gcc}
CROSS_SYSROOT=${CROSS_SYSROOT:-/usr/aarch64-linux-gnu}
PYTHON=${PYTHON:-python3} # with setuptools: setup.py is read for the sources and flags
DEBIAN_PACKAGES="gcc gcc-aarch64-linux-gnu libc6-dev-arm64-cross qemu-user"
CASES="$ROOT/csrc/tests/fill_cases.txt"
# The AArch64 runs emulate a Cortex-A53 (ARMv8.0-A, the first AArch64 cores): an instruction
# beyond the base architecture would stop the program there.
QEMU_A64_CPU=${QEMU_A64_CPU:-cortex-a53}

# The path of qemu-ARCH or qemu-ARCH-static (qemu-user or qemu-user-static), or nothing.
find_qemu() {
    command -v "qemu-$1" || command -v "qemu-$1-static" || true
}

# Exits 77 naming what is missing. Arguments: extra commands to require.
need_tools() {
    if [[ $(uname -m) != x86_64 ]]; then
        echo "$(basename "$0"): runs on an x86-64 host (it compares x86-64 and AArch64 builds)"
        exit 77
    fi
    local missing=() tool
    for tool in "$HOST_CC" "$CROSS_CC" "$PYTHON" sha256sum "$@"; do
        command -v "$tool" >/dev/null || missing+=("$tool")
    done
    "$PYTHON" -c "import setuptools" 2>/dev/null || missing+=("setuptools for $PYTHON")
    [[ -n $(find_qemu aarch64) ]] || missing+=("qemu-aarch64 (or qemu-aarch64-static)")
    [[ -e $CROSS_SYSROOT/lib/libc.so.6 ]] || missing+=("the AArch64 C library in $CROSS_SYSROOT")
    if ((${#missing[@]})); then
        printf '%s: missing: %s\n' "$(basename "$0")" "${missing[*]}"
        echo "On Debian or Ubuntu: apt-get install -y $DEBIAN_PACKAGES"
        exit 77
    fi
    QEMU_A64=$(find_qemu aarch64)
}

# What setup.py builds for a target: lines "flags F...", "macro M", "source S",
# "kernel S F...", from its base_flags, SOURCES and simd_kernels (one home for all of them).
setup_build_facts() {
    "$PYTHON" - "$ROOT" "$1" <<'PY'
import importlib.util
import sys

root, plat = sys.argv[1], sys.argv[2]
spec = importlib.util.spec_from_file_location("winit_fast_setup", f"{root}/setup.py")
setup = importlib.util.module_from_spec(spec)
spec.loader.exec_module(setup)
print("flags", *setup.base_flags(False, {}))
macro, kernels = setup.simd_kernels(plat, {})
print("macro", macro)
for source in setup.SOURCES:
    print("source", source)
for source, flags in kernels.items():
    print("kernel", source, *flags)
PY
}

# build_driver x86|aarch64 DIR: DIR/check_fills, the C core as setup.py compiles it for that
# target (its SIMD kernels included) plus the driver, warnings as errors, with OpenMP where
# the compiler links it.
build_driver() {
    local arch=$1 dir=$2 cc plat
    if [[ $arch == x86 ]]; then cc=$HOST_CC plat=linux-x86_64; else cc=$CROSS_CC plat=linux-aarch64; fi
    mkdir -p "$dir"
    local facts flags=() objects=() macro="" kind rest
    facts=$(setup_build_facts "$plat")
    while read -r kind rest; do
        case $kind in
        flags) read -ra flags <<<"$rest" ;;
        macro) macro=$rest ;;
        esac
    done <<<"$facts"
    flags+=(-Wall -Wextra -Wconversion -Werror "-D$macro=1")
    if echo 'int main(void) { return 0; }' | "$cc" -fopenmp -x c - -o "$dir/omp_probe" 2>/dev/null; then
        flags+=(-fopenmp)
        echo "$arch: OpenMP"
    else
        echo "$arch: no OpenMP ($cc -fopenmp does not link): the 2-thread runs are serial"
    fi
    while read -r kind rest; do
        local source extra=()
        case $kind in
        source) source=$rest ;;
        kernel) read -r source rest <<<"$rest" && read -ra extra <<<"$rest" ;;
        *) continue ;;
        esac
        local object="$dir/$(basename "$source" .c).o"
        "$cc" "${flags[@]}" "${extra[@]}" -c "$ROOT/$source" -o "$object"
        objects+=("$object")
    done <<<"$facts"
    "$cc" "${flags[@]}" "$ROOT/csrc/tests/check_fills.c" "${objects[@]}" -o "$dir/check_fills" -lm
}

# run_driver x86|aarch64 DIR ARGS...: DIR/check_fills ARGS, the AArch64 one under qemu.
run_driver() {
    local arch=$1 dir=$2
    shift 2
    if [[ $arch == x86 ]]; then
        "$dir/check_fills" "$@"
    else
        "$QEMU_A64" -cpu "$QEMU_A64_CPU" -L "$CROSS_SYSROOT" "$dir/check_fills" "$@"
    fi
}
