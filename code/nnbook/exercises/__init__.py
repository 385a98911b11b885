"""Self-checking exercises: graders that compare a reader's function with the book's reference.

A coding exercise in the book gives a stub to fill in and a check cell::

    from nnbook.exercises import check
    check("ch3.dense_backward", dense_backward)

:func:`check` calls the reader's function on fresh random inputs, compares what it returns with
the reference, and returns a :class:`Verdict` that displays as one line: "passed", or "not yet"
with a hint (a wrong sign, a transposed shape, a missing term), never the solution.

The graders live one module per chapter (``ch1`` ... ``ch6``); importing this package registers
them all. ``exercises`` sits at the top of the package's layering: it may import everything.
"""
from nnbook.exercises.grading import GRADERS, Verdict, check, exercise_names

# registering the graders of every chapter (the modules are imported for that effect)
from nnbook.exercises import ch1, ch2, ch3, ch4, ch5, ch6  # noqa: E402,F401  isort: skip

__all__ = ["check", "exercise_names", "Verdict", "GRADERS"]
