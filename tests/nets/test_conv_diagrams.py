"""nnbook.nets.conv_diagrams: output sizes and windows checked against torch.nn.functional.conv2d
(shapes, and one-hot inputs for which cells feed which output), the drawings, and bad inputs."""
import itertools
import math
import re

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402
from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from nnbook.nets import conv_diagrams as cd  # noqa: E402

pytestmark = pytest.mark.ch5
SETTINGS = settings(max_examples=25, deadline=None, derandomize=True)
GEOMETRIES = [(n, k, p, s, d) for n, k, p, s, d in itertools.product((1, 4, 7), (1, 2, 3), (0, 1, 2), (1, 2, 3), (1, 2))
              if d * (k - 1) + 1 <= n + 2 * p]


@pytest.mark.parametrize("n, k, p, s, d", GEOMETRIES)
def test_output_size_matches_conv2d(n, k, p, s, d):
    y = F.conv2d(torch.zeros(1, 1, n, n + 1), torch.zeros(1, 1, k, k), padding=p, stride=s, dilation=d)
    assert y.shape[2:] == (cd.output_size(n, k, p, s, d), cd.output_size(n + 1, k, p, s, d))


@pytest.mark.parametrize("n, k, p, s, d", GEOMETRIES[::3])
def test_connection_matrix_matches_one_hot_inputs(n, k, p, s, d):
    """A one-hot input at (r, c) convolved with a kernel of ones is 1 exactly at the outputs it feeds."""
    H, W = n, n + 1
    A = cd.connection_matrix((H, W), k, p, s, d)
    X = torch.eye(H * W, dtype=torch.float64).reshape(H * W, 1, H, W)
    Y = F.conv2d(X, torch.ones(1, 1, k, k, dtype=torch.float64), padding=p, stride=s, dilation=d)[:, 0]
    expected = Y.permute(1, 2, 0).reshape(Y.shape[1], Y.shape[2], H, W).numpy() > 0.5
    np.testing.assert_array_equal(A, expected)


@pytest.mark.parametrize("n, k, p, s, d", GEOMETRIES[1::4])
def test_window_mask_is_the_padded_window(n, k, p, s, d):
    """Compared with the gradient of one output of conv2d on the explicitly padded input."""
    m = cd.output_size(n, k, p, s, d)
    for i, j in {(0, 0), (m - 1, m - 1), (m // 2, 0)}:
        Xp = torch.zeros(1, 1, n + 2 * p, n + 2 * p, dtype=torch.float64, requires_grad=True)
        F.conv2d(Xp, torch.ones(1, 1, k, k, dtype=torch.float64), stride=s, dilation=d)[0, 0, i, j].backward()
        np.testing.assert_array_equal(cd.window_mask((n, n), (i, j), k, p, s, d), Xp.grad[0, 0].numpy() > 0)


def test_textbook_numbers():
    assert cd.output_size(5, 3) == 3 and cd.output_size(5, 3, padding=1) == 5
    assert cd.output_size(5, 3, padding=1, stride=2) == 3 and cd.output_size(5, 3, dilation=2) == 1
    assert cd.output_size(224, 7, padding=3, stride=2) == 112  # the ResNet stem
    np.testing.assert_array_equal(cd.input_indices(2, 3, padding=1, stride=2, dilation=2), [3, 5, 7])


def test_multichannel_and_one_by_one_shapes():
    X, W = torch.zeros(2, 3, 6, 6), torch.zeros(4, 3, 3, 3)
    fig, ax = plt.subplots()
    assert cd.draw_channels(ax, 3, 4, 3, n=6) == tuple(F.conv2d(X, W).shape[1:])
    assert cd.draw_channels(ax, 8, 2, 1, n=6) == tuple(F.conv2d(torch.zeros(1, 8, 6, 6), torch.zeros(2, 8, 1, 1)).shape[1:])
    plt.close(fig)


def test_drawings_return_the_shapes_and_hide_the_axes():
    fig, axes = plt.subplots(1, 3)
    assert cd.draw_convolution(axes[0], 5, 3, padding=1, stride=2, out_index=(1, 1)) == (3, 3)
    cd.draw_unit(axes[1], ["Conv2d", "BatchNorm2d", "ReLU"], ["ReLU"], title="v1")
    cd.draw_unit(axes[2], ["Conv2d"], shortcut=False)
    assert not any(ax.axison for ax in axes)
    # the window of output (1, 1) with stride 2 and padding 1 starts at padded cell (2, 2): 9 coloured cells
    assert len(axes[0].patches) == 7 * 7 + 3 * 3
    plt.close(fig)


# --- bad inputs -------------------------------------------------------------------------------
NOT_INTS = st.one_of(st.floats(allow_nan=True), st.booleans(), st.text(max_size=3), st.none())


def _refused(call, name):
    with pytest.raises((ValueError, TypeError), match=re.escape(name)):
        call()


@SETTINGS
@given(bad=st.one_of(st.integers(max_value=0), NOT_INTS), name=st.sampled_from(["n", "kernel", "stride", "dilation"]))
def test_output_size_refuses_bad_geometry(bad, name):
    args = dict(n=5, kernel=3, padding=0, stride=1, dilation=1)
    args[name] = bad
    _refused(lambda: cd.output_size(**args), name)


@SETTINGS
@given(bad=st.one_of(st.integers(max_value=-1), NOT_INTS))
def test_negative_padding_and_index_are_refused(bad):
    _refused(lambda: cd.output_size(5, 3, padding=bad), "padding")
    _refused(lambda: cd.input_indices(bad, 3), "i")


@SETTINGS
@given(k=st.integers(min_value=4, max_value=9))
def test_kernel_longer_than_the_padded_input_is_refused(k):
    _refused(lambda: cd.output_size(3, k), "kernel")
    with pytest.raises(RuntimeError):  # torch refuses it too
        F.conv2d(torch.zeros(1, 1, 3, 3), torch.zeros(1, 1, k, k))


@pytest.mark.parametrize("shape, name", [((5,), "shape"), ("55", "shape"), ((5, 0), "shape[1]"), ((5, math.nan), "shape[1]")])
def test_bad_shapes_are_refused(shape, name):
    _refused(lambda: cd.connection_matrix(shape, 3), name)
    _refused(lambda: cd.window_mask(shape, (0, 0), 3), name)


@pytest.mark.parametrize("index, name", [((3, 0), "out_index[0]"), ((0, -1), "out_index[1]"), ((0,), "out_index"),
                                         ((0.5, 0), "out_index[0]")])
def test_bad_out_index_is_refused(index, name):
    _refused(lambda: cd.window_mask((5, 5), index, 3), name)


def test_bad_unit_layers_are_refused():
    fig, ax = plt.subplots()
    _refused(lambda: cd.draw_unit(ax, []), "branch")
    _refused(lambda: cd.draw_unit(ax, "Conv2d"), "branch")
    _refused(lambda: cd.draw_unit(ax, ["Conv2d", 3]), "branch[1]")
    _refused(lambda: cd.draw_unit(ax, ["Conv2d"], [""]), "after[0]")
    _refused(lambda: cd.draw_channels(ax, 0, 2, 3), "in_channels")
    plt.close(fig)
