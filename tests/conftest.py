"""Shared pytest configuration: chapter markers (``pytest -m ch3`` runs chapter 3's tests)."""
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

MARKERS = {
    "book": "the book's frame: table of contents, question map, glossary, notebooks",
    "ch1": "chapter 1, feedforward networks and Boolean functions",
    "ch2": "chapter 2, activation functions",
    "ch3": "chapter 3, backpropagation",
    "ch4": "chapter 4, training deep networks",
    "ch5": "chapter 5, convolutional networks",
    "ch6": "chapter 6, EM, HMMs and CRFs",
    "site": "checks of the built site (run after the build)",
    "browser": "checks of the built site in headless Chromium",
    "editions": "the student edition and the downloadable bundle, executed (slow)",
}


def pytest_configure(config):
    for name, text in MARKERS.items():
        config.addinivalue_line("markers", f"{name}: {text}")


@pytest.fixture(scope="session")
def root() -> Path:
    """The repository root."""
    return ROOT
