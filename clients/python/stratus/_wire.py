"""Wire encodings shared by the SDK: metric values and timestamps."""

from __future__ import annotations

import math
import time
from typing import Any, Union

WireValue = Union[float, int, str]


def encode_metric_value(value: Any) -> WireValue:
    """A metric value for JSON: JSON has no NaN or infinities, so they travel as strings."""
    if isinstance(value, bool):
        value = int(value)
    number = float(value)  # accepts ints, numpy scalars, tensors with __float__
    if math.isnan(number):
        return "NaN"
    if math.isinf(number):
        return "Infinity" if number > 0 else "-Infinity"
    if isinstance(value, int) and abs(value) < 2**53:
        return value
    return number


def decode_metric_value(value: Any) -> float:
    """A metric value from JSON: numbers, or the strings "NaN", "Infinity", "-Infinity"."""
    if isinstance(value, str):
        return {"nan": math.nan, "infinity": math.inf, "-infinity": -math.inf}[value.lower()]
    return float(value)


def number_text(value: float) -> str:
    """A float as people read it in a table: 6 significant digits, NaN and the infinities spelled as on the wire."""
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "Infinity" if value > 0 else "-Infinity"
    return f"{value:.6g}"


def now_ms() -> int:
    return int(time.time() * 1000)
