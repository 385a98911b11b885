"""nnbook: the shared code of the executable deep-learning textbook.

Every notebook of the book starts with::

    import nnbook
    nnbook.setup()

which seeds every random number generator, fixes the number of threads and applies
the book's plotting style, so that the stored outputs of the notebooks are reproduced
exactly when the notebooks are re-executed (``pytest --nbval``).

One module per concept; see the chapter "How the code is organised" in the book.
"""
from nnbook.runtime import device, setup

__all__ = ["setup", "device"]
__version__ = "0.1.0"
