"""The small studies behind single pages: Boolean functions and threshold circuits, universal
approximation, the GLM view of a neuron, SELU's fixed point, zig-zagging SGD, loss landscapes and
critical points, the properties of activations, and the batch-norm experiments of chapter 4."""
