#!/usr/bin/env bash
# The NEON level gives the bytes of every other level: the C core and its fill-table driver
# (csrc/tests/check_fills.c over csrc/tests/fill_cases.txt) built for x86-64 and, with the
# Debian cross compiler, for AArch64, run here (AArch64 under qemu-aarch64, emulating an
# ARMv8.0 Cortex-A53) at every SIMD level and at 1 and 2 threads; every case's bytes are
# compared, by SHA-256, with the x86-64 scalar run's.
#
#   tools/check_aarch64.sh [--keep DIR]
#
# Prints one line per case (label dtype n offset sha256 of the reference run), one line per
# run, and a summary.  It also checks that no AArch64 object holds a fused multiply-add or a
# reciprocal / square-root estimate.  Needs, on Debian: gcc gcc-aarch64-linux-gnu
# libc6-dev-arm64-cross qemu-user (or qemu-user-static), and python3 with setuptools (setup.py
# gives the sources and flags).  Installs nothing.  Exit status: 0 all identical, 1 a
# difference or a failed build or run, 77 a tool missing (named).
set -euo pipefail
source "$(dirname "$0")/aarch64_lib.sh"

keep=""
if [[ ${1:-} == --keep ]]; then
    keep=${2:?--keep needs a directory}
fi
need_tools
work=${keep:-$(mktemp -d)}
mkdir -p "$work"
[[ -n $keep ]] || trap 'rm -rf "$work"' EXIT

build_driver x86 "$work/x86"
build_driver aarch64 "$work/aarch64"

# Contraction is off and the header uses vmulq + vaddq, vdivq, vsqrtq: none of these may
# appear in what the compiler made of it (nor of the scalar code).
objdump_a64=$("$CROSS_CC" -print-prog-name=objdump) # the cross binutils' objdump
if ! command -v "$objdump_a64" >/dev/null; then
    echo "missing: the AArch64 objdump (binutils-aarch64-linux-gnu, which gcc-aarch64-linux-gnu pulls in)"
    exit 77
fi
forbidden='\s(fmadd|fmsub|fnmadd|fnmsub|fmla|fmls|fmlal|fmlsl|frecpe|frecps|frsqrte|frsqrts)\s'
neon_ops=$("$objdump_a64" -d "$work/aarch64/wf_kernels_neon.o" | grep -cE '\s(fdiv|fsqrt)\s+v[0-9]+\.[24][sd]' || true)
if "$objdump_a64" -d "$work"/aarch64/*.o | grep -E "$forbidden"; then
    echo "FAIL: a fused multiply-add or an estimate instruction in the AArch64 objects (above)"
    exit 1
fi
echo "aarch64 objects: no fused multiply-add, no reciprocal or square-root estimate;" \
    "$neon_ops vector fdiv/fsqrt in the NEON kernels"
if ((neon_ops == 0)); then
    echo "FAIL: the NEON kernels hold no vector division or square root: not built as NEON?"
    exit 1
fi

# run NAME ARCH LEVEL THREADS: the table of that run in $work/NAME.sha ("label dtype n offset
# sha256" per case); returns 1 if the driver ran another level (this CPU lacks it).
run() {
    local name=$1 arch=$2 level=$3 threads=$4 dir="$work/$1"
    rm -rf "$dir" && mkdir -p "$dir"
    run_driver "$arch" "$work/$arch" -l "$level" -t "$threads" -o "$dir" "$CASES" >"$dir.list"
    local used
    used=$(head -n1 "$dir.list")
    if [[ $used != "level $level" ]]; then
        echo "$name: skipped, this CPU has no $level (the driver ran ${used#level })"
        return 1
    fi
    tail -n +2 "$dir.list" | while read -r label dtype n offset file; do
        echo "$label $dtype $n $offset $(sha256sum <"$dir/$file" | cut -d' ' -f1)"
    done >"$dir.sha"
}

reference="x86-64/scalar/1"
runs=("$reference x86 scalar 1")
for level in avx2 avx512; do
    for threads in 1 2; do runs+=("x86-64/$level/$threads x86 $level $threads"); done
done
for level in scalar neon; do
    for threads in 1 2; do runs+=("aarch64/$level/$threads aarch64 $level $threads"); done
done

compared=0 differing=0 aarch64_neon=0
for spec in "${runs[@]}"; do
    read -r name arch level threads <<<"$spec"
    mkdir -p "$work/$(dirname "$name")"
    run "$name" "$arch" "$level" "$threads" || continue
    if [[ $name == "$reference" ]]; then
        cat "$work/$name.sha"
        n_cases=$(wc -l <"$work/$name.sha")
        continue
    fi
    compared=$((compared + 1))
    [[ $level == neon ]] && aarch64_neon=$((aarch64_neon + 1))
    if cmp -s "$work/$reference.sha" "$work/$name.sha"; then
        echo "$name: $n_cases cases identical"
    else
        differing=$((differing + 1))
        echo "$name: DIFFERENT bytes in these cases (reference | this run):"
        diff "$work/$reference.sha" "$work/$name.sha" | grep '^[<>]' || true
    fi
done

if ((aarch64_neon == 0)); then
    echo "FAIL: the AArch64 build never ran its neon level"
    exit 1
fi
if ((differing)); then
    echo "check_aarch64: FAILED, $differing of $compared runs differ from $reference"
    exit 1
fi
echo "check_aarch64: ok, $n_cases cases, $compared runs identical to $reference" \
    "(x86-64 SIMD levels of this CPU; AArch64 scalar and neon under qemu $QEMU_A64_CPU; 1 and 2 threads)"
