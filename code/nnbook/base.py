"""The estimator contract shared by nnbook's models (scikit-learn's conventions, in 60 lines).

* ``__init__`` only stores its arguments, under their own names; nothing is checked or derived
  there (``fit`` validates them, so ``set_params`` followed by ``fit`` behaves like a fresh model);
* :meth:`Estimator.get_params` / :meth:`Estimator.set_params` read and write those arguments,
  so ``sklearn.base.clone`` works and a grid of settings is one ``set_params`` away;
* ``repr`` shows the arguments that differ from their defaults, as scikit-learn does;
* learned attributes end in ``_`` (``coef_``, ``startprob_``, ``n_features_``) and exist only
  after ``fit``; a method that needs them before raises :class:`NotFittedError`.

Used by ``nnbook.nn.mlp.MLP``, ``nnbook.studies.glm.GLMNeuron``, ``nnbook.seq.hmm_estimator.
CategoricalHMM``, ``nnbook.seq.crf_estimator.LinearChainCRF`` and ``nnbook.seq.mixture.
GaussianMixture``. Book appendix "How the code is organised".
"""
from __future__ import annotations

import inspect

__all__ = ["Estimator", "NotFittedError"]


class NotFittedError(ValueError, AttributeError):
    """Raised when a method needs learned attributes that only ``fit`` creates.

    A subclass of both ``ValueError`` and ``AttributeError``, like scikit-learn's.
    """


class Estimator:
    """Base class: parameters are the keyword arguments of ``__init__``, stored unchanged."""

    @classmethod
    def _param_names(cls) -> list[str]:
        signature = inspect.signature(cls.__init__)
        return [p.name for p in signature.parameters.values()
                if p.name != "self" and p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)]

    def get_params(self, deep: bool = True) -> dict:
        """The constructor's arguments as a dict (``deep`` is accepted for scikit-learn)."""
        return {name: getattr(self, name) for name in self._param_names()}

    def set_params(self, **params) -> "Estimator":
        """Set constructor arguments by name; an unknown name raises ``ValueError`` listing the valid ones."""
        valid = self._param_names()
        for name, value in params.items():
            if name not in valid:
                raise ValueError(f"{type(self).__name__} has no parameter {name!r}; valid: {', '.join(valid)}")
            setattr(self, name, value)
        return self

    def __repr__(self) -> str:
        defaults = {p.name: p.default for p in inspect.signature(type(self).__init__).parameters.values()}
        shown = []
        for name, value in self.get_params().items():
            default = defaults.get(name, inspect.Parameter.empty)
            if default is inspect.Parameter.empty or not _same(value, default):
                shown.append(f"{name}={value!r}")
        return f"{type(self).__name__}({', '.join(shown)})"

    def _check_fitted(self, *attributes: str) -> None:
        """Raise :class:`NotFittedError` unless every name in ``attributes`` has been learned."""
        missing = [a for a in attributes if not hasattr(self, a)]
        if missing:
            raise NotFittedError(f"this {type(self).__name__} is not fitted yet (no {', '.join(missing)}); "
                                 "call fit(...) first")


def _same(a, b) -> bool:
    try:
        return bool(a is b or a == b)
    except (TypeError, ValueError):  # arrays compare elementwise
        return False
