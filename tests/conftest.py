"""Hypothesis profiles, chosen with $HYPOTHESIS_PROFILE (nothing else lives here).

- "default": 25 examples per property, sized so that the WHOLE default suite
  stays well under 3 minutes on 2 cores (the registry test alone runs every
  op × 25 examples; its second-derivative test a third of that).
- "thorough": 10x the examples (250) for a long run before a release:
  HYPOTHESIS_PROFILE=thorough python -m pytest
- "ci": the default profile, derandomized, so a CI run is reproducible; it is
  the profile when $CI is set and $HYPOTHESIS_PROFILE is not.
"""
import os

import pytest

from hypothesis import HealthCheck, settings

_SUPPRESSED = [HealthCheck.too_slow, HealthCheck.data_too_large]

# report_multiple_bugs=False: a broken op shows one plain failure (the first), not an ExceptionGroup
settings.register_profile("default", max_examples=25, deadline=None, suppress_health_check=_SUPPRESSED,
                          print_blob=True, report_multiple_bugs=False)
settings.register_profile("thorough", parent=settings.get_profile("default"), max_examples=250)
settings.register_profile("ci", parent=settings.get_profile("default"), derandomize=True)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci" if os.environ.get("CI") else "default"))


@pytest.fixture
def flip_each_byte(tmp_path):
    """``sweep(model, stride, same)``: save ``model``, invert every ``stride``-th byte
    of the file in turn, and load each altered file. Each must raise a
    ModelFileError that starts with the file's path, or load a model for which
    ``same(loaded)`` holds (a byte the format ignores). Fewer than a fifth may load."""
    def sweep(model, stride, same):
        from models import load_model
        from models.persistence import ModelFileError
        model.save(tmp_path / "good.npz")
        good = (tmp_path / "good.npz").read_bytes()
        path = tmp_path / "flipped.npz"
        offsets = range(0, len(good), stride)
        loaded = 0
        for i in offsets:
            path.write_bytes(good[:i] + bytes([good[i] ^ 0xFF]) + good[i + 1:])
            try:
                other = load_model(path)
            except ModelFileError as error:
                assert str(error).startswith(f"{path}: ")
                continue
            loaded += 1
            same(other)
        assert loaded < len(offsets) // 5
    return sweep
