"""Hostile calls: every public fill and the command line, with arguments drawn from valid and
invalid values alike. A call either works or raises TypeError, ValueError or MemoryError with
a message naming an argument it was given; never another exception, a crash or a hang. Both
backends agree on every call (the same bytes, or the same exception type), a finite request
never gives inf or NaN, and uniform stays within [low, high]. The command line answers a
mistake with one usage line (exit status 2) and never a traceback.

Derandomized (no example database), so CI runs the same examples every time; small, so the
file takes seconds. ``WINIT_FAST_FUZZ_EXAMPLES=2000`` runs a longer search locally.
"""

from __future__ import annotations

import contextlib
import inspect
import io
import json
import math
import os
import warnings
from decimal import Decimal
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from support import CORE

import winit_fast as wf
from winit_fast import cli

FUZZ = settings(
    derandomize=True,
    database=None,
    deadline=None,
    max_examples=int(os.environ.get("WINIT_FAST_FUZZ_EXAMPLES", "60")),
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
ALLOWED = (TypeError, ValueError, MemoryError)


class Opaque:
    """An object no argument accepts."""

    def __repr__(self) -> str:
        return "Opaque()"


def _longdouble_overflowing_float64():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return np.longdouble("1e4000")  # finite where long double is wider than float64


HOSTILE = [
    None,
    True,
    -1,
    2**64,
    10**400,
    float("nan"),
    float("inf"),
    -float("inf"),
    "x",
    "\ud800",
    b"x",
    [1, 2],
    np.array([1.0, 2.0]),
    complex(1, 1),
    Fraction(1, 3),
    Decimal("1e5000"),
    _longdouble_overflowing_float64(),
    np.int64(-5),
    np.uint64(2**64 - 1),
    Opaque(),
]
REALS = [
    0.0,
    -0.0,
    1.0,
    -1.0,
    0.5,
    2,
    1e-8,
    1e-45,
    5e-324,
    -65519.0,
    -65504.0,
    65504.0,
    65519.0,
    65520.0,
    3.3e38,
    3.4e38,
    1e39,
    1e308,
    np.float16(1.5),
    np.float32(0.1),
    np.array(2.0),
]
SHAPES = [
    0,
    1,
    5,
    (2, 3),
    (3, 4),
    (),
    (0, 4),
    (2, 3, 4),
    (3, 2, 2, 2),
    [2, 3],
    np.int64(4),
    (np.int64(2), 3),
    (2**62,),
    (10**30,),
    (2**40, 2**40),
    (2**31, 2**31, 2**31),
    (1,) * 65,
    (-1,),
    (2.5,),
    "3",
]
POOLS = {
    "shape": SHAPES,
    "seed": [0, 1, 2**64 - 1, np.uint64(5)],
    "stream": [0, 5, "w", "", 2**64 - 1, "layers.0.weight"],
    "offset": [0, 1, 7, 2**65 - 3, 2**66 - 1, 2**65],
    "n_threads": [None, 1, 2, 3, 0, 1025],
    "dtype": ["float32", "float64", "float16", "bfloat16", np.float32, "int8", ">f4", "c8"],
    "index": [
        None,
        np.s_[:2],
        np.s_[1:, ::2],
        np.s_[..., 0],
        (slice(0, 1),) * 3,
        0,
        [0, 1],
        np.s_[::-1],
        (slice(0, 2**70),),
    ],
    "layout": ["keras", "torch"],
    "mode": ["fan_in", "fan_out", "fan_avg"],
    "distribution": ["uniform", "normal", "truncated_normal", "untruncated_normal"],
    "fan_in": [None, 1, 10, 0, 2**64],
    "fan_out": [None, 1, 10, 0, 2**64],
    "input_axes": [None, 0, -1, (0,), (0, 1), 5],
    "output_axes": [None, 0, -1, (1,), (0, 1), 5],
    "groups": [1, 2, 0],
    "depthwise": [False, True],
    "transposed": [False, True],
    "nonlinearity": ["relu", "tanh", "leaky_relu", "linear", "selu"],
    "n": [0, 1, 5, 2**62],
    "counters": [np.zeros(4, np.uint32), np.zeros((2, 4), np.uint32), np.zeros(2, np.uint32)],
    "key": [np.zeros(2, np.uint32), [0, 0], np.zeros(3, np.uint32)],
}
for _name in ("low", "high", "mean", "std", "a", "b", "value", "gain", "scale", "param"):
    POOLS[_name] = REALS
OUTS = [
    lambda: np.empty(6, np.float32),
    lambda: np.empty((2, 3), np.float64),
    lambda: np.empty((3, 4), np.float16),
    lambda: np.empty((4, 4), np.float32)[:, ::2],  # not contiguous
    lambda: np.empty(6, np.int32),
    lambda: np.empty((), np.float32),
    lambda: np.frombuffer(bytes(24), np.float32),  # read-only
]

FILLS = {
    name: getattr(wf, name)
    for name in (
        "uniform",
        "normal",
        "truncated_normal",
        "constant",
        "zeros",
        "ones",
        "orthogonal",
        "identity",
        "variance_scaling",
        "glorot_normal",
        "glorot_uniform",
        "he_normal",
        "he_uniform",
        "lecun_normal",
        "lecun_uniform",
        "random_raw",
        "philox4x32",
        "compute_fans",
        "calculate_gain",
    )
}
GENERATOR_METHODS = ("uniform", "normal", "truncated_normal", "orthogonal", "he_normal")


@st.composite
def arguments(draw, function, fixed=()):
    """Keyword arguments for ``function``: each parameter given or not, from its pool plus
    hostile values (the first one, the shape or the like, nearly always given)."""
    chosen = {}
    for position, parameter in enumerate(inspect.signature(function).parameters.values()):
        if parameter.name in fixed:
            continue
        given = draw(st.floats(0, 1)) < (0.95 if position == 0 else 0.4)
        if not given and parameter.default is not inspect.Parameter.empty:
            continue
        if parameter.name == "out":
            chosen["out"] = draw(st.sampled_from(OUTS))
            continue
        pool = POOLS.get(parameter.name, [])
        hostile = draw(st.floats(0, 1)) < 0.15
        chosen[parameter.name] = draw(st.sampled_from(HOSTILE if hostile or not pool else pool))
    return chosen


def call(function, kwargs):
    """``function(**kwargs)`` with a fresh ``out``: the result, or the allowed exception."""
    kwargs = {k: (v() if k == "out" else v) for k, v in kwargs.items()}
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # NumPy's, about the inputs
            return function(**kwargs)
    except ALLOWED as exc:
        return exc


def check(name, function, kwargs):
    results = {}
    for backend in ("c", "python") if CORE is not None else ("python",):
        with wf.use_backend(backend):
            results[backend] = call(function, kwargs)
    result = results["python"]
    drawn = "seed" in inspect.signature(function).parameters and kwargs.get("seed") is None
    if isinstance(result, BaseException):
        named = [k for k in kwargs if k in str(result)] or [
            word for word in ("shape", "out", "dtype") if word in str(result)
        ]
        assert named, f"{name}(**{kwargs!r}) raised {result!r}, naming none of its arguments"
    for other in results.values():
        if isinstance(result, BaseException):
            assert type(other) is type(result), (name, kwargs, results)
        elif isinstance(result, np.ndarray) and not drawn:  # (seed None: fresh entropy)
            assert isinstance(other, np.ndarray), (name, kwargs, results)
            assert other.dtype == result.dtype and other.tobytes() == result.tobytes(), (
                f"backends differ: {name}(**{kwargs!r})"
            )
    if (isinstance(result, np.ndarray) and result.dtype.kind == "f") or _is_bfloat16(result):
        check_values(name, kwargs, result)


def _is_bfloat16(result):
    return isinstance(result, np.ndarray) and result.dtype.name == "bfloat16"


def check_values(name, kwargs, result):
    values = result.astype(np.float64)
    reals = [v for k, v in kwargs.items() if k in POOLS and POOLS[k] is REALS]
    if all(_finite(v) for v in reals):
        assert np.isfinite(values).all(), f"{name}(**{kwargs!r}) gave inf or NaN"
    if name == "uniform" and values.size:
        low, high = (float(kwargs.get(k, d)) for k, d in (("low", 0.0), ("high", 1.0)))
        # low is rounded like any value (to the working precision, then to the dtype)
        working = np.float64 if result.dtype == np.float64 else np.float32
        rounded = float(np.array(np.array(low).astype(working)).astype(result.dtype))
        if low == high:  # documented: every value is low, rounded
            high = max(high, rounded)
        low = min(low, rounded)
        assert ((values >= low) & (values <= high)).all(), f"uniform(**{kwargs!r}) left its range"


def _finite(value):
    try:
        return math.isfinite(float(value))
    except (TypeError, ValueError, OverflowError):
        return False


@pytest.mark.parametrize("name", sorted(FILLS))
def test_every_public_fill_fails_only_with_a_named_argument_error(name):
    function = FILLS[name]

    @FUZZ
    @given(arguments(function))
    def fuzz(kwargs):
        check(name, function, kwargs)

    fuzz()


@pytest.mark.parametrize("name", GENERATOR_METHODS)
def test_generator_methods_fail_only_with_a_named_argument_error(name):
    method = getattr(wf.Generator(0), name)

    @FUZZ
    @given(arguments(method))
    def fuzz(kwargs):
        # a fresh generator per call: both backends draw the same stretch of the stream
        check(name, lambda **kw: getattr(wf.Generator(0), name)(**kw), kwargs)

    fuzz()


# ---- the out= short path ----------------------------------------------------------------

SHORT = ("uniform", "normal", "truncated_normal")
SHORT_OUTS = [  # what the short path takes (float32, float64, float16; C-contiguous, writeable)
    lambda: np.empty(6, np.float32),
    lambda: np.empty((2, 3), np.float64),
    lambda: np.empty((3, 4), np.float16),
    lambda: np.empty((0, 3), np.float32),
    lambda: np.empty((), np.float16),
]
SHORT_WHERE = {  # keywords the short path takes, with values it takes and values it declines
    "stream": [0, 5, 2**64 - 1, "w"],
    "offset": [0, 7, 2**61, 2**62, 2**66 - 1],
    "n_threads": [None, 1, 2, 1024, 1025, 0],
}


@st.composite
def short_calls(draw, name):
    """``(values, where)`` of the out= form of ``name``: mostly what the short path takes."""
    from winit_fast._families import family

    parameters = inspect.signature(FILLS[name]).parameters
    values = []
    for parameter in family(name).parameters:
        pool = HOSTILE if draw(st.floats(0, 1)) < 0.1 else REALS
        given = draw(st.floats(0, 1)) < 0.7
        values.append(draw(st.sampled_from(pool)) if given else parameters[parameter].default)
    where = {"seed": draw(st.sampled_from([0, 1, 2**64 - 1]))}
    for key, pool in SHORT_WHERE.items():
        if draw(st.booleans()):
            where[key] = draw(st.sampled_from(pool))
    where["out"] = draw(st.sampled_from(SHORT_OUTS if draw(st.floats(0, 1)) < 0.9 else OUTS))
    return tuple(values), where


@pytest.mark.skipif(CORE is None, reason="needs the compiled extension winit_fast._core")
@pytest.mark.parametrize("name", SHORT)
def test_the_short_path_answers_what_the_full_path_answers(name):
    """The out= form (no shape, dtype or index) of a random fill: the compiled core's short
    path declines (None) or answers exactly what the full path would, the same bytes or the
    same error, so it skips none of the full path's checks (signed zeros, 16-bit ranges,
    intervals holding no value, thread limits, stream positions)."""
    from winit_fast._distributions import draw
    from winit_fast._families import family
    from winit_fast._placement import Placement

    record = family(name)
    seen = {"declined": 0, "filled": 0, "refused": 0}

    @FUZZ
    @given(short_calls(name))
    def fuzz(call_form):
        values, where = call_form
        with wf.use_backend("c"):
            short = call(lambda **kw: CORE.short_fill(record.code, kw, *values), where)
            full = call(lambda **kw: draw(None, record, values, Placement.of(name, kw)), where)
        if short is None:
            seen["declined"] += 1
        elif isinstance(short, BaseException):
            seen["refused"] += 1
            assert (type(short), str(short)) == (type(full), str(full)), (name, where, values)
        else:
            seen["filled"] += 1
            assert isinstance(full, np.ndarray) and short.tobytes() == full.tobytes()

    fuzz()
    assert seen["filled"] and seen["refused"], seen  # the short path took calls, both ways


# ---- the command line -----------------------------------------------------------------

TOKENS = ["0", "1", "-1", "2", "0x10", "2**20", "1e400", "0**-1", "nan", "inf", "", "x",
          "\udcff", "\ud800", "a\0b", "10**10**10", "1e10", "/", "/no/such/dir/f", "2/2", "0/0",
          "1/2", "1,2", "he_normal", "fixup", "float16", "4096"]  # fmt: skip
OPTIONS = {
    "bench": ["--quick", "--full", "--sizes", "--dtypes", "--methods", "--threads",
              "--headline-size", "--json", "--plot", "--save"],
    "train": ["--init", "--seed", "--backend", "--hidden", "--epochs", "--batch-size",
              "--activation", "--optimizer", "--lr", "--dtype", "--data", "--train-size",
              "--json", "--plot"],
    "compare-inits": ["--inits", "--seeds", "--hidden", "--epochs", "--lr", "--data"],
    "activations": ["--depth", "--width", "--batch-size", "--seed", "--inits", "--residual",
                    "--activation", "--json"],
    "depth-study": ["--schemes", "--residual", "--depth", "--width", "--seed", "--epochs"],
    "raw": ["--seed", "--stream", "--bytes", "--force"],
    "seed-checkpoint": ["--scheme", "--seed", "--dtype", "--bias", "--norm", "--block-mb",
                        "--part", "--quiet"],
}  # fmt: skip


@st.composite
def command_lines(draw):
    command = draw(st.sampled_from(sorted(OPTIONS)))
    argv = [command]
    for _ in range(draw(st.integers(0, 4))):
        argv.append(draw(st.sampled_from(OPTIONS[command])))
        if draw(st.booleans()):
            argv.append(draw(st.sampled_from(TOKENS)))
    return argv


def one_usage_line(stderr):
    errors = [line for line in stderr.splitlines() if "error:" in line]
    assert len(errors) == 1 and "Traceback" not in stderr, stderr


@FUZZ
@given(command_lines())
def test_command_lines_are_checked_before_any_work(argv):
    """Parsing (with every check made before the work starts) answers a usage error or
    arguments; the long commands' work is not run here."""
    stderr = io.StringIO()
    try:
        with contextlib.redirect_stderr(stderr), contextlib.redirect_stdout(io.StringIO()):
            cli.parse_args(argv)
    except SystemExit as exit_info:
        assert exit_info.code == 2, (argv, stderr.getvalue())
        one_usage_line(stderr.getvalue())


SPEC_VALUES = [[4, 4], [3], [], [0, 2], [-1], [2**62], [10**30, 2], ["x"], [2.5], None, 3,
               {"shape": [2, 2], "dtype": "bfloat16"}, {"shape": [2], "dtype": None},
               {"shape": [2], "dtype": "int8"}, {"shape": [2], "extra": 1},
               {"dtype": "float32"}]  # fmt: skip
SPEC_NAMES = ["w.weight", "b.bias", "norm.weight", "", "__metadata__", "\ud800"]


@FUZZ
@given(
    spec=st.dictionaries(st.sampled_from(SPEC_NAMES), st.sampled_from(SPEC_VALUES), max_size=3),
    extra=st.lists(st.sampled_from(["--part", "1/2", "--scheme", "orthogonal", "--dtype",
                                    "float16", "--bias", "1e6", "--block-mb", "1e-6"]),
                   max_size=3),
)  # fmt: skip
def test_seed_checkpoint_writes_or_answers_one_line(tmp_path_factory, spec, extra):
    folder = tmp_path_factory.mktemp("fuzz")
    spec_path = folder / "spec.json"
    spec_path.write_text(json.dumps(spec))
    out = folder / "out.safetensors"
    stderr = io.StringIO()
    argv = ["seed-checkpoint", str(spec_path), str(out), "--seed", "1", "--quiet", *extra]
    try:
        with contextlib.redirect_stderr(stderr):
            status = cli.main(argv)
    except SystemExit as exit_info:
        status = exit_info.code
    if status != 0:
        assert status in (1, 2), (argv, status)
        one_usage_line(stderr.getvalue())
        assert not out.exists()


@FUZZ
@given(
    seed=st.sampled_from(TOKENS),
    stream=st.sampled_from([*TOKENS, "layer"]),
    n_bytes=st.sampled_from(["0", "3", "64", "-4", "x"]),
)
def test_raw_writes_its_bytes_or_answers_one_line(seed, stream, n_bytes):
    argv = ["raw", "--seed", seed, "--stream", stream, "--bytes", n_bytes]
    stderr = io.StringIO()
    try:
        with contextlib.redirect_stderr(stderr):
            args = cli.parse_args(argv)
    except SystemExit as exit_info:
        assert exit_info.code == 2
        one_usage_line(stderr.getvalue())
        return
    sink = io.BytesIO()
    assert cli.run_raw_command(args, out=sink) == 0
    assert len(sink.getvalue()) == args.bytes
