"""Layers and their mathematics in NumPy, forward beside backward: activations, losses, the MLP,
initialisation, optimisers, dropout, normalisation, convolution, pooling and the gradient check.

Imports flow one way: ``nn`` uses only the top-level helpers (``nnbook._validation``, the one
validation floor, and ``nnbook.base``, the estimator contract of ``MLP``); ``nets``, ``seq`` and
``studies`` build on it. One copy of each chore: ``losses.logsumexp`` and ``losses.softmax``,
``_validation.check_random_state`` (``init.as_generator`` is its alias), the activation names in
``activations.ACTIVATIONS``, the initialiser names and variances in ``init``.
"""
