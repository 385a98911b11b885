"""LeNet-5 (LeCun et al. 1998): convolution, subsampling, convolution, subsampling, three dense layers.

Layout for a 28x28 digit (the paper pads the digit into a 32x32 field; ``padding=2`` on the
first convolution does the same)::

    C1 conv 5x5, 1->6      28x28x6      S2 pool 2x2  14x14x6
    C3 conv 5x5, 6->16     10x10x16     S4 pool 2x2   5x5x16
    C5 dense 400->120      F6 dense 120->84           output 84->10

The 1998 network differs in three details we do not reproduce (they matter for the parameter
count, see :func:`lenet5_1998_parameter_counts`): C3 connects each of its 16 maps to only some of
the 6 maps of S2, the subsampling layers have a trainable coefficient and bias per map, and the
output is a layer of Euclidean radial basis functions instead of a dense layer and a softmax.

Book sections: ``book/ch5-cnn/03-digits.ipynb`` and ``book/ch5-cnn/04-architectures.ipynb``.
"""
from __future__ import annotations

from torch import nn

from nnbook._validation import check_bool, check_int, check_number, check_option, check_tensor

__all__ = ["LeNet5", "C3_CONNECTIONS", "lenet5_1998_parameter_counts"]

_ACTIVATIONS = {"tanh": nn.Tanh, "relu": nn.ReLU}
_POOLS = {"avg": nn.AvgPool2d, "max": nn.MaxPool2d}

#: Which S2 maps feed each of the 16 C3 maps (Table I of LeCun et al. 1998).
C3_CONNECTIONS = (
    (0, 1, 2), (1, 2, 3), (2, 3, 4), (3, 4, 5), (0, 4, 5), (0, 1, 5),
    (0, 1, 2, 3), (1, 2, 3, 4), (2, 3, 4, 5), (0, 3, 4, 5), (0, 1, 4, 5), (0, 1, 2, 5),
    (0, 1, 3, 4), (1, 2, 4, 5), (0, 2, 3, 5),
    (0, 1, 2, 3, 4, 5),
)


class LeNet5(nn.Module):
    """A LeNet-5-style classifier for 1x28x28 images.

    Parameters
    ----------
    n_classes : int, default 10
    activation : {"tanh", "relu"}, default "tanh"
    pooling : {"avg", "max"}, default "avg"
    widths : (int, int, int, int), default (6, 16, 120, 84)
        Channels of C1 and C3, units of C5 and F6.
    batch_norm : bool, default False
        Batch normalisation after each convolution and hidden dense layer (not in the paper).
    dropout : float, default 0.0
        Dropout before the last two dense layers (not in the paper).

    Input shape (N, 1, 28, 28); output logits (N, n_classes).
    """

    def __init__(self, n_classes: int = 10, activation: str = "tanh", pooling: str = "avg",
                 widths=(6, 16, 120, 84), batch_norm: bool = False, dropout: float = 0.0):
        super().__init__()
        n_classes = check_int("n_classes", n_classes, low=1)
        check_option("activation", activation, sorted(_ACTIVATIONS))
        check_option("pooling", pooling, sorted(_POOLS))
        if isinstance(widths, (str, bytes)) or not hasattr(widths, "__len__") or len(widths) != 4:
            raise ValueError(f"widths must be four positive ints, got {widths!r}")
        c1, c3, c5, f6 = (check_int(f"widths[{i}]", w, low=1) for i, w in enumerate(widths))
        batch_norm = check_bool("batch_norm", batch_norm)
        dropout = check_number("dropout", dropout, low=0.0, high=1.0)
        act, pool = _ACTIVATIONS[activation], _POOLS[pooling]

        def norm(n, dims):
            return (nn.BatchNorm2d(n) if dims == 2 else nn.BatchNorm1d(n)) if batch_norm else nn.Identity()

        self.features = nn.Sequential(
            nn.Conv2d(1, c1, 5, padding=2), norm(c1, 2), act(), pool(2),
            nn.Conv2d(c1, c3, 5), norm(c3, 2), act(), pool(2),
        )
        self.classifier = nn.Sequential(
            nn.Flatten(),
            nn.Linear(c3 * 5 * 5, c5), norm(c5, 1), act(), nn.Dropout(dropout),
            nn.Linear(c5, f6), norm(f6, 1), act(), nn.Dropout(dropout),
            nn.Linear(f6, n_classes),
        )

    def forward(self, X):
        check_tensor("X", X, ndim=4, finite=False)
        if tuple(X.shape[1:]) != (1, 28, 28):
            raise ValueError(f"X must have shape (N, 1, 28, 28), got {tuple(X.shape)}")
        return self.classifier(self.features(X))


def lenet5_1998_parameter_counts() -> dict[str, int]:
    """Trainable parameters of each layer of the 1998 LeNet-5, from its definition.

    C1: 6 maps x (5x5 + 1); S2, S4: one coefficient and one bias per map; C3: 5x5 weights per
    connection of :data:`C3_CONNECTIONS` plus one bias per map; C5: 120 x (16x5x5 + 1); F6:
    84 x (120 + 1). The 10 x 84 RBF centres of the output layer were set by hand, not trained.
    The total is the paper's "60,000 trainable parameters".
    """
    return {
        "C1": 6 * (5 * 5 + 1),
        "S2": 6 * 2,
        "C3": 5 * 5 * sum(len(c) for c in C3_CONNECTIONS) + 16,
        "S4": 16 * 2,
        "C5": 120 * (16 * 5 * 5 + 1),
        "F6": 84 * (120 + 1),
    }
