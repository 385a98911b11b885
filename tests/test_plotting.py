"""nnbook.plotting: the book's style and figure helpers."""
import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pytest  # noqa: E402

from nnbook import plotting  # noqa: E402

pytestmark = pytest.mark.book


def test_image_grid_lays_out_every_image():
    fig = plotting.image_grid(np.zeros((12, 8, 8)), labels=list(range(12)), n_cols=5)
    shown = [ax for ax in fig.axes if ax.images]
    assert len(shown) == 12 and len(fig.axes) == 15
    assert shown[3].get_title() == "3"


@pytest.mark.parametrize("images, kwargs, match", [
    (np.zeros((3, 8)), {}, "images must have shape"),
    (np.zeros((0, 8, 8)), {}, "empty"),
    (np.zeros((3, 8, 8)), {"labels": [1, 2]}, "labels has 2"),
    (np.zeros((3, 8, 8)), {"n_cols": 0}, "n_cols"),
])
def test_image_grid_rejects_bad_input(images, kwargs, match):
    with pytest.raises(ValueError, match=match):
        plotting.image_grid(images, **kwargs)


def test_book_style_uses_the_palette():
    import matplotlib as mpl

    plotting.use_book_style()
    assert mpl.rcParams["axes.prop_cycle"].by_key()["color"][0] == plotting.PALETTE[0]
