"""Linear-chain CRF: nnbook.seq.crf.LinearChainCRF vs sklearn-crfsuite, same features, same task.

The task is chapter 6's: part-of-speech tagging of HKCanCor (conversational Cantonese,
shipped inside pycantonese) with the overlapping features of ``nnbook.data.corpora.sentence_features``;
both are trained with L-BFGS, the same L2 coefficient and the same number of iterations
(crfsuite's early stopping is switched off). Scaling: one evaluation of our objective and its
gradient (forward-backward over every sequence) vs the sequence length.
"""
from __future__ import annotations

import numpy as np

from common import QUICK, Comparison, compare, median_time

C2 = 0.1
N_TRAIN = 1_000 if QUICK else 6_000  # the first 6,000 training utterances, as in book/ch6-sequence-models/04-crf
ITERATIONS = 30 if QUICK else 100


def _task():
    from nnbook.data import corpora

    corpus = corpora.load_hkcancor()
    train = corpus.train[:N_TRAIN]

    def split(sentences):
        X = [corpora.sentence_features([w for w, _ in s]) for s in sentences]
        return X, [[tag for _, tag in s] for s in sentences]

    return split(train), split(corpus.test)


def _accuracy(predicted, gold) -> float:
    return float(np.mean([p == g for ps, gs in zip(predicted, gold) for p, g in zip(ps, gs)]))


def comparisons() -> list[Comparison]:
    import sklearn_crfsuite

    from nnbook.seq.crf_estimator import LinearChainCRF

    (X, y), (X_test, y_test) = _task()
    models = {}

    def ours():
        models["ours"] = LinearChainCRF(c2=C2, max_iterations=ITERATIONS).fit(X, y)

    def reference():
        models["crfsuite"] = sklearn_crfsuite.CRF(
            algorithm="lbfgs", c1=0.0, c2=C2, max_iterations=ITERATIONS, all_possible_transitions=True,
            epsilon=1e-12, delta=1e-12).fit(X, y)

    row = Comparison("crf-train", "CRF", "Linear-chain CRF training (L-BFGS)", "nnbook.seq.crf.LinearChainCRF.fit",
                     "sklearn-crfsuite CRF.fit (lbfgs)", 10.0,
                     details={"sentences": len(X), "tokens": sum(map(len, X)), "iterations": ITERATIONS, "c2": C2})
    compare(row, ours, reference, repeats=1 if QUICK else 3)
    acc_ours = _accuracy(models["ours"].predict(X_test), y_test)
    acc_ref = _accuracy(models["crfsuite"].predict(X_test), y_test)
    row.details.update({
        "test_tokens": sum(map(len, X_test)), "accuracy_ours": acc_ours, "accuracy_reference": acc_ref,
        "accuracy_within_1_point": bool(abs(acc_ours - acc_ref) <= 0.01),
        "iterations_ours": models["ours"].n_iter_,
        "iterations_reference": len(models["crfsuite"].training_log_.iterations),
    })
    return [row]


def scaling() -> dict:
    """Median seconds of one objective-and-gradient evaluation vs sequence length."""
    from scipy import sparse
    from threadpoolctl import threadpool_limits

    from nnbook.seq import crf

    n_seq, n_labels, n_attr, active = 32, 10, 2_000, 8
    lengths_T = [10, 30, 100, 300, 1_000] + ([] if QUICK else [3_000, 10_000])
    rng = np.random.default_rng(0)
    times = []
    for T in lengths_T:
        n_tokens = n_seq * T
        cols = rng.integers(0, n_attr, size=(n_tokens, active))
        X = sparse.csr_matrix((np.ones(n_tokens * active), cols.ravel(), np.arange(0, n_tokens * active + 1, active)),
                              shape=(n_tokens, n_attr))
        y = rng.integers(0, n_labels, n_tokens)
        packing = crf.Packing([T] * n_seq)
        theta = rng.normal(scale=0.1, size=n_attr * n_labels + n_labels**2)
        empirical = crf.empirical_counts(X, y, packing, n_labels)
        with threadpool_limits(limits=1, user_api="blas"):  # as LinearChainCRF.fit runs it
            times.append(median_time(lambda: crf.objective_and_gradient(theta, X, y, packing, n_labels, C2, empirical), 3))
    return {"T": {"sequences": n_seq, "labels": n_labels, "attributes": n_attr, "x": lengths_T,
                  "series": {"nnbook.seq.crf.objective_and_gradient": times}}}
