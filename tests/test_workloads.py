"""Tests of energylab.workloads: the digits MLP is deterministic, and finetune is masked."""

import numpy as np
import pytest

from energylab import sparsity as sp
from energylab import workloads


@pytest.fixture(scope="module")
def net():
    return workloads.digits_mlp()


def test_digits_mlp_deterministic(net):
    """Same accuracy twice, and the same weights from a fresh (uncached) training."""
    assert workloads.accuracy(net) == workloads.accuracy(net) == net.test_accuracy
    fresh = workloads._fit(net.hidden, net.seed, 0.3)
    assert fresh.test_accuracy == net.test_accuracy
    for a, b in zip(fresh.weights, net.weights):
        np.testing.assert_array_equal(a, b)


def _same_network(a, b):
    assert (a.hidden, a.seed, a.test_accuracy) == (b.hidden, b.seed, b.test_accuracy)
    for x, y in zip(a.weights + a.biases, b.weights + b.biases, strict=True):
        np.testing.assert_array_equal(x, y)
    for name in ("x_train", "y_train", "x_test", "y_test"):
        np.testing.assert_array_equal(getattr(a, name), getattr(b, name))
    np.testing.assert_array_equal(a.model.predict(a.x_test), b.model.predict(b.x_test))


def test_disk_cache_gives_the_freshly_trained_network(tmp_path, monkeypatch):
    """An empty cache trains and stores; the next process (here: the uncached in-process
    layer) loads exactly that network, without training; a damaged file is replaced."""
    monkeypatch.setenv(workloads.CACHE_ENV, str(tmp_path))
    fits = []
    real_fit = workloads._fit
    monkeypatch.setattr(workloads, "_fit", lambda *a: fits.append(a) or real_fit(*a))
    args = ((64,), 0, 0.3)
    path = workloads._cache_path(*args)
    assert path.parent == tmp_path and not path.exists()
    trained = workloads._train.__wrapped__(*args)
    assert len(fits) == 1 and path.is_file()
    loaded = workloads._train.__wrapped__(*args)
    assert len(fits) == 1, "the cached network was trained again"
    assert loaded is not trained
    _same_network(loaded, trained)
    assert [p.name for p in tmp_path.iterdir()] == [path.name]   # no temporary file left
    path.write_bytes(b"not a pickle")
    _same_network(workloads._train.__wrapped__(*args), trained)
    assert len(fits) == 2
    _same_network(workloads._train.__wrapped__(*args), trained)
    assert len(fits) == 2


def test_disk_cache_key_covers_arguments_and_library_versions(tmp_path, monkeypatch):
    monkeypatch.setenv(workloads.CACHE_ENV, str(tmp_path))
    key = workloads._cache_key((64,), 0, 0.3)
    assert key == workloads._cache_key((64,), 0, 0.3)
    others = {workloads._cache_key((32,), 0, 0.3), workloads._cache_key((64,), 1, 0.3),
              workloads._cache_key((64,), 0, 0.25), workloads._cache_key((64, 64), 0, 0.3)}
    assert key not in others and len(others) == 4
    versions = workloads._library_versions()
    assert {"python", "numpy", "scipy", "scikit-learn"} <= set(versions)
    for lib in versions:
        monkeypatch.setattr(workloads, "_library_versions", lambda lib=lib: {**versions, lib: "0.0"})
        assert workloads._cache_key((64,), 0, 0.3) != key, lib
    monkeypatch.setenv(workloads.CACHE_ENV, "off")
    assert workloads.cache_dir() is None and workloads._cache_path((64,), 0, 0.3) is None


def test_digits_mlp_is_a_real_classifier(net):
    # 10 classes: chance is 10 %; a 64-unit MLP on 8x8 digits reaches well above 90 %
    assert net.test_accuracy > 0.9
    assert [w.shape for w in net.weights] == [(64, 64), (64, 10)]
    assert net.macs_per_inference == 64 * 64 + 64 * 10
    assert len(net.y_test) == 540  # 30 % of 1,797 images, stratified


def test_weights_are_copies(net):
    w = net.weights
    w[0][:] = 0
    assert np.count_nonzero(net.weights[0]) > 0


def test_forward_matches_sklearn(net):
    np.testing.assert_allclose(
        np.argmax(workloads.forward(net), axis=1), net.model.predict(net.x_test))


def test_hidden_activations_are_relu_outputs(net):
    (h,) = workloads.hidden_activations(net)
    assert h.shape == (540, 64) and (h >= 0).all()
    assert 0 < sp.density(h) < 1  # ReLU leaves real zeros


def test_finetune_keeps_mask_is_deterministic_and_does_not_mutate(net):
    before = [w.copy() for w in net.model.coefs_]
    masks = [sp.nm_mask(w, 2, 4, axis=0) for w in net.weights]
    a = workloads.finetune(net, masks, epochs=3, seed=1)
    b = workloads.finetune(net, masks, epochs=3, seed=1)
    for x, y, mk in zip(a, b, masks):
        np.testing.assert_array_equal(x, y)
        assert (x[~mk] == 0).all()
    for w0, w in zip(before, net.model.coefs_):
        np.testing.assert_array_equal(w0, w)
    # retraining recovers accuracy lost to pruning
    pruned = [np.where(mk, w, 0.0) for mk, w in zip(masks, net.weights)]
    assert workloads.accuracy(net, a) > workloads.accuracy(net, pruned)


def test_finetune_zero_epochs_is_plain_masking(net):
    masks = [sp.magnitude_mask(w, 0.5) for w in net.weights]
    out = workloads.finetune(net, masks, epochs=0)
    for o, mk, w in zip(out, masks, net.weights):
        np.testing.assert_array_equal(o, np.where(mk, w, 0.0))


@pytest.mark.parametrize("call, match", [
    (lambda n: workloads.finetune(n, [np.ones((64, 64), bool)]), "masks must hold 2"),
    (lambda n: workloads.finetune(n, [np.ones((64, 64), bool), np.ones((10, 64), bool)]),
     r"masks\[1\] must have shape"),
    (lambda n: workloads.finetune(n, [np.ones((64, 64)), np.ones((64, 10))]), "boolean"),
    (lambda n: workloads.finetune(n, [w != 0 for w in n.weights], epochs=-1), "epochs"),
    (lambda n: workloads.finetune(n, [w != 0 for w in n.weights], learning_rate=0), "learning_rate"),
    (lambda n: workloads.digits_mlp(hidden=(0,)), "hidden"),
    (lambda n: workloads.digits_mlp(test_fraction=1.0), "test_fraction"),
    (lambda n: workloads.accuracy(n, weights=[np.ones((3, 3)), np.ones((64, 10))]), "shape"),
    (lambda n: workloads.accuracy(n, weights=[np.full((64, 64), np.nan), np.ones((64, 10))]),
     "finite"),
])
def test_bad_input_raises(net, call, match):
    with pytest.raises(ValueError, match=match):
        call(net)
