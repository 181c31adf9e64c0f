"""The shared init rule (``_schemes``): roles, and weights equal to ``init_module``'s."""

from __future__ import annotations

import numpy as np
import pytest

from winit_fast import _schemes

# guarantee 4: every test here runs on both backends (conftest.each_backend)
pytestmark = pytest.mark.usefixtures("each_backend")

torch = pytest.importorskip("torch", reason="needs torch")
wft = pytest.importorskip("winit_fast.torch", reason="needs torch")


def test_roles():
    assert _schemes.role("0.weight", 2) == "weight"
    assert _schemes.role("conv.weight", 4) == "weight"
    assert _schemes.role("0.bias", 1) == "bias"
    assert _schemes.role("norm.weight", 1) == "norm"
    assert _schemes.role("bias_scale", 1) == "norm"  # only the last component counts


@pytest.mark.parametrize("scheme", sorted(_schemes.SCHEME_FUNCTIONS))
def test_weight_equals_init_module(scheme):
    model = torch.nn.Sequential(torch.nn.Linear(20, 12), torch.nn.Conv2d(3, 5, 3))
    wft.init_module(model, scheme, seed=3)
    for name, parameter in model.named_parameters():
        if _schemes.role(name, parameter.dim()) != "weight":
            continue
        expected = parameter.detach().numpy()
        whole = _schemes.weight(scheme, tuple(parameter.shape), seed=3, stream=name)
        assert whole.tobytes() == expected.tobytes()
        block = _schemes.weight(
            scheme, tuple(parameter.shape), seed=3, stream=name, index=np.s_[1:3]
        )
        assert block.tobytes() == expected[1:3].tobytes()
        out = np.empty_like(expected[1:3])
        _schemes.weight(
            scheme, tuple(parameter.shape), seed=3, stream=name, index=np.s_[1:3], out=out
        )
        assert out.tobytes() == expected[1:3].tobytes()


def test_unknown_scheme_is_named():
    with pytest.raises(ValueError, match="scheme"):
        _schemes.check_scheme("he_normall")
    with pytest.raises(TypeError, match="scheme"):
        _schemes.check_scheme(3)


def test_init_module_norm():
    model = torch.nn.Sequential(torch.nn.Linear(4, 4), torch.nn.LayerNorm(4))
    with torch.no_grad():
        model[1].weight.fill_(7.0)
    wft.init_module(model, seed=0, norm=None)
    assert (model[1].weight == 7.0).all()
    wft.init_module(model, seed=0)
    assert (model[1].weight == 1.0).all() and (model[1].bias == 0.0).all()
    wft.init_module(model, seed=0, norm=0.5, bias=0.25)
    assert (model[1].weight == 0.5).all() and (model[0].bias == 0.25).all()
    with pytest.raises(TypeError, match="norm"):
        wft.init_module(model, seed=0, norm="one")


def test_init_module_takes_exactly_the_shared_schemes():
    # safetensors.save_init and jax.init_params check names with _schemes: a scheme only
    # init_module knew would be refused there
    assert set(wft.SCHEMES) == set(_schemes.SCHEME_FUNCTIONS)
    with pytest.raises(ValueError, match="scheme must be one of"):
        wft.init_module(torch.nn.Linear(2, 2), "he_normall")
