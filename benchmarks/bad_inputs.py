"""Bad-input survey of the public API of ``nnbook`` (issue 14, "one validation floor").

Run from anywhere with the package importable::

    .venv/bin/python benchmarks/bad_inputs.py                      # whole package
    .venv/bin/python benchmarks/bad_inputs.py --module nnbook.seq  # one subpackage / module
    .venv/bin/python benchmarks/bad_inputs.py --json out.json      # everything, as JSON

Method
------
1. *Enumerate.* Every module under ``nnbook`` is imported; its public callables are the
   functions and classes whose name does not start with ``_`` and whose ``__module__`` is
   that module (re-exports are counted once, where they are defined). For a class the
   callables are its constructor and, for estimators and layers, the public methods that a
   user calls on a built (fitted) instance: fit/predict/score/forward/backward/encode/...
   Result records (dataclasses and NamedTuples that only hold what a function returned,
   exception classes) are listed in ``SKIP_RECORDS`` and not surveyed.
   Modules and callables are reported under the NEW layout of issue 14
   (``nnbook.nn.activations``, ``nnbook.seq.blocked_hmm``, ...). On the old flat tree the
   names are translated with ``OLD_MODULE`` / ``OLD_SYMBOL``, so the same script measures
   the tree before and after the move and the two tables line up row by row.
2. *Baseline.* Each callable gets one VALID call with tiny inputs: ``SPECS`` gives the
   arguments where a callable needs them; otherwise they come from argument-name
   conventions (``CONVENTIONS``: ``X`` an (8, 3) float array, ``y`` labels in 0..2, ``pi``
   a probability vector, ``A``/``B`` stochastic matrices, ``obs`` symbols, ``emit``/``trans``
   potentials, ``random_state``, ``shape``, ``depth``/``width``...) and from the type of a
   default value. A baseline that raises is reported under ``baseline_failures`` and the
   callable is left out of the figures; a callable whose required arguments have no
   convention is listed under ``no_baseline``.
3. *Mutate.* One argument at a time is replaced by a value that is invalid under the
   callable's documented contract (docstrings were read; a value the contract accepts,
   e.g. ``random_state=None``, -inf potentials in an HMM/CRF, NaN gradients in
   ``Optimizer.step``, inf in an activation's input, is never used). Families, by the kind
   of the argument: NaN / inf in data arrays; wrong ndim; a shape that does not match
   another argument; empty arrays and sequences; zero/negative sizes; 2.5 and ``True``
   where an int is needed; ``True`` / a string / a complex number where a real is needed;
   NaN / inf / out-of-range values for bounded reals (``p``, ``lr``, ``eps``, ``tol``...);
   unknown option strings and non-strings for options; probability vectors that do not sum
   to 1 or have a negative entry; non-stochastic rows; labels out of range (-1 and
   n_classes) or non-integer; ``random_state=-1`` / ``"abc"`` / 2.5; non-callables for
   callbacks; non-modules / non-tensors for torch arguments; ``None`` for required
   arguments. Boolean flags are not mutated (any object has a truth value in Python).
   For ``torch.nn.Module`` constructors the call is "construct, then one forward pass";
   for estimators it is "construct, then fit" (sklearn defers validation to fit).
   The forward input of a torch module is mutated in shape and type only, never with NaN.
4. *Classify* each (callable, argument, bad value):
   ``clear``   -- ``ValueError`` or ``TypeError`` (or a subclass) whose message contains
   the argument's name as a word (case-sensitive; a short name such as ``a`` must appear
   as a code token -- quoted, or followed by ``=``, ``must``, ``has``... -- not as the
   English article; ``SPECS`` may give documented aliases, e.g. ``betas[0]``);
   ``unclear`` -- any other exception (IndexError, KeyError, ZeroDivisionError,
   LinAlgError, RuntimeError from torch, MemoryError, ...) or a ValueError/TypeError that
   does not name the argument; ``silent`` -- the call returned normally (warnings, e.g.
   NumPy's RuntimeWarning, are recorded but do not count as errors); ``hang`` -- the call
   ran past the per-call timeout (5 s, ``signal.setitimer``).

Limits: the bad values are a fixed menu, not a fuzzer; a value counts once per argument
it is given to, so callables with many arguments weigh more. ``clear`` checks that the
message names the argument, not that it is well written. Meta-device construction is used
for the big ImageNet models (AlexNet, VGG, GoogLeNet, ResNet-18/34/50), so their forward
pass checks shapes and types but computes nothing. The timeout relies on SIGALRM (POSIX,
main thread) and cannot interrupt a single long C call until it returns.
"""
from __future__ import annotations

import argparse
import contextlib
import importlib
import importlib.util
import inspect
import io
import json
import os
import pkgutil
import re
import signal
import sys
import time
import warnings
from dataclasses import dataclass, field

os.environ.setdefault("MPLBACKEND", "Agg")
os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("MKL_NUM_THREADS", "1")

import numpy as np  # noqa: E402

TIMEOUT_S = 5.0

# ---------------------------------------------------------------------------------------------
# old <-> new layout (issue 14)
# ---------------------------------------------------------------------------------------------
_NN = ["activations", "losses", "mlp", "init", "optim", "dropout", "normalization", "conv", "pooling",
       "gradcheck"]
_SEQ = ["hmm", "crf", "mixture", "hmm_estimator", "crf_estimator"]
_STUDIES = ["boolean", "circuit", "approximation", "glm", "selu", "zigzag", "landscape",
            "activation_properties", "critical_points", "convergence", "covariate_shift", "batch_statistics"]
_MODELS = ["alexnet", "inception", "lenet", "locally_connected", "resnet", "summary", "textcnn", "vgg"]

#: new module name -> old module name
OLD_MODULE = {
    **{f"nnbook.nn.{m}": f"nnbook.{m}" for m in _NN},
    **{f"nnbook.seq.{m}": f"nnbook.{m}" for m in _SEQ},
    "nnbook.seq.blocked_hmm": "nnbook.scan",
    **{f"nnbook.studies.{m}": f"nnbook.{m}" for m in _STUDIES},
    "nnbook.nets.training": "nnbook.training",
    "nnbook.nets.diagnostics": "nnbook.diagnostics",
    "nnbook.nets.augmentation": "nnbook.regularization",
    "nnbook.nets.models": "nnbook.models",
    **{f"nnbook.nets.models.{m}": f"nnbook.models.{m}" for m in _MODELS},
    "nnbook.data.datasets": "nnbook.data",
    "nnbook.data.corpora": "nnbook.corpora",
    "nnbook.data.text": "nnbook.text",
    "nnbook.runtime": "nnbook.timing",  # best_time only; the rest of runtime keeps its name
}
#: new qualified name -> old qualified name, for callables that moved between modules
OLD_SYMBOL = {
    "nnbook.nets.builder.deep_mlp": "nnbook.diagnostics.deep_mlp",
    "nnbook.nets.builder.norm_mlp": "nnbook.normalization.norm_mlp",
    "nnbook.nets.builder.NoisyBatchNorm1d": "nnbook.normalization.NoisyBatchNorm1d",
    "nnbook.runtime.best_time": "nnbook.timing.best_time",
}
_NEW_SYMBOL = {v: k for k, v in OLD_SYMBOL.items()}
_NEW_MODULE = {v: k for k, v in OLD_MODULE.items() if k != "nnbook.runtime"}


def _module_exists(name: str) -> bool:
    """Whether ``name`` is a module of the nnbook being measured, looked up on disk.

    (Not ``importlib.util.find_spec``: an editable install's finder would answer for another
    checkout of the package when the module is missing from this one.)
    """
    import nnbook
    parts = name.split(".")
    if parts[0] != "nnbook":
        return False
    for root in nnbook.__path__:
        path = os.path.join(root, *parts[1:])
        if len(parts) == 1 or os.path.isfile(path + ".py") or os.path.isfile(os.path.join(path, "__init__.py")):
            return True
    return False


def new_name(module: str, name: str) -> str:
    """The issue-14 name of ``module.name``, as found in the tree being measured."""
    qual = f"{module}.{name}"
    if qual in _NEW_SYMBOL:
        return _NEW_SYMBOL[qual]
    if module in _NEW_MODULE and not _module_exists(_NEW_MODULE[module]):
        return f"{_NEW_MODULE[module]}.{name}"
    return qual


def resolve(qual: str):
    """The object called ``qual`` (new name) in this tree: new location first, then the old one."""
    for candidate in (qual, OLD_SYMBOL.get(qual)):
        if candidate is None:
            continue
        mod, _, name = candidate.rpartition(".")
        obj = _getattr_path(mod, name)
        if obj is not None:
            return obj
    mod, _, name = qual.rpartition(".")
    if mod in OLD_MODULE:
        return _getattr_path(OLD_MODULE[mod], name)
    return None


def _getattr_path(mod: str, name: str):
    if not _module_exists(mod):
        return None
    try:
        return getattr(importlib.import_module(mod), name, None)
    except Exception:
        return None


# ---------------------------------------------------------------------------------------------
# argument kinds: a valid value and a menu of definitely-bad ones
# ---------------------------------------------------------------------------------------------
_NONE = object()


class Arg:
    """An argument kind. ``valid()`` builds a fresh valid value; ``bad()`` yields (label, value)."""

    none_ok = False

    def __init__(self, make, *, none_ok=False, names=(), extra=()):
        self._make = make
        self.none_ok = none_ok
        self.names = tuple(names)
        self.extra = tuple(extra)

    def valid(self):
        return self._make() if callable(self._make) and not isinstance(self._make, type) else self._make

    def bad(self):
        yield from ()

    def all_bad(self, required: bool):
        seen, had_none = set(), False
        menu = list(self.bad()) + list(self.extra)
        if required and not self.none_ok:
            menu.append(("None", None))
        for label, value in menu:
            if label in seen or (value is None and had_none):
                continue
            seen.add(label)
            had_none = had_none or value is None
            yield label, value


class Keep(Arg):
    """Passed through, never mutated (flags, verbosity, optional hooks)."""

    def all_bad(self, required):
        yield from self.extra


def _copy(v):
    return v.copy() if isinstance(v, np.ndarray) else v


class Arr(Arg):
    """A NumPy array. ``nan``/``inf``: those entries are invalid; ``ndim``: a fixed number of
    dimensions (mutated by one); ``cut``: axis whose length must match another argument."""

    def __init__(self, make, *, nan=True, inf=True, ndim=True, cut=None, empty=True, cplx=True, text=True,
                 **kw):
        super().__init__(make, **kw)
        self.nan, self.inf, self.ndim, self.cut, self.empty, self.cplx, self.text = nan, inf, ndim, cut, empty, cplx, text

    def valid(self):
        return np.array(super().valid(), copy=True)

    def bad(self):
        v = self.valid()
        if self.nan and v.size and np.issubdtype(v.dtype, np.floating):
            w = v.copy(); w.flat[0] = np.nan; yield "NaN entry", w
        if self.inf and v.size and np.issubdtype(v.dtype, np.floating):
            w = v.copy(); w.flat[-1] = np.inf; yield "inf entry", w
        if self.ndim:
            yield f"ndim {v.ndim}->{v.ndim + 1 if v.ndim < 2 else v.ndim - 1}", (v[None] if v.ndim < 2 else v[0])
        if self.cut is not None:
            axis = self.cut
            idx = [slice(None)] * v.ndim
            idx[axis] = slice(0, v.shape[axis] - 1)
            yield f"shape mismatch (axis {axis} {v.shape[axis]}->{v.shape[axis] - 1})", v[tuple(idx)]
        if self.empty:
            yield "empty", v[:0]
        if self.cplx and np.issubdtype(v.dtype, np.floating):
            yield "complex dtype", v + 1j
        if self.text:
            yield "str", "abc"


class Labels(Arg):
    """Integer labels in ``0..n-1`` (``n`` classes / symbols / states)."""

    def __init__(self, make, n, *, cut=True, ndim=True, empty=True, **kw):
        super().__init__(make, **kw)
        self.n, self.cut, self.ndim, self.empty = n, cut, ndim, empty

    def valid(self):
        return np.array(super().valid(), copy=True)

    def bad(self):
        v = self.valid()
        w = v.copy(); w.flat[0] = -1; yield "label -1", w
        if self.n is not None:
            w = v.copy(); w.flat[0] = self.n; yield f"label {self.n} (= n)", w
        w = v.astype(float); w.flat[0] = 2.5; yield "float label 2.5", w
        if self.cut:
            yield "length mismatch", v[:-1]
        if self.ndim:
            yield "ndim +1", v[None]
        if self.empty:
            yield "empty", v[:0]
        yield "str", "abc"


class Prob(Arg):
    """A probability vector (entries >= 0 summing to 1)."""

    def valid(self):
        return np.array(super().valid(), dtype=float, copy=True)

    def bad(self):
        v = self.valid()
        yield "sums to 2", v * 2
        w = v.copy(); w[0] += w[1] + 0.5; w[1] = -0.5; yield "negative entry (sum 1)", w
        w = v.copy(); w[0] = np.nan; yield "NaN entry", w
        yield "wrong length", v[:-1] / v[:-1].sum()
        yield "ndim 2", v[None]


class Stoch(Arg):
    """A row-stochastic matrix; ``cut`` = the axis that must match another argument."""

    def __init__(self, make, *, cut=1, **kw):
        super().__init__(make, **kw)
        self.cut = cut

    def valid(self):
        return np.array(super().valid(), dtype=float, copy=True)

    def bad(self):
        v = self.valid()
        yield "rows sum to 2", v * 2
        w = v.copy(); w[0, 0] += 0.5; w[0, 1] -= 0.5
        if w[0, 1] >= 0:
            w[0, 0], w[0, 1] = v[0, 0] + v[0, 1] + 0.5, -0.5
        yield "negative entry (rows sum 1)", w
        w = v.copy(); w[0, 0] = np.nan; yield "NaN entry", w
        if self.cut is not None:
            u = v[:, :-1] if self.cut == 1 else v[:-1]
            yield f"shape mismatch (axis {self.cut})", u / u.sum(axis=1, keepdims=True)
        yield "ndim 1", v[0]


class Int(Arg):
    """An int with ``value >= lo`` (and ``<= hi``)."""

    def __init__(self, v, lo=1, hi=None, **kw):
        super().__init__(v, **kw)
        self.lo, self.hi = lo, hi

    def bad(self):
        if self.lo is not None:
            yield f"{self.lo - 1} (< {self.lo})", self.lo - 1
            if self.lo - 1 != -1:
                yield "-1", -1
        if self.hi is not None:
            yield f"{self.hi + 1} (> {self.hi})", self.hi + 1
        yield "float 2.5", 2.5
        yield "bool True", True
        yield "str '3'", "3"


class Real(Arg):
    """A real in a range: ``lo``/``hi`` bounds, open or closed; ``inf``: whether inf is valid."""

    def __init__(self, v, lo=None, hi=None, lo_open=False, hi_open=False, inf_ok=False, **kw):
        super().__init__(v, **kw)
        self.lo, self.hi, self.lo_open, self.hi_open, self.inf_ok = lo, hi, lo_open, hi_open, inf_ok

    def bad(self):
        if self.lo is not None:
            yield (f"{self.lo} (excluded)", float(self.lo)) if self.lo_open else (f"{self.lo - 0.5} (< {self.lo})", self.lo - 0.5)
            if self.lo >= 0 and self.lo - 0.5 != -1:
                yield "-1.0", -1.0
        if self.hi is not None:
            yield (f"{self.hi} (excluded)", float(self.hi)) if self.hi_open else (f"{self.hi} + 0.5", self.hi + 0.5)
        yield "nan", float("nan")
        if not self.inf_ok:
            yield "inf", float("inf")
        yield "str 'abc'", "abc"
        yield "complex 1+1j", 1 + 1j
        yield "bool True", True


class Opt(Arg):
    """An option string (one of a documented set)."""

    def bad(self):
        yield "unknown option 'bogus'", "bogus"
        yield "int 3", 3
        if not self.none_ok:
            yield "None", None


class Seed(Arg):
    """A seed / random_state: None (if ``none_ok``), an int >= 0 or a Generator."""

    def bad(self):
        yield "-1", -1
        yield "str 'abc'", "abc"
        yield "float 2.5", 2.5


class TSeed(Arg):
    """A seed for a ``torch.Generator``: torch accepts any int, negative ones included."""

    def bad(self):
        yield "str 'abc'", "abc"
        yield "float 2.5", 2.5


class Fn(Arg):
    """A callable argument."""

    def bad(self):
        yield "int 3 (not callable)", 3


class IntSeq(Arg):
    """A sequence of ints >= lo."""

    def __init__(self, v, lo=1, empty=True, **kw):
        super().__init__(v, **kw)
        self.lo, self.empty = lo, empty

    def bad(self):
        v = list(self.valid())
        if self.empty:
            yield "empty", type(self.valid())()
        yield f"entry {self.lo - 1}", type(self.valid())([self.lo - 1] + v[1:])
        if self.lo - 1 != -1:
            yield "entry -1", type(self.valid())([-1] + v[1:])
        yield "entry 2.5", type(self.valid())([2.5] + v[1:])
        yield "str", "abc"


class Shape(IntSeq):
    """An array shape (tuple of positive ints, ``ndim_min`` dims at least)."""

    def __init__(self, v, ndim_min=2, **kw):
        super().__init__(v, **kw)
        self.ndim_min = ndim_min

    def bad(self):
        yield from super().bad()
        if self.ndim_min > 1:
            yield "1-d shape", tuple(self.valid())[:1]


class Text(Arg):
    """A string argument (free text, a word, a tag...)."""

    def bad(self):
        yield "int 3", 3


class Obj(Arg):
    """Anything else: the bad values are given explicitly in ``extra``."""


class Tensor(Arg):
    """A torch tensor; ``nan``: NaN entries are invalid; ``cut``: axis that must match."""

    def __init__(self, make, *, nan=True, cut=None, ndim=True, empty=True, numpy=True, **kw):
        super().__init__(make, **kw)
        self.nan, self.cut, self.ndim, self.empty, self.numpy = nan, cut, ndim, empty, numpy

    def bad(self):
        v = self.valid()
        if self.nan and v.is_floating_point():
            w = v.clone(); w.view(-1)[0] = float("nan"); yield "NaN entry", w
        if self.ndim:
            yield "ndim -1" if v.ndim > 1 else "ndim +1", (v[0] if v.ndim > 1 else v[None])
        if self.cut is not None:
            yield f"shape mismatch (axis {self.cut})", v.narrow(self.cut, 0, v.shape[self.cut] - 1)
        if self.empty:
            yield "empty", v[:0]
        if self.numpy:
            yield "ndarray instead of tensor", v.numpy()
        yield "str", "abc"


class Module(Arg):
    """A torch module."""

    def bad(self):
        yield "str (not a module)", "abc"


class Data(Arg):
    """A torch Dataset."""

    def bad(self):
        import torch
        yield "str (not a dataset)", "abc"
        yield "empty dataset", torch.utils.data.TensorDataset(torch.zeros(0, 3), torch.zeros(0, dtype=torch.long))


# ---------------------------------------------------------------------------------------------
# the tiny world every baseline lives in
# ---------------------------------------------------------------------------------------------
def _rng(seed=0):
    return np.random.default_rng(seed)


def X83():
    return _rng(0).normal(size=(8, 3))


def Y8():
    return np.array([0, 1, 2, 0, 1, 2, 0, 1])


def PI():
    return np.array([0.5, 0.3, 0.2])


def AMAT():
    return np.array([[0.7, 0.2, 0.1], [0.1, 0.8, 0.1], [0.2, 0.3, 0.5]])


def BMAT():
    return np.array([[0.4, 0.3, 0.2, 0.1], [0.1, 0.2, 0.3, 0.4], [0.25, 0.25, 0.25, 0.25]])


def OBS():
    return np.array([0, 1, 3, 2, 0, 1])


def Z43():
    return _rng(1).normal(size=(4, 3))


def EMIT():
    return _rng(2).normal(size=(5, 3))


def TRANS():
    return _rng(3).normal(size=(3, 3))


def _torch():
    import torch
    return torch


def T_X():
    return _torch().tensor(X83(), dtype=_torch().float32)


def T_Y():
    return _torch().tensor(Y8())


def T_MODEL():
    torch = _torch()
    torch.manual_seed(0)
    return torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.ReLU(), torch.nn.Linear(4, 3))


def T_DATA():
    torch = _torch()
    return torch.utils.data.TensorDataset(T_X(), T_Y())


def T_SGD(model):
    return _torch().optim.SGD(model.parameters(), lr=0.1)


#: argument name -> kind, used where SPECS says nothing
CONVENTIONS = {
    "X": lambda: Arr(X83, cut=0),
    "y": lambda: Labels(Y8, 3),
    "z": lambda: Arr(Z43, inf=False),
    "Z": lambda: Arr(Z43, inf=False, cut=None),
    "pi": lambda: Prob(PI),
    "A": lambda: Stoch(AMAT),
    "B": lambda: Stoch(BMAT, cut=0),
    "obs": lambda: Labels(OBS, 4, cut=False),
    "emit": lambda: Arr(EMIT, nan=True, inf=False, cut=1),
    "trans": lambda: Arr(TRANS, nan=True, inf=False, cut=1),
    "random_state": lambda: Seed(0, none_ok=True),
    "seed": lambda: Seed(0),
    "shape": lambda: Shape((4, 3)),
    "rng": lambda: Obj(lambda: np.random.default_rng(0), extra=[("int 0 (not a Generator)", 0)]),
    "model": lambda: Module(T_MODEL),
    "train": lambda: Data(T_DATA),
    "data": lambda: Data(T_DATA),
    "f": lambda: Fn(lambda: (lambda *a, **k: 0.0)),
    "loss_fn": lambda: Keep(None),
    "ax": lambda: Keep(None),
}

_POSITIVE_INTS = {"depth", "width", "n", "n_samples", "n_steps", "n_iter", "epochs", "max_epochs", "batch_size",
                  "in_features", "out_features", "n_classes", "num_features", "kernel", "n_bins", "size", "dim",
                  "window", "n_components", "n_restarts", "repeats", "max_iter", "max_iterations", "n_grid",
                  "n_blocks", "n_filters", "vocab_size", "embed_dim", "per_filter", "n_identities", "n_cols",
                  "resolution", "record_every", "num_memories", "max_paths", "n_symbols", "n_states", "threads",
                  "stride", "test_every", "min_count", "chunk_size", "n_features", "limit", "k", "levels"}
_NON_NEGATIVE_INTS = {"padding", "max_shift", "pattern_seed"}
_POSITIVE_REALS = {"lr", "learning_rate", "h", "sharpness", "noise", "std", "max_norm", "beta", "radius",
                   "condition", "target", "xtol", "ax_size", "width_in"}
_NON_NEGATIVE_REALS = {"eps", "tol", "weight_decay", "alpha", "c2", "reg_covar", "grad_tol", "zero_tol", "floor",
                       "init_scale", "momentum"}
_UNIT_INTERVAL = {"p", "dropout", "test_size", "p_negation"}


def infer(name: str, default, required: bool):
    """An Arg for a parameter SPECS does not describe, from its name and its default."""
    if name in CONVENTIONS:
        return CONVENTIONS[name]()
    if required:
        return None
    if isinstance(default, bool):
        return Keep(default)
    if default is None:
        return Keep(None)
    if isinstance(default, int):
        if name in _NON_NEGATIVE_INTS or default == 0:
            return Int(default, lo=0)
        return Int(default, lo=1)
    if isinstance(default, float):
        if name in _UNIT_INTERVAL:
            return Real(default, lo=0.0, hi=1.0, hi_open=True)
        if name in _POSITIVE_REALS:
            return Real(default, lo=0.0, lo_open=True)
        if name in _NON_NEGATIVE_REALS or default >= 0:
            return Real(default, lo=0.0) if name in _NON_NEGATIVE_REALS or name in _POSITIVE_REALS else Real(default)
        return Real(default)
    if isinstance(default, str):
        return Opt(default)
    if isinstance(default, tuple) and default and all(isinstance(x, int) for x in default):
        return IntSeq(default)
    return Keep(default)


# ---------------------------------------------------------------------------------------------
# per-callable specifications (new names)
# ---------------------------------------------------------------------------------------------
@dataclass
class Spec:
    args: dict = field(default_factory=dict)       # name -> Arg (or a plain valid value: Keep)
    obj: object = None                              # for methods: a factory of the instance
    then: object = None                             # called on the result (e.g. fit after construct)
    skip: str | None = None                         # reason to leave the callable out
    meta: bool = False                              # build torch modules on the meta device
    call: object = None                             # custom call: call(fn, kwargs)


SPECS: dict[str, Spec] = {}
SKIP_RECORDS = {}


def S(qual, *, obj=None, then=None, meta=False, call=None, **args):
    SPECS[qual] = Spec(args=args, obj=obj, then=then, meta=meta, call=call)


def SKIP(qual, reason):
    SPECS[qual] = Spec(skip=reason)
    SKIP_RECORDS[qual] = reason


# ---- helpers for specs -------------------------------------------------------------------------
def _net_ohl():
    cls = resolve("nnbook.studies.approximation.OneHiddenLayer")
    return cls(np.ones(3), np.array([0.0, -0.3, -0.6]), np.array([1.0, -1.0, 0.5]), 0.0, "relu")


def _xor():
    return resolve("nnbook.studies.boolean.xor_network")()


def _layer_cache(fwd_name, *args, **kw):
    def make():
        return resolve(fwd_name)(*[a() if callable(a) else a for a in args], **kw)[1]
    return make


def _quadratic_f():
    torch = _torch()
    return lambda th: (th ** 2).sum() + th[0] * th[-1]


def _theta():
    return _torch().tensor([0.5, -0.3], dtype=_torch().float64)


def _img(n=2, c=3, h=6, w=6, seed=4):
    return _rng(seed).normal(size=(n, c, h, w))


def _sparse_X():
    from scipy import sparse
    return sparse.csr_matrix(_rng(5).integers(0, 2, size=(5, 4)).astype(float))


def _packing():
    return resolve("nnbook.seq.crf.Packing")([3, 2])


def _sentences():
    return [[{"w": "a"}, {"w": "b"}, {"w": "a"}], [{"w": "b"}, {"w": "c"}]]


def _sent_labels():
    return [["X", "Y", "X"], ["Y", "Z"]]


def _crf_fitted():
    cls = resolve("nnbook.seq.crf_estimator.LinearChainCRF")
    return cls(max_iterations=5).fit(_sentences(), _sent_labels())


def _hmm_fitted():
    cls = resolve("nnbook.seq.hmm_estimator.CategoricalHMM")
    return cls(n_components=2, n_features=4, n_iter=2, random_state=0).fit(OBS()[:, None])


def _mlp_fitted():
    cls = resolve("nnbook.nn.mlp.MLP")
    return cls([3, 4, 3], epochs=1, random_state=0).fit(X83(), Y8())


def _glm_fitted():
    cls = resolve("nnbook.studies.glm.GLMNeuron")
    return cls(max_iter=20).fit(X83(), Y8() % 2)


def _bn(fitted=True):
    bn = resolve("nnbook.nn.normalization.BatchNorm")(3)
    if fitted:
        bn.forward(X83())
    return bn


def _vocab():
    return resolve("nnbook.data.text.Vocabulary")().fit([["good", "film"], ["bad", "film"]])


def _reviews():
    return [["good", "film"], ["bad", "film"]]


def _jieba():
    return resolve("nnbook.data.corpora.load_jieba_hmm")()


def _builder():
    b = resolve("nnbook.studies.circuit.NetworkBuilder")(2)
    return b


def _textcnn():
    cls = resolve("nnbook.nets.models.textcnn.TextCNN")
    _torch().manual_seed(0)
    return cls(10, 4, 2, windows=(2, 3), n_filters=2, mode="rand")


def _tokens():
    return _torch().tensor([[1, 2, 3, 4, 0], [5, 6, 7, 0, 0]])


def _fwd(shape, meta=False):
    """then=: one forward pass on a tensor of ``shape``."""
    def run(module):
        torch = _torch()
        x = torch.zeros(shape, device="meta") if meta else torch.zeros(shape)
        module.eval()
        with torch.no_grad():
            return module(x)
    return run


def _fit(*args):
    def run(est):
        return est.fit(*[a() if callable(a) else a for a in args])
    return run


def _image_tensor(shape, seed=0):
    def make():
        torch = _torch()
        torch.manual_seed(seed)
        return torch.randn(shape)
    return make


def _register_specs():
    torch_ok = importlib.util.find_spec("torch") is not None
    N = "nnbook.nn."
    # ---- nn.activations -------------------------------------------------------------------------
    z = lambda: Arr(Z43, inf=False, ndim=False, cut=None, empty=False)  # any shape, inf is valid input
    for f in ["sigmoid", "sigmoid_prime", "tanh", "tanh_prime", "relu", "relu_prime", "selu", "selu_prime"]:
        S(N + "activations." + f, z=z())
    for f in ["softplus", "softplus_prime"]:
        S(N + "activations." + f, z=z(), beta=Real(1.0, lo=0.0, lo_open=True))
    for f in ["swish", "swish_prime"]:
        S(N + "activations." + f, z=z(), beta=Real(1.0))
    for f in ["leaky_relu", "leaky_relu_prime"]:
        S(N + "activations." + f, z=z(), a=Real(0.01))
    for f in ["elu", "elu_prime"]:
        S(N + "activations." + f, z=z(), alpha=Real(1.0))
    for f in ["prelu", "prelu_prime"]:
        S(N + "activations." + f, z=z(), a=Arr(lambda: np.array([0.1, 0.2, 0.3]), inf=True, ndim=False, cut=0,
                                               empty=False))
    S(N + "activations.prelu_slope_grad", z=z(), a=Arr(lambda: np.array([0.1, 0.2, 0.3]), ndim=False, cut=0, empty=False),
      grad_out=Arr(lambda: _rng(7).normal(size=(4, 3)), nan=False, inf=False, ndim=True, cut=1, empty=False))
    for f in ["rrelu", "rrelu_prime"]:
        S(N + "activations." + f, z=z(), lower=Real(0.125, lo=0.0), upper=Real(1 / 3, lo=0.0),
          training=Keep(True), random_state=Seed(0, none_ok=True))
    for f in ["gelu", "gelu_prime"]:
        S(N + "activations." + f, z=z(), approximate=Opt("none"))
    for f in ["maxout", "maxout_prime"]:
        S(N + "activations." + f, z=Arr(lambda: _rng(1).normal(size=(4, 4)), inf=False, ndim=False, empty=False),
          k=Int(2, lo=1, extra=[("3 (does not divide the last axis)", 3)]))
    S(N + "activations.get_activation", name=Opt("relu"))
    SKIP(N + "activations.Activation", "registry record (frozen dataclass of ACTIVATIONS)")
    # ---- nn.losses ------------------------------------------------------------------------------
    L = N + "losses."
    S(L + "check_labels", y=Labels(Y8, 3, cut=True), n_classes=Int(3), n_samples=Int(8))
    S(L + "one_hot", y=Labels(Y8, 3, cut=False, empty=False), n_classes=Int(3, extra=[("2 (< max label + 1)", 2)]))
    S(L + "squared_error", y_hat=Arr(X83, cut=0), y=Arr(lambda: X83() + 1, cut=1))
    S(L + "squared_error_grad", y_hat=Arr(X83, cut=0), y=Arr(lambda: X83() + 1, cut=1))
    bl = lambda: Arr(lambda: _rng(2).normal(size=(8, 1)), cut=0)
    by = lambda: Arr(lambda: (Y8()[:, None] % 2).astype(float), cut=0,
                     extra=[("target 1.5 (> 1)", np.full((8, 1), 1.5)), ("target -0.5", np.full((8, 1), -0.5))])
    S(L + "binary_cross_entropy", logits=bl(), y=by())
    S(L + "binary_cross_entropy_grad", logits=bl(), y=by())
    lg = lambda: Arr(X83, inf=True, cut=1)
    S(L + "cross_entropy", logits=lg(), y=Labels(Y8, 3))
    S(L + "cross_entropy_grad", logits=lg(), y=Labels(Y8, 3))
    for f in ["logsumexp", "log_softmax", "softmax"]:
        S(L + f, Z=Arr(X83, inf=False))
    S(L + "softmax_jacobian", z=Arr(lambda: np.array([0.1, 0.5, -0.3]), inf=False))
    S(L + "softmax_backward", A=Arr(lambda: resolve(L + "softmax")(X83()), cut=1,
                                    extra=[("rows not summing to 1", X83() ** 2)]),
      grad_out=Arr(lambda: _rng(3).normal(size=(8, 3)), nan=False, inf=False, cut=0))
    W = lambda: Obj(lambda: [X83(), Z43()], extra=[("NaN entry", [np.full((8, 3), np.nan), Z43()]),
                                                   ("str", "abc"), ("list with a str", ["abc"])])
    S(L + "l2_penalty", weights=W(), weight_decay=Real(0.1, lo=0.0))
    S(L + "l2_penalty_grad", weights=W(), weight_decay=Real(0.1, lo=0.0))
    # ---- nn.mlp ---------------------------------------------------------------------------------
    M = N + "mlp."
    S(M + "MLP", then=_fit(X83, Y8), layer_sizes=IntSeq([3, 4, 3], extra=[("one entry", [3])]),
      activation=Opt("relu"), loss=Opt("cross_entropy"), output_activation=Keep(None),
      weight_decay=Real(0.0, lo=0.0), learning_rate=Real(0.1, lo=0.0, lo_open=True), batch_size=Int(4),
      epochs=Int(1), shuffle=Keep(True), random_state=Seed(0, none_ok=True), warm_start=Keep(False))
    S(M + "MLP.fit", obj=lambda: resolve(M + "MLP")([3, 4, 3], epochs=1), X=Arr(X83, cut=0), y=Labels(Y8, 3))
    for meth in ["predict", "predict_proba"]:
        S(M + "MLP." + meth, obj=_mlp_fitted, X=Arr(X83, cut=1))
    S(M + "MLP.score", obj=_mlp_fitted, X=Arr(X83, cut=1), y=Labels(Y8, 3))
    S(M + "MLP.loss_and_gradients", obj=_mlp_fitted, X=Arr(X83, cut=0), y=Labels(Y8, 3))
    S(M + "MLP.initialize", obj=lambda: resolve(M + "MLP")([3, 4, 3]))
    S(M + "available_activations")
    wts = lambda: [_rng(1).normal(size=(4, 3)), _rng(2).normal(size=(3, 4))]
    bss = lambda: [np.zeros(4), np.zeros(3)]
    S(M + "forward", X=Arr(X83, cut=1, empty=False), weights=Obj(wts, extra=[("str", "abc"), ("empty list", []),
                                                               ("mismatched shapes", [np.ones((4, 3)), np.ones((3, 5))])]),
      biases=Obj(bss, extra=[("str", "abc"), ("one bias too few", [np.zeros(4)]),
                             ("wrong bias length", [np.zeros(5), np.zeros(3)])]),
      activation=Opt("relu"), output_activation=Opt("identity"))

    def _zs_as():
        Zs, As = resolve(M + "forward")(X83(), wts(), bss(), "relu", "softmax")
        return Zs, As
    S(M + "backward", delta_out=Arr(lambda: _rng(5).normal(size=(8, 3)), nan=False, inf=False, cut=1),
      Zs=Obj(lambda: _zs_as()[0], extra=[("str", "abc"), ("empty list", [])]),
      As=Obj(lambda: _zs_as()[1], extra=[("str", "abc"), ("empty list", [])]),
      weights=Obj(wts, extra=[("str", "abc"), ("empty list", [])]), activation=Opt("relu"))
    S(M + "init_params", layer_sizes=IntSeq([3, 4, 3]), activation=Opt("relu"),
      rng=Obj(lambda: np.random.default_rng(0), extra=[("int 0 (not a Generator)", 0), ("str", "abc")]))
    P3 = lambda: resolve(L + "softmax")(X83())
    S(M + "output_delta", loss=Opt("cross_entropy"), output_activation=Opt("softmax"), Z_out=Arr(X83, cut=1),
      A_out=Arr(P3, cut=1), y=Labels(Y8, 3))
    S(M + "to_torch", model=Obj(_mlp_fitted, extra=[("unfitted MLP", None), ("str", "abc")]), dtype=Keep(None))
    # ---- nn.init --------------------------------------------------------------------------------
    I = N + "init."
    S(I + "as_generator", random_state=Seed(0, none_ok=True))
    S(I + "fan_in_and_fan_out", shape=Shape((4, 3)))
    S(I + "calculate_gain", nonlinearity=Opt("relu"), negative_slope=Real(0.01))
    for f in ["uniform_fan_in", "lecun_normal"]:
        S(I + f, shape=Shape((4, 3)), random_state=Seed(0, none_ok=True))
    for f in ["xavier_uniform", "xavier_normal", "he_uniform", "he_normal"]:
        S(I + f, shape=Shape((4, 3)), gain=Real(1.0, lo=0.0, lo_open=True), random_state=Seed(0, none_ok=True))
    S(I + "init_variance", name=Opt("he_normal"), shape=Shape((4, 3)))
    S(I + "initialise", name=Opt("he_normal"), shape=Shape((4, 3)), random_state=Seed(0, none_ok=True))
    S(I + "forward_variances", init=Opt("he_normal", extra=[("int 3 (not a name or callable)", 3)]), depth=Int(2),
      width=Int(4), activation=Opt("tanh"), n_samples=Int(16), random_state=Seed(0, none_ok=True))
    # ---- nn.optim -------------------------------------------------------------------------------
    O = N + "optim."
    prm = lambda: Obj(lambda: [np.ones((2, 2)), np.zeros(3)],
                      extra=[("empty list", []), ("int array", [np.ones((2, 2), dtype=int)]), ("str", "abc")])
    S(O + "Optimizer", params=prm(), lr=Real(0.1, lo=0.0))
    S(O + "SGD", params=prm(), lr=Real(0.1, lo=0.0), momentum=Real(0.9, lo=0.0, hi=1.0, hi_open=True),
      nesterov=Keep(False), weight_decay=Real(0.0, lo=0.0))
    S(O + "Adagrad", params=prm(), lr=Real(0.01, lo=0.0), eps=Real(1e-10, lo=0.0), weight_decay=Real(0.0, lo=0.0))
    S(O + "RMSprop", params=prm(), lr=Real(0.01, lo=0.0), alpha=Real(0.99, lo=0.0, hi=1.0, hi_open=True),
      eps=Real(1e-8, lo=0.0), weight_decay=Real(0.0, lo=0.0))
    betas = lambda: Obj((0.9, 0.999), names=("betas",), extra=[("beta1 = 1", (1.0, 0.999)), ("beta2 = -0.1", (0.9, -0.1)),
                                                              ("three values", (0.9, 0.99, 0.999)), ("str", "abc")])
    S(O + "Adam", params=prm(), lr=Real(1e-3, lo=0.0), betas=betas(), eps=Real(1e-8, lo=0.0),
      weight_decay=Real(0.0, lo=0.0), bias_correction=Keep(True))
    S(O + "AdamW", params=prm(), lr=Real(1e-3, lo=0.0), betas=betas(), eps=Real(1e-8, lo=0.0),
      weight_decay=Real(0.01, lo=0.0))
    S(O + "Optimizer.step", obj=lambda: resolve(O + "SGD")([np.ones((2, 2)), np.zeros(3)], lr=0.1),
      grads=Obj(lambda: [np.ones((2, 2)), np.ones(3)],
                extra=[("one gradient too few", [np.ones((2, 2))]), ("wrong shape", [np.ones((2, 3)), np.ones(3)]),
                       ("str", "abc"), ("None", None)]))
    S(O + "clip_grad_norm", grads=Obj(lambda: [np.ones((2, 2)), np.ones(3)],
                                      extra=[("empty list", []), ("int array", [np.ones(3, dtype=int)]), ("str", "abc")]),
      max_norm=Real(1.0, lo=0.0), norm_type=Real(2.0, lo=0.0, lo_open=True, inf_ok=True))
    if torch_ok:
        S(O + "GradClipping", optimizer=Obj(lambda: T_SGD(T_MODEL()), extra=[("str (not an optimizer)", "abc")]),
          max_norm=Real(1.0, lo=0.0))
    S(O + "GradClipping.step", obj=lambda: resolve(O + "GradClipping")(T_SGD(T_MODEL()), 1.0))
    S(O + "GradClipping.zero_grad", obj=lambda: resolve(O + "GradClipping")(T_SGD(T_MODEL()), 1.0),
      set_to_none=Keep(True))
    # ---- nn.dropout -----------------------------------------------------------------------------
    D = N + "dropout."
    S(D + "dropout_forward", X=Arr(X83, ndim=False, cut=None, empty=False), p=Real(0.5, lo=0.0, hi=1.0, hi_open=True),
      training=Keep(True), random_state=Seed(0, none_ok=True))
    S(D + "dropout_backward", grad_out=Arr(X83, nan=False, inf=False, cut=0, ndim=False),
      mask=Obj(lambda: X83() > 0, none_ok=True, extra=[("wrong shape", np.ones((7, 3), bool)), ("str", "abc")]),
      p=Real(0.5, lo=0.0, hi=1.0, hi_open=True))
    S(D + "subnetwork_ensemble", H=Arr(lambda: np.abs(X83()), cut=1), W=Arr(lambda: _rng(2).normal(size=(3, 2)), cut=0),
      b=Arr(lambda: np.zeros(2), cut=0, ndim=True), p=Real(0.5, lo=0.0, hi=1.0, hi_open=True))
    if torch_ok:
        import torch
        drop_model = lambda: torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.Dropout(0.5), torch.nn.Linear(4, 3))
        S(D + "mc_dropout_predict_proba", model=Module(drop_model), X=Tensor(T_X, cut=1), n_samples=Int(3),
          seed=TSeed(0))
    # ---- nn.normalization -----------------------------------------------------------------------
    B = N + "normalization."
    g3 = lambda: Arr(lambda: np.ones(3), cut=0)
    b3 = lambda: Arr(lambda: np.zeros(3), cut=0)
    S(B + "batch_norm_forward", X=Arr(X83, cut=1, ndim=False), gamma=g3(), beta=b3(), eps=Real(1e-5, lo=0.0, lo_open=True))
    S(B + "batch_norm_backward", grad_out=Arr(lambda: _rng(4).normal(size=(8, 3)), nan=False, inf=False, cut=0),
      cache=Obj(_layer_cache(B + "batch_norm_forward", X83, np.ones(3), np.zeros(3)),
                extra=[("str", "abc"), ("empty dict", {}), ("None", None)]))
    S(B + "batch_norm_inference", X=Arr(X83, cut=1, ndim=False, empty=False), gamma=g3(), beta=b3(), running_mean=b3(),
      running_var=Arr(lambda: np.ones(3), cut=0, extra=[("negative variance", -np.ones(3))]),
      eps=Real(1e-5, lo=0.0, lo_open=True))
    S(B + "layer_norm_forward", X=Arr(X83, cut=1, ndim=False, empty=False), gamma=g3(), beta=b3(), eps=Real(1e-5, lo=0.0, lo_open=True))
    S(B + "layer_norm_backward", grad_out=Arr(lambda: _rng(4).normal(size=(8, 3)), nan=False, inf=False, cut=0),
      cache=Obj(_layer_cache(B + "layer_norm_forward", X83, np.ones(3), np.zeros(3)),
                extra=[("str", "abc"), ("empty dict", {}), ("None", None)]))
    S(B + "BatchNorm", num_features=Int(3), momentum=Real(0.1, lo=0.0, hi=1.0, hi_open=True),
      eps=Real(1e-5, lo=0.0, lo_open=True), then=lambda bn: bn.forward(X83()))
    S(B + "BatchNorm.forward", obj=lambda: _bn(False), X=Arr(X83, cut=1, ndim=False))
    S(B + "BatchNorm.backward", obj=_bn, grad_out=Arr(lambda: _rng(4).normal(size=(8, 3)), nan=False, inf=False, cut=0))
    if torch_ok:
        S("nnbook.nets.builder.NoisyBatchNorm1d", num_features=Int(3), noise=Real(1.0, lo=0.0),
          then=lambda m: m.train()(T_X()))
        S("nnbook.nets.builder.NoisyBatchNorm1d.forward",
          obj=lambda: resolve("nnbook.nets.builder.NoisyBatchNorm1d")(3).train(),
          x=Tensor(T_X, nan=False, cut=1, empty=False))
        S("nnbook.nets.builder.norm_mlp", depth=Int(2), width=Int(4), in_features=Int(3), out_features=Int(2),
          norm=Opt("noisy_batch", none_ok=True), activation=Opt("relu"), noise=Real(1.0, lo=0.0))
        S("nnbook.nets.builder.deep_mlp", depth=Int(2), width=Int(4), in_features=Int(3), out_features=Int(2),
          activation=Opt("relu"), init=Opt("default"), std=Real(0.01, lo=0.0, lo_open=True))
    # ---- nn.conv / nn.pooling -------------------------------------------------------------------
    C = N + "conv."
    S(C + "conv_output_size", size=Int(6), kernel=Int(3, extra=[("9 (> padded size)", 9)]), stride=Int(1),
      padding=Int(0, lo=0))
    S(C + "conv2d_forward", X=Arr(_img, cut=1, empty=False), W=Arr(lambda: _rng(5).normal(size=(2, 3, 3, 3)), cut=1),
      b=Arr(lambda: np.zeros(2), cut=0), stride=Int(1), padding=Int(0, lo=0))
    S(C + "conv2d_backward", grad_out=Arr(lambda: _rng(6).normal(size=(2, 2, 4, 4)), nan=False, inf=False, cut=1),
      cache=Obj(_layer_cache(C + "conv2d_forward", _img, lambda: _rng(5).normal(size=(2, 3, 3, 3))),
                extra=[("str", "abc"), ("empty tuple", ()), ("None", None)]))
    S(C + "receptive_field", layers=Obj([(3, 1), (2, 2)], extra=[("kernel 0", [(0, 1)]), ("stride -1", [(3, -1)]),
                                                                 ("kernel 2.5", [(2.5, 1)]), ("not pairs", [3, 2]),
                                                                 ("str", "abc")]))
    P = N + "pooling."
    S(P + "pool2d_forward", X=Arr(_img, empty=False), kernel=Int(2, extra=[("7 (> input)", 7)]), stride=Int(2, none_ok=True),
      padding=Int(0, lo=0), mode=Opt("max"))
    S(P + "pool2d_backward", grad_out=Arr(lambda: _rng(6).normal(size=(2, 3, 3, 3)), nan=False, inf=False, cut=1),
      cache=Obj(_layer_cache(P + "pool2d_forward", _img, 2), extra=[("str", "abc"), ("empty tuple", ()), ("None", None)]))
    S(P + "adaptive_bins", size=Int(6), n_bins=Int(3, extra=[("7 (> size)", 7)]))
    S(P + "spatial_pyramid_pool_forward", X=Arr(_img), levels=IntSeq((1, 2), extra=[("7 (> input)", (7,))]))
    S(P + "spatial_pyramid_pool_backward", grad_out=Arr(lambda: _rng(6).normal(size=(2, 15)), nan=False, inf=False, cut=1),
      cache=Obj(_layer_cache(P + "spatial_pyramid_pool_forward", _img, (1, 2)),
                extra=[("str", "abc"), ("empty tuple", ()), ("None", None)]))
    # ---- nn.gradcheck ---------------------------------------------------------------------------
    G = N + "gradcheck."
    S(G + "relative_error", analytic=Arr(X83, cut=0), numeric=Arr(lambda: X83() + 1e-7, cut=1),
      floor=Real(1e-10, lo=0.0, lo_open=True))
    gp = np.ones(3)
    S(G + "numerical_gradient", f=Fn(lambda: (lambda: float((gp ** 2).sum()))),
      param=Obj(lambda: gp, extra=[("int array", np.ones(3, dtype=int)), ("list", [1.0, 2.0]), ("str", "abc")]),
      h=Real(1e-5, lo=0.0, lo_open=True))
    S(G + "check_gradients", f=Fn(lambda: (lambda: float((gp ** 2).sum()))),
      params=Obj(lambda: [gp], extra=[("str", "abc"), ("int array", [np.ones(3, dtype=int)])]),
      grads=Obj(lambda: [2 * gp], extra=[("wrong shape", [np.ones(4)]), ("two grads for one param", [2 * gp, 2 * gp]),
                                         ("NaN", [np.full(3, np.nan)]), ("str", "abc")]),
      names=Keep(None), h=Real(1e-5, lo=0.0, lo_open=True), floor=Real(1e-10, lo=0.0, lo_open=True))
    CR = lambda: resolve(G + "CheckResult")("W1", 1e-9, (0,), 1.0, 1.0)
    S(G + "assert_gradients_close", results=Obj(lambda: [CR()], extra=[("str", "abc"), ("int", 3)]),
      tol=Real(1e-6, lo=0.0, lo_open=True))
    S(G + "check_model", model=Obj(_mlp_fitted, extra=[("str", "abc"), ("unfitted MLP", None)]),
      X=Arr(lambda: X83()[:3], cut=1), y=Labels(lambda: Y8()[:3], 3), h=Real(1e-5, lo=0.0, lo_open=True),
      floor=Real(1e-10, lo=0.0, lo_open=True))
    SKIP(G + "CheckResult", "result record (NamedTuple)")
    SKIP(G + "GradientCheckError", "exception class")

    # ---- seq.hmm --------------------------------------------------------------------------------
    H = "nnbook.seq.hmm."
    base = dict(pi=Prob(PI), A=Stoch(AMAT), B=Stoch(BMAT, cut=0), obs=Labels(OBS, 4, cut=False))
    for f in ["forward_log", "greedy_decode", "posterior", "posterior_decode"]:
        S(H + f, **base)
    S(H + "backward_log", A=Stoch(AMAT), B=Stoch(BMAT, cut=0), obs=Labels(OBS, 4, cut=False))
    S(H + "viterbi", **base, end=Arr(lambda: np.ones(3), inf=True, cut=0, extra=[("negative weight", -np.ones(3))]))
    S(H + "brute_force", **base, max_paths=Int(2000000, extra=[("10 (< N**T)", 10)]))
    S(H + "path_log_prob", **base, states=Labels(lambda: np.array([0, 1, 2, 0, 1, 2]), 3))
    S(H + "sample", pi=Prob(PI), A=Stoch(AMAT), B=Stoch(BMAT, cut=0), n_steps=Int(5), random_state=Seed(0, none_ok=True))
    S(H + "baum_welch", obs_seqs=Obj(lambda: [OBS(), OBS()[:4]], extra=[("symbol 4 (= M)", [np.array([0, 4])]),
                                                                      ("symbol -1", [np.array([0, -1])]),
                                                                      ("empty list", []), ("empty sequence", [np.array([], int)]),
                                                                      ("float symbols", [np.array([0.5, 1.0])]), ("str", "abc")]),
      pi=Prob(PI), A=Stoch(AMAT), B=Stoch(BMAT, cut=0), n_iter=Int(2, lo=0), tol=Real(0.01, lo=0.0, none_ok=True),
      update=Opt("ste", extra=[("letter x", "stx")]))
    S(H + "supervised_mle", obs_seqs=Obj(lambda: [OBS()], extra=[("symbol 4 (= n_symbols)", [np.array([0, 1, 4, 2, 0, 1])]),
                                                                ("str", "abc"), ("empty list", [])]),
      state_seqs=Obj(lambda: [np.array([0, 1, 2, 0, 1, 2])], extra=[("state 3 (= n_states)", [np.array([0, 1, 3, 0, 1, 2])]),
                                                                   ("length mismatch", [np.array([0, 1])]), ("str", "abc")]),
      n_states=Int(3), n_symbols=Int(4), alpha=Real(0.0, lo=0.0))
    S(H + "check_obs", obs=Labels(OBS, 4, cut=False), n_symbols=Int(4), name=Keep("obs"))
    S(H + "check_param_letters", name=Keep("params"), value=Opt("ste", extra=[("letter x", "sx")]))
    S(H + "check_params", pi=Prob(PI), A=Stoch(AMAT), B=Stoch(BMAT, cut=0))
    lpi = lambda: Arr(lambda: np.log(PI()), nan=True, inf=False, cut=0, extra=[("positive log-prob", np.ones(3))])
    lA = lambda: Arr(lambda: np.log(AMAT()), nan=True, inf=False, cut=1)
    lb = lambda: Arr(lambda: np.log(BMAT()[:, OBS()].T), nan=True, inf=False, cut=1)
    S(H + "log_potentials", pi=Prob(PI), A=Stoch(AMAT), B=Stoch(BMAT, cut=0), obs=Labels(OBS, 4, cut=False))
    S(H + "expected_counts", log_start=lpi(), log_trans=lA(), log_emit=lb())
    # ---- seq.chain ------------------------------------------------------------------------------
    # the chain engine takes log-potentials (a CRF's scores may be positive): not log-probabilities
    lpi = lambda: Arr(lambda: np.log(PI()), nan=True, inf=False, cut=0)
    C = "nnbook.seq.chain."
    S(C + "forward", log_start=lpi(), log_trans=lA(), log_emit=lb())
    S(C + "backward", log_trans=lA(), log_emit=lb())
    S(C + "marginals", log_start=lpi(), log_trans=lA(), log_emit=lb())
    S(C + "viterbi", log_start=lpi(), log_trans=lA(), log_emit=lb(), log_end=Keep(None))
    # ---- seq.blocked_hmm ------------------------------------------------------------------------
    BH = "nnbook.seq.blocked_hmm."
    for f in ["baum_welch_counts", "baum_welch_step", "log_likelihood", "posterior", "viterbi"]:
        S(BH + f, **base, chunk_size=Int(2, none_ok=True))
    SKIP(BH + "Counts", "result record (NamedTuple)")
    # ---- seq.crf --------------------------------------------------------------------------------
    CF = "nnbook.seq.crf."
    emit = lambda: Arr(EMIT, inf=False, cut=1)
    trans = lambda: Arr(TRANS, inf=False, cut=1)
    for f in ["log_partition", "marginals", "viterbi"]:
        S(CF + f, emit=emit(), trans=trans())
    S(CF + "brute_force", emit=emit(), trans=trans(), max_paths=Int(2000000, extra=[("10 (< L**T)", 10)]))
    S(CF + "sequence_score", emit=emit(), trans=trans(), y=Labels(lambda: np.array([0, 1, 2, 1, 0]), 3))
    S(CF + "Packing", lengths=IntSeq([3, 2]))
    S(CF + "Packing.rows", obj=_packing, t=Int(1, lo=0, hi=2))
    S(CF + "forward_backward_packed", emit=emit(), trans=trans(),
      packing=Obj(_packing, extra=[("lengths [3, 3] (6 != 5 rows)", None), ("str", "abc")]))
    S(CF + "viterbi_packed", emit=emit(), trans=trans(),
      packing=Obj(_packing, extra=[("str", "abc")]))
    theta = lambda: Arr(lambda: _rng(8).normal(size=4 * 3 + 9) * 0.1, inf=True, cut=0, ndim=True)
    S(CF + "empirical_counts", X=Obj(_sparse_X, extra=[("str", "abc"), ("wrong rows", np.ones((4, 4)))]),
      y=Labels(lambda: np.array([0, 1, 2, 1, 0]), 3), packing=Obj(_packing, extra=[("str", "abc")]),
      n_labels=Int(3), state_pairs=Keep(None))
    S(CF + "objective_and_gradient", theta=theta(), X=Obj(_sparse_X, extra=[("str", "abc"), ("wrong rows", np.ones((4, 4)))]),
      y=Labels(lambda: np.array([0, 1, 2, 1, 0]), 3), packing=Obj(_packing, extra=[("str", "abc")]),
      n_labels=Int(3), c2=Real(1.0, lo=0.0), empirical=Keep(None), state_pairs=Keep(None))
    # ---- seq.mixture ----------------------------------------------------------------------------
    MX = "nnbook.seq.mixture."
    Xm = lambda: Arr(lambda: _rng(9).normal(size=(10, 2)), cut=1)
    wts2 = lambda: Prob(lambda: np.array([0.5, 0.5]))
    mns = lambda: Arr(lambda: np.array([[0.0, 0.0], [1.0, 1.0]]), cut=1)
    cov = lambda: Arr(lambda: np.stack([np.eye(2), np.eye(2)]), cut=1,
                      extra=[("not positive definite", np.stack([-np.eye(2), np.eye(2)]))])
    for f in ["log_likelihood", "e_step"]:
        S(MX + f, X=Xm(), weights=wts2(), means=mns(), covariances=cov())
    S(MX + "gaussian_log_pdf", X=Xm(), means=mns(), covariances=cov())
    S(MX + "em", X=Xm(), weights=wts2(), means=mns(), covariances=cov(), n_iter=Int(3, lo=0),
      tol=Real(1e-3, lo=0.0, none_ok=True), reg_covar=Real(1e-6, lo=0.0))
    resp = lambda: Arr(lambda: np.tile([0.3, 0.7], (10, 1)), cut=0, extra=[("rows sum to 2", np.tile([1.0, 1.0], (10, 1)))])
    S(MX + "m_step", X=Arr(lambda: _rng(9).normal(size=(10, 2)), cut=0), resp=resp(), reg_covar=Real(1e-6, lo=0.0))
    S(MX + "lower_bound", X=Xm(), q=resp(), weights=wts2(), means=mns(), covariances=cov())
    S(MX + "random_init", X=Arr(lambda: _rng(9).normal(size=(10, 2)), cut=None), n_components=Int(2, extra=[("11 (> n_samples)", 11)]), random_state=Seed(0, none_ok=True))
    S(MX + "coin_em", heads=Arr(lambda: np.array([5.0, 9.0, 8.0, 4.0, 7.0]), cut=0,
                                extra=[("heads > n_tosses", np.array([11.0, 9, 8, 4, 7])), ("negative", np.array([-1.0, 9, 8, 4, 7]))]),
      n_tosses=Arr(lambda: np.full(5, 10.0), cut=0, extra=[("zero tosses", np.zeros(5))]),
      theta=Arr(lambda: np.array([0.6, 0.5]), cut=None, extra=[("theta 1.5", np.array([1.5, 0.5])), ("theta 0", np.array([0.0, 0.5]))]),
      weights=Prob(lambda: np.array([0.5, 0.5]), none_ok=True), n_iter=Int(3, lo=0), learn_weights=Keep(True))
    SKIP(MX + "EMResult", "result record (NamedTuple)")
    GM = MX + "GaussianMixture"
    Xg = lambda: _rng(9).normal(size=(12, 2))
    S(GM, then=_fit(Xg), n_components=Int(2, extra=[("13 (> n_samples)", 13)]), tol=Real(1e-3, lo=0.0),
      reg_covar=Real(1e-6, lo=0.0), max_iter=Int(5), random_state=Seed(0, none_ok=True))
    # y is accepted and ignored, as in scikit-learn's fit(X, y=None): not an input to mutate
    S(GM + ".fit", obj=lambda: resolve(GM)(n_components=2, max_iter=5, random_state=0), X=Arr(Xg, cut=None), y=Keep(None))
    for meth in ["predict", "predict_proba", "score", "score_samples"]:
        S(GM + "." + meth, obj=lambda: resolve(GM)(n_components=2, max_iter=5, random_state=0).fit(Xg()),
          X=Arr(Xg, cut=1, extra=[("3 features", np.ones((4, 3)))]), **({"y": Keep(None)} if meth == "score" else {}))
    # ---- seq.hmm_estimator / crf_estimator ------------------------------------------------------
    HE = "nnbook.seq.hmm_estimator.CategoricalHMM"
    Xh = lambda: Labels(lambda: OBS()[:, None], 4, cut=False, extra=[("float column", OBS()[:, None] + 0.5)])
    S(HE, then=_fit(lambda: OBS()[:, None]), n_components=Int(2), n_features=Int(4, none_ok=True), n_iter=Int(2),
      tol=Real(0.01, lo=0.0), init_params=Opt("ste", extra=[("letter x", "sx")]), params=Opt("ste", extra=[("letter x", "sx")]),
      random_state=Seed(0, none_ok=True))
    lengths = lambda: IntSeq([4, 2], none_ok=True, extra=[("sum 7 != 6", [4, 3])])
    S(HE + ".fit", obj=lambda: resolve(HE)(n_components=2, n_features=4, n_iter=2, random_state=0), X=Xh(), lengths=lengths())
    for meth in ["score", "decode", "predict", "predict_proba"]:
        S(HE + "." + meth, obj=_hmm_fitted, X=Xh(), lengths=lengths())
    S(HE + ".sample", obj=_hmm_fitted, n_samples=Int(3), random_state=Seed(0, none_ok=True))
    CE = "nnbook.seq.crf_estimator.LinearChainCRF"
    Xs = lambda: Obj(_sentences, extra=[("empty list", []), ("str", "abc"), ("sentence of str", [["a", "b"]]),
                                        ("empty sentence", [[]])])
    ys = lambda: Obj(_sent_labels, extra=[("length mismatch", [["X", "Y"], ["Y", "Z"]]), ("str", "abc"),
                                          ("one sentence too few", [["X", "Y", "X"]])])
    S(CE, then=_fit(_sentences, _sent_labels), c2=Real(1.0, lo=0.0), max_iterations=Int(5), all_possible_states=Keep(False),
      num_memories=Int(6), init_scale=Real(0.0, lo=0.0), random_state=Seed(0, none_ok=True))
    S(CE + ".fit", obj=lambda: resolve(CE)(max_iterations=5), X=Xs(), y=ys())
    S(CE + ".encode", obj=_crf_fitted, X=Xs(), y=Keep(None))
    for meth in ["predict", "predict_marginals"]:
        S(CE + "." + meth, obj=_crf_fitted, X=Xs())
    S(CE + ".score", obj=_crf_fitted, X=Xs(), y=ys())

    # ---- studies --------------------------------------------------------------------------------
    ST = "nnbook.studies."
    bo = ST + "boolean."
    for f in ["all_inputs", "parity_table", "parity_chain", "parity_tree", "chain_counts", "tree_counts",
              "threshold_width_lower_bound"]:
        S(bo + f, n=Int(3))
    S(bo + "minimal_dnf_sizes", n=Int(2, hi=4))
    S(bo + "parity_one_hidden_layer", n=Int(3), hidden=Opt("step"))
    tt = lambda: Arr(lambda: np.array([0, 1, 1, 0]), nan=False, inf=False, cut=0, cplx=False,
                     extra=[("entry 2", np.array([0, 2, 1, 0])), ("float 0.5", np.array([0, 0.5, 1, 0]))])
    for f in ["check_truth_table", "minterms", "prime_implicants"]:
        S(bo + f, y=tt())
    S(bo + "minimal_dnfs", y=tt(), limit=Int(2, none_ok=True))
    S(bo + "network_from_truth_table", y=tt(), method=Opt("minterms"), complement=Obj("auto", extra=[("str 'bogus'", "bogus")]))
    term = lambda: Text("1-", extra=[("letter x", "1x"), ("empty string", "")])
    S(bo + "conjunction_unit", term=term())
    S(bo + "term_to_str", term=term())
    S(bo + "term_matches", term=term(), X=Arr(lambda: resolve(bo + "all_inputs")(2), nan=False, inf=False, cut=1, empty=False))
    terms = lambda: Obj(["1-", "-1"], extra=[("term with letter x", ["1x"]), ("terms of unequal length", ["1-", "1"]),
                                             ("str", 3)])
    S(bo + "dnf_to_str", terms=terms())
    S(bo + "dnf_network", terms=terms(), n=Int(2, extra=[("3 (!= term length)", 3)]), hidden=Opt("relu"),
      output=Opt("threshold"), negate=Keep(False))
    S(bo + "truth_table", f=Fn(lambda: (lambda X: X[:, 0] * X[:, 1])), n=Int(2))
    S(bo + "xor_network")
    ci = ST + "circuit."
    S(ci + "step", z=Arr(Z43, inf=False, ndim=False, empty=False, cut=None))
    S(ci + "forward", network=Obj(_xor, extra=[("str", "abc")]), X=Arr(lambda: resolve(bo + "all_inputs")(2), cut=1, empty=False),
      return_all=Keep(False))
    S(ci + "strictly_layered", network=Obj(_xor, extra=[("str", "abc"), ("None", None)]))
    S(ci + "Layer", W=Arr(lambda: np.ones((2, 2)), cut=1), b=Arr(lambda: np.zeros(2), cut=0), activation=Opt("relu"),
      then=lambda layer: resolve(ci + "forward")(resolve(ci + "Network")(2, (layer,)), np.ones((1, 2))))
    S(ci + "Network", n_inputs=Int(2), layers=Obj(lambda: _xor().layers, extra=[("empty", ()), ("str", "abc")]),
      then=lambda net: resolve(ci + "forward")(net, np.ones((1, 2))))
    S(ci + "NetworkBuilder", n_inputs=Int(2))
    S(ci + "NetworkBuilder.add_layer", obj=_builder,
      units=Obj([({0: 1.0, 1: 1.0}, 0.0)], extra=[("reads value 5", [({5: 1.0}, 0.0)]), ("str", "abc"),
                                                ("NaN weight", [({0: float("nan")}, 0.0)])]), activation=Opt("relu"))
    S(ci + "NetworkBuilder.build", obj=_builder)
    ap = ST + "approximation."
    S(ap + "OneHiddenLayer", w=Arr(lambda: np.ones(3), cut=0), c=Arr(lambda: np.zeros(3), cut=0),
      v=Arr(lambda: np.ones(3), cut=0), d=Real(0.0), activation=Opt("relu"), then=lambda net: net(np.linspace(0, 1, 5)))
    fsin = lambda: Fn(lambda: np.sin)
    S(ap + "relu_interpolant", f=fsin(), a=Real(0.0), b=Real(1.0, extra=[("b = a", 0.0), ("b < a", -1.0)]), width=Int(4))
    S(ap + "sigmoid_staircase", f=fsin(), a=Real(0.0), b=Real(1.0, extra=[("b = a", 0.0)]), width=Int(4),
      sharpness=Real(20.0, lo=0.0, lo_open=True))
    S(ap + "max_error", net=Obj(_net_ohl, extra=[("int 3 (not callable)", 3)]), f=fsin(), a=Real(0.0),
      b=Real(1.0, extra=[("b = a", 0.0)]), n_grid=Int(11, lo=2))
    S(ap + "tent", x=Arr(lambda: np.linspace(0, 1, 5), inf=False, ndim=False, empty=False, cut=None))
    S(ap + "sawtooth_network", x=Arr(lambda: np.linspace(0, 1, 5), inf=False, ndim=False, empty=False), depth=Int(2))
    S(ap + "count_linear_pieces", x=Arr(lambda: np.linspace(0, 1, 5), cut=0,
                                        extra=[("not increasing", np.array([0, 0.5, 0.25, 0.75, 1.0]))]),
      y=Arr(lambda: np.abs(np.linspace(-1, 1, 5)), cut=0), tol=Real(1e-9, lo=0.0))
    gl = ST + "glm."
    S(gl + "inverse_link", family=Opt("bernoulli"), eta=Arr(lambda: np.linspace(-1, 1, 5), inf=False, empty=False))
    eta = lambda: Arr(lambda: np.linspace(-1, 1, 8), inf=False, cut=0)
    y01 = lambda: Arr(lambda: (Y8() % 2).astype(float), cut=0, extra=[("y = 2 (bernoulli)", np.full(8, 2.0))])
    S(gl + "negative_log_likelihood", family=Opt("bernoulli"), eta=eta(), y=y01())
    S(gl + "nll_gradient", family=Opt("bernoulli"), eta=eta(), y=y01())
    S(gl + "GLMNeuron", then=_fit(X83, lambda: Y8() % 2), family=Opt("bernoulli"), alpha=Real(0.0, lo=0.0),
      max_iter=Int(20), tol=Real(1e-9, lo=0.0))
    S(gl + "GLMNeuron.fit", obj=lambda: resolve(gl + "GLMNeuron")(max_iter=20), X=Arr(X83, cut=0),
      y=Labels(lambda: Y8() % 2, 2))
    for meth in ["decision_function", "predict_mean", "predict"]:
        S(gl + "GLMNeuron." + meth, obj=_glm_fitted, X=Arr(X83, cut=1))
    se = ST + "selu."
    S(se + "elu_gaussian_moments", alpha=Real(1.0), mean=Real(0.0), var=Real(1.0, lo=0.0, lo_open=True))
    S(se + "elu_gaussian_moments_quad", alpha=Real(1.0), mean=Real(0.0), var=Real(1.0, lo=0.0, lo_open=True))
    S(se + "selu_alpha_closed_form")
    S(se + "selu_map_jacobian", mean=Real(0.0), var=Real(1.0, lo=0.0, lo_open=True), omega=Real(0.0),
      tau=Real(1.0, lo=0.0, lo_open=True), h=Real(1e-6, lo=0.0, lo_open=True))
    S(se + "selu_moment_map", mean=Real(0.0), var=Real(1.0, lo=0.0, lo_open=True), omega=Real(0.0),
      tau=Real(1.0, lo=0.0, lo_open=True), alpha=Real(1.67), lam=Real(1.05, lo=0.0, lo_open=True))
    S(se + "solve_selu_constants", xtol=Real(1e-12, lo=0.0, lo_open=True))
    zz = ST + "zigzag."
    Xp = lambda: Arr(lambda: np.abs(X83()) + 0.1, cut=0)
    yz = lambda: Arr(lambda: np.linspace(0, 1, 8), cut=0)
    wz = lambda: Arr(lambda: np.zeros(3), cut=0)
    S(zz + "per_example_gradients", X=Xp(), y=yz(), w=wz())
    S(zz + "same_sign_fraction", G=Arr(X83), tol=Real(0.0, lo=0.0))
    S(zz + "sgd_path", X=Xp(), y=yz(), w0=wz(), lr=Real(0.1, lo=0.0, lo_open=True), epochs=Int(1), batch_size=Int(2),
      random_state=Seed(0))
    S(zz + "steps_to_reach", path=Arr(lambda: np.linspace(0, 1, 10)[:, None] * np.ones((1, 3)), cut=1),
      w_star=Arr(lambda: np.ones(3), cut=0), radius=Real(0.1, lo=0.0))
    la = ST + "landscape."
    P2 = lambda: Arr(lambda: _rng(3).normal(size=(5, 2)), inf=False, cut=1, empty=False, ndim=False)
    Aq = lambda: Arr(lambda: np.array([[2.0, 0.5], [0.5, 1.0]]), cut=0, extra=[("not symmetric", np.array([[2.0, 1.0], [0.0, 1.0]]))])
    S(la + "quadratic", P=P2(), A=Aq())
    S(la + "quadratic_grad", P=P2(), A=Aq())
    for f in ["rosenbrock", "rosenbrock_grad"]:
        S(la + f, P=P2(), a=Real(1.0), b=Real(100.0))
    S(la + "saddle", P=P2())
    S(la + "saddle_grad", P=P2())
    S(la + "ill_conditioned_matrix", condition=Real(25.0, lo=0.0, lo_open=True), angle=Real(0.5))
    S(la + "trajectory", optimizer=Opt("sgd"), grad_fn=Fn(lambda: (lambda x: 2 * x)),
      x0=Arr(lambda: np.array([1.0, -1.0]), cut=None, ndim=True), n_steps=Int(3, lo=0), lr=Real(0.1, lo=0.0))
    if torch_ok:
        th = lambda: Tensor(_theta, cut=None, empty=True)
        fq = lambda: Fn(_quadratic_f)
        S(la + "hessian", f=fq(), theta=th())
        S(la + "gradient_norm_sq", f=fq(), theta=th())
        S(la + "find_critical_point", f=fq(), theta0=th(), max_iter=Int(5))
        S(la + "gradient_descent", f=fq(), theta0=th(), lr=Real(0.1, lo=0.0, lo_open=True), n_steps=Int(3, lo=0),
          record_every=Int(1))
        S(la + "flat_loss", model=Module(T_MODEL), X=Tensor(T_X, cut=1), y=Tensor(T_Y, cut=0), loss_fn=Keep(None))
        S(la + "loss_along_gradient", model=Module(T_MODEL), X=Tensor(T_X, cut=1), y=Tensor(T_Y, cut=0),
          step_sizes=Obj([0.0, 0.1], extra=[("NaN", [float("nan")]), ("str", "abc")]), loss_fn=Keep(None))
        S(la + "train_restarts", X=Tensor(lambda: T_X().double(), cut=0), y=Tensor(lambda: T_X().double()[:, 0], cut=0),
          width=Int(3), n_restarts=Int(2), n_steps=Int(3, lo=0), lr=Real(0.01, lo=0.0, lo_open=True), seed=TSeed(0))
        cp = ST + "critical_points."
        S(cp + "gradient_norm", f=fq(), theta=th())
        S(cp + "minimize_lbfgs", f=fq(), theta0=th(), max_iter=Int(5), grad_tol=Real(1e-6, lo=0.0, lo_open=True))
        S(cp + "newton_polish", f=fq(), theta=th(), n_steps=Int(2, lo=0))
    cp = ST + "critical_points."
    S(cp + "classify_critical_point", eigenvalues=Arr(lambda: np.array([1.0, 2.0]), cut=None, ndim=False),
      grad_norm=Real(1e-12, lo=0.0), grad_tol=Real(1e-10, lo=0.0, lo_open=True), zero_tol=Real(1e-8, lo=0.0))
    apr = ST + "activation_properties."
    S(apr + "measure_properties", name=Opt("relu"))
    S(apr + "torch_module", name=Opt("relu"))
    S(apr + "time_activation", name=Opt("relu"), n=Int(100), repeats=Int(1), backend=Opt("numpy"), seed=Seed(0))
    S(apr + "best_time", function=Fn(lambda: (lambda *a: None)), repeats=Int(1))
    if torch_ok:
        S(ST + "convergence.epochs_to_loss", model=Module(T_MODEL), train=Data(T_DATA),
          target=Real(5.0, lo=0.0, lo_open=True), max_epochs=Int(1),
          optimizer=Obj(lambda: T_SGD(T_MODEL()), extra=[("str (not an optimizer)", "abc")]), batch_size=Int(4),
          seed=TSeed(0), window=Int(2, none_ok=True), loss_fn=Keep(None),
          call=lambda fn, kw: fn(**{**kw, "optimizer": T_SGD(kw["model"]) if kw["optimizer"] is not None and not isinstance(kw["optimizer"], str) and hasattr(kw["model"], "parameters") else kw["optimizer"]}))
        seqm = lambda: Module(lambda: _torch().nn.Sequential(_torch().nn.Linear(3, 4), _torch().nn.ReLU(), _torch().nn.Linear(4, 3)))
        S(ST + "covariate_shift.track_covariate_shift", model=seqm(), train=Data(T_DATA), X_probe=Tensor(T_X, cut=1),
          y_probe=Tensor(T_Y, cut=0), epochs=Int(1), optimizer=Obj(lambda: T_SGD(T_MODEL()), extra=[("str", "abc")]),
          step_sizes=Obj([0.0, 0.1], extra=[("str", "abc")]), batch_size=Int(4), seed=TSeed(0),
          call=lambda fn, kw: fn(**{**kw, "optimizer": T_SGD(kw["model"]) if not isinstance(kw["optimizer"], str) and kw["optimizer"] is not None and hasattr(kw["model"], "parameters") else kw["optimizer"]}))
        bnm = lambda: Module(lambda: _torch().nn.Sequential(_torch().nn.Linear(3, 4), _torch().nn.BatchNorm1d(4), _torch().nn.Linear(4, 3)))
        S(ST + "batch_statistics.train_mode_predictions", model=bnm(), X=Tensor(T_X, cut=1, nan=False),
          batch_size=Int(4, lo=2), seed=TSeed(0))
    SKIP(ST + "covariate_shift.ShiftRecord", "result record (dataclass)")

    # ---- nets -----------------------------------------------------------------------------------
    if torch_ok:
        NT = "nnbook.nets."
        S(NT + "training.fit", model=Module(T_MODEL), train=Data(T_DATA), epochs=Int(1),
          optimizer=Obj(lambda: T_SGD(T_MODEL()), extra=[("str (not an optimizer)", "abc")]), batch_size=Int(4),
          test=Keep(None), scheduler=Keep(None), transform=Keep(None), loss_fn=Keep(None), seed=TSeed(0),
          verbose=Keep(False), shuffle=Keep(True), on_step=Keep(None),
          call=lambda fn, kw: fn(**{**kw, "optimizer": T_SGD(kw["model"]) if not isinstance(kw["optimizer"], str) and kw["optimizer"] is not None and hasattr(kw["model"], "parameters") else kw["optimizer"]}))
        S(NT + "training.evaluate", model=Module(T_MODEL), data=Data(T_DATA), batch_size=Int(4), loss_fn=Keep(None))
        SKIP(NT + "training.History", "result record (dataclass)")
        dm = lambda: Module(lambda: resolve("nnbook.nets.builder.deep_mlp")(2, 4, 3, 3))
        for f in ["dead_unit_fraction", "dead_unit_masks", "layer_activation_stats"]:
            S(NT + "diagnostics." + f, model=dm(), X=Tensor(T_X, cut=1))
        for f in ["layer_gradient_norms", "layer_gradient_summary"]:
            S(NT + "diagnostics." + f, model=dm(), X=Tensor(T_X, cut=1), y=Tensor(T_Y, cut=0), loss_fn=Keep(None))
        S(NT + "augmentation.RandomShift", image_shape=IntSeq((3, 3)), max_shift=Int(1, lo=0, extra=[("3 (>= image side)", 3)]),
          seed=TSeed(0), then=lambda t: t(_torch().zeros(2, 9)))
        S(NT + "augmentation.ensemble_predict_proba", models=Obj(lambda: [T_MODEL(), T_MODEL()],
                                                                 extra=[("empty list", []), ("str", "abc")]),
          X=Tensor(T_X, cut=1, nan=True))
        MD = NT + "models."
        S(MD + "alexnet.AlexNet", meta=True, n_classes=Int(10), variant=Opt("torchvision"),
          dropout=Real(0.5, lo=0.0, hi=1.0), then=_fwd((1, 3, 224, 224), meta=True))
        S(MD + "inception.GoogLeNet", meta=True, n_classes=Int(10), dropout=Real(0.4, lo=0.0, hi=1.0),
          factorise=Opt("none"), then=_fwd((1, 3, 224, 224), meta=True))
        S(MD + "inception.InceptionModule", in_channels=Int(4), c1=Int(2), c3_reduce=Int(2), c3=Int(2), c5_reduce=Int(2),
          c5=Int(2), pool_proj=Int(2), factorise=Opt("none"), then=_fwd((1, 4, 8, 8)))
        S(MD + "lenet.LeNet5", n_classes=Int(10), activation=Opt("tanh"), pooling=Opt("avg"),
          widths=IntSeq((6, 16, 120, 84), extra=[("three widths", (6, 16, 120))]), batch_norm=Keep(False),
          dropout=Real(0.0, lo=0.0, hi=1.0), then=_fwd((2, 1, 28, 28)))
        S(MD + "lenet.lenet5_1998_parameter_counts")
        S(MD + "locally_connected.LocallyConnected2d", in_channels=Int(2), out_channels=Int(2),
          input_size=IntSeq((6, 6), extra=[("one number", (6,))]), kernel_size=Int(3, extra=[("7 (> input)", 7)]),
          stride=Int(1), padding=Int(0, lo=0), bias=Keep(True), then=_fwd((1, 2, 6, 6)))
        S(MD + "locally_connected.synthetic_faces", n=Int(4), n_identities=Int(2), max_shift=Int(0, lo=0, hi=3),
          noise=Real(0.5, lo=0.0), random_state=Seed(0), pattern_seed=Seed(0))
        R = MD + "resnet."
        for blk in ["BasicBlock", "PreActBlock"]:
            S(R + blk, in_channels=Int(4), channels=Int(4), stride=Int(1), then=_fwd((1, 4, 8, 8)))
        S(R + "Bottleneck", in_channels=Int(4), channels=Int(2), stride=Int(1), stride_in_1x1=Keep(False), then=_fwd((1, 4, 8, 8)))
        S(R + "MLPBlock", width=Int(4), shortcut=Keep(True), preactivation=Keep(False), zero_init=Keep(False),
          then=lambda m: m.eval()(_torch().zeros(2, 4)))
        S(R + "ResNet", block=Opt("basic"), layers=IntSeq((1, 1, 1, 1), extra=[("three stages", (1, 1, 1))]),
          n_classes=Int(10), in_channels=Int(3), width=Int(8), small_input=Keep(True), stride_in_1x1=Keep(False),
          then=_fwd((1, 3, 16, 16)))
        for f in ["preact_resnet18", "resnet18", "resnet34"]:
            S(R + f, meta=True, n_classes=Int(10), then=_fwd((1, 3, 64, 64), meta=True))
        S(R + "resnet50", meta=True, n_classes=Int(10), stride_in_1x1=Keep(False), then=_fwd((1, 3, 64, 64), meta=True))
        S(R + "block_mlp", n_blocks=Int(2, lo=0), width=Int(4), in_features=Int(3), n_classes=Int(2), shortcut=Keep(True),
          preactivation=Keep(False), zero_init=Keep(False))
        sm = MD + "summary."
        S(sm + "count_parameters", model=Module(T_MODEL), trainable_only=Keep(False))
        S(sm + "profile", model=Module(T_MODEL), input_size=IntSeq((3,), extra=[("(4,) mismatch", (4,))]))
        SKIP(sm + "Profile", "result record (NamedTuple)")
        tc = MD + "textcnn."
        S(tc + "TextCNN", vocab_size=Int(10), embed_dim=Int(4), n_classes=Int(2), windows=IntSeq((2, 3)), n_filters=Int(2),
          embeddings=Keep(None), mode=Opt("rand"), dropout=Real(0.5, lo=0.0, hi=1.0),
          then=lambda m: m.eval()(_tokens()))
        tok = lambda: Tensor(_tokens, nan=False, cut=None, empty=False, extra=[("index 10 (= vocab_size)", _torch().tensor([[10, 1, 2, 3, 4]])),
                                                                   ("too short for the windows", _torch().tensor([[1, 2]])),
                                                                   ("float tokens", _tokens().float())])
        for meth in ["forward", "embed", "feature_maps"]:
            S(tc + "TextCNN." + meth, obj=lambda: _textcnn().eval(), tokens=tok())
        S(tc + "top_ngrams", model=Obj(lambda: _textcnn().eval(), extra=[("str", "abc")]), tokens=tok(),
          words=Obj(lambda: [f"w{i}" for i in range(10)], extra=[("too few words", ["w0"]), ("str", 3)]), per_filter=Int(2))
        vg = MD + "vgg."
        S(vg + "VGG", meta=True, config=Opt("A"), n_classes=Int(10), batch_norm=Keep(False),
          dropout=Real(0.5, lo=0.0, hi=1.0), then=_fwd((1, 3, 32, 32), meta=True))
        S(vg + "vgg16", meta=True, n_classes=Int(10), batch_norm=Keep(False), then=_fwd((1, 3, 32, 32), meta=True))
        # forward methods of the torch modules: shapes only
        for cls, shape, meta in [(MD + "alexnet.AlexNet", (1, 3, 224, 224), True), (MD + "inception.GoogLeNet", (1, 3, 224, 224), True),
                                 (MD + "lenet.LeNet5", (2, 1, 28, 28), False), (R + "ResNet", (1, 3, 16, 16), False),
                                 (vg + "VGG", (1, 3, 32, 32), True)]:
            if meta:
                SKIP(cls + ".forward", "whole ImageNet network on the meta device: forward inputs surveyed on its blocks")
        for cls, args, shape in [(MD + "inception.InceptionModule", (4, 2, 2, 2, 2, 2, 2), (1, 4, 8, 8)),
                                 (R + "BasicBlock", (4, 4), (1, 4, 8, 8)), (R + "PreActBlock", (4, 4), (1, 4, 8, 8)),
                                 (R + "Bottleneck", (4, 2), (1, 4, 8, 8)), (R + "MLPBlock", (4,), (2, 4)),
                                 (MD + "locally_connected.LocallyConnected2d", (2, 2, (6, 6), 3), (1, 2, 6, 6)),
                                 (MD + "lenet.LeNet5", (), (2, 1, 28, 28)),
                                 (R + "ResNet", ("basic", (1, 1, 1, 1), 10, 3, 8, True), (1, 3, 16, 16))]:
            argname = "x" if cls.startswith(R) and not cls.endswith("ResNet") else "X"
            S(cls + ".forward", obj=(lambda c=cls, a=args: resolve(c)(*a).eval()),
              **{argname: Tensor(_image_tensor(shape), nan=False, cut=1, empty=False)})
        S(MD + "locally_connected.LocallyConnected2d.extra_repr",
          obj=lambda: resolve(MD + "locally_connected.LocallyConnected2d")(2, 2, (6, 6), 3))

    # ---- data -----------------------------------------------------------------------------------
    DA = "nnbook.data."
    for f in ["load_digits", "load_mnist_subset"]:
        S(DA + "datasets." + f, test_size=Real(0.25, lo=0.0, hi=1.0, lo_open=True, hi_open=True), random_state=Seed(0),
          images=Keep(False))
    if torch_ok:
        S(DA + "datasets.to_tensor_dataset", X=Arr(X83, cut=0, inf=True, nan=True), y=Labels(Y8, None, cut=True),
          image_channels=Keep(False))
    SKIP(DA + "datasets.Split", "result record (NamedTuple)")
    co = DA + "corpora."
    words = lambda: Obj(["香港", "人"], extra=[("str (not a list)", 3), ("list with an int", ["香港", 3])])
    S("nnbook.seq.segmentation.bmes_tags", words=words())
    S(co + "han_runs", words=words())
    S(co + "sentence_features", words=words())
    S(co + "pos_features", words=words(), t=Int(1, lo=0, hi=1))
    S(co + "char_type", word=Text("香港"))
    S(co + "ud_tag", word=Text("香港"), hkcancor_pos=Text("ns"))
    S(co + "build_vocabulary", sentences=Obj([["a", "b"], ["a"]], extra=[("str", 3), ("list of ints", [[1, 2]])]),
      min_count=Int(2, lo=None))
    S(co + "encode", words=words(), vocabulary=Obj({"<unk>": 0, "香港": 1}, extra=[("list", ["a"]), ("str", "abc")]))
    S("nnbook.seq.segmentation.encode_chars", text=Text("香港人"), model=Obj(_jieba, extra=[("str", "abc")]))
    S("nnbook.seq.segmentation.segment", text=Text("香港人", extra=[("empty string", "")]),
      model=Obj(_jieba, extra=[("str", "abc")]))
    S("nnbook.seq.segmentation.words_from_tags", text=Text("香港人"), tags=Obj("BES", extra=[("letter X", "BXS"), ("length mismatch", "BE"),
                                                                    ("int", 3)]))
    S(co + "word_f1", gold=Obj([["香港", "人"]], extra=[("str", 3), ("different characters", [["香", "人"]])]),
      predicted=Obj([["香", "港", "人"]], extra=[("str", 3), ("one sentence too many", [["香港人"], ["人"]])]))
    S(co + "load_hkcancor", test_every=Int(5, lo=2))
    S(co + "load_jieba_hmm")
    SKIP(co + "TaggedCorpus", "result record (NamedTuple)")
    SKIP(co + "JiebaHMM", "result record (NamedTuple)")
    te = DA + "text."
    S(te + "generate_reviews", n=Int(4), random_state=Seed(0), p_negation=Real(0.5, lo=0.0, hi=1.0),
      positive=Obj(("good",), extra=[("empty", ()), ("str", 3)]), negative=Obj(("bad",), extra=[("empty", ()), ("str", 3)]),
      follow_up=Keep(False))
    S(te + "Vocabulary")
    S(te + "Vocabulary.fit", obj=lambda: resolve(te + "Vocabulary")(),
      reviews=Obj(_reviews, extra=[("str", 3), ("list of ints", [[1, 2]])]))
    S(te + "Vocabulary.encode", obj=_vocab, reviews=Obj(_reviews, extra=[("str", 3)]),
      length=Int(3, extra=[("1 (< longest review)", 1)]))
    S(te + "cooccurrence_counts", reviews=Obj(_reviews, extra=[("str", 3)]),
      vocabulary=Obj(_vocab, extra=[("str", "abc"), ("unfitted", None)]), window=Int(2))
    cnt = lambda: Arr(lambda: np.array([[0.0, 2, 1], [2, 0, 1], [1, 1, 0]]), cut=1,
                      extra=[("negative count", np.array([[0.0, -2, 1], [2, 0, 1], [1, 1, 0]]))])
    S(te + "ppmi", counts=cnt())
    S(te + "svd_embeddings", counts=cnt(), dim=Int(2, extra=[("4 (> n_words)", 4)]))
    # ---- top level ------------------------------------------------------------------------------
    S("nnbook.runtime.setup", seed=Seed(0), threads=Int(1), style=Keep(False))
    S("nnbook.runtime.device")
    S("nnbook.runtime.one_blas_thread", then=lambda cm: cm.__enter__() and None or cm.__exit__(None, None, None))
    S("nnbook.runtime.best_time", f=Fn(lambda: (lambda: None)), repeats=Int(1))
    sd = "nnbook.seeds."
    vals = lambda: Arr(lambda: np.array([0.5, 0.51, 0.52]), nan=False, inf=False, cut=None, ndim=True)
    fmt = lambda: Obj(".2f", extra=[("bad format 'q'", "q")])
    S(sd + "mean_std", values=vals(), fmt=fmt(), scale=Real(1.0))
    S(sd + "spread", values=vals(), fmt=fmt(), scale=Real(1.0), unit=Keep(""))
    S(sd + "over_seeds", run=Fn(lambda: (lambda s: float(s))), seeds=IntSeq([0, 1], lo=0))
    pl = "nnbook.plotting."
    S(pl + "use_book_style")
    S(pl + "decision_boundary", predict_proba=Fn(lambda: (lambda P: 1 / (1 + np.exp(-P[:, 0])))),
      X=Arr(lambda: X83()[:, :2], cut=1), y=Labels(lambda: Y8() % 2, 2), ax=Keep(None), resolution=Int(5),
      padding=Real(0.5))
    S(pl + "image_grid", images=Arr(lambda: _rng(1).random((4, 3, 3)), cut=None), labels=Keep(None), n_cols=Int(2),
      cmap=Opt("gray_r"), ax_size=Real(0.5, lo=0.0, lo_open=True))
    S(pl + "karnaugh_map", y=tt(), terms=Obj(("1-",), extra=[("term of wrong length", ("1--",)), ("letter x", ("x-",))]),
      ax=Keep(None))
    S(pl + "timeline", events=Obj([(1958, "perceptron"), (1986, "backprop")],
                                  extra=[("empty list", []), ("decreasing years", [(1986, "b"), (1958, "p")]),
                                         ("not pairs", [1958, 1986]), ("str", "abc")]),
      ax=Keep(None), width=Real(3.0, lo=0.0, lo_open=True))


# ---------------------------------------------------------------------------------------------
# enumeration
# ---------------------------------------------------------------------------------------------
_METHOD_NAMES = re.compile(r"^(fit|predict\w*|score|decode|sample|forward|backward|encode|embed|feature_maps|"
                           r"loss_and_gradients|initialize|decision_function|step|zero_grad|rows|add_layer|build|"
                           r"transform|extra_repr|fit_\w+|partial_fit|__call__)$")


@dataclass
class Target:
    qual: str           # new qualified name, e.g. nnbook.seq.hmm_estimator.CategoricalHMM.fit
    module: str         # new module name
    label: str          # name inside the module (Class.method for methods)
    fn: object          # the callable (for methods: the unbound function)
    is_method: bool
    cls: object = None


def enumerate_targets(prefix: str = "nnbook"):
    import nnbook
    names = sorted({m.name for m in pkgutil.walk_packages(nnbook.__path__, "nnbook.")} | {"nnbook"})
    targets, import_errors = [], {}
    for modname in names:
        if any(part.startswith("_") for part in modname.split(".")):
            continue  # private modules (nnbook._validation, ...) are not entry points
        try:
            mod = importlib.import_module(modname)
        except Exception as exc:  # pragma: no cover - reported
            import_errors[modname] = f"{type(exc).__name__}: {exc}"
            continue
        for name, obj in sorted(vars(mod).items()):
            if name.startswith("_") or not (inspect.isfunction(obj) or inspect.isclass(obj)):
                continue
            if getattr(obj, "__module__", None) != modname:
                continue
            qual = new_name(modname, name)
            module = qual.rpartition(".")[0]
            if not (module == prefix or module.startswith(prefix + ".") or qual.startswith(prefix)):
                continue
            targets.append(Target(qual, module, name, obj, False))
            if inspect.isclass(obj) and not issubclass(obj, BaseException) and qual not in SKIP_RECORDS:
                for mname, member in sorted(vars(obj).items()):
                    if inspect.isfunction(member) and _METHOD_NAMES.match(mname) and not mname.startswith("_"):
                        targets.append(Target(f"{qual}.{mname}", module, f"{name}.{mname}", member, True, obj))
    targets.sort(key=lambda t: (t.module, t.label))
    return targets, import_errors


# ---------------------------------------------------------------------------------------------
# running and classifying
# ---------------------------------------------------------------------------------------------
class Hang(BaseException):
    pass


def _alarm(signum, frame):
    raise Hang()


_WORD = "(?<![A-Za-z0-9_])"
_ENDW = "(?![A-Za-z0-9_])"
_ARTICLES = {"a", "A", "I"}
_CODE_AFTER = re.compile(r"\s*(=|must|has|have|with|should|is not|of shape|contains|\[|:|\)|'|`|needs|does|\()")


def names_argument(message: str, names) -> bool:
    for name in names:
        for m in re.finditer(_WORD + re.escape(name) + _ENDW, message):
            if name not in _ARTICLES:
                return True
            before = message[m.start() - 1:m.start()] if m.start() else ""
            if before in ("'", "`", '"', "(", "[", "=") or _CODE_AFTER.match(message[m.end():]):
                return True
    return False


def _short(text: str, n: int = 160) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= n else text[: n - 3] + "..."


def _cleanup():
    if "matplotlib.pyplot" in sys.modules:
        sys.modules["matplotlib.pyplot"].close("all")
    if "torch" in sys.modules:
        sys.modules["torch"].set_num_threads(1)


def call_once(target: Target, spec: Spec, kwargs: dict):
    """Run one call; returns ('ok', result_repr, warnings) or ('error', exc, warnings) or ('hang', None, w)."""
    meta_ctx = contextlib.nullcontext()
    if spec.meta:
        import torch
        meta_ctx = torch.device("meta")
    sink = io.StringIO()
    with warnings.catch_warnings(record=True) as caught, contextlib.redirect_stdout(sink), \
            contextlib.redirect_stderr(sink):
        warnings.simplefilter("always")
        signal.setitimer(signal.ITIMER_REAL, TIMEOUT_S)
        try:
            with meta_ctx:
                if target.is_method:
                    instance = spec.obj()
                    result = getattr(instance, target.fn.__name__)(**kwargs)
                elif spec.call is not None:
                    result = spec.call(target.fn, kwargs)
                else:
                    result = target.fn(**kwargs)
                if spec.then is not None:
                    result = spec.then(result)
            outcome = ("ok", type(result).__name__, None)
        except Hang:
            outcome = ("hang", None, None)
        except BaseException as exc:  # noqa: BLE001 - everything is classified
            if isinstance(exc, (KeyboardInterrupt, SystemExit)):
                raise
            outcome = ("error", exc, None)
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
            _cleanup()
    kinds = sorted({w.category.__name__ for w in caught})
    return outcome[0], outcome[1], kinds


def plan(target: Target):
    """(spec, args: {name: (Arg, required)}, problem) for one target."""
    spec = SPECS.get(target.qual)
    if inspect.isclass(target.fn) and issubclass(target.fn, BaseException):
        return spec, None, "skipped: exception class"
    if spec is not None and spec.skip:
        return spec, None, f"skipped: {spec.skip}"
    if target.is_method and (spec is None or spec.obj is None):
        return spec, None, "no baseline: a method without an instance factory in SPECS"
    spec = spec or Spec()
    fn = target.fn
    try:
        sig = inspect.signature(fn)
    except (TypeError, ValueError):
        return spec, None, "no signature"
    params = list(sig.parameters.values())
    if target.is_method:
        params = params[1:]
    elif inspect.isclass(fn) and params and params[0].name == "self":
        params = params[1:]
    args, missing = {}, []
    for p in params:
        if p.kind in (p.VAR_POSITIONAL, p.VAR_KEYWORD):
            continue
        required = p.default is inspect.Parameter.empty
        arg = spec.args.get(p.name)
        if arg is None:
            arg = infer(p.name, None if required else p.default, required)
        elif not isinstance(arg, Arg):
            arg = Keep(arg)
        if arg is None:
            if required:
                missing.append(p.name)
            continue
        args[p.name] = (arg, required)
    for name, arg in spec.args.items():  # arguments passed through **kwargs
        if name not in args:
            args[name] = (arg if isinstance(arg, Arg) else Keep(arg), False)
    if missing:
        return spec, None, f"no baseline: no convention for required argument(s) {missing}"
    return spec, args, None


def survey(prefix: str = "nnbook", verbose: bool = False):
    _register_specs()
    signal.signal(signal.SIGALRM, _alarm)
    if "torch" in sys.modules or importlib.util.find_spec("torch"):
        import torch
        torch.set_num_threads(1)
    targets, import_errors = enumerate_targets(prefix)
    cases, baseline_failures, not_surveyed, surveyed, accepted = [], [], [], [], []
    t_start = time.perf_counter()
    for target in targets:
        spec, args, problem = plan(target)
        if problem:
            not_surveyed.append({"callable": target.qual, "module": target.module, "reason": problem})
            continue
        base_kwargs = {name: arg.valid() for name, (arg, _) in args.items()}
        status, detail, _ = call_once(target, spec, base_kwargs)
        if status != "ok":
            what = "hang" if status == "hang" else f"{type(detail).__name__}: {_short(detail)}"
            baseline_failures.append({"callable": target.qual, "module": target.module, "error": what})
            continue
        n_before = len(cases)
        for name, (arg, required) in args.items():
            names = (name,) + arg.names
            for label, value in arg.all_bad(required):
                kwargs = {k: (a.valid() if k != name else value) for k, (a, _) in args.items()}
                t0 = time.perf_counter()
                status, detail, warned = call_once(target, spec, kwargs)
                elapsed = time.perf_counter() - t0
                if status == "ok" and _contract(target.qual, name, label):
                    accepted.append({"callable": target.qual, "arg": name, "bad": label,
                                     "reason": _contract(target.qual, name, label)})
                    continue
                if status == "ok":
                    outcome, what = "silent", f"returned {detail}"
                elif status == "hang":
                    outcome, what = "hang", f"no result after {TIMEOUT_S:.0f} s"
                else:
                    exc = detail
                    what = f"{type(exc).__name__}: {_short(exc)}"
                    if isinstance(exc, MemoryError):
                        outcome = "unclear"
                    elif isinstance(exc, (ValueError, TypeError)) and names_argument(str(exc), names):
                        outcome = "clear"
                    else:
                        outcome = "unclear"
                case = {"module": target.module, "callable": target.qual, "arg": name, "bad": label,
                        "outcome": outcome, "what": what, "seconds": round(elapsed, 3)}
                if warned:
                    case["warnings"] = warned
                cases.append(case)
                if verbose:
                    print(f"{outcome:8s} {target.qual}({name}={label}): {what}", file=sys.stderr)
        if len(cases) > n_before:
            surveyed.append(target.qual)
        else:
            not_surveyed.append({"callable": target.qual, "module": target.module,
                                 "reason": "no argument to mutate (valid baseline ran)"})
    return {"cases": cases, "baseline_failures": baseline_failures, "not_surveyed": not_surveyed,
            "accepted_by_contract": accepted, "surveyed": surveyed, "import_errors": import_errors, "seconds": round(time.perf_counter() - t_start, 1)}


OUTCOMES = ("clear", "unclear", "silent", "hang")

#: Values the generic mutations produce that the callable's documented contract accepts: they are
#: not bad inputs, so they are left out of the counts and listed (with the reason) in the report.
#: (callable, argument, label prefix) -> reason
CONTRACT = {
    ("nnbook.nn.losses.softmax", "Z", "ndim"): "softmax takes any shape (..., K)",
    ("nnbook.nn.mlp.init_params", "rng", ""): "rng is a Generator, an int or None (documented)",
    ("nnbook.nn.mlp.output_delta", "output_activation", "None"): "None means the loss's own output (documented)",
    ("nnbook.nn.normalization.batch_norm_forward", "eps", "0.0"): "eps = 0 is allowed (ch4/04 uses it); a constant channel is refused",
    ("nnbook.nn.normalization.batch_norm_inference", "eps", "0.0"): "eps = 0 is allowed, as in batch_norm_forward",
    ("nnbook.nn.optim.GradClipping", "max_norm", "inf"): "max_norm = inf means no clipping (as in torch)",
    ("nnbook.nn.optim.clip_grad_norm", "max_norm", "inf"): "max_norm = inf means no clipping (as in torch)",
    ("nnbook.nn.pooling.pool2d_forward", "X", "inf"): "max pooling over inf entries is defined (inf)",
    ("nnbook.nn.pooling.spatial_pyramid_pool_forward", "X", "inf"): "max pooling over inf entries is defined (inf)",
    ("nnbook.seq.hmm.expected_counts", "log_start", "positive"): "the counts are normalised by Z: any log-potentials are valid",
    ("nnbook.studies.landscape.quadratic", "P", "NaN"): "test functions evaluate diverged (NaN) points to NaN (documented)",
    ("nnbook.studies.landscape.quadratic_grad", "P", "NaN"): "as quadratic",
    ("nnbook.studies.landscape.rosenbrock", "P", "NaN"): "as quadratic",
    ("nnbook.studies.landscape.rosenbrock_grad", "P", "NaN"): "as quadratic",
    ("nnbook.studies.landscape.saddle", "P", "NaN"): "as quadratic",
    ("nnbook.studies.landscape.saddle_grad", "P", "NaN"): "as quadratic",
    ("nnbook.studies.zigzag.steps_to_reach", "path", "inf"): "an infinite point is never within reach (documented)",
}


def _contract(qual: str, arg: str, label: str) -> str | None:
    for (q, a, prefix), reason in CONTRACT.items():
        if q == qual and a == arg and label.startswith(prefix):
            return reason
    return None


def summarise(result: dict) -> dict:
    cases = result["cases"]
    total = len(cases)
    counts = {o: sum(c["outcome"] == o for c in cases) for o in OUTCOMES}
    summary = {"bad_inputs": total, "callables": len(result["surveyed"]),
               **{o: counts[o] for o in OUTCOMES},
               **{f"{o}_pct": round(100 * counts[o] / total, 1) if total else 0.0 for o in OUTCOMES},
               "baseline_failures": len(result["baseline_failures"]), "not_surveyed": len(result["not_surveyed"]),
               "seconds": result["seconds"]}
    return summary


def module_table(result: dict):
    import pandas as pd
    cases = pd.DataFrame(result["cases"])
    if cases.empty:
        return pd.DataFrame()
    table = cases.groupby("module").agg(callables=("callable", "nunique"), bad_inputs=("outcome", "size"))
    for o in OUTCOMES:
        table[f"{o} %"] = cases.assign(hit=cases["outcome"].eq(o)).groupby("module")["hit"].mean().mul(100).round(1)
    return table.sort_index()


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--json", metavar="PATH", help="write summary, per-module table and every case as JSON")
    parser.add_argument("--module", metavar="PREFIX", default="nnbook",
                        help="only callables whose (new) qualified name starts with PREFIX, e.g. nnbook.seq")
    parser.add_argument("--verbose", action="store_true", help="print every case as it runs (stderr)")
    parser.add_argument("--limit", type=int, default=25, help="silent/unclear cases printed per kind (all go to --json)")
    opts = parser.parse_args(argv)
    import pandas as pd

    result = survey(opts.module, opts.verbose)
    summary = summarise(result)
    table = module_table(result)
    import nnbook
    print(f"nnbook from {nnbook.__path__[0]}")
    print(f"nnbook bad-input survey: {summary['bad_inputs']} bad inputs on {summary['callables']} public callables "
          f"({summary['seconds']} s)")
    print("  " + ", ".join(f"{o} {summary[o]} ({summary[o + '_pct']}%)" for o in OUTCOMES))
    print(f"  baselines that failed on valid input: {summary['baseline_failures']}; "
          f"callables not surveyed: {summary['not_surveyed']}")
    with pd.option_context("display.max_rows", 500, "display.width", 160):
        print()
        print(table.to_string())
    for kind in ("silent", "unclear", "hang"):
        rows = [c for c in result["cases"] if c["outcome"] == kind]
        if rows:
            print(f"\n{kind} cases ({len(rows)}{', first ' + str(opts.limit) if len(rows) > opts.limit else ''}):")
            for c in rows[: opts.limit]:
                print(f"  {c['callable']}({c['arg']} = {c['bad']}): {c['what']}")
    if result.get("accepted_by_contract"):
        print(f"\nmutations the documented contract accepts (not counted: {len(result['accepted_by_contract'])}):")
        for c in result["accepted_by_contract"]:
            print(f"  {c['callable']}({c['arg']} = {c['bad']}): {c['reason']}")
    if result["baseline_failures"]:
        print("\nbaselines that failed on valid input (excluded):")
        for b in result["baseline_failures"]:
            print(f"  {b['callable']}: {b['error']}")
    if result["import_errors"]:
        print("\nmodules that failed to import:", result["import_errors"])
    if opts.json:
        payload = {"summary": summary, "per_module": table.reset_index().to_dict(orient="records"),
                   "silent": [c for c in result["cases"] if c["outcome"] == "silent"],
                   "unclear": [c for c in result["cases"] if c["outcome"] == "unclear"],
                   "hang": [c for c in result["cases"] if c["outcome"] == "hang"],
                   **result}
        with open(opts.json, "w", encoding="utf-8") as fh:
            json.dump(payload, fh, indent=1, ensure_ascii=False, default=str)
        print(f"\nwrote {opts.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
