r"""Boolean functions as neural networks: truth tables, DNF networks and parity circuits.

A Boolean function of ``n`` inputs is stored as its truth table ``y``, shape ``(2**n,)``,
with ``y[k]`` the output for the inputs whose binary digits spell ``k`` (``x_1`` is the most
significant bit; see :func:`all_inputs`). A conjunction (a *term*, or *cube*) is a string
over ``'0'``, ``'1'``, ``'-'`` of length ``n``: ``'1-0'`` is :math:`x_1 \wedge \neg x_3`.

The networks are :class:`nnbook.studies.circuit.Network` objects, whose layers may read any earlier
value, so that a circuit of XOR blocks can feed an input straight into a deep layer;
:func:`forward` (the NumPy forward pass), :class:`NetworkBuilder` and :func:`strictly_layered`
come from :mod:`nnbook.studies.circuit` and are re-exported here.

Book pages: ``book/ch1-feedforward/01-xor`` (XOR), ``02-one-hidden-layer`` (DNF networks,
Karnaugh merging, parity as the worst case of DNF) and ``03-depth`` (parity chains and trees).
"""
from __future__ import annotations

import itertools
import math

import numpy as np

from nnbook.studies.circuit import ACTIVATIONS, Layer, Network, NetworkBuilder, forward, step, strictly_layered

__all__ = [  # the circuit names are re-exported, so that one import serves the chapter
    "ACTIVATIONS", "Layer", "Network", "NetworkBuilder", "forward", "step", "strictly_layered",
    "all_inputs", "check_truth_table", "truth_table", "parity_table", "term_to_str", "dnf_to_str",
    "term_matches", "minterms", "prime_implicants", "minimal_dnfs", "minimal_dnf_sizes",
    "conjunction_unit", "dnf_network", "network_from_truth_table", "xor_network", "parity_chain",
    "parity_tree", "parity_one_hidden_layer", "chain_counts", "tree_counts", "threshold_width_lower_bound",
]



# ----------------------------------------------------------------------------- truth tables
def all_inputs(n: int) -> np.ndarray:
    """All ``2**n`` binary inputs, shape ``(2**n, n)``, row ``k`` = binary digits of ``k``."""
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1:
        raise ValueError(f"n must be a positive int, got {n!r}")
    k = np.arange(2 ** n)[:, None]
    return ((k >> np.arange(n - 1, -1, -1)) & 1).astype(np.int64)


def check_truth_table(y) -> tuple[np.ndarray, int]:
    """Validate a truth table; return it as an int64 array and its number of inputs ``n``.

    Raises ``TypeError`` for non-numeric entries and ``ValueError`` for a table that is not
    1-D, whose length is not ``2**n`` with ``n >= 1``, or whose entries are not all 0 or 1.
    """
    arr = np.asarray(y)
    if arr.dtype == bool:
        arr = arr.astype(np.int64)
    if not (np.issubdtype(arr.dtype, np.integer) or np.issubdtype(arr.dtype, np.floating)):
        raise TypeError(f"y must hold numbers 0 and 1, got dtype {arr.dtype}")
    if arr.ndim != 1:
        raise ValueError(f"y must be 1-D (one output per input row), got shape {arr.shape}")
    n = int(round(math.log2(len(arr)))) if len(arr) > 0 else 0
    if len(arr) < 2 or 2 ** n != len(arr):
        raise ValueError(f"y must have length 2**n for some n >= 1, got length {len(arr)}")
    bad = arr[(arr != 0) & (arr != 1)]
    if bad.size:
        raise ValueError(f"y must contain only 0 and 1, got {np.unique(bad)[:5].tolist()}")
    return arr.astype(np.int64), n


def truth_table(f, n: int) -> np.ndarray:
    """Truth table of ``f``, a function taking an ``(m, n)`` array of bits and returning ``(m,)``."""
    return check_truth_table(np.asarray(f(all_inputs(n))).astype(np.int64))[0]


def parity_table(n: int) -> np.ndarray:
    r"""Truth table of n-input parity :math:`x_1 \oplus \dots \oplus x_n`."""
    return all_inputs(n).sum(axis=1) % 2


# ----------------------------------------------------------------------------- terms (cubes)
def _check_term(term: str, n: int | None = None) -> str:
    if not isinstance(term, str) or not term or set(term) - set("01-"):
        raise ValueError(f"a term must be a non-empty string over '0', '1', '-', got {term!r}")
    if n is not None and len(term) != n:
        raise ValueError(f"term {term!r} has length {len(term)}, expected {n}")
    return term


def term_to_str(term: str) -> str:
    """Human-readable conjunction: ``'1-0'`` -> ``'x1 ¬x3'`` (``'1'`` for the empty conjunction)."""
    parts = [("" if c == "1" else "¬") + f"x{i + 1}" for i, c in enumerate(_check_term(term)) if c != "-"]
    return " ".join(parts) if parts else "1"


def dnf_to_str(terms) -> str:
    """A DNF as text, terms joined by ``∨``; ``'0'`` for the empty disjunction."""
    return " ∨ ".join(f"({term_to_str(t)})" for t in terms) if terms else "0"


def term_matches(term: str, X) -> np.ndarray:
    """Boolean mask, shape ``(m,)``: which rows of ``X`` (m, n) satisfy the conjunction ``term``."""
    X = np.asarray(X)
    _check_term(term, X.shape[1])
    fixed = [(i, int(c)) for i, c in enumerate(term) if c != "-"]
    return np.all([X[:, i] == v for i, v in fixed], axis=0) if fixed else np.ones(len(X), bool)


def minterms(y) -> list[str]:
    """The canonical DNF: one full conjunction per row where ``y`` is 1, in row order."""
    y, n = check_truth_table(y)
    return ["".join(map(str, row)) for row in all_inputs(n)[y == 1]]


def prime_implicants(y) -> list[str]:
    r"""Prime implicants of ``y`` by Quine--McCluskey merging (sorted).

    Two implicants that differ in exactly one fixed literal merge into one with that literal
    removed, :math:`(A \wedge x_i) \vee (A \wedge \neg x_i) = A` -- the adjacency a Karnaugh
    map shows as neighbouring cells. Implicants that merge with no other are prime.
    """
    current = set(minterms(y))
    primes: set[str] = set()
    while current:
        merged, used = set(), set()
        for t in current:
            for i, c in enumerate(t):
                if c == "0":
                    partner = t[:i] + "1" + t[i + 1:]
                    if partner in current:
                        merged.add(t[:i] + "-" + t[i + 1:])
                        used.update((t, partner))
        primes |= current - used
        current = merged
    return sorted(primes)


def minimal_dnfs(y, limit: int | None = None) -> list[list[str]]:
    """Every DNF of ``y`` with the fewest terms (each a sorted list of prime implicants).

    Exact search over subsets of prime implicants by increasing size: meant for small ``n``
    (Karnaugh-map sized examples). ``limit`` stops after that many solutions.
    """
    y, n = check_truth_table(y)
    primes = prime_implicants(y)
    X = all_inputs(n)
    ones = y == 1
    covers = [term_matches(t, X) for t in primes]
    for k in range(len(primes) + 1):
        found = [sorted(primes[i] for i in c) for c in itertools.combinations(range(len(primes)), k)
                 if np.array_equal(np.any([covers[i] for i in c], axis=0) if c else np.zeros_like(ones), ones)]
        if found:
            return found[:limit]
    raise AssertionError("unreachable: the prime implicants always cover y")  # pragma: no cover


def minimal_dnf_sizes(n: int) -> np.ndarray:
    """Fewest terms of any DNF, for *every* Boolean function of ``n <= 4`` inputs.

    Returns ``sizes`` of shape ``(2**(2**n),)``; ``sizes[F]`` is the minimum for the function
    whose truth table, read as the bits ``y[k] = (F >> k) & 1``, is ``F``. Breadth-first
    search over unions of cubes (a DNF with k terms is a union of k cubes), so exact.
    """
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or not 1 <= n <= 4:
        raise ValueError(f"n must be an int in 1..4 (there are 2**(2**n) functions), got {n!r}")
    X = all_inputs(n)
    cubes = np.array([int(np.sum(term_matches("".join(t), X) << np.arange(2 ** n)))
                      for t in itertools.product("01-", repeat=n)], dtype=np.int64)
    sizes = np.full(2 ** (2 ** n), -1, dtype=np.int64)
    sizes[0], frontier, k = 0, np.array([0]), 0
    while frontier.size:
        k += 1
        reached = np.unique((frontier[:, None] | cubes[None, :]).ravel())
        frontier = reached[sizes[reached] < 0]
        sizes[frontier] = k
    return sizes


def conjunction_unit(term: str) -> tuple[np.ndarray, float]:
    r"""Weights and bias of a unit that outputs 1 exactly when ``term`` holds.

    :math:`w_i = +1` for a literal :math:`x_i`, :math:`-1` for :math:`\neg x_i`, 0 if absent,
    and :math:`b = 1 - P` with :math:`P` the number of *positive* literals. Then
    :math:`w \cdot x + b = 1 - (\text{number of violated literals})`, so ReLU or a threshold
    at 0 gives 1 on the satisfying inputs and 0 elsewhere.
    """
    _check_term(term)
    w = np.array([{"1": 1.0, "0": -1.0, "-": 0.0}[c] for c in term])
    return w, 1.0 - term.count("1")


def dnf_network(terms, n: int, hidden: str = "relu", output: str = "threshold", negate: bool = False) -> Network:
    r"""One-hidden-layer network for the DNF ``terms``: one hidden unit per conjunction.

    ``output="threshold"``: :math:`y = H(\sum_j h_j - 1/2)` (an OR; correct for any terms);
    ``output="linear"``: :math:`y = \sum_j h_j` (correct only when no two terms overlap,
    e.g. for minterms). ``negate=True`` outputs the complement, :math:`1 - \mathrm{OR}`.
    """
    if hidden not in ("relu", "step"):
        raise ValueError(f"hidden must be 'relu' or 'step', got {hidden!r}")
    if output not in ("threshold", "linear"):
        raise ValueError(f"output must be 'threshold' or 'linear', got {output!r}")
    builder = NetworkBuilder(n)
    units = []
    for t in terms:
        w, bias = conjunction_unit(_check_term(t, n))
        units.append(({i: wi for i, wi in enumerate(w) if wi}, bias))
    h = builder.add_layer(units, hidden)
    sign = -1.0 if negate else 1.0
    if output == "threshold":
        builder.add_layer([({j: sign for j in h}, -sign * 0.5)], "step")
    else:
        builder.add_layer([({j: sign for j in h}, 1.0 if negate else 0.0)], "identity")
    return builder.build()


def network_from_truth_table(y, method: str = "minterms", complement="auto", **kwargs) -> Network:
    """One-hidden-layer network computing truth table ``y`` through a DNF.

    ``method="minterms"`` uses one unit per 1 of the table; ``"minimal"`` a fewest-term DNF
    (small n only). ``complement=True`` builds the DNF of ``1 - y`` and negates the output;
    ``"auto"`` picks whichever needs fewer hidden units, so minterms never need more than
    ``2**(n-1)``. Extra keyword arguments go to :func:`dnf_network`.
    """
    y, n = check_truth_table(y)
    if method not in ("minterms", "minimal"):
        raise ValueError(f"method must be 'minterms' or 'minimal', got {method!r}")
    if complement not in (True, False, "auto"):
        raise ValueError(f"complement must be True, False or 'auto', got {complement!r}")
    dnf = minterms if method == "minterms" else (lambda t: minimal_dnfs(t, limit=1)[0])
    plain, neg = (dnf(y) if complement is not True else None), (dnf(1 - y) if complement is not False else None)
    use_neg = complement is True or (complement == "auto" and len(neg) < len(plain))
    return dnf_network(neg if use_neg else plain, n, negate=use_neg, **kwargs)


def _xor_level(builder: NetworkBuilder, pairs) -> list[int]:
    """One XOR block per pair: ``h1 = relu(a + b - 1)``, ``h2 = relu(1 - a - b)``, ``out = 1 - h1 - h2``."""
    hidden = builder.add_layer([u for a, b in pairs for u in (({a: 1, b: 1}, -1.0), ({a: -1, b: -1}, 1.0))], "relu")
    return builder.add_layer([({hidden[2 * k]: -1, hidden[2 * k + 1]: -1}, 1.0) for k in range(len(pairs))], "identity")


def _check_n(n, minimum=2):
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < minimum:
        raise ValueError(f"n must be an int >= {minimum}, got {n!r}")
    return int(n)


def xor_network() -> Network:
    """The hand-set XOR network: two ReLU hidden units and a linear output (3 units, 2 layers)."""
    builder = NetworkBuilder(2)
    _xor_level(builder, [(0, 1)])
    return builder.build()


def parity_chain(n: int) -> Network:
    r"""n-input parity as a chain of XOR blocks: :math:`((x_1 \oplus x_2) \oplus x_3) \oplus \dots`."""
    builder, acc = NetworkBuilder(_check_n(n)), 0
    for i in range(1, n):
        acc = _xor_level(builder, [(acc, i)])[0]
    return builder.build()


def parity_tree(n: int) -> Network:
    """n-input parity as a balanced tree of XOR blocks; an odd value out waits for the next level."""
    builder, values = NetworkBuilder(_check_n(n)), list(range(n))
    while len(values) > 1:
        pairs = list(zip(values[0::2], values[1::2]))
        values = _xor_level(builder, pairs) + values[2 * len(pairs):]
    return builder.build()


def parity_one_hidden_layer(n: int, hidden: str = "step") -> Network:
    r"""n-input parity with ONE hidden layer of n units, through the count :math:`s = \sum_i x_i`.

    ``"step"``: :math:`h_k = H(s - k + 1/2)`, :math:`k = 1..n`, :math:`y = \sum_k (-1)^{k+1} h_k`.
    ``"relu"``: :math:`h_k = \mathrm{relu}(s - k)`, :math:`k = 0..n-1`,
    :math:`y = h_0 + 2\sum_{k \ge 1} (-1)^k h_k` (a triangle wave through the integers).
    """
    n = _check_n(n, 1)
    builder, everyone = NetworkBuilder(n), dict.fromkeys(range(n), 1.0)
    if hidden == "step":
        h = builder.add_layer([(everyone, -k + 0.5) for k in range(1, n + 1)], "step")
        builder.add_layer([({j: (-1.0) ** k for k, j in enumerate(h)}, 0.0)], "identity")
    elif hidden == "relu":
        h = builder.add_layer([(everyone, -float(k)) for k in range(n)], "relu")
        builder.add_layer([({j: (1.0 if k == 0 else 2.0 * (-1) ** k) for k, j in enumerate(h)}, 0.0)], "identity")
    else:
        raise ValueError(f"hidden must be 'step' or 'relu', got {hidden!r}")
    return builder.build()


def chain_counts(n: int) -> tuple[int, int]:
    """(units, layers) of :func:`parity_chain`: ``(3(n-1), 2(n-1))``."""
    n = _check_n(n)
    return 3 * (n - 1), 2 * (n - 1)


def tree_counts(n: int) -> tuple[int, int]:
    r"""(units, layers) of :func:`parity_tree`: ``(3(n-1), 2 ceil(log2 n))``."""
    n = _check_n(n)
    return 3 * (n - 1), 2 * (n - 1).bit_length()  # (n-1).bit_length() == ceil(log2 n) for n >= 2


def threshold_width_lower_bound(n: int) -> int:
    r"""Hidden threshold units that *some* Boolean function of n inputs needs (a counting bound).

    By Cover's function-counting theorem, a threshold unit realises at most
    :math:`C(K, d) = 2\sum_{k=0}^{d-1}\binom{K-1}{k}` dichotomies of K points in
    :math:`\mathbb R^{d-1}` (with a bias). A network with ``m`` hidden threshold units and a
    threshold output therefore computes at most :math:`C(2^n, n+1)^m\,C(2^n, m+1)` functions of n
    inputs; returns the least ``m`` for which this reaches all :math:`2^{2^n}` functions.
    Grows like :math:`2^n / n^2`.
    """
    K = 2 ** _check_n(n, 1)
    log_hidden = math.log2(2 * sum(math.comb(K - 1, k) for k in range(n + 1)))
    m, partial = 1, 1 + (K - 1)  # sum_{k <= m} C(K-1, k) for m = 1
    while m * log_hidden + math.log2(2 * partial) < K:
        m += 1
        partial += math.comb(K - 1, m) if m <= K - 1 else 0
    return m
