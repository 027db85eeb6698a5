"""models._progress: the text progress bar of downloads and training epochs."""
import io

import pytest

from models._progress import REDRAW_SECONDS, ProgressBar, progress


def test_line_with_a_total():
    bar = ProgressBar(10, desc="epochs", unit="epoch", enabled=False)
    bar.update(4)
    line = bar.line()
    assert line.startswith("epochs:  40% [" + "#" * 12 + "-" * 18 + "] 4/10 ")
    assert line.endswith(" epoch/s")


def test_bytes_are_shown_in_powers_of_1024():
    bar = ProgressBar(3 * 1024 ** 2, desc="train-images", unit="B", enabled=False)
    bar.update(1536 * 1024)
    assert " 50% [" in bar.line() and "] 1.5 MiB/3.0 MiB " in bar.line() and bar.line().endswith("B/s")
    unknown = ProgressBar(None, unit="B", enabled=False)
    unknown.update(700)
    assert unknown.line().startswith("700 B ")


def test_drawn_only_when_enabled_and_ended_with_a_newline():
    out = io.StringIO()
    with ProgressBar(2, desc="job", enabled=True, stream=out) as bar:
        bar.update(1)
        bar.update(1)
    text = out.getvalue()
    assert text.startswith("\rjob:  50%") and "\rjob: 100%" in text and text.endswith("\n")
    quiet = io.StringIO()  # not a terminal: None means off
    with ProgressBar(2, stream=quiet) as bar:
        bar.update(2)
    assert quiet.getvalue() == ""


def test_redraws_are_rate_limited_but_the_end_is_always_drawn(monkeypatch):
    clock = [100.0]
    monkeypatch.setattr("models._progress.time.monotonic", lambda: clock[0])
    out = io.StringIO()
    bar = ProgressBar(1000, enabled=True, stream=out)
    for _ in range(999):
        bar.update(1)  # no time passes: only the first update draws
    assert out.getvalue().count("\r") == 1
    clock[0] += 2 * REDRAW_SECONDS
    bar.update(0)
    assert out.getvalue().count("\r") == 2
    bar.update(1)  # the total is reached: drawn at once
    bar.close()
    bar.close()  # a second close does nothing
    assert out.getvalue().count("\r") == 4 and out.getvalue().count("\n") == 1


@pytest.mark.parametrize("items, total", [(range(5), "5/5"), (iter("abc"), "3 it")])
def test_progress_iterator(items, total):
    out = io.StringIO()
    assert len(list(progress(items, desc="epochs", enabled=True, stream=out))) in (3, 5)
    assert "epochs" in out.getvalue() and total in out.getvalue()
