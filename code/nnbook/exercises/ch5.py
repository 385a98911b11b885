"""Graders for chapter 5 (convolutional networks), ``book/ch5-cnn/10-exercises``."""
from __future__ import annotations

import numpy as np

from nnbook.exercises.grading import NotYet, compare, grader
