"""Bad inputs to every public entry point of nnbook.nets: each is refused with a ValueError or
TypeError whose message names the argument (Hypothesis generates the families of bad values),
and a few cheap properties of good inputs."""
import math
import re

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from torch import nn

from nnbook.nets import augmentation, builder, diagnostics, training
from nnbook.nets import models as M
from nnbook.nn.mlp import MLP

pytestmark = pytest.mark.ch4
SETTINGS = settings(max_examples=25, deadline=None, derandomize=True)

# --- families of bad values -------------------------------------------------------------------
NOT_NUMBERS = st.one_of(st.booleans(), st.text(max_size=3), st.none(), st.complex_numbers(allow_nan=False),
                        st.just([1]), st.just(object()))
BAD_POSITIVE_INT = st.one_of(st.integers(max_value=0), st.floats(allow_nan=True), NOT_NUMBERS)
BAD_NONNEGATIVE_INT = st.one_of(st.integers(max_value=-1), st.floats(allow_nan=True), NOT_NUMBERS)
BAD_POSITIVE_FLOAT = st.one_of(st.floats(max_value=0.0), st.just(math.nan), st.just(math.inf), NOT_NUMBERS)
BAD_NONNEGATIVE_FLOAT = st.one_of(st.floats(max_value=-1e-12), st.just(math.nan), st.just(math.inf), NOT_NUMBERS)
BAD_PROBABILITY = st.one_of(st.floats(max_value=-1e-12), st.floats(min_value=1.0 + 1e-9), st.just(math.nan),
                            NOT_NUMBERS)
BAD_OPTION = st.one_of(st.text(alphabet="xyz0_", max_size=6), st.integers(), st.just(["relu"]), st.just(1.5))
BAD_OPTION_OR_NONE = st.one_of(BAD_OPTION, st.none())
BAD_BOOL = st.one_of(st.integers(), st.text(max_size=3), st.none(), st.floats())
BAD_DTYPE = st.sampled_from([torch.int64, torch.bool, torch.complex64, "float64", np.float64, 3])


def _bad_tensors(ndim: int, more_dims: bool = True):
    """Not a tensor, an int tensor, NaN or inf, empty, or too few (or, if ``more_dims``, too many) dimensions."""
    shape = (2, 3, 4, 5, 6)[:ndim]
    family = st.sampled_from([
        lambda: np.zeros(shape), lambda: [[0.0]], lambda: torch.zeros(shape, dtype=torch.int64),
        lambda: torch.full(shape, math.nan), lambda: torch.full(shape, math.inf),
        lambda: torch.zeros((0,) + shape[1:]), lambda: torch.zeros(shape[:-1] or (3, 3, 3)),
        lambda: torch.zeros(shape + (2,)),
    ][:None if more_dims else -1]).map(lambda make: make())
    return family


def _refused(call, name):
    with pytest.raises((ValueError, TypeError), match=re.escape(name)):
        call()


# --- one row per (entry point, argument): (id, call(value), name in the message, family) --------
def _mlp(**kw):
    return builder.build_mlp(**{"sizes": [3, 4, 2], **kw})


def _deep(**kw):
    return builder.deep_mlp(**{"depth": 2, "width": 4, "in_features": 3, "out_features": 2, **kw})


def _norm(**kw):
    return builder.norm_mlp(**{"depth": 2, "width": 4, "in_features": 3, "out_features": 2, **kw})


CASES = [
    ("build_mlp activation", lambda v: _mlp(activation=v), "activation", BAD_OPTION),
    ("build_mlp init", lambda v: _mlp(init=v), "init", BAD_OPTION),
    ("build_mlp head_init", lambda v: _mlp(head_init=v), "head_init", BAD_OPTION),
    ("build_mlp norm", lambda v: _mlp(norm=v), "norm", BAD_OPTION),
    ("build_mlp output", lambda v: _mlp(output=v), "output", BAD_OPTION),
    ("build_mlp std", lambda v: _mlp(std=v), "std", BAD_POSITIVE_FLOAT),
    ("build_mlp noise", lambda v: _mlp(noise=v), "noise", BAD_NONNEGATIVE_FLOAT),
    ("build_mlp dropout", lambda v: _mlp(dropout=v), "dropout",
     st.one_of(BAD_PROBABILITY, st.just(1.0)).filter(lambda v: v is not None)),  # None: no dropout module
    ("build_mlp dtype", lambda v: _mlp(dtype=v), "dtype", BAD_DTYPE),
    ("build_mlp sizes entry", lambda v: _mlp(sizes=[3, v, 2]), "sizes", BAD_POSITIVE_INT),
    ("build_mlp sizes", lambda v: _mlp(sizes=v), "sizes",
     st.sampled_from([[], [3], "32", 5, None, 2.5, {"a": 1}])),
    *[(f"deep_mlp {n}", (lambda n: lambda v: _deep(**{n: v}))(n), n, BAD_POSITIVE_INT)
      for n in ("depth", "width", "in_features", "out_features")],
    ("deep_mlp activation", lambda v: _deep(activation=v), "activation", BAD_OPTION),
    ("deep_mlp init", lambda v: _deep(init=v), "init", BAD_OPTION),
    ("deep_mlp std", lambda v: _deep(std=v), "std", BAD_POSITIVE_FLOAT),
    *[(f"norm_mlp {n}", (lambda n: lambda v: _norm(**{n: v}))(n), n, BAD_POSITIVE_INT)
      for n in ("depth", "width", "in_features", "out_features")],
    ("norm_mlp norm", lambda v: _norm(norm=v), "norm", st.one_of(BAD_OPTION, st.just("identity"))),
    ("norm_mlp activation", lambda v: _norm(activation=v), "activation", BAD_OPTION),
    ("norm_mlp noise", lambda v: _norm(norm="noisy_batch", noise=v), "noise", BAD_NONNEGATIVE_FLOAT),
    ("torch_activation name", lambda v: builder.torch_activation(v), "name", BAD_OPTION),
    ("torch_activation dtype", lambda v: builder.torch_activation("prelu", dtype=v), "dtype", BAD_DTYPE),
    ("NoisyBatchNorm1d num_features", lambda v: builder.NoisyBatchNorm1d(v), "num_features", BAD_POSITIVE_INT),
    ("NoisyBatchNorm1d noise", lambda v: builder.NoisyBatchNorm1d(3, noise=v), "noise", BAD_NONNEGATIVE_FLOAT),
    ("to_torch model", lambda v: builder.to_torch(v), "model",
     st.sampled_from([None, nn.Linear(2, 2), "mlp", MLP([3, 2])])),
    ("to_torch dtype", lambda v: builder.to_torch(MLP([3, 2]).initialize(), dtype=v), "dtype", BAD_DTYPE),
    ("to_torch model.activation", lambda v: builder.to_torch(MLP([3, 2], activation=v).initialize()),
     "activation", st.sampled_from(["maxout", "xyz", 3])),
]


def _data(n=8, d=3, k=2):
    g = torch.Generator().manual_seed(0)
    return torch.utils.data.TensorDataset(torch.randn(n, d, generator=g), torch.randint(0, k, (n,), generator=g))


def _fit(**kw):
    torch.manual_seed(0)
    model = kw.pop("model", None) or nn.Linear(3, 2)
    optimizer = kw.pop("optimizer", None) or torch.optim.SGD(model.parameters(), lr=0.1)
    return training.fit(model, kw.pop("train", _data()), **{"epochs": 1, "optimizer": optimizer, **kw})


def _optimizer_with_lr(lr):
    opt = torch.optim.SGD(nn.Linear(3, 2).parameters(), lr=0.1)
    opt.param_groups[0]["lr"] = lr
    return opt


BAD_DATASETS = st.sampled_from([
    lambda: [(torch.zeros(3), 0)], lambda: None, lambda: np.zeros((4, 3)),
    lambda: torch.utils.data.TensorDataset(torch.zeros(0, 3), torch.zeros(0, dtype=torch.long)),
    lambda: torch.utils.data.TensorDataset(torch.full((4, 3), math.nan), torch.zeros(4, dtype=torch.long)),
    lambda: torch.utils.data.TensorDataset(torch.full((4, 3), math.inf), torch.zeros(4, dtype=torch.long)),
    lambda: torch.utils.data.TensorDataset(torch.zeros(4, 3), torch.zeros(4)),  # float labels
    lambda: torch.utils.data.TensorDataset(torch.zeros(4, 3), -torch.ones(4, dtype=torch.long)),
    lambda: torch.utils.data.TensorDataset(torch.zeros(4, 3), torch.full((4,), 2, dtype=torch.long)),  # 2 logits
    lambda: torch.utils.data.TensorDataset(torch.zeros(4, 3), torch.zeros(4, 1, dtype=torch.long)),
]).map(lambda make: make())
NOT_CALLABLE = st.sampled_from([1, "f", [None], 2.5])

CASES += [
    ("fit epochs", lambda v: _fit(epochs=v), "epochs", BAD_POSITIVE_INT),
    ("fit batch_size", lambda v: _fit(batch_size=v), "batch_size", BAD_POSITIVE_INT),
    ("fit seed", lambda v: _fit(seed=v), "seed", st.one_of(BAD_NONNEGATIVE_INT, st.just(2**64))),
    ("fit verbose", lambda v: _fit(verbose=v), "verbose", BAD_BOOL),
    ("fit shuffle", lambda v: _fit(shuffle=v), "shuffle", BAD_BOOL),
    ("fit train", lambda v: _fit(train=v), "train", BAD_DATASETS),
    ("fit test", lambda v: _fit(test=v), "test", BAD_DATASETS.filter(lambda d: d is not None)),
    ("fit model", lambda v: training.fit(v, _data(), epochs=1, optimizer=_optimizer_with_lr(0.1)), "model",
     st.sampled_from([None, "net", lambda X: X])),
    ("fit optimizer", lambda v: _fit(optimizer=v), "optimizer", st.sampled_from(["sgd", 0.1, object()])),
    ("fit lr", lambda v: _fit(optimizer=_optimizer_with_lr(v)), "lr",
     st.one_of(st.floats(max_value=0.0), st.just(math.inf), st.just(math.nan))),
    *[(f"fit {n}", (lambda n: lambda v: _fit(**{n: v}))(n), n, NOT_CALLABLE) for n in ("transform", "loss_fn", "on_step")],
    ("fit scheduler", lambda v: _fit(scheduler=v), "scheduler", NOT_CALLABLE),
    ("evaluate data", lambda v: training.evaluate(nn.Linear(3, 2), v), "data", BAD_DATASETS),
    ("evaluate batch_size", lambda v: training.evaluate(nn.Linear(3, 2), _data(), batch_size=v), "batch_size",
     BAD_POSITIVE_INT),
    ("evaluate loss_fn", lambda v: training.evaluate(nn.Linear(3, 2), _data(), loss_fn=v), "loss_fn", NOT_CALLABLE),
    ("evaluate model", lambda v: training.evaluate(v, _data()), "model", st.sampled_from([None, "net"])),
    ("check_dataset", lambda v: training.check_dataset("train", v), "train", BAD_DATASETS.filter(
        lambda d: not isinstance(d, torch.utils.data.TensorDataset) or len(d) == 0 or d.tensors[0].isnan().any()
        or d.tensors[0].isinf().any())),
]

_SEQ = builder.deep_mlp(1, 4, 3, 2)
_Y = torch.zeros(2, dtype=torch.long)
CASES += [
    ("layer_gradient_norms X", lambda v: diagnostics.layer_gradient_norms(_SEQ, v, _Y), "X", _bad_tensors(2, False)),
    ("layer_gradient_norms y", lambda v: diagnostics.layer_gradient_norms(_SEQ, torch.zeros(2, 3), v), "y",
     st.sampled_from([np.zeros(2), torch.zeros(3, dtype=torch.long), torch.zeros((), dtype=torch.long), [0, 1]])),
    ("layer_gradient_norms model", lambda v: diagnostics.layer_gradient_norms(v, torch.zeros(2, 3), _Y), "model",
     st.sampled_from([None, "net", nn.ReLU()])),
    ("layer_gradient_norms loss_fn", lambda v: diagnostics.layer_gradient_norms(_SEQ, torch.zeros(2, 3), _Y, v),
     "loss_fn", NOT_CALLABLE),
    ("layer_gradient_summary X", lambda v: diagnostics.layer_gradient_summary(_SEQ, v, _Y), "X", _bad_tensors(2, False)),
    ("layer_gradient_summary model", lambda v: diagnostics.layer_gradient_summary(v, torch.zeros(2, 3), _Y), "model",
     st.sampled_from([None, "net"])),
    ("layer_activation_stats X", lambda v: diagnostics.layer_activation_stats(_SEQ, v), "X",
     _bad_tensors(2).filter(lambda X: not (isinstance(X, torch.Tensor) and X.ndim in (1, 3)))),
    ("layer_activation_stats model", lambda v: diagnostics.layer_activation_stats(v, torch.zeros(2, 3)), "model",
     st.sampled_from([None, nn.Linear(3, 2), "net"])),
    ("dead_unit_masks X", lambda v: diagnostics.dead_unit_masks(_SEQ, v), "X", _bad_tensors(2)),
    ("dead_unit_fraction X", lambda v: diagnostics.dead_unit_fraction(_SEQ, v), "X", _bad_tensors(2)),
    ("dead_unit_fraction model", lambda v: diagnostics.dead_unit_fraction(v, torch.zeros(2, 3)), "model",
     st.sampled_from([None, nn.Linear(3, 2)])),
]

CASES += [
    ("RandomShift image_shape", lambda v: augmentation.RandomShift(v), "image_shape",
     st.one_of(st.sampled_from([(8,), (8, 8, 1), "88", 8, None]), BAD_POSITIVE_INT.map(lambda n: (8, n)))),
    ("RandomShift max_shift", lambda v: augmentation.RandomShift((8, 8), max_shift=v), "max_shift",
     st.one_of(BAD_NONNEGATIVE_INT, st.integers(min_value=8))),
    ("RandomShift seed", lambda v: augmentation.RandomShift((8, 8), seed=v), "seed", BAD_NONNEGATIVE_INT),
    ("RandomShift X", lambda v: augmentation.RandomShift((2, 3))(v), "X", _bad_tensors(2)),
    ("ensemble_predict_proba models", lambda v: augmentation.ensemble_predict_proba(v, torch.zeros(2, 3)), "models",
     st.sampled_from([[], [None], ["net"], nn.Linear(3, 2), [nn.Linear(3, 2), 3]])),
    ("ensemble_predict_proba X", lambda v: augmentation.ensemble_predict_proba([nn.Linear(3, 2)], v), "X",
     _bad_tensors(2).filter(lambda X: not (isinstance(X, torch.Tensor) and X.ndim in (1, 3)))),
]

_TEXT = M.TextCNN(10, 4, 2, windows=(2, 3), n_filters=2, mode="rand")
CASES += [
    *[(f"{cls.__name__} n_classes", (lambda cls: lambda v: cls(n_classes=v))(cls), "n_classes", BAD_POSITIVE_INT)
      for cls in (M.LeNet5, M.AlexNet, M.VGG, M.GoogLeNet, M.resnet18, M.vgg16, M.preact_resnet18)],
    *[(f"{cls.__name__} dropout", (lambda cls: lambda v: cls(dropout=v))(cls), "dropout", BAD_PROBABILITY)
      for cls in (M.LeNet5, M.AlexNet, M.VGG, M.GoogLeNet)],
    ("LeNet5 activation", lambda v: M.LeNet5(activation=v), "activation", BAD_OPTION),
    ("LeNet5 pooling", lambda v: M.LeNet5(pooling=v), "pooling", BAD_OPTION),
    ("LeNet5 widths", lambda v: M.LeNet5(widths=(6, 16, v, 84)), "widths", BAD_POSITIVE_INT),
    ("LeNet5 batch_norm", lambda v: M.LeNet5(batch_norm=v), "batch_norm", BAD_BOOL),
    ("LeNet5 X", lambda v: M.LeNet5()(v), "X", st.sampled_from([torch.zeros(2, 784), torch.zeros(2, 3, 28, 28),
                                                             torch.zeros(2, 1, 32, 32), np.zeros((2, 1, 28, 28))])),
    ("AlexNet variant", lambda v: M.AlexNet(variant=v), "variant", BAD_OPTION),
    ("VGG config", lambda v: M.VGG(config=v), "config", BAD_OPTION),
    ("VGG batch_norm", lambda v: M.VGG(batch_norm=v), "batch_norm", BAD_BOOL),
    ("GoogLeNet factorise", lambda v: M.GoogLeNet(factorise=v), "factorise", BAD_OPTION),
    ("InceptionModule in_channels", lambda v: M.InceptionModule(v, 4, 4, 4, 4, 4, 4), "in_channels", BAD_POSITIVE_INT),
    ("InceptionModule c5", lambda v: M.InceptionModule(8, 4, 4, 4, 4, v, 4), "c5", BAD_POSITIVE_INT),
    ("InceptionModule factorise", lambda v: M.InceptionModule(8, 4, 4, 4, 4, 4, 4, factorise=v), "factorise",
     BAD_OPTION),
    ("InceptionModule X", lambda v: M.InceptionModule(8, 2, 2, 2, 2, 2, 2)(v), "X",
     st.sampled_from([torch.zeros(2, 8, 5), torch.zeros(2, 3, 5, 5), [[0.0]]])),
    ("ResNet block", lambda v: M.ResNet(v, (1, 1, 1, 1)), "block", BAD_OPTION),
    ("ResNet layers", lambda v: M.ResNet("basic", (1, v, 1, 1)), "layers", BAD_POSITIVE_INT),
    ("ResNet in_channels", lambda v: M.ResNet("basic", (1, 1, 1, 1), in_channels=v), "in_channels", BAD_POSITIVE_INT),
    ("ResNet width", lambda v: M.ResNet("basic", (1, 1, 1, 1), width=v), "width", BAD_POSITIVE_INT),
    ("ResNet small_input", lambda v: M.ResNet("basic", (1, 1, 1, 1), small_input=v), "small_input", BAD_BOOL),
    ("ResNet X", lambda v: M.ResNet("basic", (1, 1, 1, 1), width=4, small_input=True)(v), "X",
     st.sampled_from([torch.zeros(2, 3, 8), torch.zeros(2, 1, 8, 8), np.zeros((2, 3, 8, 8))])),
    *[(f"{cls.__name__} {n}", (lambda cls, i: lambda v: cls(*[(4, 4, 1)[j] if j != i else v for j in range(3)]))(cls, i),
       n, BAD_POSITIVE_INT) for cls in (M.resnet.BasicBlock, M.resnet.PreActBlock, M.resnet.Bottleneck)
      for i, n in enumerate(("in_channels", "channels", "stride"))],
    ("MLPBlock width", lambda v: M.resnet.MLPBlock(v), "width", BAD_POSITIVE_INT),
    ("MLPBlock shortcut", lambda v: M.resnet.MLPBlock(4, shortcut=v), "shortcut", BAD_BOOL),
    ("block_mlp n_blocks", lambda v: M.block_mlp(v, 4, 3, 2), "n_blocks", BAD_NONNEGATIVE_INT),
    *[(f"block_mlp {n}", (lambda i: lambda v: M.block_mlp(*[(1, 4, 3, 2)[j] if j != i else v for j in range(4)]))(i),
       n, BAD_POSITIVE_INT) for i, n in enumerate(("n_blocks", "width", "in_features", "n_classes")) if i > 0],
    ("block_mlp zero_init", lambda v: M.block_mlp(1, 4, 3, 2, zero_init=v), "zero_init", BAD_BOOL),
    *[(f"TextCNN {n}", (lambda n: lambda v: M.TextCNN(**{"vocab_size": 10, "embed_dim": 4, "n_classes": 2,
                                                          "mode": "rand", n: v}))(n), n, BAD_POSITIVE_INT)
      for n in ("vocab_size", "embed_dim", "n_classes", "n_filters")],
    ("TextCNN windows", lambda v: M.TextCNN(10, 4, 2, windows=(2, v), mode="rand"), "windows", BAD_POSITIVE_INT),
    ("TextCNN mode", lambda v: M.TextCNN(10, 4, 2, mode=v), "mode", BAD_OPTION),
    ("TextCNN dropout", lambda v: M.TextCNN(10, 4, 2, mode="rand", dropout=v), "dropout", BAD_PROBABILITY),
    ("TextCNN embeddings", lambda v: M.TextCNN(10, 4, 2, embeddings=v), "embeddings",
     st.sampled_from([None, np.full((10, 4), np.nan), np.zeros((9, 4)), torch.full((10, 4), math.inf), "E"])),
    ("TextCNN tokens", lambda v: _TEXT(v), "tokens",
     st.sampled_from([torch.zeros(2, 5), torch.zeros(2, 1, dtype=torch.long), torch.full((2, 5), 10),
                      -torch.ones(2, 5, dtype=torch.long), torch.zeros(0, 5, dtype=torch.long), [[1, 2, 3]]])),
    ("top_ngrams per_filter", lambda v: M.top_ngrams(_TEXT, torch.ones(2, 4, dtype=torch.long), ["<pad>", "a"], v),
     "per_filter", BAD_POSITIVE_INT),
    ("top_ngrams tokens", lambda v: M.top_ngrams(_TEXT, v, ["<pad>", "a"]), "tokens",
     st.sampled_from([torch.full((2, 4), 5, dtype=torch.long), torch.zeros(2, 4), [[1, 1, 1]]])),
    ("top_ngrams model", lambda v: M.top_ngrams(v, torch.ones(2, 4, dtype=torch.long), ["<pad>", "a"]), "model",
     st.sampled_from([None, nn.Linear(2, 2)])),
    *[(f"LocallyConnected2d {n}", (lambda n: lambda v: M.LocallyConnected2d(**{
        "in_channels": 1, "out_channels": 2, "input_size": (6, 6), "kernel_size": 3, n: v}))(n), n, family)
      for n, family in (("in_channels", BAD_POSITIVE_INT), ("out_channels", BAD_POSITIVE_INT),
                        ("kernel_size", st.one_of(BAD_POSITIVE_INT, st.integers(min_value=7, max_value=99))),
                        ("stride", BAD_POSITIVE_INT), ("padding", BAD_NONNEGATIVE_INT), ("bias", BAD_BOOL),
                        ("input_size", st.one_of(st.sampled_from([(6,), 6, "66", None]),
                                                 BAD_POSITIVE_INT.map(lambda n: (6, n)))))],
    ("LocallyConnected2d X", lambda v: M.LocallyConnected2d(1, 2, (6, 6), 3)(v), "X",
     st.sampled_from([torch.zeros(2, 6, 6), torch.zeros(2, 2, 6, 6), torch.zeros(2, 1, 5, 6), np.zeros((2, 1, 6, 6))])),
    *[(f"synthetic_faces {n}", (lambda n: lambda v: M.locally_connected.synthetic_faces(**{"n": 4, n: v}))(n), n, family)
      for n, family in (("n", BAD_POSITIVE_INT), ("n_identities", BAD_POSITIVE_INT),
                        ("max_shift", st.one_of(BAD_NONNEGATIVE_INT, st.integers(min_value=4))),
                        ("noise", BAD_NONNEGATIVE_FLOAT), ("random_state", st.sampled_from([-1, "abc", 1.5, True])),
                        ("pattern_seed", BAD_NONNEGATIVE_INT))],
    ("count_parameters model", lambda v: M.count_parameters(v), "model", st.sampled_from([None, "net", [nn.ReLU()]])),
    ("count_parameters trainable_only", lambda v: M.count_parameters(nn.Linear(2, 2), v), "trainable_only", BAD_BOOL),
    ("profile model", lambda v: M.profile(v, (3,)), "model", st.sampled_from([None, "net"])),
    ("profile input_size", lambda v: M.profile(nn.Linear(3, 2), v), "input_size",
     st.one_of(st.sampled_from([(), "3", None, 3]), BAD_POSITIVE_INT.map(lambda n: (n,)))),
]


@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
@SETTINGS
@given(data=st.data())
def test_bad_input_is_refused_with_the_argument_named(case, data):
    _, call, name, family = case
    value = data.draw(family, label=name)
    _refused(lambda: call(value), name)


# --- good inputs: cheap properties ------------------------------------------------------------
SIZES = st.lists(st.integers(1, 6), min_size=1, max_size=4).flatmap(
    lambda hidden: st.integers(2, 5).map(lambda n_out: hidden + [n_out]))  # cross-entropy needs >= 2 outputs


@SETTINGS
@given(sizes=SIZES, activation=st.sampled_from(sorted(builder.TORCH_ACTIVATIONS)),
       init=st.sampled_from(builder.TORCH_INITIALISERS + tuple(builder.INIT_ALIASES)), seed=st.integers(0, 2**31))
def test_build_mlp_layout_and_reproducibility(sizes, activation, init, seed):
    torch.manual_seed(seed)
    a = builder.build_mlp(sizes, activation, init=init)
    torch.manual_seed(seed)
    b = builder.build_mlp(sizes, activation, init=init)
    linears = [m for m in a if isinstance(m, nn.Linear)]
    assert [(m.in_features, m.out_features) for m in linears] == list(zip(sizes[:-1], sizes[1:]))
    assert len(a) == 2 * len(sizes) - 3
    assert all(torch.equal(p, q) for p, q in zip(a.state_dict().values(), b.state_dict().values()))
    assert a.eval()(torch.zeros(3, sizes[0])).shape == (3, sizes[-1])


@SETTINGS
@given(sizes=SIZES, activation=st.sampled_from(["sigmoid", "tanh", "relu", "elu", "softplus", "prelu", "selu",
                                                 "leaky_relu", "gelu", "swish", "identity"]),
       random_state=st.integers(0, 1000))
def test_to_torch_computes_the_numpy_network(sizes, activation, random_state):
    model = MLP(sizes, activation=activation, random_state=random_state).initialize()
    X = np.random.default_rng(random_state).normal(size=(4, sizes[0]))
    with torch.no_grad():
        probs = torch.softmax(builder.to_torch(model)(torch.tensor(X)), dim=1).numpy()
    np.testing.assert_allclose(probs, model.predict_proba(X), rtol=1e-10, atol=1e-14)


@SETTINGS
@given(max_shift=st.integers(0, 3), seed=st.integers(0, 2**31))
def test_random_shift_keeps_pixel_values_and_is_seeded(max_shift, seed):
    X = torch.rand(5, 16)
    a = augmentation.RandomShift((4, 4), max_shift=max_shift, seed=seed)(X)
    b = augmentation.RandomShift((4, 4), max_shift=max_shift, seed=seed)(X)
    assert torch.equal(a, b)
    assert bool(((a == 0) | torch.isin(a, X)).all())
