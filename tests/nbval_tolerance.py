"""pytest plugin for the nbval run: numbers are compared within a tolerance, text exactly.

nbval compares a re-executed cell's outputs with the stored ones character by character. That
is right for text and wrong for numbers: the last printed digit of a float can flip when another
machine rounds one intermediate sum differently (AVX-512 or AVX2 kernels, another BLAS). This
plugin, loaded by ``make notebooks`` with ``-p nbval_tolerance``, keeps nbval and its strict mode
and changes one thing: before nbval compares a cell, every text output (streams, ``text/plain``,
``text/html``, ``text/markdown``, ``text/latex``) is split into words and numbers.

* The text between the numbers must match exactly, and the count of numbers too; only the
  length of a run of spaces may differ (a table's columns widen when ``9%`` becomes ``10%``).
* A number with a decimal point or an exponent may differ from the stored one by **one unit in
  its last printed digit** (``86.2`` against ``86.1`` passes, against ``86.0`` fails;
  ``6.3e-05`` against ``6.4e-05`` passes). An integer must match exactly. NaN matches only NaN.
* A cell whose result is noisy by nature declares a wider tolerance in a comment line that the
  reader sees, with its reason after a dash::

      # nbval-tolerance: abs=0.02 — five-seed mean; its spread across machines is ±0.005

  ``abs=X`` (absolute), ``rel=Y%`` or ``rel=Y`` (relative to the stored value) and ``digits=N``
  (N units in the last printed digit) may be combined with commas; a number passes when it is
  within the largest of them. The declared tolerance applies to every number of that cell,
  integers included. A marker without a reason, or with an unknown key, is an error.

Images are not compared (nbval skips ``image/png`` unless ``--nbdime`` is given); the numbers
that a figure shows are printed beside it, and those are compared.

When the numbers all agree within tolerance, the stored text is handed to nbval in place of the
new one, so nbval's own comparison (and the sanitizer file) decides everything else. When they
do not, nbval reports its usual diff and this plugin adds one line naming the first number out of
tolerance.
"""
from __future__ import annotations

import copy
import math
import re
from dataclasses import dataclass
from decimal import Decimal

# A number standing on its own: not glued to a letter, digit, underscore or dot on either side
# (so ``ch4``, ``conv2d`` and ``v1.2.3`` stay text), with an optional sign (ASCII or U+2212).
_NUMBER = re.compile(
    r"(?<![\w.])[-+\u2212]?(?:(?:\d+\.\d*|\.\d+|\d+)(?:[eE][-+]?\d+)?|nan|inf)(?![\w.])"
)
_MARKER = re.compile(r"^[ \t]*#[ \t]*nbval-tolerance:(?P<rest>.*)$", re.MULTILINE)
_REASON_SEPARATOR = re.compile(r"\s+(?:\u2014|--|-|:)\s+")
_HSPACE = re.compile(r"[ \t]+")
TEXT_MIME_TYPES = ("text/plain", "text/html", "text/markdown", "text/latex")


class ToleranceSpecError(ValueError):
    """A malformed ``# nbval-tolerance:`` marker."""


@dataclass(frozen=True)
class Tolerance:
    """How far a re-computed number may be from the stored one.

    A number passes when ``|new - stored| <= max(abs, rel * |stored|, digits * unit)``, where
    ``unit`` is one unit in the last digit printed (of the coarser of the two).
    """

    abs: float = 0.0
    rel: float = 0.0
    digits: float = 1.0
    integers_exact: bool = True
    reason: str = "default: one unit in the last printed digit"

    def allowance(self, stored: str, new: str) -> float:
        unit = max(last_digit_unit(stored), last_digit_unit(new))
        if self.integers_exact and is_integer_token(stored) and is_integer_token(new):
            return 0.0
        return max(self.abs, self.rel * abs(to_float(stored)), self.digits * unit)


DEFAULT = Tolerance()


def is_integer_token(token: str) -> bool:
    """True for a token printed without a decimal point or an exponent (``12``, ``-3``)."""
    return bool(re.fullmatch(r"[-+\u2212]?\d+", token))


def to_float(token: str) -> float:
    return float(token.replace("\u2212", "-"))


def last_digit_unit(token: str) -> float:
    """The value of one unit in the last printed digit: ``86.2`` → 0.1, ``6.3e-05`` → 1e-06."""
    body = token.replace("\u2212", "-").lstrip("+-")
    if body in ("nan", "inf"):
        return 0.0
    mantissa, _, exponent = body.lower().partition("e")
    decimals = len(mantissa.partition(".")[2])
    return 10.0 ** (int(exponent or 0) - decimals)


def parse_tolerance(source: str) -> Tolerance | None:
    """The tolerance declared in a code cell's source, or None when it declares none.

    Raises
    ------
    ToleranceSpecError
        When the marker has no reason, an unknown key, a bad value, or appears twice.
    """
    markers = list(_MARKER.finditer(source))
    if not markers:
        return None
    if len(markers) > 1:
        raise ToleranceSpecError("a cell may declare one '# nbval-tolerance:' line, found "
                                 f"{len(markers)}")
    rest = markers[0].group("rest").strip()
    parts = _REASON_SEPARATOR.split(rest, maxsplit=1)
    if len(parts) != 2 or not parts[1].strip():
        raise ToleranceSpecError(f"'# nbval-tolerance: {rest}' needs a reason after a dash, e.g. "
                                 "'# nbval-tolerance: abs=0.02 — spread over five seeds'")
    spec, reason = parts[0].strip(), parts[1].strip()
    values = {"abs": 0.0, "rel": 0.0, "digits": 1.0}
    if not spec:
        raise ToleranceSpecError("'# nbval-tolerance:' names no tolerance (abs=, rel= or digits=)")
    for item in spec.split(","):
        key, sep, value = item.strip().partition("=")
        if not sep or key not in values:
            raise ToleranceSpecError(f"unknown tolerance {item.strip()!r}; use abs=X, rel=Y% or "
                                     "digits=N")
        value = value.strip()
        percent = value.endswith("%")
        try:
            number = float(value.rstrip("%"))
        except ValueError:
            raise ToleranceSpecError(f"tolerance {key}={value!r} is not a number") from None
        if not math.isfinite(number) or number < 0:
            raise ToleranceSpecError(f"tolerance {key}={value!r} must be finite and >= 0")
        if percent and key != "rel":
            raise ToleranceSpecError(f"only rel= takes a percentage, got {key}={value}")
        values[key] = number / 100 if percent else number
    return Tolerance(abs=values["abs"], rel=values["rel"], digits=values["digits"],
                     integers_exact=False, reason=reason)


def split_numbers(text: str) -> tuple[list[str], list[str]]:
    """Split ``text`` into the text between numbers and the numbers themselves."""
    numbers = _NUMBER.findall(text)
    words = _NUMBER.split(text)
    return words, numbers


def compare_text(stored: str, new: str, tolerance: Tolerance = DEFAULT) -> str | None:
    """None when ``new`` matches ``stored`` within ``tolerance``; otherwise why it does not."""
    if stored == new:
        return None
    stored_words, stored_numbers = split_numbers(stored)
    new_words, new_numbers = split_numbers(new)
    if len(stored_numbers) != len(new_numbers):
        return (f"the output has {len(new_numbers)} numbers where the stored one has "
                f"{len(stored_numbers)}")
    for i, (a, b) in enumerate(zip(stored_words, new_words)):
        # Runs of spaces are padding (a table's columns widen when 9% becomes 10%).
        if _HSPACE.sub(" ", a) != _HSPACE.sub(" ", b):
            return f"text differs: stored {a.strip()[:60]!r}, now {b.strip()[:60]!r}"
    for i, (a, b) in enumerate(zip(stored_numbers, new_numbers)):
        x, y = to_float(a), to_float(b)
        if math.isnan(x) or math.isnan(y):
            if math.isnan(x) and math.isnan(y):
                continue
            return f"number {i + 1}: stored {a}, now {b} (NaN matches only NaN)"
        if math.isinf(x) or math.isinf(y):
            if x == y:
                continue
            return f"number {i + 1}: stored {a}, now {b}"
        allowed = tolerance.allowance(a, b)
        # Decimal arithmetic: 65536.001 - 65536.000 is exactly one unit, not a hair more.
        difference = abs(Decimal(a.replace("\u2212", "-")) - Decimal(b.replace("\u2212", "-")))
        if difference > Decimal(repr(allowed)) * Decimal("1.000000001"):
            return (f"number {i + 1}: stored {a}, now {b}; |difference| {float(difference):.3g} > "
                    f"tolerance {allowed:.3g} ({tolerance.reason})")
    return None


def _text(value):
    return "".join(value) if isinstance(value, list) else value


def reconcile(stored_outputs, new_outputs, tolerance: Tolerance = DEFAULT, sanitize=lambda s: s):
    """Copy of ``new_outputs`` in which each text that matches the stored one within
    ``tolerance`` is replaced by the stored text; and the first mismatch found (or None).

    Streams are paired by name, other outputs by their order; outputs that cannot be paired are
    left for nbval to report.
    """
    new_outputs = copy.deepcopy(list(new_outputs))
    stored_streams = {o.get("name"): o for o in stored_outputs if o.get("output_type") == "stream"}
    stored_rich = [o for o in stored_outputs if o.get("output_type") != "stream"]
    new_rich = [o for o in new_outputs if o.get("output_type") != "stream"]
    first_problem = None

    def settle(stored_value, new_value, where):
        nonlocal first_problem
        if not isinstance(stored_value, (str, list)) or not isinstance(new_value, (str, list)):
            return new_value
        stored_text, new_text = _text(stored_value), _text(new_value)
        problem = compare_text(sanitize(stored_text), sanitize(new_text), tolerance)
        if problem is None:
            return stored_text
        if first_problem is None:
            first_problem = f"{where}: {problem}"
        return new_value

    for output in new_outputs:
        if output.get("output_type") == "stream" and output.get("name") in stored_streams:
            stored = stored_streams[output["name"]]
            output["text"] = settle(stored.get("text"), output.get("text"), output["name"])
    if len(stored_rich) == len(new_rich):
        for stored, output in zip(stored_rich, new_rich):
            stored_data, new_data = stored.get("data", {}), output.get("data", {})
            for mime in TEXT_MIME_TYPES:
                if mime in stored_data and mime in new_data:
                    new_data[mime] = settle(stored_data[mime], new_data[mime], mime)
    return new_outputs, first_problem


# ---------------------------------------------------------------------------- the plugin

def pytest_configure(config):
    try:
        from nbval.plugin import IPyNbCell
    except ImportError:  # pragma: no cover - nbval is pinned in requirements.txt
        return
    if getattr(IPyNbCell, "_nnbook_tolerance", False):
        return
    exact_compare = IPyNbCell.compare_outputs

    def compare_outputs(self, test, ref, skip_compare=None):
        try:
            tolerance = parse_tolerance(self.cell.source) or DEFAULT
        except ToleranceSpecError as error:
            self.comparison_traceback = [f"bad tolerance marker in cell {self.cell_num}: {error}"]
            return False
        test, problem = reconcile(ref, test, tolerance, self.sanitize)
        same = exact_compare(self, test, ref, skip_compare)
        if not same and problem:
            self.comparison_traceback.append(f"nbval-tolerance: {problem}")
        return same

    IPyNbCell.compare_outputs = compare_outputs
    IPyNbCell._nnbook_tolerance = True
