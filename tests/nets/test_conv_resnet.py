"""nnbook.nets.models.conv_resnet: closed-form parameter counts, shapes, the layer order of v1 and
v2 units (against the blocks of nnbook.nets.models.resnet and a float64 formula), and bad inputs."""
import re

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from torch import nn

from nnbook.nets.models.conv_resnet import ConvUnit, conv_resnet, conv_resnet_parameters
from nnbook.nets.models.resnet import BasicBlock, PreActBlock

pytestmark = pytest.mark.ch5
SETTINGS = settings(max_examples=20, deadline=None, derandomize=True)


def _bn(x, bn):
    """Batch normalisation in evaluation mode, written out."""
    scale = bn.weight / torch.sqrt(bn.running_var + bn.eps)
    return (x - bn.running_mean[None, :, None, None]) * scale[None, :, None, None] + bn.bias[None, :, None, None]


def _randomise(module):
    torch.manual_seed(1)
    for m in module.modules():
        if isinstance(m, nn.BatchNorm2d):
            m.weight.data.uniform_(0.5, 1.5), m.bias.data.normal_()
            m.running_mean.normal_(), m.running_var.uniform_(0.5, 2.0)
    return module.double().eval()


@pytest.mark.parametrize("n_units, width, in_channels, n_classes", [(0, 1, 1, 1), (1, 8, 1, 10), (6, 8, 1, 10),
                                                                    (3, 16, 3, 7)])
@pytest.mark.parametrize("version", ["v1", "v2"])
@pytest.mark.parametrize("shortcut", [True, False])
def test_parameter_count_in_closed_form(n_units, width, in_channels, n_classes, version, shortcut):
    model = conv_resnet(n_units, width, in_channels, n_classes, shortcut=shortcut, version=version)
    counted = sum(p.numel() for p in model.parameters())
    w, C, K, n = width, in_channels, n_classes, n_units
    assert counted == conv_resnet_parameters(n, w, C, K) == 9 * C * w + 2 * w + n * (18 * w * w + 4 * w) + (w + 1) * K
    assert sum(isinstance(m, nn.Conv2d) for m in model.modules()) == 1 + 2 * n_units


@pytest.mark.parametrize("version", ["v1", "v2"])
def test_shapes(version):
    model = conv_resnet(3, 8, 2, 5, version=version).eval()
    assert model(torch.zeros(4, 2, 8, 8)).shape == (4, 5)
    assert model(torch.zeros(1, 2, 5, 9)).shape == (1, 5)
    unit = ConvUnit(8, version)
    assert unit(torch.randn(2, 8, 6, 6)).shape == (2, 8, 6, 6)


def test_layer_orders():
    names = lambda seq: [type(m).__name__ for m in seq]  # noqa: E731
    v1, v2 = ConvUnit(4, "v1"), ConvUnit(4, "v2")
    assert names(v1.branch) == ["Conv2d", "BatchNorm2d", "ReLU", "Conv2d", "BatchNorm2d"] and names(v1.after) == ["ReLU"]
    assert names(v2.branch) == ["BatchNorm2d", "ReLU", "Conv2d", "BatchNorm2d", "ReLU", "Conv2d"] and names(v2.after) == []


@pytest.mark.parametrize("shortcut", [True, False])
def test_v1_unit_is_conv_bn_relu_conv_bn_add_relu(shortcut):
    unit = _randomise(ConvUnit(3, "v1", shortcut))
    x = torch.randn(2, 3, 5, 5, dtype=torch.float64)
    c1, b1, _, c2, b2 = unit.branch
    h = _bn(nn.functional.conv2d(torch.relu(_bn(nn.functional.conv2d(x, c1.weight, padding=1), b1)), c2.weight,
                                 padding=1), b2)
    torch.testing.assert_close(unit(x), torch.relu(h + x if shortcut else h), rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("shortcut", [True, False])
def test_v2_unit_is_bn_relu_conv_bn_relu_conv_add(shortcut):
    unit = _randomise(ConvUnit(3, "v2", shortcut))
    x = torch.randn(2, 3, 5, 5, dtype=torch.float64)
    b1, _, c1, b2, _, c2 = unit.branch
    h = nn.functional.conv2d(torch.relu(_bn(nn.functional.conv2d(torch.relu(_bn(x, b1)), c1.weight, padding=1), b2)),
                             c2.weight, padding=1)
    torch.testing.assert_close(unit(x), h + x if shortcut else h, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("version, Reference", [("v1", BasicBlock), ("v2", PreActBlock)])
def test_units_equal_the_resnet_blocks_with_the_same_weights(version, Reference):
    ours, ref = _randomise(ConvUnit(4, version)), Reference(4, 4).double().eval()
    if version == "v1":
        pairs = [(ref.residual[0], ours.branch[0]), (ref.residual[1], ours.branch[1]), (ref.residual[3], ours.branch[3]),
                 (ref.residual[4], ours.branch[4])]
    else:
        pairs = [(ref.bn1, ours.branch[0]), (ref.conv1, ours.branch[2]), (ref.bn2, ours.branch[3]), (ref.conv2, ours.branch[5])]
    for a, b in pairs:
        a.load_state_dict(b.state_dict())
    x = torch.randn(3, 4, 6, 6, dtype=torch.float64)
    torch.testing.assert_close(ours(x), ref(x), rtol=1e-12, atol=1e-12)


def test_zero_branch_makes_the_v2_unit_the_identity():
    unit = ConvUnit(3, "v2")
    nn.init.zeros_(unit.branch[5].weight)
    x = torch.randn(2, 3, 4, 4)
    torch.testing.assert_close(unit(x), x)


# --- bad inputs -------------------------------------------------------------------------------
NOT_INTS = st.one_of(st.floats(allow_nan=True), st.booleans(), st.text(max_size=3), st.none())


def _refused(call, name):
    with pytest.raises((ValueError, TypeError), match=re.escape(name)):
        call()


@SETTINGS
@given(bad=st.one_of(st.integers(max_value=0), NOT_INTS), name=st.sampled_from(["width", "in_channels", "n_classes"]))
def test_bad_sizes_are_refused(bad, name):
    _refused(lambda: conv_resnet(2, **{name: bad}), name)
    _refused(lambda: conv_resnet_parameters(2, **{name: bad}), name)


@SETTINGS
@given(bad=st.one_of(st.integers(max_value=-1), NOT_INTS))
def test_bad_unit_counts_and_channels_are_refused(bad):
    _refused(lambda: conv_resnet(bad), "n_units")
    _refused(lambda: ConvUnit(bad if bad != 0 else -1), "channels")


@SETTINGS
@given(bad=st.one_of(st.text(alphabet="v0123x", max_size=3).filter(lambda v: v not in ("v1", "v2")), st.integers(),
                     st.none()))
def test_bad_versions_are_refused(bad):
    _refused(lambda: conv_resnet(2, version=bad), "version")
    _refused(lambda: ConvUnit(4, version=bad), "version")


@pytest.mark.parametrize("bad", [1, "yes", None, 0.0])
def test_bad_shortcut_is_refused(bad):
    _refused(lambda: conv_resnet(2, shortcut=bad), "shortcut")
    _refused(lambda: ConvUnit(4, shortcut=bad), "shortcut")


@pytest.mark.parametrize("x", [torch.zeros(2, 3, 4, 4), torch.zeros(2, 4, 4), torch.zeros(2, 4, 4, 4, dtype=torch.int64)])
def test_bad_images_are_refused(x):
    _refused(lambda: ConvUnit(4)(x), "x")
