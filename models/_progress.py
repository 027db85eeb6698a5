"""A tiny, dependency-free progress bar for downloads and training epochs.

Usage::

    with ProgressBar(total=1000, desc="download", unit="B") as bar:
        bar.update(100)

    for epoch in progress(range(10), desc="epochs"):
        ...

By default (``enabled=None``) the bar is drawn only when the stream is a
terminal, so logs and test output stay clean.
"""

from __future__ import annotations

import sys
import time
from typing import IO, Iterable, Iterator, TypeVar

T = TypeVar("T")

_WIDTH = 30
_MIN_INTERVAL = 0.1  # seconds between redraws


def _is_tty(stream: IO[str]) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):
        return False


def _format_amount(n: float, unit: str) -> str:
    """Human-readable amount; bytes get binary prefixes."""
    if unit != "B":
        return f"{n:g}" if isinstance(n, float) else str(n)
    for prefix in ("", "Ki", "Mi", "Gi"):
        if abs(n) < 1024 or prefix == "Gi":
            return f"{n:.0f} B" if prefix == "" else f"{n:.1f} {prefix}B"
        n /= 1024
    return f"{n} B"  # pragma: no cover


class ProgressBar:
    """A text progress bar written to ``stream`` (stderr by default).

    Parameters
    ----------
    total : expected number of units, or None if unknown.
    desc : label shown in front of the bar.
    unit : unit name; ``"B"`` formats amounts as bytes.
    enabled : True/False to force; None means "only when stream is a TTY".
    stream : where to draw (default ``sys.stderr``).
    """

    def __init__(self, total: int | None = None, desc: str = "", unit: str = "it",
                 enabled: bool | None = None, stream: IO[str] | None = None) -> None:
        self.total = total
        self.desc = desc
        self.unit = unit
        self.stream = stream if stream is not None else sys.stderr
        self.enabled = _is_tty(self.stream) if enabled is None else bool(enabled)
        self.n = 0
        self._start = time.monotonic()
        self._last_draw = 0.0
        self._closed = False

    def __enter__(self) -> "ProgressBar":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def update(self, n: int = 1) -> None:
        """Advance the bar by ``n`` units."""
        self.n += n
        now = time.monotonic()
        done = self.total is not None and self.n >= self.total
        if self.enabled and (done or now - self._last_draw >= _MIN_INTERVAL):
            self._last_draw = now
            self._draw()

    def _line(self) -> str:
        elapsed = max(time.monotonic() - self._start, 1e-9)
        rate = f"{_format_amount(self.n / elapsed, self.unit)}/s"
        prefix = f"{self.desc}: " if self.desc else ""
        amount = _format_amount(self.n, self.unit)
        if self.total:
            frac = min(self.n / self.total, 1.0)
            filled = int(round(frac * _WIDTH))
            bar = "#" * filled + "-" * (_WIDTH - filled)
            total = _format_amount(self.total, self.unit)
            return f"{prefix}{frac:4.0%} [{bar}] {amount}/{total} {rate}"
        return f"{prefix}{amount} {rate}"

    def _draw(self) -> None:
        self.stream.write("\r" + self._line())
        self.stream.flush()

    def close(self) -> None:
        """Draw the final state and end the line (idempotent)."""
        if self._closed:
            return
        self._closed = True
        if self.enabled:
            self._draw()
            self.stream.write("\n")
            self.stream.flush()


def progress(iterable: Iterable[T], total: int | None = None, desc: str = "",
             unit: str = "it", enabled: bool | None = None,
             stream: IO[str] | None = None) -> Iterator[T]:
    """Yield from ``iterable`` while drawing a progress bar.

    ``total`` defaults to ``len(iterable)`` when available.
    """
    if total is None:
        try:
            total = len(iterable)  # type: ignore[arg-type]
        except TypeError:
            total = None
    with ProgressBar(total, desc=desc, unit=unit, enabled=enabled, stream=stream) as bar:
        for item in iterable:
            yield item
            bar.update(1)
