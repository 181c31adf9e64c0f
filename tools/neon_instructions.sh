#!/usr/bin/env bash
# Instructions per value of the block kernels: x86-64 scalar and AVX2, AArch64 scalar and
# NEON, counted by QEMU (tools/qemu_insn_count.c, a TCG plugin) while the fill-table driver
# (csrc/tests/check_fills.c -c) fills one contiguous case, 1 thread.  Each figure is the
# difference between a fill of 2^18 and one of 2^16 values, divided by the 196,608 values
# between them, so start-up and per-call costs cancel: the loop's own instructions per value,
# the remainder blocks and the 16-bit rounding pass included.  Counts do not depend on the
# machine's load; emulated time means nothing and is not measured.
#
#   tools/neon_instructions.sh
#
# Prints the table of docs/performance.md and exits 1 if the NEON float32 truncated normal
# takes more than a third of the AArch64 scalar instructions per value.  Needs what
# tools/check_aarch64.sh needs, and qemu-x86_64 (also in qemu-user).  Installs nothing.
set -euo pipefail
source "$(dirname "$0")/aarch64_lib.sh"

need_tools
QEMU_X86=$(find_qemu x86_64)
if [[ -z $QEMU_X86 ]]; then
    echo "missing: qemu-x86_64 (On Debian or Ubuntu: apt-get install -y qemu-user)"
    exit 77
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

"$HOST_CC" -O2 -shared -fPIC -fvisibility=hidden -o "$work/libinsn_count.so" \
    "$ROOT/tools/qemu_insn_count.c"
build_driver x86 "$work/x86" >/dev/null
build_driver aarch64 "$work/aarch64" >/dev/null
SMALL=65536 LARGE=262144

# count ARCH LEVEL LABEL DTYPE N: guest instructions of a whole run of the driver.
count() {
    local arch=$1 level=$2 log="$work/plugin.log" used
    local plugin=(-plugin "$work/libinsn_count.so" -d plugin -D "$log")
    local args=(-l "$level" -t 1 -c "$3" "$4" "$5" "$CASES")
    if [[ $arch == x86 ]]; then # -cpu max: QEMU's x86-64 with AVX2 and F16C
        used=$(OMP_NUM_THREADS=1 "$QEMU_X86" -cpu max "${plugin[@]}" "$work/x86/check_fills" "${args[@]}")
    else
        used=$(OMP_NUM_THREADS=1 "$QEMU_A64" -cpu "$QEMU_A64_CPU" -L "$CROSS_SYSROOT" "${plugin[@]}" \
            "$work/aarch64/check_fills" "${args[@]}")
    fi
    if [[ $used != "level $level" ]]; then
        echo "the $arch driver ran ${used#level }, not $level" >&2
        exit 1
    fi
    sed -n 's/^insns //p' "$log"
}

# per_value ARCH LEVEL LABEL DTYPE: instructions per value, to 2 decimals.
per_value() {
    local small large
    small=$(count "$1" "$2" "$3" "$4" $SMALL)
    large=$(count "$1" "$2" "$3" "$4" $LARGE)
    awk -v a="$small" -v b="$large" -v n=$((LARGE - SMALL)) 'BEGIN { printf "%.2f", (b - a) / n }'
}

echo "| kernel (1 thread) | x86-64 scalar | AVX2 | AArch64 scalar | NEON | NEON / AArch64 scalar |"
echo "| --- | ---: | ---: | ---: | ---: | ---: |"
cases=(
    "raw uint32 raw words"
    "uniform float32 uniform float32"
    "normal float32 normal float32"
    "truncated_normal float32 truncated_normal float32 [-2, 2]"
    "truncated_normal:wide float32 truncated_normal float32 [-6, 6]"
    "normal float16 normal float16 (float32 kernel + rounding)"
    "truncated_normal bfloat16 truncated_normal bfloat16 [-2, 2]"
    "uniform float64 uniform float64"
    "normal float64 normal float64"
    "truncated_normal float64 truncated_normal float64 [-2, 2]"
)
verdict=""
for spec in "${cases[@]}"; do
    read -r label dtype title <<<"$spec"
    x86_scalar=$(per_value x86 scalar "$label" "$dtype")
    avx2=$(per_value x86 avx2 "$label" "$dtype")
    a64_scalar=$(per_value aarch64 scalar "$label" "$dtype")
    neon=$(per_value aarch64 neon "$label" "$dtype")
    ratio=$(awk -v a="$neon" -v b="$a64_scalar" 'BEGIN { printf "%.2f", a / b }')
    echo "| $title | $x86_scalar | $avx2 | $a64_scalar | $neon | $ratio |"
    if [[ $label == truncated_normal && $dtype == float32 ]]; then
        if awk -v r="$ratio" 'BEGIN { exit !(r <= 1 / 3) }'; then
            verdict="target met: NEON float32 truncated normal at $ratio of the AArch64 scalar instructions per value (at most 0.33)"
        else
            verdict="target MISSED: NEON float32 truncated normal at $ratio of the AArch64 scalar instructions per value (at most 0.33)"
        fi
    fi
done
echo
echo "$verdict"
[[ $verdict == "target met"* ]]
