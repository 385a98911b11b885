"""Layers and their mathematics in NumPy, forward beside backward: activations, losses, the MLP,
initialisation, optimisers, dropout, normalisation, convolution, pooling and the gradient check.

Imports flow one way: ``nn`` uses only the top-level helpers (``nnbook._validation``); ``nets``,
``seq`` and ``studies`` build on it.
"""
