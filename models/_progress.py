"""A one-line text progress bar for downloads and training epochs (no dependencies).

    with ProgressBar(total=60, desc="epochs", unit="epoch") as bar:
        model.fit(X, y, progress=bar.update)

    for chunk in progress(chunks, desc="download"):
        ...

It is drawn on stderr, and by default only when stderr is a terminal, so that
logs, pipes and test output stay clean. It redraws at most ten times a second.
A line looks like ``epochs:  40% [############------------------] 4/10 2.5 epoch/s``;
with ``unit="B"`` amounts are shown in B, KiB, MiB or GiB.
"""
from __future__ import annotations

import sys
import time
from typing import IO, Iterable, Iterator, TypeVar

__all__ = ["ProgressBar", "progress"]

Item = TypeVar("Item")

BAR_WIDTH = 30          # characters between the brackets
REDRAW_SECONDS = 0.1    # at most this often, except for the final state


def _amount(value: float, unit: str) -> str:
    """A count as text; bytes in powers of 1024."""
    if unit != "B":
        return f"{value:.3g}" if isinstance(value, float) else str(value)
    for prefix in ("B", "KiB", "MiB"):
        if value < 1024:
            return f"{value:.0f} {prefix}" if prefix == "B" else f"{value:.1f} {prefix}"
        value /= 1024
    return f"{value:.1f} GiB"


def _is_terminal(stream: IO[str]) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):  # no isatty, or a closed stream
        return False


class ProgressBar:
    """Counts work done towards ``total`` (None: unknown) and draws it.

    ``desc`` labels the line, ``unit`` names what is counted, ``enabled``
    forces drawing on (True) or off (False); None draws only on a terminal.
    ``stream`` defaults to stderr.
    """

    def __init__(self, total: int | None = None, desc: str = "", unit: str = "it",
                 enabled: bool | None = None, stream: IO[str] | None = None) -> None:
        self.total, self.desc, self.unit = total, desc, unit
        self.stream = sys.stderr if stream is None else stream
        self.enabled = _is_terminal(self.stream) if enabled is None else bool(enabled)
        self.n = 0
        self._started = time.monotonic()
        self._drawn_at = float("-inf")
        self._closed = False

    def __enter__(self) -> "ProgressBar":
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def update(self, n: int = 1) -> None:
        """Count ``n`` more units done; redraw if it is time to."""
        self.n += n
        now = time.monotonic()
        finished = self.total is not None and self.n >= self.total
        if self.enabled and (finished or now - self._drawn_at >= REDRAW_SECONDS):
            self._drawn_at = now
            self._draw()

    def line(self) -> str:
        """The text of the bar as it stands."""
        seconds = max(time.monotonic() - self._started, 1e-9)
        label = f"{self.desc}: " if self.desc else ""
        done = _amount(self.n, self.unit)
        rate = self.n / seconds
        speed = f"{_amount(rate, 'B')}/s" if self.unit == "B" else f"{rate:.3g} {self.unit}/s"
        if not self.total:  # unknown: the count so far
            return f"{label}{done} {speed}" if self.unit == "B" else f"{label}{done} {self.unit} {speed}"
        share = min(self.n / self.total, 1.0)
        filled = round(share * BAR_WIDTH)
        return (f"{label}{share:4.0%} [{'#' * filled}{'-' * (BAR_WIDTH - filled)}] "
                f"{done}/{_amount(self.total, self.unit)} {speed}")

    def _draw(self) -> None:
        self.stream.write("\r" + self.line())
        self.stream.flush()

    def close(self) -> None:
        """Draw the final state and end the line; later calls do nothing."""
        if self._closed:
            return
        self._closed = True
        if self.enabled:
            self._draw()
            self.stream.write("\n")
            self.stream.flush()


def progress(items: Iterable[Item], total: int | None = None, desc: str = "", unit: str = "it",
             enabled: bool | None = None, stream: IO[str] | None = None) -> Iterator[Item]:
    """Yield every item of ``items``, counting each on a :class:`ProgressBar`
    (``total`` defaults to ``len(items)`` when it has one)."""
    if total is None and hasattr(items, "__len__"):
        total = len(items)  # type: ignore[arg-type]
    with ProgressBar(total, desc=desc, unit=unit, enabled=enabled, stream=stream) as bar:
        for item in items:
            yield item
            bar.update(1)
