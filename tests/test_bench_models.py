"""The model benchmark (bench/models.py): fresh processes, the three methods, the table."""

from __future__ import annotations

import pytest

pytest.importorskip("torch", reason="needs torch")
pytest.importorskip("transformers", reason="needs transformers")

from winit_fast.bench.models import _build, format_rows, measure, run_models


def test_run_models_times_every_method_on_the_same_model():
    rows = run_models(["tiny-llama"], threads=1, repeats=1)
    assert [row["method"] for row in rows] == ["own", "fast_init", "meta"]
    assert len({row["parameters"] for row in rows}) == 1  # the meta path keeps the ties
    assert all(row["seconds"] > 0 and row["minor_faults"] >= 0 for row in rows)
    assert rows[0]["speedup"] == 1.0
    table = format_rows(rows).splitlines()
    assert len(table) == 4 and table[1].startswith("tiny-llama")
    # fast_init writes each weight once (written_per_parameter 1.0); the other rows say "-"
    fast = rows[1]["written_per_parameter"]
    assert 1.0 <= fast <= 1.05
    assert "written_per_parameter" not in rows[0] and "written_per_parameter" not in rows[2]
    assert table[0].split()[-1] == "written"
    assert [line.split()[-1] for line in table[1:]] == ["-", f"{fast:.2f}", "-"]


@pytest.mark.parametrize(("model", "method"), [("llama-7t", "own"), ("tiny-llama", "lazy")])
def test_unknown_names_are_refused_before_any_process_starts(model, method):
    with pytest.raises(ValueError, match="model" if model == "llama-7t" else "method"):
        measure(model, method)


# The public checkpoints' parameter counts (tied weights once), from their config.json sizes.
PUBLIC_SIZES = {
    "t5-base": 222_903_552,
    "bart-base": 139_420_416,
    "opt-125m": 125_239_296,
    "whisper-base": 72_593_920,
    "timm-vit-b": 86_567_656,  # timm's vit_base_patch16_224
}


@pytest.mark.parametrize(("model", "parameters"), PUBLIC_SIZES.items())
def test_the_models_have_the_public_checkpoints_sizes(model, parameters):
    """Built on the meta device (no memory, no init): the sizes only."""
    import torch

    config, model_class = _build(model)
    with torch.device("meta"):
        built = model_class(config)
    assert sum(p.numel() for p in built.parameters()) == parameters
