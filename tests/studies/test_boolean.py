"""nnbook.studies.boolean: truth tables, DNF networks, Quine--McCluskey, parity circuits (brute force)."""
import itertools
import math

import numpy as np
import pytest

from nnbook.studies import boolean as B

pytestmark = pytest.mark.ch1


def test_all_inputs_spell_the_row_index_in_binary():
    X = B.all_inputs(3)
    assert X.shape == (8, 3)
    np.testing.assert_array_equal(X[5], [1, 0, 1])
    np.testing.assert_array_equal(X @ [4, 2, 1], np.arange(8))


@pytest.mark.parametrize("y, error, match", [
    ([0, 1, 1], ValueError, "length 2\\*\\*n"),
    ([1], ValueError, "length 2\\*\\*n"),
    ([], ValueError, "length 2\\*\\*n"),
    ([0, 2, 1, 0], ValueError, "only 0 and 1, got \\[2\\]"),
    ([0, 0.5], ValueError, "only 0 and 1"),
    ([0, np.nan], ValueError, "only 0 and 1"),
    ([[0, 1], [1, 0]], ValueError, "1-D"),
    (["0", "1"], TypeError, "numbers"),
])
def test_bad_truth_tables_are_rejected(y, error, match):
    with pytest.raises(error, match=match):
        B.check_truth_table(y)
    with pytest.raises(error, match=match):
        B.network_from_truth_table(y)


def test_bool_and_float_tables_are_accepted():
    y, n = B.check_truth_table(np.array([True, False, False, True]))
    assert n == 2 and y.dtype == np.int64
    assert B.check_truth_table([0.0, 1.0])[1] == 1


def test_xor_network_is_exact_with_the_textbook_weights():
    net = B.xor_network()
    np.testing.assert_array_equal(B.forward(net, B.all_inputs(2))[:, 0], [0, 1, 1, 0])
    assert (net.n_units, net.n_layers) == (3, 2)
    np.testing.assert_array_equal(net.layers[0].W, [[1, 1], [-1, -1]])
    np.testing.assert_array_equal(net.layers[0].b, [-1, 1])


@pytest.mark.parametrize("n", range(1, 7))
def test_conjunction_unit_on_every_term_and_input(n):
    X = B.all_inputs(n)
    for term in map("".join, itertools.product("01-", repeat=n)):
        w, b = B.conjunction_unit(term)
        z = X @ w + b
        violated = sum((X[:, i] != int(c)) for i, c in enumerate(term) if c != "-")
        np.testing.assert_array_equal(z, 1 - violated)  # the bias rule b = 1 - (#positive literals)
        np.testing.assert_array_equal(np.maximum(z, 0), B.term_matches(term, X))


def test_the_bias_rule_that_counts_all_literals_fails_with_a_negation():
    w, _ = B.conjunction_unit("10")  # x1 AND NOT x2
    wrong_bias = 1 - 2  # "1 - number of literals"
    assert max(0.0, w @ [1, 0] + wrong_bias) == 0.0  # silent on its only satisfying input


@pytest.mark.parametrize("n", range(1, 11))
def test_dnf_network_on_random_truth_tables_exhaustively(n):
    rng = np.random.default_rng(n)
    X = B.all_inputs(n)
    tables = [rng.integers(0, 2, 2 ** n) for _ in range(6 if n <= 8 else 2)] + [np.zeros(2 ** n, int), np.ones(2 ** n, int)]
    for y in tables:
        for kwargs in ({}, {"complement": False}, {"complement": True}, {"hidden": "step"},
                       {"complement": False, "output": "linear"}, {"complement": True, "output": "linear"}):
            net = B.network_from_truth_table(y, **kwargs)
            np.testing.assert_array_equal(B.forward(net, X)[:, 0], y, err_msg=f"n={n} {kwargs}")
        auto = B.network_from_truth_table(y)
        assert auto.n_units - 1 == min(y.sum(), 2 ** n - y.sum()) <= 2 ** (n - 1)


def test_linear_output_is_wrong_when_terms_overlap():
    net = B.dnf_network(["1-", "-1"], 2, output="linear")  # x1 OR x2 with overlapping terms
    np.testing.assert_array_equal(B.forward(net, B.all_inputs(2))[:, 0], [0, 1, 1, 2])
    np.testing.assert_array_equal(B.forward(B.dnf_network(["1-", "-1"], 2), B.all_inputs(2))[:, 0], [0, 1, 1, 1])


def _implicants_brute_force(y, n):
    X = B.all_inputs(n)
    cubes = ["".join(t) for t in itertools.product("01-", repeat=n)]
    imp = [c for c in cubes if B.term_matches(c, X).any() and np.all(y[B.term_matches(c, X)] == 1)]
    covered = {c: set(np.flatnonzero(B.term_matches(c, X))) for c in imp}
    return sorted(c for c in imp if not any(covered[c] < covered[d] for d in imp))


@pytest.mark.parametrize("n", [2, 3, 4])
def test_prime_implicants_match_brute_force(n):
    rng = np.random.default_rng(10 + n)
    for _ in range(15):
        y = rng.integers(0, 2, 2 ** n)
        assert B.prime_implicants(y) == _implicants_brute_force(y, n)


def test_minimal_dnfs_are_exact_and_not_unique():
    y = np.array([1, 1, 1, 0, 0, 1, 1, 1])  # the cyclic function: two minimal covers
    covers = B.minimal_dnfs(y)
    assert covers == [["-01", "0-0", "11-"], ["-10", "00-", "1-1"]]
    for cover in covers:
        np.testing.assert_array_equal(B.forward(B.dnf_network(cover, 3), B.all_inputs(3))[:, 0], y)
    sizes = B.minimal_dnf_sizes(3)
    assert sizes[int(np.sum(y << np.arange(8)))] == 3


def test_karnaugh_example_merges_seven_minterms_into_three_terms():
    y = np.zeros(16, int)
    y[[0b0000, 0b0010, 0b1000, 0b1010, 0b1101, 0b1111, 0b0111]] = 1
    assert B.minimal_dnfs(y) == [["-0-0", "-111", "11-1"]]
    net = B.network_from_truth_table(y, method="minimal", complement=False)
    assert net.n_units - 1 == 3
    np.testing.assert_array_equal(B.forward(net, B.all_inputs(4))[:, 0], y)


@pytest.mark.parametrize("n", range(1, 11))
def test_parity_has_2_to_the_n_minus_1_prime_implicants_all_minterms(n):
    primes = B.prime_implicants(B.parity_table(n))
    assert primes == B.minterms(B.parity_table(n))
    assert len(primes) == 2 ** (n - 1)


def test_minimal_dnf_sizes_brute_force_n_le_4():
    assert B.minimal_dnf_sizes(1).tolist() == [0, 1, 1, 1]
    for n in (2, 3, 4):
        sizes = sizes4 = B.minimal_dnf_sizes(n)
        assert sizes.max() == 2 ** (n - 1)
        parity = int(np.sum(B.parity_table(n) << np.arange(2 ** n)))
        assert sizes[parity] == sizes[parity ^ (2 ** 2 ** n - 1)] == 2 ** (n - 1)
    sizes3 = B.minimal_dnf_sizes(3)
    rng = np.random.default_rng(3)
    for F in rng.integers(0, 256, 20):
        y = (F >> np.arange(8)) & 1
        assert sizes3[F] == (len(B.minimal_dnfs(y, limit=1)[0]) if y.any() else 0)
    assert np.count_nonzero(sizes4 == 8) == 26  # parity is a worst case, not the only one
    with pytest.raises(ValueError, match="n: enumerating 4,294,967,296 Boolean functions"):
        B.minimal_dnf_sizes(5)


@pytest.mark.parametrize("n", range(2, 13))
def test_parity_circuits_on_every_input_with_exact_counts(n):
    X, p = B.all_inputs(n), B.parity_table(n)
    chain, tree = B.parity_chain(n), B.parity_tree(n)
    assert (chain.n_units, chain.n_layers) == B.chain_counts(n) == (3 * (n - 1), 2 * (n - 1))
    assert (tree.n_units, tree.n_layers) == B.tree_counts(n) == (3 * (n - 1), 2 * math.ceil(math.log2(n)))
    for net in (chain, tree, B.parity_one_hidden_layer(n), B.parity_one_hidden_layer(n, "relu"),
                B.strictly_layered(chain), B.strictly_layered(tree)):
        np.testing.assert_array_equal(B.forward(net, X)[:, 0], p)
    assert B.parity_one_hidden_layer(n).n_units == n + 1
    plain = B.strictly_layered(chain)
    assert plain.n_units == n * n - 1 and plain.n_layers == chain.n_layers


def test_forward_and_builders_reject_bad_input():
    with pytest.raises(ValueError, match=r"X must have shape \(m, 2\)"):
        B.forward(B.xor_network(), np.zeros((4, 3)))
    with pytest.raises(ValueError, match="n must be an int >= 2"):
        B.parity_chain(1)
    with pytest.raises(ValueError, match="term"):
        B.dnf_network(["1x"], 2)
    with pytest.raises(ValueError, match="length 3, expected n=2"):
        B.dnf_network(["1-0"], 2)
    with pytest.raises(ValueError, match="method"):
        B.network_from_truth_table([0, 1], method="karnaugh")


def test_term_and_dnf_text():
    assert B.term_to_str("1-0") == "x1 ¬x3"
    assert B.dnf_to_str(["10", "01"]) == "(x1 ¬x2) ∨ (¬x1 x2)"
    assert B.dnf_to_str([]) == "0"


def test_threshold_width_lower_bound_counts_functions():
    from math import comb

    # Cover's count for n = 2 is exactly the 14 separable functions; one unit is never excluded.
    assert 2 * sum(comb(3, k) for k in range(3)) == 14
    bounds = [B.threshold_width_lower_bound(n) for n in range(1, 15)]
    assert bounds[:4] == [1, 1, 1, 1] and bounds[9] == 12
    assert all(a <= b for a, b in zip(bounds, bounds[1:]))
    for n in (10, 12, 14):  # between 2^n / n^2 and the minterm upper bound 2^(n-1)
        assert 2 ** n / n ** 2 <= B.threshold_width_lower_bound(n) <= 2 ** (n - 1)


# ----------------------------------------------------------------------------- issue 14: limits and silent answers
@pytest.mark.parametrize("call", [
    lambda: B.all_inputs(40),  # 2**40 rows: refused instead of exhausting memory
    lambda: B.parity_table(B.MAX_INPUTS + 1),
    lambda: B.threshold_width_lower_bound(30),  # ran for hours
    lambda: B.minimal_dnf_sizes(5),
])
def test_exhaustive_enumerations_above_their_documented_limit_are_refused(call):
    with pytest.raises(ValueError, match=r"^n: enumerating .* exceeds the limit"):
        call()


def test_minimal_dnfs_refuses_a_search_over_too_many_subsets():
    majority7 = B.truth_table(lambda X: (X.sum(axis=1) >= 4).astype(int), 7)  # 35 primes, all needed
    with pytest.raises(ValueError, match=r"^y: enumerating .* subsets of prime implicants"):
        B.minimal_dnfs(majority7)
    with pytest.raises(ValueError, match=r"^y: enumerating .* implicants"):
        B.prime_implicants(np.ones(2 ** (B.MAX_QM_INPUTS + 1), int))


def test_limits_are_above_every_size_the_book_uses():
    assert B.all_inputs(12).shape == (4096, 12) and B.threshold_width_lower_bound(16) == 296
    maj5 = B.truth_table(lambda X: (X.sum(axis=1) >= 3).astype(int), 5)
    assert len(B.minimal_dnfs(maj5, limit=1)[0]) == 10


def test_truth_table_refuses_outputs_that_are_not_bits():
    with pytest.raises(ValueError, match=r"only 0 and 1, got \[0.7\]"):
        B.truth_table(lambda X: np.full(len(X), 0.7), 2)  # was cast to 0
    with pytest.raises(ValueError, match=r"f must return one output per input row, shape \(4,\)"):
        B.truth_table(lambda X: X.sum(axis=0) % 2, 2)  # length 2 = 2**1: read as a 1-input table
    np.testing.assert_array_equal(B.truth_table(lambda X: X[:, 0] == 1, 2), [0, 0, 1, 1])


def test_complement_and_negate_take_bools_not_ints():
    with pytest.raises(TypeError, match="complement must be True, False or 'auto'"):
        B.network_from_truth_table([0, 1, 1, 0], complement=1)
    with pytest.raises(TypeError, match="negate must be True or False"):
        B.dnf_network(["1-"], 2, negate=0)
