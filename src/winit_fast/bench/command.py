"""``winit-fast bench``: the headline first, then the table, then (``--full``) the extra
checks; a progress bar on stderr meanwhile. ``cli.py`` parses the arguments, this runs them."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from winit_fast._interface import atomic_output
from winit_fast.bench import extras
from winit_fast.bench.report import (
    BUSY,
    format_headline,
    headline,
    is_busy,
    output_width,
    progress_printer,
    table_text,
    wrap,
)
from winit_fast.bench.run import BenchConfig, as_json, machine_description, run_bench
from winit_fast.bench.timing import machine_load


def config_from(args: argparse.Namespace) -> BenchConfig:
    if args.quick:
        config = BenchConfig.quick()
    elif args.full:
        config = BenchConfig.full_sweep()
    else:
        config = BenchConfig()
    for name in ("sizes", "dtypes", "methods", "threads"):
        value = getattr(args, name)
        if value:
            setattr(config, name, tuple(value))
    if args.dtypes:  # exactly these, at the table's sizes (16-bit ones too)
        config.sixteen_bit_size = None
    if args.headline_size:
        config.headline_size = args.headline_size
        config.block_size = min(config.block_size, args.headline_size)
    return config


def machine_line() -> str:
    machine = machine_description()
    return (
        f"machine: {machine['cpu']}, {machine['cores']} cores, {machine['threads']} OpenMP "
        f"threads, simd {machine['simd']}, openmp {machine['openmp']}, backend "
        f"{machine['backend']}, numpy {machine['numpy']}, winit_fast {machine['winit_fast']}"
    )


class Transcript:
    """Prints to stdout and keeps the text, for ``--save PREFIX`` (PREFIX.txt): the file gets
    what the terminal got, lines of at most ``width`` columns."""

    def __init__(self, width: int) -> None:
        self.width = width
        self.parts: list[str] = []

    def say(self, text: str = "") -> None:
        print(text, flush=True)
        self.parts.append(text)

    def say_wrapped(self, text: str) -> None:
        """A sentence too long for one line, wrapped; continuation lines indented."""
        self.say(wrap(text, self.width, "  "))


def _extra_checks(config: BenchConfig, out: Transcript) -> dict[str, Any]:
    checks: dict[str, Any] = {
        "small_call_us": extras.small_call(),
        "gil": extras.gil_overlap(1 << 23),
        "extra_memory": extras.extra_memory(config.methods, 1 << 24),
    }
    out.say()
    out.say_wrapped(
        "(64, 64) call, allocation included (us): "
        + ", ".join(f"{k} {v:.1f}" for k, v in checks["small_call_us"].items())
    )
    out.say_wrapped(
        f"two Python threads, n_threads=1 each: overlap {checks['gil']['overlap']:.2f}x "
        "(2.0 = fully parallel, the GIL is released during fills)"
    )
    out.say_wrapped(
        "extra peak memory beyond the output (KiB): "
        + ", ".join(f"{k} {v['extra_kib']}" for k, v in checks["extra_memory"].items())
    )
    return checks


def bench_command(args: argparse.Namespace) -> int:
    config = config_from(args)
    out = Transcript(output_width())
    load = machine_load()
    out.say_wrapped(machine_line())
    update, close = progress_printer()
    try:
        # The headline first: a reader gets the figures they came for within seconds.
        results = run_bench(config, progress=update, headline_only=True)
        close()
        out.say(format_headline(headline(results, config, load), config, load, out.width))
        update, close = progress_printer()
        measured = {(m.library, m.method, m.dtype, m.size, m.threads) for m in results}
        rest = run_bench(config, progress=update, skip=measured)
    finally:
        close()
    results += rest
    out.say()
    out.say(table_text(results, load, out.width))
    checks = _extra_checks(config, out) if config.full else {}
    checks["load_per_core_before"] = load
    json_path = args.json or (args.save and f"{args.save}.json")
    plot_path = args.plot or (args.save and f"{args.save}.png")
    if json_path:
        with atomic_output(json_path, "w") as handle:
            json.dump(as_json(results, config, checks), handle, indent=1)
        out.say(f"wrote {json_path}")
    if plot_path:
        from winit_fast.bench.plot import plot_throughput

        title = machine_line().removeprefix("machine: ")
        busy = is_busy(load)
        if busy:
            title += f"\n{BUSY} before the run: every figure is unreliable"
        plot_throughput(results, plot_path, title, sweep_sizes=config.sizes, busy=busy)
        out.say(f"wrote {plot_path}")
    if args.save:
        with atomic_output(f"{args.save}.txt", "w") as handle:
            handle.write("\n".join(part for part in out.parts if not part.startswith("wrote")))
            handle.write("\n")
        print(f"wrote {args.save}.txt", file=sys.stdout)
    return 0
