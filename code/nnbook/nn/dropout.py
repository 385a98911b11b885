r"""Dropout (inverted scaling), its backward pass, and the ensemble it approximates.

In training mode every unit is kept with probability :math:`q = 1 - p` and dropped with
probability :math:`p`; kept units are divided by :math:`q`:

.. math::

    r_i \sim \mathrm{Bernoulli}(1 - p), \qquad \tilde h_i = \frac{r_i\, h_i}{1 - p},
    \qquad \mathbb{E}[\tilde h_i] = h_i .

In evaluation mode the layer is the identity: no mask, no scaling. (The original paper,
Srivastava et al. 2014, scaled the *weights* by the keep probability :math:`1-p` at test
time instead; the two are equivalent, and frameworks use the inverted form.)

Book section: "Dropout" (``book/ch4-training/03-dropout.ipynb``).
"""
from __future__ import annotations

import itertools

import numpy as np

from nnbook._validation import check_array, check_enumeration, check_float_array, check_int, check_number, check_tensor
from nnbook.nn.init import as_generator  # printed in ch4/03 (the source of dropout_forward)
from nnbook.nn.losses import softmax

#: Largest number of hidden units :func:`subnetwork_ensemble` enumerates (2**16 sub-networks).
MAX_ENSEMBLE_UNITS = 16


def _check_p(p: float) -> float:
    # the name is printed in ch4/03 (the source of dropout_forward); the check is the floor's
    return check_number("p", p, low=0.0, high=1.0, high_open=True)


def dropout_forward(X, p: float = 0.5, training: bool = True, random_state=None):
    r"""Inverted dropout: :math:`\tilde h = r \odot h / (1-p)`.

    Each mask entry is drawn independently, :math:`r_i \sim \mathrm{Bernoulli}(1-p)`.

    Parameters
    ----------
    X : ndarray, any shape
        Activations.
    p : float in [0, 1)
        Probability of *dropping* a unit (PyTorch's convention).
    training : bool
        In evaluation mode the input is returned unchanged and the mask is ``None``.
    random_state : None, int or numpy Generator

    Returns
    -------
    out : ndarray, same shape as ``X``
    mask : ndarray of bool (same shape) or None
        ``True`` where the unit was kept; pass it to :func:`dropout_backward`.
    """
    p = _check_p(p)
    X = check_array("X", X)  # float64, finite, not empty
    if not training or p == 0.0:
        return X.copy(), None
    mask = as_generator(random_state).random(X.shape) >= p
    return X * mask / (1.0 - p), mask


def dropout_backward(grad_out, mask, p: float = 0.5) -> np.ndarray:
    r""":math:`\partial L/\partial h = r \odot (\partial L/\partial \tilde h) / (1-p)`; identity when ``mask`` is None."""
    p = _check_p(p)
    grad_out = check_float_array("grad_out", grad_out, cast_ints=True).astype(float, copy=False)
    if mask is None:
        return grad_out.copy()
    if isinstance(mask, (str, bytes)) or np.asarray(mask).dtype != bool:
        raise TypeError(f"mask must be the bool array returned by dropout_forward (or None), got "
                        f"{type(mask).__name__} of dtype {getattr(np.asarray(mask), 'dtype', '?')}")
    if np.shape(mask) != grad_out.shape:
        raise ValueError(f"mask has shape {np.shape(mask)} but grad_out has shape {grad_out.shape}")
    return grad_out * mask / (1.0 - p)


def subnetwork_ensemble(H, W, b, p: float = 0.5):
    r"""Every sub-network of a dropout layer feeding a softmax layer, enumerated exactly.

    With hidden activations ``H`` (n, d), output weights ``W`` (d, k) and bias ``b`` (k,),
    each of the :math:`2^d` masks :math:`r` defines the sub-network
    :math:`p_r(y \mid x) = \mathrm{softmax}(\,(r \odot h) W + b)` with probability
    :math:`\pi(r) = (1-p)^{|r|} p^{d-|r|}` (no rescaling: the weights of the full network are
    the ones the sub-networks were trained with). Returns

    * ``arithmetic`` -- :math:`\sum_r \pi(r)\, p_r(y\mid x)`, the ensemble average;
    * ``geometric`` -- :math:`\prod_r p_r(y\mid x)^{\pi(r)}`, renormalised over classes;
    * ``scaled`` -- :math:`\mathrm{softmax}((1-p)\,h W + b)`, one pass of the weight-scaled network.

    For a softmax layer, ``geometric`` equals ``scaled`` exactly (Baldi & Sadowski, 2013;
    Srivastava et al., 2014), because the log of a softmax is linear in the logits up to a
    per-example constant. Each output has shape (n, k).

    Cost :math:`O(2^d)`: ``d`` is limited to :data:`MAX_ENSEMBLE_UNITS` = 16 hidden units
    (65,536 sub-networks); a larger ``H`` is refused (``ValueError``).
    """
    H = check_float_array("H", H, ndim=2, cast_ints=True).astype(float, copy=False)
    W = check_float_array("W", W, ndim=2, cast_ints=True).astype(float, copy=False)
    b = check_float_array("b", b, ndim=1, cast_ints=True).astype(float, copy=False)
    p = _check_p(p)
    if W.shape[0] != H.shape[1] or b.shape != (W.shape[1],):
        raise ValueError(f"need H (n, d), W (d, k), b (k,); got H {H.shape}, W {W.shape}, b {b.shape}")
    d = H.shape[1]
    check_enumeration("H", 2**d, 2**MAX_ENSEMBLE_UNITS, f"sub-networks (2**d for d = {d} hidden units)")
    masks = np.array(list(itertools.product([0.0, 1.0], repeat=d)))  # (2^d, d)
    weights = (1.0 - p) ** masks.sum(1) * p ** (d - masks.sum(1))  # (2^d,)
    logits = np.einsum("md,nd,dk->mnk", masks, H, W) + b  # (2^d, n, k)
    probs = softmax(logits)
    arithmetic = np.einsum("m,mnk->nk", weights, probs)
    log_geo = np.einsum("m,mnk->nk", weights, np.log(probs))
    geometric = softmax(log_geo)
    scaled = softmax((1.0 - p) * H @ W + b)
    return arithmetic, geometric, scaled


def mc_dropout_predict_proba(model, X, n_samples: int, seed: int = 0):
    r"""Average the softmax outputs of ``n_samples`` sampled sub-networks of a torch model.

    Runs ``model`` in training mode (dropout active, fresh masks each pass) under
    ``torch.no_grad()`` and returns a tensor of shape (n_samples, n, k) of class
    probabilities, so that ``probs[:m].mean(0)`` is the ensemble of the first ``m``
    sub-networks. The model's mode is restored afterwards. Use it only on models without
    batch normalisation (whose training mode would also change its statistics).

    ``X`` is a float tensor (n, n_features); ``seed`` (an int >= 0) seeds torch's generator
    (``torch.manual_seed``) for the masks. It keeps its name: it is a torch seed, not a
    NumPy ``random_state``, and the book calls it by this name.
    """
    import torch

    if not isinstance(model, torch.nn.Module):
        raise TypeError(f"model must be a torch.nn.Module, got {type(model).__name__}")
    check_tensor("X", X, ndim=2)
    n_samples = check_int("n_samples", n_samples, low=1)
    seed = check_int("seed", seed, low=0)
    was_training = model.training
    model.train()
    torch.manual_seed(seed)
    with torch.no_grad():
        probs = torch.stack([torch.softmax(model(X), dim=1) for _ in range(n_samples)])
    model.train(was_training)
    return probs
