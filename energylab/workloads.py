"""Small real workloads that later chapters prune, quantize and map to crossbars.

The workhorse is a multilayer perceptron trained on scikit-learn's bundled
handwritten-digits data (8x8 images, 1,797 samples, no download) :cite:p:`scikit-learn`.
Training is deterministic (fixed seed) and cached, so every chapter works on the very
same network: in-process, and on disk (``workloads.cache_dir()``), so that each notebook
kernel and test process after the first loads the network instead of training it again.

>>> from energylab import workloads
>>> net = workloads.digits_mlp()
>>> round(workloads.accuracy(net), 3) == round(net.test_accuracy, 3)
True
"""

from __future__ import annotations

import functools
import hashlib
import os
import pickle
import platform
import sys
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from . import validate

#: Upper bounds that keep every call finite in time: epochs of :func:`finetune` and the
#: width of a hidden layer of :func:`digits_mlp`.
MAX_EPOCHS = 1000
MAX_WIDTH = 4096

__all__ = ["DigitsMLP", "digits_mlp", "accuracy", "forward", "hidden_activations", "finetune"]


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


#: Environment variable naming the folder of the on-disk cache ("off" or "0": no disk cache).
CACHE_ENV = "ENERGYLAB_CACHE_DIR"


def cache_dir() -> Path | None:
    """Folder of the on-disk cache of trained networks, or None when it is switched off.

    ``$ENERGYLAB_CACHE_DIR`` when set (``off`` or ``0`` switches the disk cache off),
    else ``$XDG_CACHE_HOME/energylab`` or ``~/.cache/energylab``: outside the repository,
    so nothing cached is ever committed.
    """
    env = os.environ.get(CACHE_ENV, "").strip()
    if env.lower() in ("off", "0", "false", "no"):
        return None
    if env:
        return Path(env).expanduser()
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "energylab"


def _library_versions() -> dict:
    import scipy
    import sklearn

    return {"python": sys.version.split()[0], "numpy": np.__version__, "scipy": scipy.__version__,
            "scikit-learn": sklearn.__version__, "machine": platform.machine()}


def _cache_key(hidden: tuple, seed: int, test_fraction: float) -> str:
    """Digest of everything that determines a trained network: its arguments, this module's
    code (the training and the class it returns), and the versions of Python and the
    libraries that run it (scikit-learn also ships the digits data)."""
    digest = hashlib.sha256(Path(__file__).read_bytes())
    digest.update(repr((hidden, seed, test_fraction, sorted(_library_versions().items()))).encode())
    return digest.hexdigest()[:20]


def _cache_path(hidden: tuple, seed: int, test_fraction: float) -> Path | None:
    folder = cache_dir()
    if folder is None:
        return None
    return folder / f"digits_mlp-{_cache_key(hidden, seed, test_fraction)}.pickle"


@functools.cache
def _train(hidden: tuple, seed: int, test_fraction: float) -> DigitsMLP:
    """The trained network: loaded from the disk cache when it holds this exact training,
    else trained (``_fit``) and stored there for the next process."""
    path = _cache_path(hidden, seed, test_fraction)
    if path is not None and path.is_file():
        try:
            with path.open("rb") as fh:
                net = pickle.load(fh)
            if isinstance(net, DigitsMLP) and (net.hidden, net.seed) == (hidden, seed):
                return net
        except Exception:  # noqa: BLE001 - a damaged or foreign file: train again, overwrite it
            pass
    net = _fit(hidden, seed, test_fraction)
    if path is not None:
        _store(net, path)
    return net


def _store(net: DigitsMLP, path: Path) -> None:
    """Write then rename, so a process reading at the same time sees all of it or nothing."""
    tmp = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=path.parent, prefix=path.stem, suffix=".tmp",
                                         delete=False) as fh:
            tmp = Path(fh.name)
            pickle.dump(net, fh, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, path)
    except OSError:   # e.g. a read-only home: the network is still right, only not reused
        if tmp is not None:
            tmp.unlink(missing_ok=True)


def _fit(hidden: tuple, seed: int, test_fraction: float) -> DigitsMLP:
    """Train the network (no cache)."""
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
    """Train (once per machine: ``workloads.cache_dir()``) a ReLU MLP on scikit-learn's digits.

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
    if isinstance(hidden, (str, bytes)) or not isinstance(hidden, (list, tuple, range, np.ndarray)):
        raise ValueError(f"hidden must be a sequence of layer widths, got {hidden!r}")
    hidden = tuple(validate.integer("hidden", h, minimum=1, maximum=MAX_WIDTH) for h in hidden)
    if not hidden:
        raise ValueError("hidden must name at least one hidden layer width, got ()")
    seed = validate.integer("seed", seed, minimum=0)
    test_fraction = validate.scalar("test_fraction", validate.fraction(
        "test_fraction", test_fraction, allow_zero=False, allow_one=False))
    return _train(hidden, seed, test_fraction)


def _check_net(net) -> DigitsMLP:
    if not isinstance(net, DigitsMLP):
        raise ValueError(f"net must be a DigitsMLP (from digits_mlp()), got {type(net).__name__}")
    return net


def _check_weights(net: DigitsMLP, weights):
    if weights is None:
        return net.model.coefs_
    if not isinstance(weights, (list, tuple)):
        raise ValueError(f"weights must be a list of weight matrices, got {type(weights).__name__}")
    ref = net.model.coefs_
    if len(weights) != len(ref):
        raise ValueError(f"weights must hold {len(ref)} matrices, got {len(weights)}")
    out = []
    for i, (w, r) in enumerate(zip(weights, ref)):
        w = np.asarray(validate.as_array(f"weights[{i}]", w), dtype=float)
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

    Examples
    --------
    >>> net = digits_mlp()
    >>> logits = forward(net)
    >>> logits.shape, float((logits.argmax(axis=1) == net.y_test).mean()) == net.test_accuracy
    ((540, 10), True)
    """
    net = _check_net(net)
    x = net.x_test if x is None else np.asarray(validate.finite("x", x), dtype=float)
    ws = _check_weights(net, weights)
    if activation_fn is not None:
        validate.callable_("activation_fn", activation_fn)
    if matmul is not None:
        validate.callable_("matmul", matmul)
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
    """Post-ReLU activations of every hidden layer on ``x`` (default: the test split).

    >>> net = digits_mlp()
    >>> [h.shape for h in hidden_activations(net)], bool((hidden_activations(net)[0] >= 0).all())
    ([(540, 64)], True)
    """
    net = _check_net(net)
    x = net.x_test if x is None else np.asarray(validate.finite("x", x), dtype=float)
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
    if not np.all(np.isfinite(logits)):
        # argmax of NaN logits is 0 for every image: a plausible-looking 10 %, never an answer
        raise ValueError("the network's outputs are not finite (NaN or inf): check activation_fn "
                         "and matmul (a quantizer that overflows, say) rather than read an accuracy")
    return float(np.mean(np.argmax(logits, axis=1) == net.y_test))


def finetune(net: DigitsMLP, masks, epochs: int = 5, seed: int = 0,
             learning_rate: float = 1e-3, batch_size: int = 64) -> list[np.ndarray]:
    """Masked retraining: a few epochs of Adam on the weights, pruned entries held at zero.

    Starts from ``net``'s weights times ``masks``, trains the kept weights on the
    training split with softmax cross-entropy (biases stay fixed, so the result plugs
    into :func:`accuracy` via ``weights=``), and zeroes the gradient of every pruned
    weight so the sparsity pattern never changes. Pure NumPy, deterministic for a
    given ``seed``; the cached model is not modified.

    Parameters
    ----------
    net : DigitsMLP
        The trained network (from :func:`digits_mlp`).
    masks : list of array_like of bool
        One mask per weight matrix, same shapes as :attr:`DigitsMLP.weights`;
        True where the weight is kept.
    epochs : int
        Passes over the training split, >= 0 (0 returns the masked weights).
    seed : int
        Seed of the mini-batch shuffling, >= 0.
    learning_rate : float
        Adam step size, > 0.
    batch_size : int
        Mini-batch size, >= 1.

    Returns
    -------
    list of numpy.ndarray
        New weight matrices, zero wherever the mask is False.

    Raises
    ------
    ValueError
        If the masks do not match the weights in number or shape, or an argument is out
        of range.

    Examples
    --------
    >>> net = digits_mlp()
    >>> masks = [abs(w) > 0.1 for w in net.weights]
    >>> tuned = finetune(net, masks, epochs=2)
    >>> all(((t != 0) <= m).all() for t, m in zip(tuned, masks))
    True

    References
    ----------
    Masked retraining after pruning :cite:p:`han2015learning`; Adam with the defaults of
    scikit-learn's MLP (beta1 0.9, beta2 0.999, eps 1e-8) :cite:p:`scikit-learn`.
    """
    net = _check_net(net)
    if not isinstance(masks, (list, tuple)):
        raise ValueError(f"masks must be a list of boolean arrays, got {type(masks).__name__}")
    ref = net.model.coefs_
    if len(masks) != len(ref):
        raise ValueError(f"masks must hold {len(ref)} arrays, got {len(masks)}")
    ms = []
    for i, (mk, r) in enumerate(zip(masks, ref)):
        mk = np.asarray(mk)
        if mk.shape != r.shape:
            raise ValueError(f"masks[{i}] must have shape {r.shape}, got {mk.shape}")
        if mk.dtype != bool:
            raise ValueError(f"masks[{i}] must be boolean (True = keep), got dtype {mk.dtype}")
        ms.append(mk)
    epochs = validate.integer("epochs", epochs, minimum=0, maximum=MAX_EPOCHS)
    seed = validate.integer("seed", seed, minimum=0)
    lr = validate.scalar("learning_rate", validate.positive("learning_rate", learning_rate))
    batch_size = validate.integer("batch_size", batch_size, minimum=1)
    ws = [np.where(mk, w, 0.0) for w, mk in zip(ref, ms)]
    bs = net.model.intercepts_
    x, y = net.x_train, net.y_train
    onehot = np.eye(ws[-1].shape[1])[y]
    rng = np.random.default_rng(seed)
    m1 = [np.zeros_like(w) for w in ws]
    m2 = [np.zeros_like(w) for w in ws]
    beta1, beta2, eps, t = 0.9, 0.999, 1e-8, 0
    for _ in range(epochs):
        order = rng.permutation(len(x))
        for start in range(0, len(x), batch_size):
            idx = order[start:start + batch_size]
            hs = [x[idx]]
            for i, (w, b) in enumerate(zip(ws, bs)):
                z = hs[-1] @ w + b
                hs.append(np.maximum(z, 0.0) if i < len(ws) - 1 else z)
            logits = hs[-1] - hs[-1].max(axis=1, keepdims=True)
            p = np.exp(logits)
            p /= p.sum(axis=1, keepdims=True)
            delta = (p - onehot[idx]) / len(idx)
            t += 1
            for i in range(len(ws) - 1, -1, -1):
                grad = (hs[i].T @ delta) * ms[i]
                if i:
                    delta = (delta @ ws[i].T) * (hs[i] > 0)
                m1[i] = beta1 * m1[i] + (1 - beta1) * grad
                m2[i] = beta2 * m2[i] + (1 - beta2) * grad**2
                step = lr * (m1[i] / (1 - beta1**t)) / (np.sqrt(m2[i] / (1 - beta2**t)) + eps)
                ws[i] = (ws[i] - step) * ms[i]
        if not all(np.all(np.isfinite(w)) for w in ws):
            raise ValueError(f"learning_rate {lr:g} makes training diverge (the weights overflowed "
                             f"to NaN or inf); use a smaller one, e.g. 1e-3")
    return ws
