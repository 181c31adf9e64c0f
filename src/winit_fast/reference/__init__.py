"""The reference NumPy trainer: the seed article's experiment, in NumPy.

``MLP`` trains a dense softmax classifier with SGD or Adam; its initial weights come from
winit_fast (any initializer name or object, on either backend) or, as a reference, from
``numpy.random`` (``init="numpy:he_normal"``). The data (:func:`load_digits_784`) and the
experiments (:mod:`winit_fast.reference.experiments`) reproduce the article's comparison of
initializations. :func:`lsuv` (data-driven) and :class:`ResidualMLP` with Fixup or GPT-2's
branch scaling (depth-aware) are in :mod:`~winit_fast.reference.lsuv` and
:mod:`~winit_fast.reference.residual`. Only NumPy is imported here; scikit-learn (data),
matplotlib (plots) and rich (progress bar) are imported when used:
``pip install "winit-fast[train]"``.
"""

from winit_fast.reference.data import Dataset, load_data, load_digits_784, load_npz
from winit_fast.reference.initialization import initial_weights
from winit_fast.reference.lsuv import lsuv
from winit_fast.reference.model import MLP
from winit_fast.reference.residual import ResidualMLP

__all__ = [
    "MLP",
    "Dataset",
    "ResidualMLP",
    "initial_weights",
    "load_data",
    "load_digits_784",
    "load_npz",
    "lsuv",
]
