"""Graders for chapter 1 (feedforward networks), ``book/ch1-feedforward/08-exercises``."""
from __future__ import annotations

import numpy as np

from nnbook.exercises.grading import NotYet, compare, grader
