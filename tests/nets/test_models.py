"""nnbook.nets.models: parameter counts equal to the reference counts, shapes, and block properties.

Big networks are built on the meta device (no memory, no initialisation cost) and traced there.
"""
import numpy as np
import pytest
import torch
from torch import nn

from nnbook.nets.models import (AlexNet, GoogLeNet, InceptionModule, LeNet5, LocallyConnected2d, ResNet, TextCNN, VGG,
                                block_mlp, count_parameters, preact_resnet18, profile, resnet18, resnet34, resnet50, vgg16)
from nnbook.nets.models.inception import GOOGLENET_MODULES
from nnbook.nets.models.lenet import lenet5_1998_parameter_counts
from nnbook.nets.models.resnet import BasicBlock, MLPBlock, PreActBlock

pytestmark = pytest.mark.ch5


@pytest.fixture(autouse=True)
def one_thread():
    """These models are tiny or on the meta device: one thread avoids thread start-up costs."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


def _meta(factory):
    with torch.device("meta"):
        return factory()


# The counts torchvision's definitions give for 1000 classes (alexnet, vgg16, vgg19, resnet18/34/50).
REFERENCE = [
    ("alexnet", lambda: AlexNet(), (3, 224, 224), 61_100_840, 8),
    ("vgg16", vgg16, (3, 224, 224), 138_357_544, 16),
    ("vgg19", lambda: VGG("E"), (3, 224, 224), 143_667_240, 19),
    ("vgg16_bn", lambda: vgg16(batch_norm=True), (3, 224, 224), 138_365_992, 16),
    ("resnet18", resnet18, (3, 224, 224), 11_689_512, 18),
    ("resnet34", resnet34, (3, 224, 224), 21_797_672, 34),
    ("resnet50", resnet50, (3, 224, 224), 25_557_032, 50),
]


@pytest.mark.parametrize("name,factory,size,n_params,depth", REFERENCE, ids=[r[0] for r in REFERENCE])
def test_reference_parameter_counts_and_depths(name, factory, size, n_params, depth):
    model = _meta(factory)
    assert count_parameters(model) == n_params
    stats = profile(model, size)
    assert stats.parameters == n_params and stats.depth == depth
    assert model(torch.empty((2, *size), device="meta")).shape == (2, 1000)


def test_reference_macs_at_224():
    # Multiply-accumulates per 224x224 image; the values torchvision's documentation lists as "GFLOPS".
    expected = {"alexnet": 0.71, "vgg16": 15.47, "resnet18": 1.81, "resnet34": 3.66, "resnet50": 4.09}
    for name, factory, size, _, _ in REFERENCE:
        if name in expected:
            assert profile(_meta(factory), size).macs / 1e9 == pytest.approx(expected[name], abs=0.006), name
    # The 2016 paper put the stride of a bottleneck on its first 1x1 convolution: its "3.8 x 10^9".
    assert profile(_meta(lambda: resnet50(stride_in_1x1=True)), (3, 224, 224)).macs / 1e9 == pytest.approx(3.86, abs=0.01)


def test_alexnet_2012_two_gpu_count_and_input_size():
    # conv1 96(11*11*3)+96, conv2 256(5*5*48)+256, conv3 384(3*3*256)+384, conv4 384(3*3*192)+384,
    # conv5 256(3*3*192)+256, fc 9216*4096+4096, 4096*4096+4096, 4096*1000+1000
    by_hand = (96 * 363 + 96 + 256 * 1200 + 256 + 384 * 2304 + 384 + 384 * 1728 + 384 + 256 * 1728 + 256
               + 9216 * 4096 + 4096 + 4096 * 4096 + 4096 + 4096 * 1000 + 1000)
    model = _meta(lambda: AlexNet(variant="original"))
    assert count_parameters(model) == by_hand == 60_965_224
    assert model(torch.empty((1, 3, 227, 227), device="meta")).shape == (1, 1000)
    with pytest.raises(RuntimeError):  # 224 does not give the 6x6 map the first dense layer needs
        model(torch.empty((1, 3, 224, 224), device="meta"))


def test_vgg_configuration_c_uses_1x1_convolutions():
    model = _meta(lambda: VGG("C"))
    kernels = [m.kernel_size for m in model.modules() if isinstance(m, nn.Conv2d)]
    assert kernels.count((1, 1)) == 3 and len(kernels) == 13
    assert all(k == (3, 3) for k in (m.kernel_size for m in _meta(vgg16).modules() if isinstance(m, nn.Conv2d)))


def _inception_params(c_in, c1, c3r, c3, c5r, c5, pp):
    conv = lambda i, o, k: i * o * k * k + o  # noqa: E731
    return conv(c_in, c1, 1) + conv(c_in, c3r, 1) + conv(c3r, c3, 3) + conv(c_in, c5r, 1) + conv(c5r, c5, 5) + conv(c_in, pp, 1)


def test_googlenet_count_from_table_1():
    total = 3 * 64 * 49 + 64 + 64 * 64 + 64 + 64 * 192 * 9 + 192
    channels = 192
    for spec in GOOGLENET_MODULES:
        if spec != "M":
            total += _inception_params(channels, *spec[1:])
            channels = spec[1] + spec[3] + spec[5] + spec[6]
    total += 1024 * 1000 + 1000
    model = _meta(GoogLeNet)
    assert channels == 1024 and count_parameters(model) == total
    stats = profile(model, (3, 224, 224))
    assert stats.depth == 22
    assert model(torch.empty((1, 3, 224, 224), device="meta")).shape == (1, 1000)


def test_inception_module_shapes_and_factorisation_savings():
    X = torch.randn(2, 192, 8, 8)
    spec = (64, 96, 128, 16, 32, 32)
    module = InceptionModule(192, *spec)
    assert module(X).shape == (2, 256, 8, 8)
    assert count_parameters(module) == _inception_params(192, *spec)
    two = InceptionModule(192, *spec, factorise="3x3")
    asym = InceptionModule(192, *spec, factorise="asymmetric")
    assert two(X).shape == asym(X).shape == (2, 256, 8, 8)
    weights = lambda m: sum(c.weight.numel() for c in m.branch5.modules() if isinstance(c, nn.Conv2d))  # noqa: E731
    # 5x5 (16->32) vs 3x3 (16->32) + 3x3 (32->32) vs 1x3/3x1 pairs
    assert weights(module) == 192 * 16 + 25 * 16 * 32
    assert weights(two) == 192 * 16 + 9 * 16 * 32 + 9 * 32 * 32
    assert weights(asym) == 192 * 16 + 3 * 16 * 32 + 3 * 32 * 32 + 3 * 32 * 32 + 3 * 32 * 32
    with pytest.raises(ValueError, match="factorise"):
        InceptionModule(192, *spec, factorise="7x7")


def test_lenet5_counts_and_forward():
    model = LeNet5()
    assert count_parameters(model) == 6 * 26 + 16 * (6 * 25 + 1) + 120 * 401 + 84 * 121 + 10 * 85 == 61_706
    assert model(torch.randn(3, 1, 28, 28)).shape == (3, 10)
    paper = lenet5_1998_parameter_counts()  # numbers printed in LeCun et al. (1998), section II.B
    assert (paper["C1"], paper["C3"], paper["C5"], paper["F6"]) == (156, 1516, 48120, 10164)
    assert sum(paper.values()) == 60_000
    with pytest.raises(ValueError, match="activation"):
        LeNet5(activation="sigmoid")
    with pytest.raises(ValueError, match="pooling"):
        LeNet5(pooling="median")


def test_small_resnets_run_on_cpu():
    torch.manual_seed(0)
    for block in ("basic", "bottleneck", "preact"):
        model = ResNet(block, (1, 1, 1, 1), n_classes=7, width=8)
        assert model(torch.randn(2, 3, 64, 64)).shape == (2, 7)
        small = ResNet(block, (1, 1, 1, 1), n_classes=10, width=8, in_channels=1, small_input=True)
        assert small(torch.randn(2, 1, 28, 28)).shape == (2, 10)
    with pytest.raises(ValueError, match="block"):
        ResNet("dense", (2, 2, 2, 2))
    with pytest.raises(ValueError, match="layers"):
        ResNet("basic", (2, 2, 2))


def test_preactivation_resnet18_and_blocks_with_a_silent_branch():
    model = _meta(preact_resnet18)
    assert profile(model, (3, 224, 224)).depth == 18
    torch.manual_seed(0)
    x = torch.randn(4, 8, 6, 6)
    v2 = PreActBlock(8, 8)
    nn.init.zeros_(v2.conv2.weight)  # F = 0: a v2 block is then exactly the identity ...
    torch.testing.assert_close(v2(x), x)
    v1 = BasicBlock(8, 8)
    nn.init.zeros_(v1.residual[4].weight)  # ... a v1 block is ReLU(x), which is not
    v1.eval()
    torch.testing.assert_close(v1(x), torch.relu(x))
    assert not torch.allclose(v1(x), x)


def test_block_mlp_plain_and_residual_have_the_same_parameters():
    plain = block_mlp(5, 16, 784, 10, shortcut=False)
    residual = block_mlp(5, 16, 784, 10, shortcut=True)
    assert count_parameters(plain) == count_parameters(residual)
    assert sum(isinstance(m, nn.Linear) for m in plain.modules()) == 12
    assert residual(torch.randn(8, 784)).shape == (8, 10)
    block = MLPBlock(16, shortcut=True, zero_init=True).eval()
    x = torch.rand(8, 16)  # non-negative: ReLU(0 + x) = x
    torch.testing.assert_close(block(x), x)
    with pytest.raises(ValueError, match="width"):
        block_mlp(3, 0, 784, 10)


def test_locally_connected_equals_convolution_when_its_filters_are_tied():
    torch.manual_seed(0)
    conv = nn.Conv2d(3, 4, 3, stride=2, padding=1)
    local = LocallyConnected2d(3, 4, (9, 9), 3, stride=2, padding=1)
    with torch.no_grad():
        local.weight.copy_(conv.weight.reshape(1, 4, 27).expand_as(local.weight))
        local.bias.copy_(conv.bias[:, None, None].expand_as(local.bias))
    X = torch.randn(2, 3, 9, 9)
    torch.testing.assert_close(local(X), conv(X))
    assert count_parameters(local) == 5 * 5 * count_parameters(conv)  # one filter bank per output position
    with pytest.raises(ValueError, match="X must have shape"):
        local(torch.randn(2, 3, 8, 8))


def test_locally_connected_position_specific_weights_reference():
    torch.manual_seed(1)
    local = LocallyConnected2d(2, 3, (4, 5), 2)
    X = torch.randn(1, 2, 4, 5)
    out = local(X)
    i, j = 1, 2  # output position (i, j) uses its own filters on the window X[:, :, i:i+2, j:j+2]
    W = local.weight[i * 4 + j].reshape(3, 2, 2, 2)
    expected = (W * X[0, :, i:i + 2, j:j + 2]).sum(dim=(1, 2, 3)) + local.bias[:, i, j]
    torch.testing.assert_close(out[0, :, i, j], expected)


def test_textcnn_modes_shapes_and_frozen_channel():
    torch.manual_seed(0)
    E = torch.randn(20, 6)
    tokens = torch.randint(1, 20, (4, 9))
    for mode in ("rand", "static", "non-static", "multichannel"):
        model = TextCNN(20, 6, 2, windows=(1, 2, 3), n_filters=5, embeddings=None if mode == "rand" else E, mode=mode)
        assert model(tokens).shape == (4, 2)
        assert [f.shape for f in model.feature_maps(tokens)] == [(4, 5, 9), (4, 5, 8), (4, 5, 7)]
    model = TextCNN(20, 6, 2, windows=(2,), n_filters=5, embeddings=E, mode="multichannel")
    assert model.embed(tokens).shape == (4, 2, 9, 6)
    model(tokens).sum().backward()
    assert not model.static.weight.requires_grad and model.trainable.weight.grad is not None
    torch.testing.assert_close(model.static.weight, E)


def test_textcnn_one_max_pooling_ignores_where_the_ngram_is():
    torch.manual_seed(0)
    model = TextCNN(10, 4, 2, windows=(2,), n_filters=3, mode="rand").eval()
    a = torch.tensor([[5, 3, 4, 5, 5, 5]])  # the same bigrams, (3, 4) at another position
    b = torch.tensor([[5, 5, 5, 3, 4, 5]])
    torch.testing.assert_close(model(a), model(b))


def test_textcnn_bad_input():
    with pytest.raises(ValueError, match="mode"):
        TextCNN(10, 4, 2, mode="dynamic")
    with pytest.raises(ValueError, match="embeddings"):
        TextCNN(10, 4, 2, mode="static")
    with pytest.raises(ValueError, match="embeddings must have shape"):
        TextCNN(10, 4, 2, mode="static", embeddings=np.zeros((9, 4)))
    model = TextCNN(10, 4, 2, windows=(3,), mode="rand")
    with pytest.raises(ValueError, match="shorter than the largest window"):
        model(torch.tensor([[1, 2]]))
    with pytest.raises(ValueError, match="int64"):
        model(torch.zeros(1, 5))


def test_profile_counts_a_convolution_by_hand():
    model = nn.Sequential(nn.Conv2d(3, 8, 3, stride=2, padding=1, groups=1), nn.ReLU(), nn.Flatten(), nn.Linear(8 * 4 * 4, 5))
    stats = profile(model, (3, 8, 8))
    assert stats.macs == 4 * 4 * 8 * 3 * 9 + 128 * 5 and stats.depth == 2
    assert stats.parameters == 8 * 27 + 8 + 128 * 5 + 5
    with pytest.raises(ValueError, match="input_size"):
        profile(model, (3, 0, 8))


def test_synthetic_faces_aligned_and_shifted():
    from nnbook.nets.models.locally_connected import FACE_PARTS, synthetic_faces

    X, y = synthetic_faces(20, n_identities=3, noise=0.0, random_state=1)
    assert X.shape == (20, 1, 22, 22) and X.dtype == np.float32 and set(y.tolist()) <= {0, 1, 2}
    same = np.flatnonzero(y == y[0])
    np.testing.assert_array_equal(X[same[0]], X[same[-1]])  # aligned, noiseless: one image per identity
    row, col = FACE_PARTS[0]
    assert np.all(np.abs(X[0, 0, 3 + row:6 + row, 3 + col:6 + col]) == 1)
    Xs, ys = synthetic_faces(200, n_identities=3, max_shift=3, noise=0.0, random_state=1)
    assert np.array_equal(np.abs(Xs).sum(axis=(1, 2, 3)), np.full(200, 36.0))  # parts never leave the canvas
    with pytest.raises(ValueError, match="max_shift"):
        synthetic_faces(5, max_shift=4)


def test_profile_counts_locally_connected_like_the_convolution_of_its_shape():
    with torch.device("meta"):
        conv, local = nn.Conv2d(4, 6, 3, stride=2), LocallyConnected2d(4, 6, (9, 9), 3, stride=2)
    conv_stats, local_stats = profile(conv, (4, 9, 9)), profile(local, (4, 9, 9))
    assert local_stats.macs == conv_stats.macs == 4 * 4 * 6 * 4 * 9 and local_stats.depth == 1
    assert local_stats.parameters == 16 * 6 * 36 + 6 * 16


def test_top_ngrams_finds_the_ngram_a_filter_was_built_for():
    from nnbook.nets.models import top_ngrams

    torch.manual_seed(0)
    E = torch.eye(5)  # one-hot word vectors
    model = TextCNN(5, 5, 2, windows=(2,), n_filters=1, embeddings=E, mode="static")
    with torch.no_grad():
        model.convs[0].weight.zero_()
        model.convs[0].weight[0, 0, 0, 3] = 1.0   # first word 3 ...
        model.convs[0].weight[0, 0, 1, 4] = 1.0   # ... followed by word 4
        model.convs[0].bias.zero_()
    tokens = torch.tensor([[2, 3, 4, 2], [4, 3, 2, 2]])
    (h, f, best), = top_ngrams(model, tokens, ["<pad>", "<unk>", "a", "not", "good"], per_filter=2)
    assert (h, f) == (2, 0) and best[0] == ("not good", 2.0) and best[1][1] == 1.0
