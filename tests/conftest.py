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

from hypothesis import HealthCheck, settings

_SUPPRESSED = [HealthCheck.too_slow, HealthCheck.data_too_large]

# report_multiple_bugs=False: a broken op shows one plain failure (the first), not an ExceptionGroup
settings.register_profile("default", max_examples=25, deadline=None, suppress_health_check=_SUPPRESSED,
                          print_blob=True, report_multiple_bugs=False)
settings.register_profile("thorough", parent=settings.get_profile("default"), max_examples=250)
settings.register_profile("ci", parent=settings.get_profile("default"), derandomize=True)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci" if os.environ.get("CI") else "default"))
