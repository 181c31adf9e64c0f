"""Time to an initialized transformers model: own init vs ``fast_init`` vs meta + init_module.

    python bench/models.py                      # llama-0.5b, gpt2, resnet-50 on 2 threads
    python bench/models.py --models gpt2 --repeats 3 --json models.json
    python bench/models.py --models t5-base,bart-base,opt-125m,whisper-base

Each measurement is a fresh process; see ``winit_fast.bench.models``.
"""

from __future__ import annotations

import argparse
import json

from winit_fast.bench.models import METHODS, MODELS, format_rows, run_models


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models", default="llama-0.5b,gpt2,resnet-50", help=", ".join(MODELS))
    parser.add_argument("--methods", default=",".join(METHODS), help=", ".join(METHODS))
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--repeats", type=int, default=1, help="best of this many runs")
    parser.add_argument("--json", metavar="FILE", help="also write the rows as JSON")
    args = parser.parse_args()
    rows = run_models(
        args.models.split(","),
        args.methods.split(","),
        threads=args.threads,
        repeats=args.repeats,
    )
    print(format_rows(rows))
    if args.json:
        with open(args.json, "w", encoding="utf-8") as handle:
            json.dump(rows, handle, indent=2)


if __name__ == "__main__":
    main()
