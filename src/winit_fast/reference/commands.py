"""What the ``train``, ``compare-inits``, ``activations`` and ``depth-study`` subcommands do;
``cli.py`` only parses the arguments and calls these."""

from __future__ import annotations

import argparse
import json
from typing import Any

import winit_fast as wf
from winit_fast._interface import CommandError, atomic_output
from winit_fast.reference.data import Dataset, load_data
from winit_fast.reference.depth_study import (
    DEPTH_SCHEMES,
    depth_training,
    format_depth_table,
    residual_statistics,
)
from winit_fast.reference.experiments import (
    ACTIVATION_INITS,
    activation_statistics,
    compare_inits,
    format_activation_table,
    format_compare_table,
    train_run,
)
from winit_fast.reference.progress import progress_bar

__all__ = ["activations_command", "compare_inits_command", "depth_study_command", "train_command"]


def _data(args: argparse.Namespace) -> Dataset:
    """The training data, after checking --train-size and --batch-size against its rows (a
    usage error, exit status 2, rather than a silent clamp: the run would not be the one
    asked for); data that cannot be used is a one-line error (exit status 1)."""
    try:
        data = load_data(args.data, dtype=args.dtype)
    except (ValueError, ImportError) as exc:  # labels, row counts; scikit-learn missing
        raise CommandError(f"--data {args.data}: {exc}") from None
    rows = int(data.X_train.shape[0])
    if args.train_size is not None and args.train_size > rows:
        args.subparser.error(
            f"--train-size {args.train_size} is more than the {rows:,} training rows of "
            f"{args.data!r}; give at most {rows}"
        )
    data = data.head(args.train_size)
    used = int(data.X_train.shape[0])
    if args.batch_size > used:
        args.subparser.error(
            f"--batch-size {args.batch_size} is more than the {used:,} training rows used; "
            f"give at most {used}"
        )
    return data


def _picked(args: argparse.Namespace, *names: str) -> dict[str, Any]:
    """The named arguments, as the keywords of the experiment a command runs and of its JSON."""
    return {name: getattr(args, name) for name in names}


# What depth-study passes to depth_training and records, besides the schemes and the dtype.
_DEPTH_STUDY = (
    "residual",
    "depth",
    "width",
    "seed",
    "epochs",
    "batch_size",
    "activation",
    "optimizer",
    "lr",
)


def _training_options(args: argparse.Namespace) -> dict[str, Any]:
    return _picked(args, "epochs", "batch_size", "hidden", "activation", "optimizer", "lr", "dtype")


def _describe(data: Dataset) -> dict[str, Any]:
    return {
        "train_rows": int(data.X_train.shape[0]),
        "validation_rows": int(data.X_val.shape[0]),
        "features": data.n_features,
        "classes": data.n_classes,
    }


def _write_json(path: str | None, payload: dict[str, Any]) -> None:
    if path:
        with atomic_output(path, "w") as handle:
            json.dump(payload, handle, indent=1)
        print(f"wrote {path}")


def train_command(args: argparse.Namespace) -> int:
    """``winit-fast train``: one run, a per-epoch table, optionally JSON and a PNG.

    Examples
    --------
    >>> import pytest; _ = pytest.importorskip("sklearn", reason="needs scikit-learn")
    >>> from winit_fast.cli import main
    >>> main(["train", "--epochs", "1", "--train-size", "64", "--quiet"])  # doctest: +ELLIPSIS
    epoch ...
    0
    """
    data = _data(args)
    backend = args.backend or wf.BACKEND
    with progress_bar(not args.quiet) as update:
        run = train_run(
            data,
            args.init,
            args.seed,
            backend=args.backend,
            progress=lambda done, total: update(f"{args.init} ({backend})", done, total),
            **_training_options(args),
        )
    h = run.history
    print("epoch      loss  accuracy  val_loss  val_accuracy")
    columns = (h["loss"], h["accuracy"], h["val_loss"], h["val_accuracy"])
    for epoch, (loss, acc, val_loss, val_acc) in enumerate(zip(*columns, strict=True), start=1):
        print(f"{epoch:5d}  {loss:8.4f}  {acc:8.4f}  {val_loss:8.4f}  {val_acc:12.4f}")
    reached = run.epoch_90
    print(
        f"init {args.init}, backend {backend}: val accuracy {h['val_accuracy'][-1]:.4f}, "
        f"90% at epoch {reached or 'never'}; initial weights sha256 {run.initial_digest[:16]}"
    )
    options = _training_options(args)
    options["dtype"] = str(options["dtype"])
    _write_json(
        args.json,
        {
            "command": "train",
            "backend": backend,
            "options": {**options, "seed": args.seed, "init": args.init, "data": args.data},
            "data": _describe(data),
            **run.as_dict(),
        },
    )
    if args.plot:
        from winit_fast.reference.plots import plot_histories

        hidden = "-".join(map(str, args.hidden))
        title = (
            f"winit-fast train: init {args.init}, {data.n_features}-{hidden}-{data.n_classes} "
            f"{args.activation}, {args.optimizer} lr {args.lr:g}, batch {args.batch_size}, "
            f"seed {args.seed}"
        )
        plot_histories({f"{args.init} ({backend})": h}, args.plot, title)
        print(f"wrote {args.plot}")
    return 0


def compare_inits_command(args: argparse.Namespace) -> int:
    """``winit-fast compare-inits``: the same network and seeds from each init; a table,
    optionally JSON and a PNG of the loss curves (first seed).

    Examples
    --------
    >>> import numpy as np, os, tempfile
    >>> from winit_fast.cli import main
    >>> path = os.path.join(tempfile.mkdtemp(), "toy.npz")
    >>> np.savez(path, X=np.eye(8)[np.arange(40) % 8], y=np.arange(40) % 2)
    >>> main(["compare-inits", "--data", path, "--inits", "zeros,he_normal", "--epochs", "1",
    ...       "--hidden", "4", "--quiet"])  # doctest: +ELLIPSIS
    init ...
    zeros ...
    he_normal ...
    0
    """
    data = _data(args)
    with progress_bar(not args.quiet) as update:
        summaries = compare_inits(
            data, args.inits, args.seeds, progress=update, **_training_options(args)
        )
    print(format_compare_table(summaries))
    options = _training_options(args)
    options["dtype"] = str(options["dtype"])
    _write_json(
        args.json,
        {
            "command": "compare-inits",
            "backend": wf.BACKEND,
            "options": {**options, "seeds": args.seeds, "inits": args.inits, "data": args.data},
            "data": _describe(data),
            "results": {s.init: [run.as_dict() for run in s.runs] for s in summaries},
        },
    )
    if args.plot:
        from winit_fast.reference.plots import plot_histories

        histories = {s.init: s.runs[0].history for s in summaries}
        title = f"{data.n_features}-{'-'.join(map(str, args.hidden))}-{data.n_classes}, seed "
        plot_histories(histories, args.plot, title + str(args.seeds[0]))
        print(f"wrote {args.plot}")
    return 0


def activations_command(args: argparse.Namespace) -> int:
    """``winit-fast activations``: per-layer std of activations and gradients at init.

    Examples
    --------
    >>> from winit_fast.cli import main
    >>> main(["activations", "--depth", "3", "--width", "8", "--batch-size", "4",
    ...       "--inits", "he_normal"])  # doctest: +ELLIPSIS
    3 hidden layers of 8 relu units, ...
    he_normal ...
    0
    """
    residual = getattr(args, "residual", False)
    if args.inits is None:
        args.inits = list(DEPTH_SCHEMES if residual else ACTIVATION_INITS)
    statistics = residual_statistics if residual else activation_statistics
    network = _picked(args, "depth", "width", "activation", "batch_size", "seed")
    stats = statistics(args.inits, **network)
    layers = "residual blocks" if residual else "hidden layers"
    print(
        f"{args.depth} {layers} of {args.width} {args.activation} units, batch "
        f"{args.batch_size} of standard normals, seed {args.seed}"
    )
    print(format_activation_table(stats))
    _write_json(
        args.json,
        {
            "command": "activations",
            "options": {**network, "inits": args.inits, "residual": residual},
            "results": stats,
        },
    )
    if args.plot:
        from winit_fast.reference.plots import plot_activation_statistics

        kind = " residual blocks" if residual else ""
        title = f"{args.depth}{kind} x {args.width} {args.activation}, at initialization"
        unit = "residual block" if residual else "hidden layer"
        plot_activation_statistics(stats, args.plot, title, unit=unit)
        print(f"wrote {args.plot}")
    return 0


def depth_study_command(args: argparse.Namespace) -> int:
    """``winit-fast depth-study``: train one deep network from each scheme; a table,
    optionally JSON and a PNG of the loss curves.

    Examples
    --------
    >>> import pytest; _ = pytest.importorskip("sklearn", reason="needs scikit-learn")
    >>> from winit_fast.cli import main
    >>> main(["depth-study", "--train-size", "64", "--residual", "--depth", "3", "--width", "4",
    ...       "--epochs", "1", "--schemes", "he_normal,fixup"])  # doctest: +ELLIPSIS
    3 residual blocks of 4 relu units, ...
    scheme ...
    he_normal ...
    fixup ...
    0
    """
    data = _data(args)
    options = _picked(args, *_DEPTH_STUDY)
    runs = depth_training(data, args.schemes, **options, dtype=args.dtype)
    layers = "residual blocks" if args.residual else "hidden layers"
    print(
        f"{args.depth} {layers} of {args.width} {args.activation} units, "
        f"{args.optimizer} lr {args.lr}, {args.epochs} epochs, seed {args.seed}"
    )
    print(format_depth_table(runs))
    _write_json(
        args.json,
        {
            "command": "depth-study",
            "options": {
                "schemes": args.schemes,
                **options,
                "dtype": str(args.dtype),
                "data": args.data,
            },
            "data": _describe(data),
            "results": {
                run.scheme: {"history": run.history, "seconds": round(run.seconds, 3)}
                for run in runs
            },
        },
    )
    if args.plot:
        from winit_fast.reference.plots import plot_histories

        title = f"{args.depth} {layers} x {args.width} {args.activation}, seed {args.seed}"
        plot_histories({run.scheme: run.history for run in runs}, args.plot, title)
        print(f"wrote {args.plot}")
    return 0
