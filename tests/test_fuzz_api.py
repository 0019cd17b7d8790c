"""Fuzz the whole public API of the model modules with bad and extreme inputs.

The test finds the API itself: it runs every docstring example of every model module
(the module's own, its public functions', classes' and methods') and records each call
into a public callable with the arguments it received. Those recorded calls are the
valid starting points; the test then replaces one argument at a time with

* **invalid values** (NaN, ±inf, strings, ``None``, booleans for numbers, numbers and
  strings for flags, complex, ragged lists, unknown names): the call must raise a
  ``ValueError`` whose message names that parameter;
* **valid extremes** (the value scaled by 1e±12, a scalar turned into a two-element
  array): the call must give a finite result or raise a ``ValueError``, within a time
  limit.

A new public function is covered as soon as it has a docstring example, and
:func:`test_every_public_callable_has_a_running_example` fails while it has none.
Run ``python tests/test_fuzz_api.py`` for the counts by category and the failures.
"""

from __future__ import annotations

import contextlib
import copy
import dataclasses
import doctest
import importlib
import inspect
import io
import math
import pathlib
import signal
import sys
import threading
from collections import Counter

import numpy as np
import pytest

#: The model layer, and the one widget helper that takes numbers from authors (the quiz).
#: The tooling modules (bank, grade, syllabus, release, student_version) read files and
#: notebooks, not numbers; claims.py is checked by tests/test_claims.py.
MODULES = ["circuits", "constants", "cooling", "datasets", "estimate", "estimators", "footprint",
           "measure", "pim", "precision", "scaling", "sparsity", "thermo", "workloads", "widgets.quiz"]
#: Seconds one fuzzed call may take before it counts as a hang.
TIME_LIMIT_S = 5.0
#: Recorded starting calls kept per callable.
CALLS_PER_TARGET = 2
#: Documented limits, each tested in the module's own tests: (callable, parameter) whose
#: non-finite result (or non-finite input passed through) is the model's stated behaviour.
DOCUMENTED_NON_FINITE = {
    # Casting into a float format follows the format, bit-exact with ml_dtypes: NaN stays
    # NaN, and overflow gives NaN (E4M3) or ±inf (E5M2, FP16, BF16); see quantize's docstring
    # and tests/test_precision.py::test_special_values_follow_each_format (or saturate=True).
    ("energylab.precision.quantize", "x"),
    ("energylab.precision.fake_quantize", "x"),
    # Beyond a format's finite range the bound that does not exist is ±inf (documented).
    ("energylab.precision.neighbours", "x"),
}


class _Timeout(Exception):
    pass


def _modules():
    return [importlib.import_module(f"energylab.{m}") for m in MODULES]


def _public_members(mod):
    names = getattr(mod, "__all__", None) or [n for n in vars(mod) if not n.startswith("_")]
    for n in names:
        obj = getattr(mod, n)
        if (inspect.isfunction(obj) or inspect.isclass(obj)) and getattr(obj, "__module__", "") == mod.__name__:
            yield n, obj


def _targets():
    """code object -> (qualified name, kind) for every public function, method and class."""
    out = {}
    for mod in _modules():
        for n, obj in _public_members(mod):
            if inspect.isfunction(obj):
                out[obj.__code__] = (f"{mod.__name__}.{n}", "function", obj, obj)
            else:
                for attr, member in list(vars(obj).items()):
                    kind = "method"
                    if isinstance(member, (staticmethod, classmethod)):
                        kind = "classmethod" if isinstance(member, classmethod) else "staticmethod"
                        member = member.__func__
                    if not inspect.isfunction(member):
                        continue
                    if attr == "__init__":
                        out[member.__code__] = (f"{mod.__name__}.{n}", "class", obj, member)
                    elif not attr.startswith("_"):
                        target = getattr(obj, attr) if kind != "method" else attr
                        out[member.__code__] = (f"{mod.__name__}.{n}.{attr}", kind, target, member)
    return out


def _docstrings(mod):
    yield mod.__name__, mod.__doc__ or ""
    for n, obj in _public_members(mod):
        yield f"{mod.__name__}.{n}", obj.__doc__ or ""
        if inspect.isclass(obj):
            for attr, member in list(vars(obj).items()):
                if isinstance(member, (staticmethod, classmethod, property)):
                    member = getattr(member, "__func__", None) or getattr(member, "fget", None)
                if inspect.isfunction(member) and not attr.startswith("_"):
                    yield f"{mod.__name__}.{n}.{attr}", member.__doc__ or ""


def record_calls():
    """Run every docstring example and record the outermost calls into the public API.

    Returns ``(calls, documented)``: a list of ``(name, kind, obj, bound_args)`` and the set
    of names whose docstring examples ran at least one call into them.
    """
    targets = _targets()
    calls: dict[str, list] = {}
    depth = [0]

    def prof(frame, event, arg):
        if event == "call":
            hit = targets.get(frame.f_code)
            if hit is None:
                return
            if depth[0] == 0:
                name, kind, obj, fn = hit
                code = frame.f_code
                n = code.co_argcount + code.co_kwonlyargcount
                names = code.co_varnames[:n]
                loc = frame.f_locals
                star = code.co_varnames[n] if code.co_flags & inspect.CO_VARARGS else None
                starstar = code.co_varnames[n + bool(star)] if code.co_flags & inspect.CO_VARKEYWORDS else None
                try:
                    args = {k: copy.deepcopy(loc[k]) for k in names if k in loc}
                    # **kwargs are passed on to another callable (fuzzed on its own)
                    extra = copy.deepcopy(loc.get(starstar, {})) if starstar else {}
                except Exception:  # an argument that cannot be copied: skip this call
                    args = None
                if args is not None:
                    defaults = {k: p.default for k, p in inspect.signature(fn).parameters.items()}
                    defaults["**"] = extra
                    # *args (``quiz(*questions)``) are passed as recorded, after the
                    # positional parameters; the named parameters are fuzzed
                    defaults["*"] = (names[:code.co_argcount], copy.deepcopy(tuple(loc.get(star) or ()))) \
                        if star else None
                    calls.setdefault(name, []).append((kind, obj, args, defaults))
            depth[0] += 1
        elif event == "return" and frame.f_code in targets:
            depth[0] -= 1

    parser = doctest.DocTestParser()
    for mod in _modules():
        globs = dict(vars(mod))
        globs["np"] = np
        for name, doc in _docstrings(mod):
            g = dict(globs)
            for ex in parser.get_examples(doc):
                depth[0] = 0
                sys.setprofile(prof)
                try:
                    with contextlib.redirect_stdout(io.StringIO()):
                        exec(compile(ex.source, f"<doctest {name}>", "single"), g)
                except Exception:
                    pass
                finally:
                    sys.setprofile(None)
    return calls


# ----------------------------------------------------------------------------- values
class _Opaque:
    """An object no model accepts."""

    def __repr__(self):
        return "<opaque>"


def _is_number(v):
    return isinstance(v, (int, float, np.integer, np.floating)) and not isinstance(v, (bool, np.bool_))


def _is_numeric_array(v):
    return isinstance(v, np.ndarray) and v.dtype.kind in "iuf" and v.size > 0


def invalid_values(v):
    """Values that are wrong for a parameter whose valid value was ``v``."""
    nan, inf = float("nan"), float("inf")
    if isinstance(v, (bool, np.bool_)):
        return [("str flag", "False"), ("int flag", 1), ("None", None), ("float flag", 0.5)]
    if _is_number(v) or _is_numeric_array(v):
        out = [("nan", nan), ("+inf", inf), ("-inf", -inf), ("str", "1"), ("None", None),
               ("bool", True), ("complex", 1 + 1j), ("ragged", [[1.0, 2.0], [3.0]])]
        if _is_numeric_array(v):
            a = np.array(v, dtype=float)
            a.flat[-1] = nan
            out.append(("nan element", a))
        return out
    if isinstance(v, str):
        return [("None", None), ("int for str", 3), ("unknown name", "no-such-option-xyz")]
    if v is None:
        return [("nan", nan), ("opaque", _Opaque())]
    if isinstance(v, pathlib.PurePath):
        return [("nan", nan), ("opaque", _Opaque())]  # a str is a valid path too
    if isinstance(v, np.random.Generator) or callable(v):
        return [("nan", nan), ("str", "1")]
    return [("nan", nan), ("str", "1"), ("opaque", _Opaque())]


def extreme_values(v):
    """Valid but extreme values (the same sign, scaled far out; a scalar as an array)."""
    out = []
    if _is_number(v) or _is_numeric_array(v):
        if isinstance(v, (int, np.integer)) and not isinstance(v, bool):
            out.append(("int x1e6", v * 10**6))
        else:
            out.append(("x1e12", np.multiply(v, 1e12)))
            out.append(("x1e-12", np.multiply(v, 1e-12)))
        if _is_number(v):
            out.append(("array", np.array([v, v])))
    return out


# ----------------------------------------------------------------------------- calls
def _non_finite(x, depth=0):
    """Whether a result holds a NaN or an infinity anywhere (numbers, arrays, records)."""
    if depth > 4:
        return False
    if isinstance(x, (bool, np.bool_, str, bytes)) or x is None:
        return False
    if isinstance(x, (int, float, complex, np.number)):
        return not np.all(np.isfinite(x))
    if isinstance(x, np.ndarray):
        return x.dtype.kind in "fc" and not np.all(np.isfinite(x))
    if type(x).__module__.startswith("pandas"):
        return False  # tables may hold missing data (NaN) by design
    if isinstance(x, (list, tuple)):
        return any(_non_finite(i, depth + 1) for i in x[:50])
    if isinstance(x, dict):
        return any(_non_finite(i, depth + 1) for i in list(x.values())[:50])
    if dataclasses.is_dataclass(x):
        return any(_non_finite(getattr(x, f.name), depth + 1) for f in dataclasses.fields(x))
    return False


def _alarm(signum, frame):
    raise _Timeout()


def call(kind, obj, args, extra, star=None):
    """Call a recorded target with ``args`` (a dict of parameter -> value), ``extra``
    (its recorded ``**kwargs``) and ``star`` (its positional names and recorded ``*args``)."""
    args = {**args, **extra}
    pos = []
    if star is not None:
        posnames, values = star
        pos = [args.pop(k) for k in posnames if k not in ("self", "cls")] + list(values)
    if kind == "method":
        self = args.pop("self")
        return getattr(copy.deepcopy(self), obj)(*pos, **args)
    if kind in ("class", "classmethod"):
        args.pop("self", None)
        args.pop("cls", None)
    return obj(*pos, **args)


def outcome(kind, obj, args, param, extra=None, star=None):
    """Run one call; classify as 'ok-named', 'value-error', 'other-exception', 'hang',
    'non-finite' or 'finite'."""
    use_alarm = threading.current_thread() is threading.main_thread()
    if use_alarm:
        old = signal.signal(signal.SIGALRM, _alarm)
        signal.setitimer(signal.ITIMER_REAL, TIME_LIMIT_S)
    try:
        with np.errstate(all="ignore"), contextlib.redirect_stdout(io.StringIO()), \
                __import__("warnings").catch_warnings():
            __import__("warnings").simplefilter("ignore")
            result = call(kind, obj, args, extra or {}, star)
    except _Timeout:
        return "hang", ""
    except ValueError as exc:
        msg = str(exc)
        # a helper that takes the caller's parameter name (``as_estimate(name, value)``)
        # names that parameter instead of its own
        alias = args.get("name") if param == "value" and isinstance(args.get("name"), str) else None
        return ("ok-named" if param in msg or (alias and alias in msg) else "value-error"), msg
    except Exception as exc:  # noqa: BLE001 (any other exception is what we count)
        return "other-exception", f"{type(exc).__name__}: {exc}"
    finally:
        if use_alarm:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, old)
    return ("non-finite" if _non_finite(result) else "finite"), ""


def fuzz(calls=None):
    """Run the fuzz. Returns (counts, failures, total) with failures as readable lines."""
    calls = record_calls() if calls is None else calls
    counts: Counter = Counter()
    failures = []
    total = 0
    for name, recorded in sorted(calls.items()):
        for kind, obj, args, defaults in recorded[:CALLS_PER_TARGET]:
            for param, v in args.items():
                if param in ("self", "cls"):
                    continue
                for label, bad in invalid_values(v):
                    if bad is None and defaults.get(param) is None:
                        continue  # None is this parameter's documented default
                    total += 1
                    res, msg = outcome(kind, obj, {**args, param: bad}, param, defaults["**"], defaults["*"])
                    if res == "ok-named":
                        continue
                    if label == "unknown name" and res == "finite":
                        continue  # a free-text parameter (a label, a unit) accepts any string
                    if label == "+inf" and res == "finite":
                        continue  # a parameter that allows inf and gives a finite limit
                    if (name, param) in DOCUMENTED_NON_FINITE and label in ("nan", "+inf", "-inf") \
                            and res in ("finite", "non-finite"):
                        continue
                    cat = {"value-error": "unnamed ValueError", "other-exception": "wrong exception",
                           "hang": "hang", "non-finite": "silent NaN/inf",
                           "finite": "accepted invalid"}[res]
                    counts[cat] += 1
                    failures.append(f"{cat}: {name}({param}={label}) {msg[:120]}")
                for label, ext in extreme_values(v):
                    total += 1
                    res, msg = outcome(kind, obj, {**args, param: ext}, param, defaults["**"], defaults["*"])
                    if res in ("finite", "ok-named"):
                        continue
                    if res == "value-error" and label != "array":
                        continue  # a clear error for an extreme that is out of the model's range
                    if res == "non-finite" and (name, param) in DOCUMENTED_NON_FINITE:
                        continue
                    cat = {"value-error": "unnamed ValueError", "other-exception": "wrong exception",
                           "hang": "hang", "non-finite": "silent NaN/inf"}[res]
                    counts[cat] += 1
                    failures.append(f"{cat}: {name}({param}={label}) {msg[:120]}")
    return counts, failures, total


# ----------------------------------------------------------------------------- tests
@pytest.fixture(scope="module")
def recorded():
    return record_calls()


def test_every_public_callable_has_a_running_example(recorded):
    """Every public function and class of the model modules is called by some example
    (its own or its module's), so the fuzz reaches it."""
    missing = []
    for mod in _modules():
        for n, obj in _public_members(mod):
            if inspect.isclass(obj) and (issubclass(obj, BaseException) or dataclasses.is_dataclass(obj)
                                         and "__post_init__" not in vars(obj)
                                         and not any(inspect.isfunction(m) and not a.startswith("_")
                                                     for a, m in vars(obj).items())):
                continue  # result records and exceptions: built by the models, not by users
            key = f"{mod.__name__}.{n}"
            if key not in recorded and not any(k.startswith(key + ".") for k in recorded):
                missing.append(key)
    assert not missing, f"no docstring example calls: {', '.join(missing)}"


def test_bad_input_raises_a_named_value_error_and_extremes_stay_finite(recorded):
    counts, failures, total = fuzz(recorded)
    assert total > 1000
    assert not failures, f"{len(failures)} of {total} fuzzed calls misbehave ({dict(counts)}):\n" + \
        "\n".join(failures[:60])


if __name__ == "__main__":
    import time

    t0 = time.perf_counter()
    rec = record_calls()
    c, f, n = fuzz(rec)
    print("\n".join(f))
    print(f"targets {len(rec)}, calls {n}, {time.perf_counter() - t0:.0f} s")
    for k, v in sorted(c.items()):
        print(f"{k}: {v}")
    print(f"named ValueError or accepted: {(n - sum(c.values())) / n:.1%}")
