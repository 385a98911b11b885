"""Graders for chapter 4 (training), ``book/ch4-training/14-exercises``."""
from __future__ import annotations

import numpy as np

from nnbook.exercises.grading import NotYet, compare, grader
