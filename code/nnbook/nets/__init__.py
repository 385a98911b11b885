"""Torch networks built from the book's vocabulary, how they are trained, and what is measured in
them: the builder and its registries, the training loop, per-layer diagnostics, data augmentation
and ensembles, and the architectures of chapter 5 (``nnbook.nets.models``)."""
