"""Graders for chapter 4 (training), ``book/ch4-training/14-exercises``.

Conventions are the chapter's: a mini-batch has one example per row, ``X`` (m, n_features);
dropout's ``p`` is the probability of *dropping* a unit (``nnbook.nn.dropout``, PyTorch);
Adam's step counter ``t`` is 1 for the first step (``nnbook.nn.optim.Adam``).
"""
from __future__ import annotations

import numpy as np

from nnbook.exercises.grading import NotYet, compare, grader, matches
from nnbook.nn.normalization import batch_norm_forward
from nnbook.nn.optim import Adam




def _is(got, variant, expected) -> bool:
    """Whether ``got`` is the mistaken ``variant`` (only where the variant differs from ``expected``)."""
    return not matches(variant, expected) and matches(got, variant)


def _pair_with_both(mask: np.ndarray) -> np.ndarray:
    """The mask with at least one kept and one dropped unit (so every mistake shows)."""
    mask = mask.copy()
    mask.flat[0], mask.flat[1] = True, False
    return mask


@grader("ch4.inverted_dropout", "inverted dropout with a given mask", n_cases=5)
def inverted_dropout(answer, rng):
    r"""``answer(H, mask, p) -> H_tilde`` with :math:`\tilde h_i = r_i h_i/(1-p)` (the page's
    inverted dropout), ``mask`` the bool :math:`r` (True: kept) and ``p`` the drop probability."""
    for case in range(5):
        m, d = (3, 5) if case == 0 else (int(k) for k in rng.integers(2, 7, size=2))
        p = float(rng.choice([0.1, 0.2, 0.25, 0.3, 0.6, 0.75])) if case else 0.2  # never 0.5: 1/p and 1/(1-p) differ
        H = rng.normal(size=(m, d)) + 0.5
        mask = _pair_with_both(rng.random((m, d)) >= p)
        H_in, mask_in = H.copy(), mask.copy()
        got = answer(H_in, mask_in, p)
        if not np.array_equal(H_in, H) or not np.array_equal(mask_in, mask):
            raise NotYet("your function changed its inputs in place: return a new array and leave H and mask "
                         "as they are")
        expected = np.where(mask, H / (1 - p), 0.0)
        if _is(got, H * mask, expected):
            raise NotYet("the kept units are not rescaled: in training, inverted dropout must leave the expected "
                         "value of every unit equal to h")
        if _is(got, H * mask / p, expected):
            raise NotYet("the kept units are rescaled by the drop probability p: p is the probability of dropping a "
                         "unit, not of keeping it")
        if _is(got, H * mask * (1 - p), expected):
            raise NotYet("the kept units are shrunk: that is the test-time rule of standard dropout, not the "
                         "training step of inverted dropout")
        if _is(got, H * ~mask / (1 - p), expected) or _is(got, H * ~mask, expected):
            raise NotYet("the mask is used the wrong way round: True marks a unit that is kept")
        if _is(got, H / (1 - p), expected):
            raise NotYet("no unit is dropped: the units where mask is False must be 0")
        compare("H_tilde", got, expected)


@grader("ch4.batch_norm_train", "batch normalisation in training mode", n_cases=5)
def batch_norm_train(answer, rng):
    r"""``answer(X, gamma, beta, eps) -> Y`` for ``X`` (m, n): per feature :math:`j`, over the ``m``
    rows, :math:`y_{ij} = \gamma_j (x_{ij}-\mu_j)/\sqrt{\sigma_j^2+\epsilon} + \beta_j` with the biased
    variance :math:`\sigma_j^2 = \frac1m\sum_i (x_{ij}-\mu_j)^2` (Ioffe & Szegedy, 2015; the book's
    ``tr4-batch-norm`` page, ``nnbook.nn.normalization.batch_norm_forward``)."""
    for case in range(5):
        m, n = (6, 3) if case == 0 else (int(rng.integers(3, 9)), int(rng.integers(2, 6)))
        if m == n:
            m += 1  # distinct sizes: statistics over the wrong axis cannot broadcast by accident
        eps = (1e-5, 0.1, 0.5, 1e-5, 0.05)[case]
        X = rng.normal(size=(m, n)) * rng.uniform(0.5, 3.0, size=n) + rng.uniform(-3.0, 3.0, size=n)
        gamma = rng.uniform(0.5, 2.0, size=n) * rng.choice([-1.0, 1.0], size=n)
        beta = rng.normal(size=n)
        expected = batch_norm_forward(X, gamma, beta, eps)[0]
        X_in = X.copy()
        got = answer(X_in, gamma.copy(), beta.copy(), eps)
        if not np.array_equal(X_in, X):
            raise NotYet("your function changed X in place: return a new array and leave X as it is")

        def normalised(axis, ddof=0, how="inside"):
            mean = X.mean(axis=axis, keepdims=True)
            var = X.var(axis=axis, ddof=ddof, keepdims=True)
            scale = {"inside": np.sqrt(var + eps), "outside": np.sqrt(var) + eps, "none": np.sqrt(var)}[how]
            return (X - mean) / scale

        x_hat = normalised(0)
        if _is(got, gamma * normalised(1) + beta, expected):
            raise NotYet("the statistics are taken over the wrong axis: batch norm normalises each feature (column) "
                         "over the examples of the batch (rows); per example is layer norm")
        if _is(got, gamma * normalised(0, ddof=1) + beta, expected):
            raise NotYet("the variance is the unbiased one (divided by m - 1): in training the batch is normalised "
                         "with its own biased variance (divided by m)")
        if _is(got, gamma * normalised(0, how="outside") + beta, expected):
            raise NotYet("eps is added to the standard deviation: it belongs to the variance, under the square root")
        if _is(got, gamma * normalised(0, how="none") + beta, expected):
            raise NotYet("eps is missing: it keeps the division finite for a feature that does not vary")
        if _is(got, x_hat, expected):
            raise NotYet("gamma and beta are not applied: the normalised values must be scaled and shifted")
        if _is(got, beta * x_hat + gamma, expected):
            raise NotYet("gamma and beta are swapped: gamma scales, beta shifts")
        compare("Y", got, expected)


@grader("ch4.adam_step", "one Adam step with bias correction", n_cases=4)
def adam_step(answer, rng):
    r"""``answer(theta, grad, m, v, t, lr, beta1, beta2, eps) -> (theta, m, v)``, one step of
    Adam (Kingma & Ba, 2015) as in ``torch.optim.Adam``:
    :math:`m_t = \beta_1 m_{t-1} + (1-\beta_1) g_t`, :math:`v_t = \beta_2 v_{t-1} + (1-\beta_2) g_t^2`,
    :math:`\theta_t = \theta_{t-1} - \eta\,\hat m_t/(\sqrt{\hat v_t}+\epsilon)` with
    :math:`\hat m_t = m_t/(1-\beta_1^t)`, :math:`\hat v_t = v_t/(1-\beta_2^t)`. Each case runs a few
    consecutive steps from :math:`m_0 = v_0 = 0`, feeding the answer's state back, against
    ``nnbook.nn.optim.Adam``."""
    settings = [(1e-3, 0.9, 0.999, 1e-8), (0.1, 0.8, 0.99, 1e-3), (0.01, 0.5, 0.9, 0.05), (0.05, 0.9, 0.999, 1e-2)]
    for case, (lr, beta1, beta2, eps) in enumerate(settings):
        shape = (2, 3) if case == 0 else (int(rng.integers(2, 7)),)
        theta = rng.normal(size=shape)
        reference = theta.copy()
        optimizer = Adam([reference], lr=lr, betas=(beta1, beta2), eps=eps)
        m, v = np.zeros(shape), np.zeros(shape)
        for t in range(1, int(rng.integers(3, 6)) + 1):
            grad = rng.normal(size=shape) * 10.0 ** rng.uniform(-2, 0, size=shape)  # coordinates of different sizes
            inputs = [a.copy() for a in (theta, grad, m, v)]
            with np.errstate(divide="ignore", over="ignore", invalid="ignore"):  # a t = 0 slip shows as inf below
                result = answer(*inputs, t, lr, beta1, beta2, eps)
            if not isinstance(result, tuple) or len(result) != 3:
                raise NotYet("return a tuple of three arrays: (theta, m, v), the new parameters and state")
            if not all(np.array_equal(a, b) for a, b in zip(inputs, (theta, grad, m, v))):
                raise NotYet("your function changed its inputs in place: return new arrays")
            optimizer.step([grad])
            new_m, new_v = optimizer.m[0], optimizer.v[0]
            m_hat, v_hat = new_m / (1 - beta1**t), new_v / (1 - beta2**t)
            got_theta, got_m, got_v = result
            at = f" (step t = {t})"
            if _is(got_m, m_hat, new_m) or _is(got_v, v_hat, new_v):
                raise NotYet("the state returned is bias-corrected: return the raw moving averages m and v, "
                             f"the correction is only for the step{at}")
            if _is(got_v, beta2 * v + (1 - beta2) * grad, new_v):
                raise NotYet(f"v must be the moving average of the squared gradients{at}")
            compare(f"m{at}", got_m, new_m)
            compare(f"v{at}", got_v, new_v)
            variants = {
                "the step is not bias-corrected: m and v start at 0, so early on they are too small": (new_m, new_v),
                "only m is bias-corrected: the second moment needs its own correction": (m_hat, new_v),
                "only v is bias-corrected: the first moment needs its own correction": (new_m, v_hat),
                "the bias correction uses the wrong power: t is the number of this step, 1 for the first":
                    (new_m / (1 - beta1 ** (t + 1)), new_v / (1 - beta2 ** (t + 1))),
            }
            for hint, (mm, vv) in variants.items():
                if _is(got_theta, theta - lr * mm / (np.sqrt(vv) + eps), reference):
                    raise NotYet(hint + at)
            if _is(got_theta, theta - lr * m_hat / np.sqrt(v_hat + eps), reference):
                raise NotYet(f"eps is added inside the square root: torch.optim and the paper add it outside{at}")
            try:
                finite = bool(np.isfinite(np.asarray(got_theta, dtype=float)).all())
            except (TypeError, ValueError):
                finite = True  # compare names the type
            if t == 1 and not finite:
                raise NotYet("theta is not finite after the first step: check the bias correction at t = 1")
            compare(f"theta{at}", got_theta, reference)
            theta, m, v = (np.asarray(a, dtype=float).copy() for a in result)
