"""Check that AVX2/AVX-512 instructions appear only in the run-time dispatched kernels.

One wheel serves every x86-64 CPU because only csrc/wf_kernels_avx2.c and
csrc/wf_kernels_avx512.c are compiled with -m flags, and they run only after the CPU check in
csrc/wf_dispatch.c. An AVX instruction anywhere else (a stray flag, -march=native, a header
inlined into the wrong file) would crash older CPUs with SIGILL. This script disassembles with
``objdump`` and reports every such instruction outside the kernels:

* a linked extension (``_core*.so``): each instruction is attributed to its function through
  the symbol table. Static functions keep the name of their source file (ELF FILE symbols);
  the hidden global ones lose it at link time, so for those the kernel files' naming rule
  decides: their functions, and only theirs, end in ``_avx2`` / ``_avx512``.
* object files (``*.o`` from ``build/temp*``): an object other than wf_kernels_avx2.o /
  wf_kernels_avx512.o must contain no such instruction at all.

"Such instruction": any VEX/EVEX-encoded one (AVX, AVX2, FMA, F16C, AVX-512: mnemonics
starting with ``v``), a ymm/zmm/mask register operand, AVX-512 mask instructions, and BMI1/2
(also beyond the x86-64 baseline). Usage::

    python tools/check_simd.py path/to/_core.cpython-311-x86_64-linux-gnu.so [more.o ...]

Exit status 0 when clean, 1 with one line per offending function, 2 when it cannot check.
"""

from __future__ import annotations

import bisect
import re
import shutil
import subprocess
import sys
from pathlib import Path

KERNEL_FILES = {"wf_kernels_avx2.c", "wf_kernels_avx512.c"}
KERNEL_SUFFIXES = ("_avx2", "_avx512")
PREFIXES = {"lock", "rep", "repz", "repnz", "repe", "repne", "notrack", "bnd", "data16", "addr32"}
PREFIXES |= {"cs", "ds", "es", "fs", "gs", "ss", "{vex}", "{vex3}", "{evex}"}
# Instructions that start with "v" but are not vector extensions (segment checks, VMX, SVM).
NOT_AVX = {"verr", "verw", "vmcall", "vmclear", "vmfunc", "vmlaunch", "vmptrld", "vmptrst"}
NOT_AVX |= {"vmread", "vmresume", "vmwrite", "vmxoff", "vmxon", "vmrun", "vmload", "vmsave"}
NOT_AVX |= {"vmmcall"}
BMI = {"andn", "bextr", "blsi", "blsmsk", "blsr", "bzhi", "mulx", "pdep", "pext"}
BMI |= {"rorx", "sarx", "shlx", "shrx"}
MASK_OP = re.compile(r"^k(mov|and|andn|or|xor|xnor|not|shift|ortest|test|unpck|add)")
WIDE_REGISTER = re.compile(r"%(ymm|zmm)\d+|%k[0-7]\b")
INSTRUCTION = re.compile(r"^\s*([0-9a-f]+):\s+(.*)$")
SYMBOL = re.compile(r"^([0-9a-f]+) (.{7}) (\S+)\t([0-9a-f]+)\s*(.*)$")


class CheckError(RuntimeError):
    """The file cannot be checked (no objdump, not x86-64, no symbol table)."""


def objdump(*args: str) -> str:
    tool = shutil.which("objdump")
    if tool is None:
        raise CheckError("objdump not found (binutils)")
    result = subprocess.run([tool, *args], capture_output=True, text=True)
    if result.returncode != 0:
        raise CheckError(f"objdump {' '.join(args)} failed: {result.stderr.strip()}")
    return result.stdout


def is_avx(mnemonic: str, operands: str) -> bool:
    """Whether one instruction (AT&T syntax) is beyond the x86-64 baseline in the AVX sense."""
    if WIDE_REGISTER.search(operands):
        return True
    if mnemonic.startswith("v") and mnemonic not in NOT_AVX:
        return True
    return bool(MASK_OP.match(mnemonic)) or mnemonic in BMI


def instructions(path: Path) -> list[tuple[int, str, str]]:
    """(address, mnemonic, operands) of every instruction in the executable sections."""
    text = objdump("-d", "-w", "--no-show-raw-insn", str(path))
    if "file format elf64-x86-64" not in text:
        raise CheckError(f"{path} is not an x86-64 ELF file")
    out = []
    for line in text.splitlines():
        match = INSTRUCTION.match(line)
        if not match:
            continue
        tokens = match.group(2).split(None, 1)
        while tokens and tokens[0] in PREFIXES:
            tokens = tokens[1].split(None, 1) if len(tokens) > 1 else []
        if tokens and not tokens[0].startswith("("):  # "(bad)" is data, not code
            out.append((int(match.group(1), 16), tokens[0], tokens[1] if len(tokens) > 1 else ""))
    return out


def functions(path: Path) -> list[tuple[int, int, str, str | None]]:
    """(start, end, name, source file or None) of each function, sorted by address."""
    table, source = [], None
    for line in objdump("-t", str(path)).splitlines():
        match = SYMBOL.match(line)
        if not match:
            continue
        address, flags, _section, size, name = match.groups()
        if flags.endswith("df"):  # a FILE symbol: the local symbols after it are its own
            source = name.strip() or None
        elif flags[6] == "F" and int(size, 16):
            local = flags[0] == "l"
            table.append(
                (
                    int(address, 16),
                    int(address, 16) + int(size, 16),
                    name,
                    source if local else None,
                )
            )
    if not table:
        raise CheckError(f"{path} has no symbol table (stripped?): functions cannot be told apart")
    return sorted(table)


def allowed(name: str, source: str | None) -> bool:
    if source is not None:
        return source in KERNEL_FILES
    return name.split("@")[0].split(".")[0].endswith(KERNEL_SUFFIXES)


def check_linked(path: Path) -> dict[str, list[str]]:
    """{function: [its first offending instructions]} for a linked shared library."""
    table = functions(path)
    starts = [start for start, *_ in table]
    bad: dict[str, list[str]] = {}
    for address, mnemonic, operands in instructions(path):
        if not is_avx(mnemonic, operands):
            continue
        i = bisect.bisect_right(starts, address) - 1
        if i >= 0 and address < table[i][1]:
            _, _, name, source = table[i]
            if allowed(name, source):
                continue
            label = f"{name} ({source})" if source else name
        else:
            label = f"<no function at {address:#x}>"
        bad.setdefault(label, [])
        if len(bad[label]) < 3:
            bad[label].append(f"{mnemonic} {operands}".strip())
    return bad


def check_object(path: Path) -> dict[str, list[str]]:
    """{object: [its first offending instructions]} for an object file outside the kernels."""
    if path.stem in {Path(name).stem for name in KERNEL_FILES}:
        return {}
    found = [f"{m} {o}".strip() for _, m, o in instructions(path) if is_avx(m, o)]
    return {path.name: found[:3]} if found else {}


def kernel_instruction_counts(path: Path) -> dict[str, int]:
    """How many AVX instructions each allowed function of a linked library holds (a check
    that found nothing anywhere could be blind; this shows what it saw)."""
    table = functions(path)
    starts = [start for start, *_ in table]
    counts: dict[str, int] = {}
    for address, mnemonic, operands in instructions(path):
        i = bisect.bisect_right(starts, address) - 1
        if i >= 0 and address < table[i][1] and is_avx(mnemonic, operands):
            _, _, name, source = table[i]
            if allowed(name, source):
                counts[name] = counts.get(name, 0) + 1
    return counts


def check(path: Path) -> dict[str, list[str]]:
    return check_object(path) if path.suffix in {".o", ".obj"} else check_linked(path)


def main(argv: list[str]) -> int:
    if not argv:
        print(__doc__)
        return 2
    status = 0
    for name in argv:
        path = Path(name)
        try:
            bad = check(path)
        except CheckError as exc:
            print(f"{path}: cannot check: {exc}")
            return 2
        if bad:
            status = 1
            for where, sample in bad.items():
                print(
                    f"{path}: AVX instruction outside the dispatched kernels in {where}: {sample}"
                )
        elif path.suffix in {".o", ".obj"}:
            print(f"{path}: clean (outside the kernels: no AVX instruction)")
        else:
            counts = kernel_instruction_counts(path)
            print(f"{path}: clean; AVX instructions only in {len(counts)} kernel functions")
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
