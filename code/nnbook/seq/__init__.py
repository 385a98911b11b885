"""Sequence models on one chain engine: the forward--backward and Viterbi recursions on log-potentials
(``chain``), the HMM and its blocked fast variant, the linear-chain CRF, Gaussian and coin mixtures
(EM), and the scikit-learn-style estimators that wrap them."""
