"""The family records: one registry, held equal by every backend; the per-call short path."""

from __future__ import annotations

import inspect

import numpy as np
import pytest
from support import CORE, needs_core, same_bytes

import winit_fast as wf
from winit_fast import _backend
from winit_fast import _interface as wfi
from winit_fast._families import Family, short_path

RECORDS = sorted(wfi.FAMILIES.values(), key=lambda record: record.code)
FLOATS = [np.float32, np.float64, np.float16, "bfloat16"]
INTERFACE = ("fill", "fill_runs", "fill_constant", "philox4x32", "max_threads", "runtime_info")


def defaults(record) -> tuple:
    """The default values of the family's public parameters (its function's signature)."""
    if not record.initializer:
        return ()
    signature = inspect.signature(getattr(wf, record.name))
    return tuple(signature.parameters[name].default for name in record.parameters)


def dtypes(record) -> list[np.dtype]:
    return [np.dtype(np.uint32)] if not record.initializer else [wfi.as_dtype(d) for d in FLOATS]


def backends() -> list:
    """Every backend use_backend knows that this machine has."""
    found = []
    for name in wfi.BACKENDS:
        try:
            found.append(_backend.module_for(name))
        except RuntimeError:  # not built or not importable here
            continue
    return found


def test_the_codes_are_the_registry_order():
    assert [record.code for record in RECORDS] == list(range(len(RECORDS)))
    assert [record.name for record in RECORDS][:1] == ["raw_u32"]


@needs_core
def test_the_c_family_table_is_the_registry():
    """csrc/wf_families.h and the Python records: same codes, names, parameter counts."""
    python = tuple(
        (r.code, r.name, len(r.prepare(defaults(r), np.dtype(np.float32)))) for r in RECORDS
    )
    assert python == CORE.FAMILY_TABLE


@pytest.mark.parametrize("backend", backends(), ids=lambda module: module.name)
def test_every_backend_has_the_interface_and_only_registered_families(backend):
    for attribute in INTERFACE:
        assert callable(getattr(backend, attribute)), attribute
    assert backend.runtime_info()["backend"] == backend.name
    assert set(backend.families) <= set(wfi.FAMILIES)
    # the two backends every install has offer every family
    if backend.name in ("c", "python"):
        assert set(backend.families) == set(wfi.FAMILIES)


@pytest.mark.parametrize("record", RECORDS, ids=lambda record: record.name)
def test_every_backend_gives_each_family_the_same_bytes(record):
    """The same family code and parameters (the record's, for the defaults and for other
    values) on every backend that offers it: the same bytes, for every dtype."""
    offering = [backend for backend in backends() if record.name in backend.families]
    assert len(offering) >= 2 or CORE is None
    for dtype in dtypes(record):
        params = record.prepare(defaults(record), dtype)
        got = []
        for backend in offering:
            out = np.empty(1003, dtype)
            backend.fill(out, record.code, 3, 5, 2**64 - 7, 1, params, 2)
            got.append(out)
        assert all(same_bytes(got[0], other) for other in got[1:]), (record.name, dtype)


def test_a_record_refuses_a_second_family_of_the_same_name_or_code():
    with pytest.raises(ValueError, match="already registered"):
        Family("normal", 99, ("mean", "std"), wfi.FAMILIES["normal"].check)
    with pytest.raises(ValueError, match="already registered"):
        Family("laplace", 2, ("loc", "scale"), wfi.FAMILIES["normal"].check)
    assert "laplace" not in wfi.FAMILIES


def test_a_family_that_does_not_write_a_dtype_is_refused(backend):
    raw, normal = wfi.FAMILIES["raw_u32"], wfi.FAMILIES["normal"]
    with pytest.raises(TypeError, match="does not write"):
        backend.fill(np.zeros(4, np.float32), raw.code, 0, 0, 0, 0, (), 1)
    with pytest.raises(TypeError, match="does not write"):
        backend.fill(np.zeros(4, np.uint32), normal.code, 0, 0, 0, 0, (0.0, 1.0), 1)


@needs_core
def test_the_c_core_checks_what_protects_memory():
    normal = wfi.FAMILIES["normal"].code
    with pytest.raises(ValueError, match="takes 2 parameters"):
        CORE.fill(np.zeros(4, np.float32), normal, 0, 0, 0, 0, (0.0, 1.0, 2.0), 1)
    with pytest.raises(ValueError, match="family must be a code"):
        CORE.fill(np.zeros(4, np.float32), len(RECORDS), 0, 0, 0, 0, (), 1)
    with pytest.raises(ValueError, match="C-contiguous"):
        CORE.fill(np.zeros(8, np.float32)[::2], normal, 0, 0, 0, 0, (0.0, 1.0), 1)


# ---- the per-call short path ---------------------------------------------------------------

INITIALIZERS = [record for record in RECORDS if record.initializer]
VALUES = {"uniform": (-1, 2.5), "normal": (0.5, 3), "truncated_normal": (0.0, 0.5, -1, 3.0)}


@needs_core
@pytest.mark.parametrize("record", INITIALIZERS, ids=lambda record: record.name)
@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.float16])
def test_the_short_path_fills_what_the_full_path_fills(record, dtype):
    short = short_path()
    function, values = getattr(wf, record.name), VALUES[record.name]
    keywords = dict(zip(record.parameters, values, strict=True))
    out = np.empty(37, dtype)
    where = {"seed": 7, "stream": 9, "offset": 13}
    assert short(record.code, {"out": out, **where}, *values) is out  # it takes the call
    with wf.use_backend("python"):
        assert short(record.code, {"out": np.empty(37, dtype), **where}, *values) is None
        expected = function(37, **keywords, seed=7, stream=9, offset=13, dtype=dtype)
    assert same_bytes(out, expected)
    again = function(**keywords, out=np.empty(37, dtype), seed=7, stream=9, offset=13)
    assert same_bytes(again, expected)


@needs_core
def test_the_short_path_declines_what_it_does_not_test():
    short, code = short_path(), wfi.FAMILIES["normal"].code
    out = np.empty(8, np.float32)
    assert short(code, {"out": out, "seed": 0}, 0.0, 1.0) is out
    assert short(code, {"out": out, "seed": 0, "n_threads": None, "offset": 3}, 0, 1) is out
    declined = [
        ({"out": out}, (0.0, 1.0)),  # no seed: fresh entropy
        ({"out": out, "seed": None}, (0.0, 1.0)),
        ({"out": out, "seed": np.uint64(0)}, (0.0, 1.0)),  # a NumPy int seed
        ({"out": out, "seed": 0, "stream": "w"}, (0.0, 1.0)),  # a named stream
        ({"out": out, "seed": 0, "offset": 2**62}, (0.0, 1.0)),  # near the end of the stream
        ({"out": out, "seed": 0, "n_threads": True}, (0.0, 1.0)),
        ({"out": out, "seed": 0, "dtype": np.float32}, (0.0, 1.0)),
        ({"out": out, "seed": 0, "index": np.s_[:4]}, (0.0, 1.0)),
        ({"out": out, "seed": 0, "sed": 1}, (0.0, 1.0)),  # a keyword no fill takes
        ({"out": out, "seed": 0}, (np.float32(0.0), 1.0)),  # a NumPy scalar parameter
        ({"out": out, "seed": 0}, (True, 1.0)),  # a bool is not the int 1
        ({"out": out[::2], "seed": 0}, (0.0, 1.0)),  # not contiguous
        ({"out": out.reshape(2, 4).T, "seed": 0}, (0.0, 1.0)),
        ({"out": np.empty(8, np.dtype(">f4")), "seed": 0}, (0.0, 1.0)),  # byte-swapped
        ({"out": np.empty(8, np.uint32), "seed": 0}, (0.0, 1.0)),
        ({"out": list(out), "seed": 0}, (0.0, 1.0)),
    ]
    for where, values in declined:
        assert short(code, where, *values) is None, (where, values)
    assert short(len(RECORDS), {"out": out, "seed": 0}) is None  # no such family


@needs_core
def test_the_short_path_raises_the_full_paths_parameter_errors():
    """Parameters it has not seen are checked by the record, as the full path checks them."""
    for function, keywords in [
        (wf.uniform, {"low": 2.0, "high": 1.0}),
        (wf.normal, {"std": -1}),
        (wf.truncated_normal, {"a": 3.0, "b": 1.0}),
        (wf.normal, {"std": 1e38}),  # overflows float16
    ]:
        out = np.full(5, 7.0, np.float16)
        with pytest.raises(ValueError) as full:
            function(5, **keywords, seed=0, dtype=np.float16)
        with pytest.raises(ValueError) as short:
            function(out=out, **keywords, seed=0)
        assert str(short.value) == str(full.value)
        assert (out == 7.0).all()
