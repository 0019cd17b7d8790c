"""Small real workloads that later chapters prune, quantize and map to crossbars.

The workhorse is a multilayer perceptron trained on scikit-learn's bundled
handwritten-digits data (8x8 images, 1,797 samples, no download) :cite:p:`scikit-learn`.
Training is deterministic (fixed seed) and cached in-process, so every chapter works
on the very same network.

>>> from energylab import workloads
>>> net = workloads.digits_mlp()
>>> round(workloads.accuracy(net), 3) == round(net.test_accuracy, 3)
True
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np

from . import validate

__all__ = ["DigitsMLP", "digits_mlp", "accuracy", "forward", "hidden_activations"]


@dataclass(frozen=True)
class DigitsMLP:
    """A trained digits classifier and its data split.

    Attributes
    ----------
    model : sklearn.neural_network.MLPClassifier
        The trained network (do not modify it; the object is shared and cached).
    x_train, y_train, x_test, y_test : numpy.ndarray
        Pixel intensities scaled to [0, 1] and digit labels.
    test_accuracy : float
        Accuracy of the trained float64 network on the test split.
    """

    model: object = field(repr=False)
    x_train: np.ndarray = field(repr=False)
    y_train: np.ndarray = field(repr=False)
    x_test: np.ndarray = field(repr=False)
    y_test: np.ndarray = field(repr=False)
    test_accuracy: float = 0.0
    hidden: tuple = ()
    seed: int = 0

    @property
    def weights(self) -> list[np.ndarray]:
        """Copies of the weight matrices, input -> output, each of shape (fan_in, fan_out)."""
        return [w.copy() for w in self.model.coefs_]

    @property
    def biases(self) -> list[np.ndarray]:
        """Copies of the bias vectors."""
        return [b.copy() for b in self.model.intercepts_]

    @property
    def n_parameters(self) -> int:
        """Number of weights and biases."""
        return int(sum(w.size for w in self.model.coefs_) + sum(b.size for b in self.model.intercepts_))

    @property
    def macs_per_inference(self) -> int:
        """Multiply-accumulates of one forward pass (one per weight)."""
        return int(sum(w.size for w in self.model.coefs_))


@functools.cache
def _train(hidden: tuple, seed: int, test_fraction: float) -> DigitsMLP:
    import warnings

    from sklearn.datasets import load_digits
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.model_selection import train_test_split
    from sklearn.neural_network import MLPClassifier

    digits = load_digits()
    x = digits.data / 16.0
    y = digits.target
    x_train, x_test, y_train, y_test = train_test_split(
        x, y, test_size=test_fraction, random_state=seed, stratify=y)
    model = MLPClassifier(hidden_layer_sizes=hidden, activation="relu", solver="adam",
                          alpha=1e-4, max_iter=300, random_state=seed)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model.fit(x_train, y_train)
    acc = float(np.mean(model.predict(x_test) == y_test))
    return DigitsMLP(model, x_train, y_train, x_test, y_test, acc, hidden, seed)


def digits_mlp(hidden: Sequence[int] = (64,), seed: int = 0, test_fraction: float = 0.3) -> DigitsMLP:
    """Train (once per process) a ReLU MLP on scikit-learn's digits data.

    Parameters
    ----------
    hidden : sequence of int
        Widths of the hidden layers.
    seed : int
        Seed of the data split and of the weight initialisation.
    test_fraction : float
        Share of the 1,797 images held out for testing, in (0, 1).

    Returns
    -------
    DigitsMLP

    Raises
    ------
    ValueError
        If a width is not a positive integer or ``test_fraction`` is outside (0, 1).

    References
    ----------
    Data: Alpaydin & Kaynak (1998), UCI optical recognition of handwritten digits, as
    bundled by scikit-learn :cite:p:`scikit-learn`.
    """
    hidden = tuple(validate.integer("hidden", h, minimum=1) for h in hidden)
    if not hidden:
        raise ValueError("hidden must name at least one hidden layer width, got ()")
    seed = validate.integer("seed", seed, minimum=0)
    test_fraction = validate.fraction("test_fraction", test_fraction, allow_zero=False, allow_one=False)
    return _train(hidden, seed, float(test_fraction))


def _check_weights(net: DigitsMLP, weights):
    if weights is None:
        return net.model.coefs_
    weights = list(weights)
    ref = net.model.coefs_
    if len(weights) != len(ref):
        raise ValueError(f"weights must hold {len(ref)} matrices, got {len(weights)}")
    out = []
    for i, (w, r) in enumerate(zip(weights, ref)):
        w = np.asarray(w, dtype=float)
        if w.shape != r.shape:
            raise ValueError(f"weights[{i}] must have shape {r.shape}, got {w.shape}")
        if not np.all(np.isfinite(w)):
            raise ValueError(f"weights[{i}] must be finite (no NaN or inf)")
        out.append(w)
    return out


def forward(net: DigitsMLP, x: np.ndarray | None = None, weights=None,
            activation_fn: Callable[[np.ndarray], np.ndarray] | None = None,
            matmul: Callable[[int, np.ndarray, np.ndarray], np.ndarray] | None = None) -> np.ndarray:
    """Logits of the network on ``x`` (default: the test split).

    Parameters
    ----------
    weights : list of arrays, optional
        Replacement weight matrices (same shapes as :attr:`DigitsMLP.weights`).
    activation_fn : callable, optional
        Applied to each hidden layer's activations after the ReLU (e.g. a quantizer).
    matmul : callable, optional
        ``matmul(layer, x, w)`` replaces ``x @ w`` (e.g. an analog crossbar).
    """
    x = net.x_test if x is None else np.asarray(x, dtype=float)
    ws = _check_weights(net, weights)
    bs = net.model.intercepts_
    h = x
    for i, (w, b) in enumerate(zip(ws, bs)):
        z = (matmul(i, h, w) if matmul is not None else h @ w) + b
        if i < len(ws) - 1:
            h = np.maximum(z, 0.0)
            if activation_fn is not None:
                h = activation_fn(h)
        else:
            h = z
    return h


def hidden_activations(net: DigitsMLP, x: np.ndarray | None = None, weights=None) -> list[np.ndarray]:
    """Post-ReLU activations of every hidden layer on ``x`` (default: the test split)."""
    x = net.x_test if x is None else np.asarray(x, dtype=float)
    ws = _check_weights(net, weights)
    out, h = [], x
    for w, b in zip(ws[:-1], net.model.intercepts_[:-1]):
        h = np.maximum(h @ w + b, 0.0)
        out.append(h)
    return out


def accuracy(net: DigitsMLP, weights=None, activation_fn=None, matmul=None) -> float:
    """Test accuracy of the network, optionally with replaced weights or activations.

    >>> net = digits_mlp()
    >>> zeroed = [0 * w for w in net.weights]
    >>> accuracy(net, weights=zeroed) < 0.2
    True
    """
    logits = forward(net, weights=weights, activation_fn=activation_fn, matmul=matmul)
    return float(np.mean(np.argmax(logits, axis=1) == net.y_test))
