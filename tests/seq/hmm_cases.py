"""Shared fixtures of the HMM tests (test_hmm.py, test_hmm_estimator.py): random models, the
hmmlearn reference model, and the ten-iteration Baum--Welch case both files compare with hmmlearn."""
import numpy as np
from hmmlearn.hmm import CategoricalHMM as ReferenceHMM

from nnbook.seq import hmm


def random_model(rng, N, M, zeros=False):
    pi, A, B = rng.dirichlet(np.ones(N)), rng.dirichlet(np.ones(N), N), rng.dirichlet(np.ones(M), N)
    if zeros:  # some impossible transitions, still a valid model
        A[0, 1:] = 0.0
        A[0, 0] = 1.0
    return pi, A, B


def reference(pi, A, B, **kwargs):
    """hmmlearn's CategoricalHMM holding (pi, A, B), nothing initialised at fit."""
    ref = ReferenceHMM(n_components=len(pi), n_features=B.shape[1], init_params="", **kwargs)
    ref.startprob_, ref.transmat_, ref.emissionprob_ = pi.copy(), A.copy(), B.copy()
    return ref


def ten_iteration_case(seed):
    """Three sequences (lengths 60, 25, 40) sampled from a random model, and a random start."""
    rng = np.random.default_rng(200 + seed)
    N, M = 2 + seed, 4
    truth = random_model(rng, N, M)
    lengths = [60, 25, 40]
    seqs = [hmm.sample(*truth, n, random_state=seed * 10 + i)[0] for i, n in enumerate(lengths)]
    return seqs, lengths, random_model(rng, N, M)
