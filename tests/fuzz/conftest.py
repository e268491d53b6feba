"""The fuzz tests' hypothesis profiles and the helpers every property shares.

Profiles (HYPOTHESIS_PROFILE picks one; "ci" by default):

* ``ci``: 12 examples per test (a third of that for the admin's import pages), derandomized (the same
  examples on every run, so CI is reproducible), no deadline (two shared cores make timings meaningless)
  and no example database;
* ``dev``: 500 examples per test (SHAHO_FUZZ_EXAMPLES changes it), random, for a local run that looks harder.

Database rollback per example: the tests are pytest-django tests (``db``: one transaction per test) and each
example runs inside its own savepoint (`rolled_back`), rolled back when the example ends, so every example
starts from the fixtures' rows. This, rather than ``hypothesis.extra.django.TestCase``, lets the examples use
the suite's fixtures (councils, staff, demo data built once per module).
"""

import contextlib
import os
import re

import pytest
from django.db import transaction
from hypothesis import HealthCheck, settings

_SUPPRESSED = [HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large]

settings.register_profile(
    "ci", max_examples=12, deadline=None, derandomize=True, database=None, suppress_health_check=_SUPPRESSED
)
settings.register_profile(
    "dev",
    max_examples=int(os.environ.get("SHAHO_FUZZ_EXAMPLES", "500")),
    deadline=None,
    suppress_health_check=_SUPPRESSED,
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


def fewer(fraction):
    """Settings for a slow test (a whole admin page per example): a fraction of the profile's examples."""
    return settings(max_examples=max(3, int(settings.default.max_examples * fraction)))


@contextlib.contextmanager
def rolled_back():
    """One example's changes, undone when it ends (a savepoint inside the test's transaction)."""
    with transaction.atomic():
        yield
        transaction.set_rollback(True)


_JAPANESE = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")


def is_japanese(text):
    return bool(_JAPANESE.search(str(text)))


class _Examples:
    """Counts a test's examples; the count is printed after the run's results (tests/conftest.py prints it)."""

    def __init__(self, node):
        self.node, self.n = node, 0
        self.index = len(node.user_properties)
        node.user_properties.append(("printed at the end", ""))

    def __call__(self):
        self.n += 1
        self.node.user_properties[self.index] = ("printed at the end", f"fuzz: {self.node.name} ran {self.n} examples")


@pytest.fixture
def examples(request):
    """Call it once per example: the figures the report gives."""
    return _Examples(request.node)
