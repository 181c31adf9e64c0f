"""Deep networks from depth-aware and data-driven schemes: the signal at initialization and
the loss after a few epochs (``winit-fast activations --residual``, ``winit-fast depth-study``).

A *scheme* is an ``init`` spec (``"he_normal"``, ``"glorot_normal"``, ...), ``"lsuv"`` (LSUV on
a batch), or, for the residual network only, ``"fixup"`` or ``"gpt2"`` (He normal kernels with
that branch scaling, see :func:`winit_fast.reference.residual.branch_scale`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from winit_fast.reference.data import Dataset
from winit_fast.reference.experiments import (
    _label,
    _signal_batch,
    _std_profile,
    _table,
    _timed_fit,
)
from winit_fast.reference.lsuv import LSUV_INIT, lsuv
from winit_fast.reference.model import MLP
from winit_fast.reference.residual import ResidualMLP
from winit_fast.reference.threads import single_threaded_blas

__all__ = [
    "DEPTH_SCHEMES",
    "DepthRun",
    "depth_training",
    "format_depth_table",
    "make_model",
    "residual_statistics",
]

DEPTH_SCHEMES = ("glorot_normal", "he_normal", "lsuv", "fixup", "gpt2")
# Branch scalings and the base init they rescale (Fixup's paper uses He's).
_SCALED = {"fixup": "he_normal", "gpt2": "he_normal"}


def make_model(
    scheme: Any,
    *,
    residual: bool,
    n_inputs: int,
    width: int,
    depth: int,
    n_classes: int,
    X_batch: Any = None,
    **options: Any,
) -> MLP:
    """A plain ``MLP`` (``depth`` hidden layers of ``width``) or a ``ResidualMLP`` (``depth``
    blocks) initialized by ``scheme``; ``"lsuv"`` needs ``X_batch``.

    ``options`` go to the model (``activation``, ``seed``, ``dtype``, ``optimizer``, ``lr``).

    Examples
    --------
    >>> from winit_fast.reference.depth_study import make_model
    >>> model = make_model("gpt2", residual=True, n_inputs=4, width=8, depth=3, n_classes=2)
    >>> type(model).__name__, model.scaling
    ('ResidualMLP', 'gpt2')
    """
    is_lsuv = isinstance(scheme, str) and scheme == LSUV_INIT
    if is_lsuv and X_batch is None:
        raise ValueError("scheme 'lsuv' needs X_batch, a batch of inputs")
    init = "orthogonal" if is_lsuv else scheme
    model: MLP
    if residual:
        scaling = scheme if isinstance(scheme, str) and scheme in _SCALED else None
        if scaling is not None:
            init = _SCALED[scaling]
        model = ResidualMLP(
            n_inputs, width, depth, n_classes, init=init, scaling=scaling, **options
        )
    else:
        if isinstance(scheme, str) and scheme in _SCALED:
            raise ValueError(f"scheme {scheme!r} acts on residual blocks: use residual=True")
        model = MLP([n_inputs, *([width] * depth), n_classes], init=init, **options)
    if is_lsuv:
        lsuv(model, X_batch)
    return model


def residual_statistics(
    schemes: Sequence[Any] = DEPTH_SCHEMES,
    *,
    depth: int = 32,
    width: int = 128,
    activation: str = "relu",
    batch_size: int = 256,
    n_classes: int = 10,
    seed: int = 0,
    dtype: Any = np.float64,
) -> dict[str, dict[str, list[float]]]:
    """Per-block std of the residual stream and of its loss gradient, for each scheme.

    The same batch as :func:`~winit_fast.reference.experiments.activation_statistics`
    (standard normals, random labels, from ``numpy.random.default_rng(seed)``); ``"lsuv"``
    runs on that batch. Values are for the stream after blocks 1 .. ``depth``.

    Examples
    --------
    >>> from winit_fast.reference.depth_study import residual_statistics
    >>> stats = residual_statistics(["fixup"], depth=4, width=8, batch_size=16)
    >>> stats["fixup"]["gradient_std"]  # Fixup's zero classifier: no gradient below it yet
    [0.0, 0.0, 0.0, 0.0]
    """
    X, Y = _signal_batch(seed, batch_size, width, n_classes, dtype)
    results = {}
    for scheme in schemes:
        with np.errstate(all="ignore"), single_threaded_blas():  # overflow is on purpose
            model = make_model(
                scheme,
                residual=True,
                n_inputs=width,
                width=width,
                depth=depth,
                n_classes=n_classes,
                X_batch=X,
                activation=activation,
                seed=seed,
                dtype=dtype,
            )
            stream, gradients = model.trace(X, Y)
            results[_label(scheme)] = _std_profile(stream[1:], gradients[1:])
    return results


@dataclass
class DepthRun:
    """One training run of :func:`depth_training`.

    Examples
    --------
    >>> from winit_fast.reference.depth_study import DepthRun
    >>> DepthRun("lsuv", {"loss": [2.0, 1.0], "val_loss": [1.5], "val_accuracy": [0.5]}).final
    1.0
    """

    scheme: str
    history: dict[str, list[float]]
    seconds: float = 0.0

    @property
    def final(self) -> float:
        """The last epoch's training loss."""
        return self.history["loss"][-1]


def depth_training(
    data: Dataset,
    schemes: Sequence[Any] = DEPTH_SCHEMES,
    *,
    residual: bool = True,
    depth: int = 32,
    width: int = 64,
    epochs: int = 3,
    batch_size: int = 32,
    seed: int = 0,
    **options: Any,
) -> list[DepthRun]:
    """Train the same deep network from each scheme, same data, seed and batch order.

    ``"lsuv"`` uses the first ``batch_size`` training rows. ``options`` go to the model
    (``activation``, ``optimizer``, ``lr``, ``dtype``).

    Examples
    --------
    >>> from winit_fast.reference.data import synthetic
    >>> from winit_fast.reference.depth_study import depth_training
    >>> data = synthetic(80, 6, 2)
    >>> runs = depth_training(data, ["he_normal", "fixup"], depth=3, width=8, epochs=1)
    >>> [(run.scheme, len(run.history["loss"])) for run in runs]
    [('he_normal', 1), ('fixup', 1)]
    """
    runs = []
    for scheme in schemes:
        model = make_model(
            scheme,
            residual=residual,
            n_inputs=data.n_features,
            width=width,
            depth=depth,
            n_classes=data.n_classes,
            X_batch=data.X_train[:batch_size],
            seed=seed,
            **options,
        )
        with np.errstate(all="ignore"):  # a diverging init is a result, not an error
            history, seconds = _timed_fit(model, data, epochs, batch_size, seed)
        runs.append(DepthRun(_label(scheme), history, seconds))
    return runs


def format_depth_table(runs: Sequence[DepthRun]) -> str:
    """Training loss after the first and the last epoch, validation loss and accuracy.

    Examples
    --------
    >>> from winit_fast.reference.depth_study import DepthRun, format_depth_table
    >>> run = DepthRun("fixup", {"loss": [1.2, 0.4], "val_loss": [0.9, 0.5],
    ...                          "val_accuracy": [0.7, 0.88]})
    >>> print(format_depth_table([run]))
    scheme  loss epoch 1  final loss  val loss  val accuracy
    ------  ------------  ----------  --------  ------------
    fixup         1.2000      0.4000    0.5000        0.8800
    """
    header = ["scheme", "loss epoch 1", "final loss", "val loss", "val accuracy"]
    rows = []
    for run in runs:
        h = run.history
        rows.append(
            [
                run.scheme,
                f"{h['loss'][0]:.4f}",
                f"{h['loss'][-1]:.4f}",
                f"{h['val_loss'][-1]:.4f}",
                f"{h['val_accuracy'][-1]:.4f}",
            ]
        )
    return _table(header, rows)
