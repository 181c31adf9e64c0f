"""The article's experiments: train one network per initializer, and activation statistics.

- :func:`train_run`: one training run and what the docs report about it;
- :func:`compare_inits`: the same network from several initializers over several seeds;
- :func:`activation_statistics`: the per-layer std of activations and of back-propagated
  gradients in a deep MLP, before any training.
"""

from __future__ import annotations

import hashlib
import itertools
import statistics
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from winit_fast.reference.data import Dataset
from winit_fast.reference.functions import one_hot
from winit_fast.reference.lsuv import LSUV_INIT, lsuv
from winit_fast.reference.model import MLP
from winit_fast.reference.threads import single_threaded_blas

__all__ = [
    "ACTIVATION_INITS",
    "COMPARE_INITS",
    "InitSummary",
    "RunResult",
    "activation_statistics",
    "compare_inits",
    "epoch_reaching",
    "format_activation_table",
    "format_compare_table",
    "hidden_unit_spread",
    "train_run",
    "weights_digest",
]

# The seed article's comparison: zeros, small and large random, Glorot ("Xavier"), He, LeCun.
COMPARE_INITS = (
    "zeros",
    "random_normal:0.01",
    "random_normal:1.0",
    "glorot_normal",
    "he_normal",
    "lecun_normal",
)
ACTIVATION_INITS = COMPARE_INITS


def epoch_reaching(history: dict[str, list[float]], threshold: float = 0.9) -> int | None:
    """The first epoch (from 1) whose ``val_accuracy`` is at least ``threshold``, or None.

    Examples
    --------
    >>> from winit_fast.reference.experiments import epoch_reaching
    >>> epoch_reaching({"val_accuracy": [0.5, 0.91, 0.95]}), epoch_reaching({"val_accuracy": [0.5]})
    (2, None)
    """
    for epoch, value in enumerate(history["val_accuracy"], start=1):
        if value >= threshold:
            return epoch
    return None


def hidden_unit_spread(weights: Sequence[tuple[np.ndarray, np.ndarray]]) -> float:
    """The largest difference between any hidden unit's parameters and those of unit 0.

    A hidden unit ``j`` of layer ``i`` owns column ``j`` of ``W_i`` (its inputs), ``b_i[j]``
    and row ``j`` of ``W_{i+1}`` (its outputs). 0.0 means every hidden unit is the same unit:
    the symmetry that zero initialization never breaks.

    Examples
    --------
    >>> import numpy as np
    >>> from winit_fast.reference.experiments import hidden_unit_spread
    >>> same = [(np.ones((3, 4)), np.zeros(4)), (np.ones((4, 2)), np.zeros(2))]
    >>> hidden_unit_spread(same)
    0.0
    """
    spread = 0.0
    for (w_in, b), (w_out, _) in itertools.pairwise(weights):
        for part in (w_in - w_in[:, :1], b - b[:1], w_out - w_out[:1, :]):
            if part.size:
                spread = max(spread, float(np.abs(part).max()))
    return spread


def weights_digest(weights: Sequence[tuple[np.ndarray, np.ndarray]]) -> str:
    """SHA-256 of the weights' bytes, in order: equal digests mean byte-identical weights.

    Examples
    --------
    >>> import numpy as np
    >>> from winit_fast.reference.experiments import weights_digest
    >>> len(weights_digest([(np.zeros((2, 2)), np.zeros(2))]))
    64
    """
    digest = hashlib.sha256()
    for w, b in weights:
        digest.update(np.ascontiguousarray(w).tobytes())
        digest.update(np.ascontiguousarray(b).tobytes())
    return digest.hexdigest()


@dataclass
class RunResult:
    """One training run: its settings, history, and the facts the docs report.

    Examples
    --------
    >>> from winit_fast.reference.experiments import RunResult
    >>> RunResult("he_normal", 0, {"val_accuracy": [0.95]}).epoch_90
    1
    """

    init: str
    seed: int
    history: dict[str, list[float]]
    initial_digest: str = ""
    final_digest: str = ""
    hidden_unit_spread: float = float("nan")
    seconds: float = 0.0

    @property
    def epoch_90(self) -> int | None:
        """The first epoch with validation accuracy >= 90 %, or None."""
        return epoch_reaching(self.history, 0.9)

    def as_dict(self) -> dict[str, Any]:
        """A JSON-ready dict (what ``--json`` writes per run)."""
        return {
            "init": self.init,
            "seed": self.seed,
            "history": self.history,
            "epoch_reaching_90": self.epoch_90,
            "initial_weights_sha256": self.initial_digest,
            "final_weights_sha256": self.final_digest,
            "hidden_unit_spread": self.hidden_unit_spread,
            "seconds": round(self.seconds, 3),
        }


def _timed_fit(
    model: Any,
    data: Dataset,
    epochs: int,
    batch_size: int,
    seed: int,
    progress: Callable[[int, int], None] | None = None,
) -> tuple[dict[str, list[float]], float]:
    """``model.fit`` on the training rows, validated on the validation rows; the history and
    the seconds it took."""
    start = time.perf_counter()
    history = model.fit(
        data.X_train,
        data.y_train,
        epochs=epochs,
        batch_size=batch_size,
        validation_data=(data.X_val, data.y_val),
        seed=seed,
        progress=progress,
    )
    return history, time.perf_counter() - start


def train_run(
    data: Dataset,
    init: Any = "he_normal",
    seed: int = 0,
    *,
    epochs: int = 10,
    batch_size: int = 32,
    hidden: Sequence[int] = (64,),
    activation: str = "relu",
    optimizer: str = "adam",
    lr: float = 1e-3,
    dtype: Any = np.float32,
    backend: str | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> RunResult:
    """Train ``[features, *hidden, classes]`` on ``data`` from ``init``; ``seed`` seeds both
    the initial weights and the shuffling. ``init="lsuv"`` runs
    :func:`~winit_fast.reference.lsuv.lsuv` on the first ``batch_size`` training rows.

    Examples
    --------
    >>> from winit_fast.reference.data import synthetic
    >>> from winit_fast.reference.experiments import train_run
    >>> data = synthetic(100, 12, 3)
    >>> run = train_run(data, "he_normal", seed=0, epochs=2, hidden=(8,))
    >>> len(run.history["val_accuracy"]), run.initial_digest != run.final_digest
    (2, True)
    """
    model = MLP(
        [data.n_features, *hidden, data.n_classes],
        activation=activation,
        init="orthogonal" if init == LSUV_INIT else init,
        seed=seed,
        dtype=dtype,
        optimizer=optimizer,
        lr=lr,
        backend=backend,
    )
    if init == LSUV_INIT:  # data-driven: the first batch, before any shuffling
        lsuv(model, data.X_train[:batch_size])
    initial = weights_digest(model.weights)
    history, seconds = _timed_fit(model, data, epochs, batch_size, seed, progress)
    final = model.weights
    label = _label(init)
    return RunResult(
        label, seed, history, initial, weights_digest(final), hidden_unit_spread(final), seconds
    )


@dataclass
class InitSummary:
    """The runs of one initializer over several seeds.

    Examples
    --------
    >>> from winit_fast.reference.experiments import InitSummary, RunResult
    >>> runs = [RunResult("he_normal", s, {"loss": [0.1], "val_loss": [0.2],
    ...                                     "val_accuracy": [0.9 + s / 100]}) for s in (0, 2)]
    >>> s = InitSummary("he_normal", runs)
    >>> round(s.mean("val_accuracy"), 3), round(s.std("val_accuracy"), 4)
    (0.91, 0.0141)
    """

    init: str
    runs: list[RunResult] = field(default_factory=list)

    def finals(self, key: str) -> list[float]:
        """The last epoch's ``key`` of each run, in seed order."""
        return [run.history[key][-1] for run in self.runs]

    def mean(self, key: str) -> float:
        """Mean over the seeds of the last epoch's ``key``."""
        return statistics.fmean(self.finals(key))

    def std(self, key: str) -> float:
        """Sample standard deviation over the seeds (0 for one seed)."""
        values = self.finals(key)
        return statistics.stdev(values) if len(values) > 1 else 0.0


def compare_inits(
    data: Dataset,
    inits: Sequence[Any] = COMPARE_INITS,
    seeds: Sequence[int] = (0,),
    *,
    progress: Callable[[str, int, int], None] | None = None,
    **options: Any,
) -> list[InitSummary]:
    """:func:`train_run` for every init and seed, with the same data and seeds.

    ``options`` go to :func:`train_run` (``epochs``, ``batch_size``, ``hidden``, ...);
    ``progress(label, done, total)`` is called after each step.

    Examples
    --------
    >>> from winit_fast.reference.data import synthetic
    >>> from winit_fast.reference.experiments import compare_inits
    >>> data = synthetic(60, 6, 2)
    >>> summaries = compare_inits(data, ["zeros", "he_normal"], seeds=[0, 1], epochs=1, hidden=(4,))
    >>> [(s.init, len(s.runs)) for s in summaries]
    [('zeros', 2), ('he_normal', 2)]
    """
    summaries = []
    for init in inits:
        summary = InitSummary(_label(init))
        for seed in seeds:
            label = f"{summary.init} seed {seed}"
            report = None if progress is None else _labelled(progress, label)
            summary.runs.append(train_run(data, init, seed, progress=report, **options))
        summaries.append(summary)
    return summaries


def _labelled(progress: Callable[[str, int, int], None], label: str) -> Callable[[int, int], None]:
    return lambda done, total: progress(label, done, total)


def _reached(summary: InitSummary) -> str:
    epochs = [run.epoch_90 for run in summary.runs]
    reached = [e for e in epochs if e is not None]
    if not reached:
        return "never"
    text = str(reached[0]) if len(set(reached)) == 1 else f"{min(reached)}-{max(reached)}"
    missing = len(epochs) - len(reached)
    return text if not missing else f"{text} ({missing}/{len(epochs)} never)"


def _number(summary: InitSummary, key: str, digits: int) -> str:
    if len(summary.runs) == 1:
        return f"{summary.mean(key):.{digits}f}"
    return f"{summary.mean(key):.{digits}f} ± {summary.std(key):.{digits}f}"


def format_compare_table(summaries: Sequence[InitSummary]) -> str:
    """A plain-text table: final loss, final validation accuracy, epoch reaching 90%, and the
    hidden-unit spread (mean ± sample std over seeds when there are several).

    Examples
    --------
    >>> from winit_fast.reference.experiments import InitSummary, RunResult, format_compare_table
    >>> run = RunResult("zeros", 0, {"loss": [2.3], "val_loss": [2.3], "val_accuracy": [0.1]},
    ...                 hidden_unit_spread=0.0)
    >>> print(format_compare_table([InitSummary("zeros", [run])]))
    init   final loss  val loss  val accuracy  epoch >= 90%  hidden-unit spread
    -----  ----------  --------  ------------  ------------  ------------------
    zeros      2.3000    2.3000        0.1000         never             0.0e+00
    """
    header = ["init", "final loss", "val loss", "val accuracy", "epoch >= 90%"]
    header.append("hidden-unit spread")
    rows = []
    for s in summaries:
        spread = max(run.hidden_unit_spread for run in s.runs)
        rows.append(
            [
                s.init,
                _number(s, "loss", 4),
                _number(s, "val_loss", 4),
                _number(s, "val_accuracy", 4),
                _reached(s),
                f"{spread:.1e}",
            ]
        )
    return _table(header, rows)


def _table(header: list[str], rows: list[list[str]]) -> str:
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]
    lines = []
    for row in [header, ["-" * w for w in widths], *rows]:
        cells = [
            c.ljust(w) if i == 0 else c.rjust(w)
            for i, (c, w) in enumerate(zip(row, widths, strict=True))
        ]
        lines.append("  ".join(cells).rstrip())
    return "\n".join(lines)


def activation_statistics(
    inits: Sequence[Any] = ACTIVATION_INITS,
    *,
    depth: int = 50,
    width: int = 256,
    activation: str = "relu",
    batch_size: int = 256,
    n_classes: int = 10,
    seed: int = 0,
    dtype: Any = np.float64,
) -> dict[str, dict[str, list[float]]]:
    """Per-layer std of the activations and of the loss gradients, for each init.

    The network is ``width`` inputs, ``depth`` hidden layers of ``width`` units and a softmax
    over ``n_classes``; the batch is standard-normal inputs with random labels (both from
    ``numpy.random.default_rng(seed)``), and the loss is the usual cross-entropy. Nothing is
    trained: this is the signal at initialization. float64 by default, so an exploding signal
    shows as large numbers rather than float32 overflow. ``"lsuv"`` runs LSUV on that batch.

    Returns
    -------
    dict
        ``{init: {"activation_std": [...], "gradient_std": [...]}}``, one value per hidden
        layer, first layer first; ``gradient_std`` is the std of d loss / d activation.

    Examples
    --------
    >>> from winit_fast.reference.experiments import activation_statistics
    >>> stats = activation_statistics(["he_normal"], depth=5, width=32, batch_size=16)
    >>> [len(v) for v in stats["he_normal"].values()]
    [5, 5]
    """
    X, Y = _signal_batch(seed, batch_size, width, n_classes, dtype)
    results = {}
    for init in inits:
        spec = "orthogonal" if init == LSUV_INIT else init
        model = MLP([width] * (depth + 1) + [n_classes], activation, spec, seed, dtype)
        if init == LSUV_INIT:
            lsuv(model, X)
        with np.errstate(all="ignore"), single_threaded_blas():  # overflow is on purpose
            activations, gradients = model.trace(X, Y)
            results[_label(init)] = _std_profile(activations, gradients)
    return results


def _signal_batch(
    seed: int, batch_size: int, width: int, n_classes: int, dtype: Any
) -> tuple[np.ndarray, np.ndarray]:
    """The batch both signal studies trace (this one and ``depth_study``'s): standard-normal
    inputs and random one-hot labels, from ``numpy.random.default_rng(seed)``."""
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((batch_size, width))
    Y = one_hot(rng.integers(0, n_classes, batch_size), n_classes, dtype)
    return X, Y


def _std_profile(
    activations: Sequence[np.ndarray], gradients: Sequence[np.ndarray]
) -> dict[str, list[float]]:
    """``{"activation_std": [...], "gradient_std": [...]}``, one std per traced layer."""
    return {
        "activation_std": [float(a.std()) for a in activations],
        "gradient_std": [float(g.std()) for g in gradients],
    }


def _label(init: Any) -> str:
    """An init's name in a table: itself when a str, else its repr."""
    return init if isinstance(init, str) else repr(init)


def format_activation_table(stats: dict[str, dict[str, list[float]]]) -> str:
    """The std of activations and gradients at the first, middle and last hidden layer.

    Examples
    --------
    >>> from winit_fast.reference.experiments import format_activation_table
    >>> stats = {"he_normal": {"activation_std": [1.0, 0.9, 0.8], "gradient_std": [1e-3] * 3}}
    >>> print(format_activation_table(stats))
    init       act std L1  act std L2  act std L3  grad std L1  grad std L2  grad std L3
    ---------  ----------  ----------  ----------  -----------  -----------  -----------
    he_normal     1.0e+00     9.0e-01     8.0e-01      1.0e-03      1.0e-03      1.0e-03
    """
    depth = len(next(iter(stats.values()))["activation_std"])
    layers = sorted({0, depth // 2, depth - 1})
    header = ["init"]
    header += [f"act std L{i + 1}" for i in layers]
    header += [f"grad std L{i + 1}" for i in layers]
    rows = []
    for init, values in stats.items():
        row = [init]
        row += [f"{values['activation_std'][i]:.1e}" for i in layers]
        row += [f"{values['gradient_std'][i]:.1e}" for i in layers]
        rows.append(row)
    return _table(header, rows)
