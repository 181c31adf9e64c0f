"""The reference NumPy trainer: the seed article's experiment, in NumPy.

``MLP`` trains a dense softmax classifier with SGD or Adam; its initial weights come from
winit_fast (any initializer name or object, on either backend) or, as a reference, from
``numpy.random`` (``init="numpy:he_normal"``). The data (:func:`load_digits_784`) and the
experiments (:mod:`winit_fast.reference.experiments`) reproduce the article's comparison of
initializations. Only NumPy is imported here; scikit-learn (data), matplotlib (plots) and rich
(progress bar) are imported when used: ``pip install "winit-fast[train]"``.
"""

from winit_fast.reference.data import Dataset, load_data, load_digits_784, load_npz
from winit_fast.reference.initialization import initial_weights
from winit_fast.reference.model import MLP

__all__ = ["MLP", "Dataset", "initial_weights", "load_data", "load_digits_784", "load_npz"]
