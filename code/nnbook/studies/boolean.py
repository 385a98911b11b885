r"""Boolean functions as neural networks: truth tables, DNF networks and parity circuits.

A Boolean function of ``n`` inputs is stored as its truth table ``y``, shape ``(2**n,)``,
with ``y[k]`` the output for the inputs whose binary digits spell ``k`` (``x_1`` is the most
significant bit; see :func:`all_inputs`). A conjunction (a *term*, or *cube*) is a string
over ``'0'``, ``'1'``, ``'-'`` of length ``n``: ``'1-0'`` is :math:`x_1 \wedge \neg x_3`.

The networks are :class:`nnbook.studies.circuit.Network` objects, whose layers may read any earlier
value, so that a circuit of XOR blocks can feed an input straight into a deep layer;
:func:`forward` (the NumPy forward pass), :class:`NetworkBuilder` and :func:`strictly_layered`
come from :mod:`nnbook.studies.circuit` and are re-exported here.

Exhaustive enumerations refuse sizes above documented limits (``ValueError`` naming the
argument): :func:`all_inputs` and everything built on it at most :data:`MAX_INPUTS` inputs
(:math:`2^{20}` rows); :func:`prime_implicants` and :func:`minimal_dnfs` at most
:data:`MAX_QM_INPUTS` inputs (:math:`3^{12}` cubes); :func:`minimal_dnfs` at most
:data:`MAX_DNF_SUBSETS` subsets of prime implicants tried; :func:`minimal_dnf_sizes`
``n <= 4``; :func:`threshold_width_lower_bound` ``n <= 20``. The book uses ``n <= 16``.

Book pages: ``book/ch1-feedforward/01-xor`` (XOR), ``02-one-hidden-layer`` (DNF networks,
Karnaugh merging, parity as the worst case of DNF) and ``03-depth`` (parity chains and trees).
"""
from __future__ import annotations

import itertools
import math

import numpy as np

from nnbook._validation import check_bool, check_enumeration, check_array, check_int, check_option
from nnbook.studies.circuit import UNIT_KINDS, Layer, Network, NetworkBuilder, forward, step, strictly_layered

__all__ = [  # the circuit names are re-exported, so that one import serves the chapter
    "UNIT_KINDS", "Layer", "Network", "NetworkBuilder", "forward", "step", "strictly_layered",
    "all_inputs", "check_truth_table", "truth_table", "parity_table", "term_to_str", "dnf_to_str",
    "term_matches", "minterms", "prime_implicants", "minimal_dnfs", "minimal_dnf_sizes",
    "conjunction_unit", "dnf_network", "network_from_truth_table", "xor_network", "parity_chain",
    "parity_tree", "parity_one_hidden_layer", "chain_counts", "tree_counts", "threshold_width_lower_bound",
    "MAX_INPUTS", "MAX_QM_INPUTS", "MAX_DNF_SUBSETS",
]

#: Most inputs :func:`all_inputs` enumerates (``2**20`` rows); the book goes up to 12.
MAX_INPUTS = 20
#: Most inputs of a truth table for Quine--McCluskey (:func:`prime_implicants`, :func:`minimal_dnfs`):
#: at most ``3**12`` cubes, a few seconds; the book goes up to 10.
MAX_QM_INPUTS = 12
#: Most subsets of prime implicants :func:`minimal_dnfs` tries (the book's largest search tries 1,024).
MAX_DNF_SUBSETS = 2 ** 20
#: Most inputs for :func:`threshold_width_lower_bound` (about 1.5 s at the limit); the book goes up to 16.
MAX_BOUND_INPUTS = 20


def _power(base: int, n: int):
    """``base**n``, or ``inf`` where that integer would be too long to print in a message."""
    return base ** n if n <= 256 else math.inf



# ----------------------------------------------------------------------------- truth tables
def all_inputs(n: int) -> np.ndarray:
    """All ``2**n`` binary inputs, shape ``(2**n, n)``, row ``k`` = binary digits of ``k``.

    ``n`` is an int in ``1..MAX_INPUTS`` (20): larger enumerations are refused.
    """
    n = check_int("n", n, low=1)
    check_enumeration("n", _power(2, n), 2 ** MAX_INPUTS, "input rows (2**n)")
    k = np.arange(2 ** n)[:, None]
    return ((k >> np.arange(n - 1, -1, -1)) & 1).astype(np.int64)


def check_truth_table(y) -> tuple[np.ndarray, int]:
    """Validate a truth table; return it as an int64 array and its number of inputs ``n``.

    Bools and the floats 0.0/1.0 are accepted. Raises ``TypeError`` for non-numeric entries
    (strings, complex numbers, objects) and ``ValueError`` for a table that is not 1-D, whose
    length is not ``2**n`` with ``n >= 1``, or whose entries are not all 0 or 1 (0.7 is refused,
    not truncated).
    """
    return _truth_table_array(y, "y")


def _truth_table_array(y, name: str) -> tuple[np.ndarray, int]:
    try:
        arr = y if isinstance(y, (str, bytes, dict, set)) or y is None else np.asarray(y)
    except ValueError:  # ragged nested lists: check_array says so, with the name
        arr = y
    if isinstance(arr, np.ndarray) and arr.dtype == bool:
        arr = arr.astype(np.int64)
    arr = check_array(name, arr, dtype="any", finite=False, allow_empty=True)
    if arr.ndim != 1:
        raise ValueError(f"{name} must be 1-D (one output per input row), got shape {arr.shape}")
    n = int(round(math.log2(len(arr)))) if len(arr) > 0 else 0
    if len(arr) < 2 or 2 ** n != len(arr):
        raise ValueError(f"{name} must have length 2**n for some n >= 1, got length {len(arr)}")
    bad = arr[(arr != 0) & (arr != 1)]
    if bad.size:
        raise ValueError(f"{name} must contain only 0 and 1, got {np.unique(bad)[:5].tolist()}")
    return arr.astype(np.int64), n


def truth_table(f, n: int) -> np.ndarray:
    """Truth table of ``f``, a function taking an ``(m, n)`` array of bits and returning ``(m,)``.

    ``f``'s outputs must be 0 or 1 (bools, ints or the floats 0.0/1.0): a 0.7 is refused, not
    cast to 0. ``n`` is at most ``MAX_INPUTS`` (:func:`all_inputs`).
    """
    if not callable(f):
        raise TypeError(f"f must be callable, got {type(f).__name__} ({f!r})")
    X = all_inputs(n)
    y = f(X)
    if np.shape(y) != (len(X),):
        raise ValueError(f"f must return one output per input row, shape ({len(X)},), got shape {np.shape(y)}")
    return _truth_table_array(y, "f(all_inputs(n))")[0]


def parity_table(n: int) -> np.ndarray:
    r"""Truth table of n-input parity :math:`x_1 \oplus \dots \oplus x_n`; ``n <= MAX_INPUTS``."""
    return all_inputs(n).sum(axis=1) % 2


# ----------------------------------------------------------------------------- terms (cubes)
def _check_term(term: str, n: int | None = None, name: str = "term") -> str:
    """A term (a string over '0', '1', '-'; of length ``n`` if given); the domain check of this module."""
    if not isinstance(term, str):
        raise TypeError(f"{name} must be a string over '0', '1', '-', got {type(term).__name__} ({term!r})")
    if not term or set(term) - set("01-"):
        raise ValueError(f"{name} must be a non-empty string over '0', '1', '-', got {term!r}")
    if n is not None and len(term) != n:
        raise ValueError(f"{name} {term!r} has length {len(term)}, expected n={n}")
    return term


def _check_terms(terms, n: int | None = None, name: str = "terms") -> list[str]:
    if isinstance(terms, (str, bytes, dict, set)) or not hasattr(terms, "__iter__"):
        raise TypeError(f"{name} must be a list of terms (strings over '0', '1', '-'), got "
                        f"{type(terms).__name__} ({terms!r})")
    terms = list(terms)
    for k, t in enumerate(terms):
        _check_term(t, n, name=f"{name}[{k}]")
    if n is None and len({len(t) for t in terms}) > 1:
        raise ValueError(f"{name} must all have the same length, got lengths {sorted({len(t) for t in terms})}")
    return terms


def term_to_str(term: str) -> str:
    """Human-readable conjunction: ``'1-0'`` -> ``'x1 ¬x3'`` (``'1'`` for the empty conjunction)."""
    parts = [("" if c == "1" else "¬") + f"x{i + 1}" for i, c in enumerate(_check_term(term)) if c != "-"]
    return " ".join(parts) if parts else "1"


def dnf_to_str(terms) -> str:
    """A DNF as text, terms joined by ``∨``; ``'0'`` for the empty disjunction."""
    terms = _check_terms(terms)
    return " ∨ ".join(f"({term_to_str(t)})" for t in terms) if terms else "0"


def term_matches(term: str, X) -> np.ndarray:
    """Boolean mask, shape ``(m,)``: which rows of ``X`` (m, n) satisfy the conjunction ``term``.

    ``X`` holds real numbers (normally bits); ``term`` has length ``n``.
    """
    _check_term(term)
    X = check_array("X", X, ndim=2, dtype="any")
    if X.shape[1] != len(term):
        raise ValueError(f"X must have {len(term)} columns, one per letter of term {term!r}, got shape {X.shape}")
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

    ``y`` has at most ``MAX_QM_INPUTS`` (12) inputs: up to :math:`3^n` implicants are generated.
    """
    _, n = check_truth_table(y)
    check_enumeration("y", _power(3, n), 3 ** MAX_QM_INPUTS, "implicants (3**n for n inputs)")
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
    r"""Every DNF of ``y`` with the fewest terms (each a sorted list of prime implicants).

    Exact search over subsets of prime implicants by increasing size: meant for small ``n``
    (Karnaugh-map sized examples). ``limit`` (None or an int >= 1) keeps that many solutions.

    The search is refused (``ValueError``) before it would try more than ``MAX_DNF_SUBSETS``
    (:math:`2^{20}`) subsets in all, :math:`\sum_{j = j_0}^{k}\binom{P}{j}` for ``P`` prime
    implicants, a shortest DNF of ``k`` terms and :math:`j_0` = (number of ones of ``y``) /
    (most ones one implicant covers), rounded up: fewer terms cannot cover ``y``. ``y`` has at
    most ``MAX_QM_INPUTS`` inputs.
    """
    y, n = check_truth_table(y)
    if limit is not None:
        limit = check_int("limit", limit, low=1)
    primes = prime_implicants(y)
    X = all_inputs(n)
    ones = y == 1
    covers = [term_matches(t, X) for t in primes]
    # fewer than ceil(#ones / largest cover) terms cannot cover y: those sizes are skipped, not tried
    k_min = -(-int(ones.sum()) // max(int(c.sum()) for c in covers)) if primes else 0
    tried = 0
    for k in range(k_min, len(primes) + 1):
        tried += math.comb(len(primes), k)
        check_enumeration("y", tried, MAX_DNF_SUBSETS, "subsets of prime implicants (a shortest DNF needs more)")
        found = [sorted(primes[i] for i in c) for c in itertools.combinations(range(len(primes)), k)
                 if np.array_equal(np.any([covers[i] for i in c], axis=0) if c else np.zeros_like(ones), ones)]
        if found:
            return found[:limit]
    raise AssertionError("unreachable: the prime implicants always cover y")  # pragma: no cover


def minimal_dnf_sizes(n: int) -> np.ndarray:
    """Fewest terms of any DNF, for *every* Boolean function of ``n <= 4`` inputs (the limit).

    Returns ``sizes`` of shape ``(2**(2**n),)``; ``sizes[F]`` is the minimum for the function
    whose truth table, read as the bits ``y[k] = (F >> k) & 1``, is ``F``. Breadth-first
    search over unions of cubes (a DNF with k terms is a union of k cubes), so exact.
    """
    n = check_int("n", n, low=1)
    check_enumeration("n", _power(2, 2 ** n) if n <= 8 else math.inf, 2 ** 16, "Boolean functions (2**(2**n))")
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

    :math:`w_i = +1` for a literal :math:`x_i`, :math:`-1` for :math:`\neg x_i`, 0 if
    absent, and :math:`b = 1 - P` with :math:`P` the number of *positive* literals. Then
    :math:`w \cdot x + b = 1 - v`, with :math:`v` the number of violated literals, so
    ReLU or a threshold at 0 gives 1 on the satisfying inputs and 0 elsewhere.
    """
    _check_term(term)
    w = np.array([{"1": 1.0, "0": -1.0, "-": 0.0}[c] for c in term])
    return w, 1.0 - term.count("1")


def dnf_network(terms, n: int, hidden: str = "relu", output: str = "threshold", negate: bool = False) -> Network:
    r"""One-hidden-layer network for the DNF ``terms``: one hidden unit per conjunction.

    ``output="threshold"``: :math:`y = H(\sum_j h_j - 1/2)` (an OR; correct for any terms);
    ``output="linear"``: :math:`y = \sum_j h_j` (correct only when no two terms overlap,
    e.g. for minterms). ``negate=True`` outputs the complement, :math:`1 - \mathrm{OR}`.

    Parameters
    ----------
    terms : list of str
        Terms of length ``n`` (may be empty: the constant 0, or 1 with ``negate``).
    n : int
        Number of inputs, >= 1.
    hidden : {"relu", "step"}
    output : {"threshold", "linear"}
    negate : bool
    """
    n = check_int("n", n, low=1)
    check_option("hidden", hidden, ("relu", "step"))
    check_option("output", output, ("threshold", "linear"))
    negate = check_bool("negate", negate)
    terms = _check_terms(terms, n)
    builder = NetworkBuilder(n)
    units = []
    for t in terms:
        w, bias = conjunction_unit(t)
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
    check_option("method", method, ("minterms", "minimal"))
    if isinstance(complement, str) and complement != "auto":
        raise ValueError(f"complement must be True, False or 'auto', got {complement!r}")
    if not isinstance(complement, str):
        if not isinstance(complement, (bool, np.bool_)):
            raise TypeError(f"complement must be True, False or 'auto', got {type(complement).__name__} ({complement!r})")
        complement = bool(complement)
    all_inputs(n)  # the limit on n, before the DNFs are built
    dnf = minterms if method == "minterms" else (lambda t: minimal_dnfs(t, limit=1)[0])
    plain, neg = (dnf(y) if complement is not True else None), (dnf(1 - y) if complement is not False else None)
    use_neg = complement is True or (complement == "auto" and len(neg) < len(plain))
    return dnf_network(neg if use_neg else plain, n, negate=use_neg, **kwargs)


def _xor_level(builder: NetworkBuilder, pairs) -> list[int]:
    """One XOR block per pair: ``h1 = relu(a + b - 1)``, ``h2 = relu(1 - a - b)``, ``out = 1 - h1 - h2``."""
    hidden = builder.add_layer([u for a, b in pairs for u in (({a: 1, b: 1}, -1.0), ({a: -1, b: -1}, 1.0))], "relu")
    return builder.add_layer([({hidden[2 * k]: -1, hidden[2 * k + 1]: -1}, 1.0) for k in range(len(pairs))], "identity")


def _check_n(n, minimum=2):
    # kept as a name because parity_tree's source, which calls it, is printed in 03-depth
    return check_int("n", n, low=minimum)


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
    """n-input parity as a balanced tree of XOR blocks.

    An odd value out waits for the next level.
    """
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
    check_option("hidden", hidden, ("step", "relu"))
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
    Grows like :math:`2^n / n^2`. ``n`` is an int in ``1..MAX_BOUND_INPUTS`` (20): the search
    over ``m`` takes about :math:`2^n/n^2` steps on integers of :math:`2^n` bits.
    """
    n = _check_n(n, 1)
    check_enumeration("n", _power(2, n), 2 ** MAX_BOUND_INPUTS, "inputs (2**n) in the counting bound")
    K = 2 ** n
    log_hidden = math.log2(2 * sum(math.comb(K - 1, k) for k in range(n + 1)))
    m, partial = 1, 1 + (K - 1)  # sum_{k <= m} C(K-1, k) for m = 1
    while m * log_hidden + math.log2(2 * partial) < K:
        m += 1
        partial += math.comb(K - 1, m) if m <= K - 1 else 0
    return m
