"""nnbook.nn.optim: 100 steps of every optimiser against torch.optim, and gradient clipping."""
import math

import numpy as np
import pytest
import torch

from nnbook.nn import optim

pytestmark = pytest.mark.ch4

CASES = [
    ("sgd", optim.SGD, torch.optim.SGD, dict(lr=0.05)),
    ("sgd_l2", optim.SGD, torch.optim.SGD, dict(lr=0.05, weight_decay=0.1)),
    ("momentum", optim.SGD, torch.optim.SGD, dict(lr=0.05, momentum=0.9)),
    ("nesterov", optim.SGD, torch.optim.SGD, dict(lr=0.05, momentum=0.9, nesterov=True, weight_decay=0.01)),
    ("adagrad", optim.Adagrad, torch.optim.Adagrad, dict(lr=0.1)),
    ("adagrad_l2", optim.Adagrad, torch.optim.Adagrad, dict(lr=0.1, eps=1e-6, weight_decay=0.1)),
    ("rmsprop", optim.RMSprop, torch.optim.RMSprop, dict(lr=0.01)),
    ("rmsprop_l2", optim.RMSprop, torch.optim.RMSprop, dict(lr=0.01, alpha=0.9, eps=1e-6, weight_decay=0.1)),
    ("adam", optim.Adam, torch.optim.Adam, dict(lr=0.01)),
    ("adam_l2", optim.Adam, torch.optim.Adam, dict(lr=0.01, betas=(0.8, 0.99), eps=1e-6, weight_decay=0.1)),
    ("adamw", optim.AdamW, torch.optim.AdamW, dict(lr=0.01)),
    ("adamw_strong", optim.AdamW, torch.optim.AdamW, dict(lr=0.01, weight_decay=0.5)),
]


@pytest.mark.parametrize("name, ours, theirs, kwargs", CASES, ids=[c[0] for c in CASES])
def test_hundred_steps_match_torch(name, ours, theirs, kwargs):
    rng = np.random.default_rng(0)
    params = [rng.normal(size=(4, 3)), rng.normal(size=5)]
    tparams = [torch.tensor(p.copy(), requires_grad=True) for p in params]
    opt, topt = ours(params, **kwargs), theirs(tparams, **kwargs)
    for _ in range(100):
        # gradients that depend on the current parameters (a quadratic plus noise), as in training
        grads = [p + rng.normal(size=p.shape) for p in params]
        for tp, g in zip(tparams, grads):
            tp.grad = torch.tensor(g)
        opt.step(grads)
        topt.step()
    for p, tp in zip(params, tparams):
        np.testing.assert_allclose(p, tp.detach().numpy(), rtol=0, atol=1e-6)
        np.testing.assert_allclose(p, tp.detach().numpy(), rtol=1e-10, atol=1e-12)  # in fact to rounding


def test_step_updates_in_place_and_counts():
    theta = np.array([1.0, -2.0])
    opt = optim.SGD(theta, lr=0.5)
    opt.step(np.array([2.0, 2.0]))
    np.testing.assert_array_equal(theta, [0.0, -3.0])
    assert opt.t == 1


def test_adam_bias_correction_makes_the_first_step_lr_times_sign():
    theta = np.zeros(3)
    opt = optim.Adam(theta, lr=0.1)
    opt.step(np.array([1e-3, -5.0, 20.0]))
    np.testing.assert_allclose(theta, [-0.1, 0.1, -0.1], rtol=1e-4)
    raw = np.zeros(3)
    optim.Adam(raw, lr=0.1, bias_correction=False).step(np.array([1e-3, -5.0, 20.0]))
    np.testing.assert_allclose(np.abs(raw), 0.1 * 0.1 / math.sqrt(0.001), rtol=1e-3)  # about 3.16 times too large


def test_adagrad_steps_shrink_like_one_over_sqrt_t():
    theta = np.zeros(1)
    opt = optim.Adagrad(theta, lr=1.0, eps=1e-300)  # eps must be > 0; next to sqrt(G) >= 1 this is exactly 0
    previous = theta.copy()
    steps = []
    for _ in range(100):
        opt.step(np.ones(1))
        steps.append(float(previous[0] - theta[0]))
        previous = theta.copy()
    np.testing.assert_allclose(steps, 1 / np.sqrt(np.arange(1, 101)), rtol=1e-12)


@pytest.mark.parametrize("norm_type", [2.0, 1.0, 3.0, math.inf])
@pytest.mark.parametrize("max_norm", [0.5, 100.0])
def test_clip_grad_norm_matches_torch(norm_type, max_norm):
    rng = np.random.default_rng(1)
    grads = [rng.normal(size=(5, 4)) * 3, rng.normal(size=7)]
    tparams = [torch.zeros(g.shape, dtype=torch.float64, requires_grad=True) for g in grads]
    for tp, g in zip(tparams, grads):
        tp.grad = torch.tensor(g)
    total_t = torch.nn.utils.clip_grad_norm_(tparams, max_norm, norm_type=norm_type)
    total = optim.clip_grad_norm(grads, max_norm, norm_type=norm_type)
    assert total == pytest.approx(total_t.item(), rel=1e-12)
    for g, tp in zip(grads, tparams):
        np.testing.assert_allclose(g, tp.grad.numpy(), rtol=1e-12)


def test_clipping_keeps_the_direction():
    g = np.array([3.0, 4.0])
    assert optim.clip_grad_norm([g], 1.0) == pytest.approx(5.0)
    np.testing.assert_allclose(g, np.array([0.6, 0.8]) * (1 / (1 + 2e-7)), rtol=1e-6)


def test_grad_clipping_wrapper_clips_before_the_step():
    w = torch.nn.Parameter(torch.tensor([0.0, 0.0]))
    opt = optim.GradClipping(torch.optim.SGD([w], lr=1.0), max_norm=1.0)
    opt.zero_grad()
    (w * torch.tensor([30.0, 40.0])).sum().backward()
    opt.step()
    torch.testing.assert_close(w.detach(), torch.tensor([-0.6, -0.8]), rtol=1e-5, atol=1e-6)
    assert opt.norms_ == [pytest.approx(50.0)]


def test_bad_input():
    p = np.zeros(3)
    for momentum in (-0.1, 1.0):
        with pytest.raises(ValueError, match="momentum must be (>= 0.0|< 1.0)"):
            optim.SGD(p, lr=0.1, momentum=momentum)
    with pytest.raises(ValueError, match="lr must be > 0.0, got -0.01"):
        optim.Adam(p, lr=-0.01)
    with pytest.raises(ValueError, match=r"betas\[1\] must be < 1.0"):
        optim.Adam(p, betas=(0.9, 1.0))
    with pytest.raises(ValueError, match="betas must be a pair"):
        optim.Adam(p, betas=0.9)
    with pytest.raises(ValueError, match="nesterov=True needs a momentum"):
        optim.SGD(p, lr=0.1, nesterov=True)
    with pytest.raises(ValueError, match="alpha must be < 1.0, got 1.5"):
        optim.RMSprop(p, alpha=1.5)
    with pytest.raises(TypeError, match="lr must be a real number"):
        optim.SGD(p, lr="0.1")
    with pytest.raises(TypeError, match="float NumPy array"):
        optim.SGD([np.zeros(3, int)], lr=0.1)
    with pytest.raises(ValueError, match="params is empty"):
        optim.SGD([], lr=0.1)
    opt = optim.SGD([np.zeros(3), np.zeros(2)], lr=0.1)
    with pytest.raises(ValueError, match=r"grads\[1\] has shape \(3,\) but params\[1\] has shape \(2,\)"):
        opt.step([np.zeros(3), np.zeros(3)])
    with pytest.raises(ValueError, match="got 1 gradients for 2 parameters"):
        opt.step([np.zeros(3)])
    with pytest.raises(ValueError, match="max_norm must be > 0.0"):
        optim.clip_grad_norm([np.ones(2)], -1.0)
    with pytest.raises(TypeError, match="clipped in place"):
        optim.clip_grad_norm([[1.0, 2.0]], 1.0)


@pytest.mark.parametrize("make, match", [
    (lambda p: optim.Adam(p, lr=math.inf), "lr must be a finite number, got inf"),
    (lambda p: optim.Adam(p, eps=math.inf), "eps must be a finite number, got inf"),
    (lambda p: optim.Adam(p, lr=0.0), r"lr must be > 0.0, got 0.0"),
    (lambda p: optim.Adam(p, eps=0.0), r"eps must be > 0.0, got 0.0"),
    (lambda p: optim.Adam(p, lr=math.nan), "lr must be a finite number"),
    (lambda p: optim.AdamW(p, weight_decay=math.inf), "weight_decay must be a finite number"),
    (lambda p: optim.SGD(p, lr=math.inf), "lr must be a finite number"),
    (lambda p: optim.SGD(p, lr=0.1, momentum=math.nan), "momentum must be a finite number"),
    (lambda p: optim.SGD(p, lr=0.1, nesterov="yes"), "nesterov must be True or False"),
    (lambda p: optim.Adagrad(p, eps=-1e-10), r"eps must be > 0.0"),
    (lambda p: optim.RMSprop(p, eps=math.inf), "eps must be a finite number"),
    (lambda p: optim.RMSprop(p, lr=1 + 2j), "lr must be a real number, got complex"),
    (lambda p: optim.Adam(p, betas=(0.9, math.nan)), r"betas\[1\] must be a finite number"),
    (lambda p: optim.Adam(p, bias_correction=0), "bias_correction must be True or False"),
])
def test_optimisers_refuse_non_finite_or_non_positive_hyperparameters(make, match):
    # failed before the fix: Adam(lr=inf, eps=inf), lr=0 and eps=0 were accepted
    with pytest.raises((ValueError, TypeError), match=match):
        make(np.zeros(3))


@pytest.mark.parametrize("name", sorted(optim.OPTIMIZERS))
def test_optimisers_refuse_complex_gradients(name):
    # failed before the fix: the imaginary part was dropped (a ComplexWarning) and the step taken
    theta = np.zeros(2)
    opt = optim.OPTIMIZERS[name]([theta], lr=0.1)
    with pytest.raises(TypeError, match=r"grads\[0\] must hold real numbers, got dtype complex128"):
        opt.step([np.array([1 + 1j, 0])])
    np.testing.assert_array_equal(theta, 0.0)
    assert opt.t == 0


@pytest.mark.parametrize("kwargs", [dict(lr=0.01, weight_decay=0.1), dict(lr=0.003, betas=(0.8, 0.99), eps=1e-6,
                                                                           weight_decay=1.0)])
def test_adamw_matches_torch_at_every_step(kwargs):
    rng = np.random.default_rng(3)
    theta = rng.normal(size=(6, 2))
    ttheta = torch.tensor(theta.copy(), requires_grad=True)
    opt, topt = optim.AdamW([theta], **kwargs), torch.optim.AdamW([ttheta], **kwargs)
    for _ in range(200):
        g = np.sin(3 * theta) + 0.1 * rng.normal(size=theta.shape)
        ttheta.grad = torch.tensor(g)
        opt.step([g])
        topt.step()
        np.testing.assert_allclose(theta, ttheta.detach().numpy(), rtol=1e-12, atol=1e-14)


def test_weight_decay_equals_l2_for_sgd_but_not_for_adam():
    rng = np.random.default_rng(4)
    a, b, c, d = (rng.normal(size=5) for _ in range(4))
    b[:], d[:] = a, c
    sgd_l2, adam_l2 = optim.SGD([a], lr=0.1, weight_decay=0.5), optim.Adam([c], lr=0.1, weight_decay=0.5)
    adamw = optim.AdamW([d], lr=0.1, weight_decay=0.5)
    for _ in range(20):
        g = rng.normal(size=5)
        sgd_l2.step([g])
        b *= 1 - 0.1 * 0.5  # decoupled decay, then the plain SGD step
        b -= 0.1 * g
        adam_l2.step([g])
        adamw.step([g])
    np.testing.assert_allclose(a, b, rtol=1e-12)
    assert np.abs(c - d).max() > 0.1


def test_adam_l2_effective_decay_from_torch_state():
    # the formula against the step torch's Adam takes for a parameter whose only gradient is the L2 term
    w = torch.tensor([1.0, 1.0], dtype=torch.float64, requires_grad=True)
    opt = torch.optim.Adam([w], lr=0.01, weight_decay=0.1)
    for t in range(50):
        w.grad = torch.tensor([0.0, 30.0], dtype=torch.float64) * (1 if t % 2 else -1)  # noisy big gradient on w[1]
        opt.step()
    v = opt.state[w]["exp_avg_sq"].numpy()
    decay = optim.adam_l2_effective_decay(v, 50, lr=0.01, weight_decay=0.1)
    assert decay[0] > 100 * decay[1]
    np.testing.assert_allclose(decay, 0.01 * 0.1 / (np.sqrt(v / (1 - 0.999**50)) + 1e-8), rtol=1e-15)
    with pytest.raises(ValueError, match="v must be >= 0"):
        optim.adam_l2_effective_decay(-v, 50, 0.01, 0.1)
    with pytest.raises(ValueError, match="t must be an int >= 1"):
        optim.adam_l2_effective_decay(v, 0, 0.01, 0.1)
    with pytest.raises(ValueError, match="weight_decay must be >= 0.0"):
        optim.adam_l2_effective_decay(v, 5, 0.01, -0.1)
