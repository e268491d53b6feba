"""Schemathesis over the whole read API, in-process (issue 21): the schema at /api/v1/schema/ is loaded from the WSGI
app, every operation in it gets generated requests with a real Kanagawa token header, and every answer must be no
5xx, match the schema (status, content type, body), and hold none of Tokyo's canaries.

Every scoped model's Tokyo row is planted with canaries by the isolation walk's `plant()` (tests/test_isolation_walk),
so an endpoint added later is covered by this module without a line here: it is in the schema, hence in the run.
The security checks are off (the token is valid on purpose; 401s are tests/api/test_tokens.py's). Small and
derandomized: SCHEMATHESIS_EXAMPLES examples per operation (default 6), the run printed.
"""

import os
import re
import time

import pytest
import schemathesis
from django.core import signals
from django.db import close_old_connections
from hypothesis import HealthCheck, Phase, given
from hypothesis import settings as hypothesis_settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from shaho.core.api.models import ApiAccess
from shaho.core.public import is_federation_public, is_reference_data
from tests.api.kit import make_token
from tests.walk_kit import print_at_the_end

CANARY = re.compile(r"cnry\d{4}", re.IGNORECASE)
EXAMPLES = int(os.environ.get("SCHEMATHESIS_EXAMPLES", "6"))
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


def _leaks(t, text):
    """Tokyo canaries in `text` that a Kanagawa token may not read (only the registry's reference data may show)."""
    from django.apps import apps

    found = []
    for canary in sorted({c.lower() for c in CANARY.findall(text)}):
        if canary not in t.canaries:
            continue
        owner, field = t.canaries[canary]
        model = apps.get_model(owner)
        if not (is_federation_public(model, field) and is_reference_data(model)):
            found.append(f"{owner}.{field} ({canary})")
    return found


@pytest.mark.django_db
def test_every_operation_of_the_schema_with_a_kanagawa_token(settings, tmp_path, request):
    from shaho.wsgi import application
    from tests.test_isolation_walk import plant

    started = time.monotonic()
    settings.MEDIA_ROOT = tmp_path
    settings.SHAHO_API_RATE = "100000/min"
    t = plant(documents=False)
    _, secret = make_token(t.kanagawa, access=ApiAccess.STAFF, name="schemathesis")
    # identity: the in-process WSGI client does not undo the GZip middleware, as a real client does.
    headers = {"Authorization": f"Token {secret}", "Accept-Encoding": "identity"}
    # The WSGI handler closes the database connection after each request, as in production; the test's transaction
    # lives on it, so (as Django's test client does) the handler keeps it here.
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    request.addfinalizer(lambda: signals.request_started.connect(close_old_connections))
    request.addfinalizer(lambda: signals.request_finished.connect(close_old_connections))
    schema = schemathesis.openapi.from_wsgi("/api/v1/schema/?format=json", application)

    operations = [result.ok() for result in schema.get_all_operations()]
    assert operations, "the schema lists no operation"
    calls, statuses, failures = 0, {}, []

    for operation in operations:

        @hypothesis_settings(
            max_examples=EXAMPLES,
            derandomize=True,
            deadline=None,
            database=None,
            phases=[Phase.explicit, Phase.generate],
            suppress_health_check=list(HealthCheck),
        )
        @given(case=operation.as_strategy())
        def run(case):
            nonlocal calls
            response = case.call(headers=headers)
            calls += 1
            statuses[response.status_code] = statuses.get(response.status_code, 0) + 1
            case.validate_response(response, checks=CHECKS, headers=headers)
            leaks = _leaks(t, response.content.decode("utf-8", "replace"))
            assert not leaks, f"{case.method} {case.formatted_path} {case.query}: Tokyo's {leaks}"

        try:
            run()
        except Exception as exc:  # each operation's first failure, all of them listed at the end
            failures.append(f"{operation.label}: {exc}")

    elapsed = time.monotonic() - started
    print_at_the_end(
        request,
        [
            "",
            "schemathesis over /api/v1/:",
            f"  operations: {len(operations)} ({', '.join(o.label for o in operations)})",
            f"  requests: {calls}, statuses: {dict(sorted(statuses.items()))}, examples per operation: {EXAMPLES}",
            f"  canaries planted: {t.planted}, findings: {len(failures)}, time: {elapsed:.1f} s",
        ],
    )
    assert not failures, "\n\n".join(failures)
