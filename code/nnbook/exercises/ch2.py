"""Graders for chapter 2 (activation functions), ``book/ch2-activations/09-exercises``."""
from __future__ import annotations

import numpy as np

from nnbook.exercises.grading import NotYet, compare, grader
