"""HMM: nnbook.seq.blocked_hmm (blocked scan in NumPy) and nnbook.seq.hmm (plain loops) vs hmmlearn.

hmmlearn's ``CategoricalHMM`` with ``implementation="log"`` (its default; compiled C++) is the
reference, on one sequence of T = 100,000 symbols from a random model with N = 10 states and
M = 20 symbols. Scaling: time vs T (N = 10) and vs N (T = 20,000) on log-log axes.
"""
from __future__ import annotations

import warnings

import numpy as np

from common import QUICK, Comparison, compare, median_time

N, M, T = 10, 20, 100_000


def random_model(n_states: int, n_symbols: int, seed: int = 0):
    rng = np.random.default_rng(seed)
    return (rng.dirichlet(np.ones(n_states)), rng.dirichlet(np.ones(n_states), size=n_states),
            rng.dirichlet(np.ones(n_symbols), size=n_states))


def hmmlearn_model(pi, A, B, **kwargs):
    from hmmlearn.hmm import CategoricalHMM

    model = CategoricalHMM(n_components=len(pi), n_features=B.shape[1], implementation="log", **kwargs)
    model.startprob_, model.transmat_, model.emissionprob_ = pi, A, B
    return model


def sample(pi, A, B, n_steps: int, seed: int = 1) -> np.ndarray:
    return hmmlearn_model(pi, A, B).sample(n_steps, random_state=seed)[0][:, 0]


def comparisons() -> list[Comparison]:
    from nnbook.seq import hmm, blocked_hmm

    pi, A, B = random_model(N, M)
    obs = sample(pi, A, B, T)
    X = obs[:, None]
    model = hmmlearn_model(pi, A, B)
    sizes = {"N": N, "M": M, "T": T}
    rows = []

    row = Comparison("hmm-forward", "HMM", "HMM forward log-likelihood", "nnbook.seq.blocked_hmm.log_likelihood",
                     "hmmlearn CategoricalHMM.score", 1.0, details=dict(sizes))
    compare(row, lambda: blocked_hmm.log_likelihood(pi, A, B, obs), lambda: model.score(X))
    row.details["abs_difference"] = abs(blocked_hmm.log_likelihood(pi, A, B, obs) - model.score(X))
    rows.append(row)

    row = Comparison("hmm-viterbi", "HMM", "HMM Viterbi (path and log-probability)", "nnbook.seq.blocked_hmm.viterbi",
                     "hmmlearn CategoricalHMM.decode", 5.0, details=dict(sizes))
    compare(row, lambda: blocked_hmm.viterbi(pi, A, B, obs), lambda: model.decode(X))
    row.details["abs_difference"] = abs(blocked_hmm.viterbi(pi, A, B, obs)[1] - model.decode(X)[0])
    rows.append(row)

    fit_model = hmmlearn_model(pi, A, B, n_iter=1, init_params="", params="ste", tol=-np.inf)

    def hmmlearn_fit_one_iteration():
        fit_model.startprob_, fit_model.transmat_, fit_model.emissionprob_ = pi, A, B
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            fit_model.fit(X)

    row = Comparison("hmm-baum-welch", "HMM", "Baum–Welch, one iteration (E and M steps)",
                     "nnbook.seq.blocked_hmm.baum_welch_step", "hmmlearn CategoricalHMM.fit, n_iter=1", 1.0,
                     details=dict(sizes))
    compare(row, lambda: blocked_hmm.baum_welch_step(pi, A, B, obs), hmmlearn_fit_one_iteration, repeats=3 if QUICK else 5)
    new = blocked_hmm.baum_welch_step(pi, A, B, obs)
    row.details["max_abs_difference"] = float(max(np.abs(new[0] - fit_model.startprob_).max(),
                                                  np.abs(new[1] - fit_model.transmat_).max(),
                                                  np.abs(new[2] - fit_model.emissionprob_).max()))
    rows.append(row)

    # the readable loops of chapter 6, for scale (no target: they are written to be read)
    n_plain = 20_000 if QUICK else T
    short, Xs = obs[:n_plain], X[:n_plain]
    for fn, ref, what, ref_name in ((hmm.forward_log, model.score, "forward log-likelihood", "score"),
                                    (hmm.viterbi, model.decode, "Viterbi", "decode")):
        row = Comparison(f"hmm-plain-{fn.__name__}", "HMM", f"HMM {what}, plain loop over time",
                         f"nnbook.seq.hmm.{fn.__name__}", f"hmmlearn CategoricalHMM.{ref_name}", None,
                         details={"N": N, "M": M, "T": n_plain})
        compare(row, lambda fn=fn: fn(pi, A, B, short), lambda ref=ref: ref(Xs), repeats=3)
        rows.append(row)
    return rows


def scaling() -> dict:
    """Median seconds vs T (N = 10) and vs N (T = 20,000): ours and hmmlearn, forward and Viterbi."""
    from nnbook.seq import hmm, blocked_hmm

    repeats = 3
    Ts = [1_000, 3_000, 10_000, 30_000, 100_000] + ([] if QUICK else [300_000])
    Ns = [2, 4, 8, 16, 32] + ([] if QUICK else [64])
    T_for_N = 20_000
    out = {"T": {"N": N, "M": M, "x": Ts, "series": {}}, "N": {"T": T_for_N, "M": M, "x": Ns, "series": {}}}

    def measure(n_states, n_steps, plain: bool):
        pi, A, B = random_model(n_states, M)
        obs = sample(pi, A, B, n_steps)
        model = hmmlearn_model(pi, A, B)
        times = {
            "nnbook.seq.blocked_hmm.log_likelihood": median_time(lambda: blocked_hmm.log_likelihood(pi, A, B, obs), repeats),
            "hmmlearn score": median_time(lambda: model.score(obs[:, None]), repeats),
            "nnbook.seq.blocked_hmm.viterbi": median_time(lambda: blocked_hmm.viterbi(pi, A, B, obs), repeats),
            "hmmlearn decode": median_time(lambda: model.decode(obs[:, None]), repeats),
        }
        if plain:
            times["nnbook.seq.hmm.forward_log"] = median_time(lambda: hmm.forward_log(pi, A, B, obs), 1)
        return times

    for axis, values in (("T", Ts), ("N", Ns)):
        for value in values:
            times = measure(N, value, value <= 30_000) if axis == "T" else measure(value, T_for_N, False)
            for name, t in times.items():
                out[axis]["series"].setdefault(name, []).append(t)
    # the plain loop was measured only up to T = 30,000: pad with None for the longer sequences
    plain = out["T"]["series"].get("nnbook.seq.hmm.forward_log", [])
    plain += [None] * (len(Ts) - len(plain))
    return out
