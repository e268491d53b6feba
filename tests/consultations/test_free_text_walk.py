"""A walk over every consultations URL, export, admin page and PDF: free text reaches only its readers.

The isolation walk (tests/test_isolation_walk.py) proves that Kanagawa sees nothing of Tokyo. This
walk proves the stricter rule of the consultations: a call's summary, advice and referral are read by
the station's own responders and the national coordinators only. Canaries are planted in calls of a
Tokyo and of a Kanagawa station of one published national day, then every pattern of the
`consultations` and `public_consultations` namespaces, the admin pages of the app's models, the
summary report (PDF) and the xlsx are requested by:

- national staff who are not coordinators, Kanagawa's prefectural staff (not responders of its
  station), an organizer and a member of Kanagawa, Tokyo's staff, an anonymous visitor: no canary at all;
- the Kanagawa responder: Kanagawa's canaries on the call page, never Tokyo's;
- a coordinator: both (the positive control, so the walk is known to read what it requests).
"""

import datetime
import re
import uuid

import pytest
from django.contrib import admin
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from consultations.models import CallRecord, Coordinator
from councils.models import Role
from reports import services as report_services
from tests.councils.factories import local_council, staff_of
from tests.test_isolation_walk import decode

from . import factories

pytestmark = pytest.mark.django_db
CANARY = re.compile(r"fxt[kt]\d{3}")
NAMESPACES = ("consultations", "public_consultations")


def _patterns():
    found = []

    def walk(patterns, namespace):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns, ":".join(filter(None, [namespace, pattern.namespace])))
            elif isinstance(pattern, URLPattern) and namespace in NAMESPACES:
                found.append(f"{namespace}:{pattern.name}")

    walk(get_resolver().url_patterns, "")
    return sorted(found)


@pytest.fixture
def planted(national, kanagawa, tokyo, national_staff, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    day = factories.national_day(datetime.date(2023, 11, 11), published=True)
    factories.national_day(datetime.date(2022, 11, 11))
    cost = factories.category()
    k_station, t_station = factories.station(day, kanagawa), factories.station(day, tokyo)
    k_responder, t_responder = factories.responder(k_station), factories.responder(t_station)
    k_call = factories.call(k_responder, summary="fxtk001", advice="fxtk002", referral="fxtk003", categories=[cost])
    t_call = factories.call(t_responder, summary="fxtt001", advice="fxtt002", referral="fxtt003", categories=[cost])
    coordinator = staff_of(national, role=Role.NATIONAL_STAFF, username="walk-coordinator")
    Coordinator.objects.create(user=coordinator, appointed_by=national_staff)
    pdf = report_services.run_now(kind="consultation_summary", params={"date": "2023-11-11"}, user=national_staff)
    assert pdf.status == "done", pdf.error
    return {"day": day, "stations": (k_station, t_station), "calls": (k_call, t_call), "k_responder": k_responder,
            "coordinator": coordinator, "pdf": pdf}  # fmt: skip


def _cases(p):
    day, (k_station, t_station), (k_call, t_call) = p["day"], p["stations"], p["calls"]
    calls_of = [k_call, t_call]
    stations = [k_station, t_station]
    day_url = reverse("consultations:day", args=[day.pk])
    public_url = reverse("public_consultations:day", args=[day.pk])
    return {
        "consultations:days": [reverse("consultations:days")],
        "consultations:day": [day_url, day_url + "?fragment=1"],
        "consultations:day_xlsx": [reverse("consultations:day_xlsx", args=[day.pk])],
        "consultations:station": [reverse("consultations:station", args=[s.pk]) for s in stations],
        "consultations:call_new": [reverse("consultations:call_new", args=[s.pk]) for s in stations],
        "consultations:call": [reverse("consultations:call", args=[c.pk]) for c in calls_of],
        "consultations:call_edit": [reverse("consultations:call_edit", args=[c.pk]) for c in calls_of],
        "consultations:read_log": [reverse("consultations:read_log")],
        "consultations:retention": [reverse("consultations:retention")],
        "public_consultations:days": [reverse("public_consultations:days")],
        "public_consultations:day": [public_url, public_url + "?fragment=1"],
    }  # fmt: skip


def _admin_urls(p):
    urls = []
    objects = {CallRecord: p["calls"]}
    for model in admin.site._registry:
        if model._meta.app_label != "consultations":
            continue
        info = f"admin:{model._meta.app_label}_{model._meta.model_name}"
        urls.append(reverse(f"{info}_changelist"))
        urls.append(reverse(f"{info}_changelist") + "?q=fxtk001")
        for obj in objects.get(model, []):
            urls += [reverse(f"{info}_change", args=[obj.pk]), reverse(f"{info}_history", args=[obj.pk])]
    return urls


def _everything(client, p):
    urls = [u for group in _cases(p).values() for u in group] + _admin_urls(p)
    urls.append(reverse("reports:download", args=[p["pdf"].token]))
    seen = {}
    for url in urls:
        response = client.get(url)
        assert response.status_code < 500, url
        _kind, text = decode(response)
        for canary in CANARY.findall(text):
            if canary not in url:  # a search box shows what was searched for
                seen.setdefault(canary, url)
    return seen


def test_every_consultations_url_has_a_case(planted):
    assert sorted(_cases(planted)) == _patterns()


def _users(p, kanagawa, tokyo):
    return {
        "national staff (not a coordinator)": staff_of(p["coordinator"].council, role=Role.NATIONAL_STAFF),
        "Kanagawa prefectural staff": staff_of(kanagawa, role=Role.COUNCIL_STAFF),
        "Kanagawa organizer": staff_of(local_council("14", name="川崎社保協"), role=Role.ORGANIZER),
        "Kanagawa member": staff_of(kanagawa, role=Role.MEMBER),
        "Tokyo staff": staff_of(tokyo, role=Role.COUNCIL_STAFF),
    }


def test_nobody_but_the_readers_sees_any_free_text(planted, kanagawa, tokyo):
    # the PDF is the national staff's own document: publish it so that every user may download it
    from reports.models import Audience

    report_services.publish_job(job=planted["pdf"], audience=Audience.ALL, user=planted["pdf"].requested_by)
    leaks = {}
    for label, user in _users(planted, kanagawa, tokyo).items():
        client = Client(raise_request_exception=False)
        client.force_login(user)
        seen = _everything(client, planted)
        if seen:
            leaks[label] = seen
    anonymous = _everything(Client(raise_request_exception=False), planted)
    if anonymous:
        leaks["anonymous"] = anonymous
    assert not leaks, leaks


def test_the_responder_reads_their_own_station_only_and_the_coordinator_reads_all(planted):
    client = Client(raise_request_exception=False)
    client.force_login(planted["k_responder"].user)
    seen = _everything(client, planted)
    assert {"fxtk001", "fxtk002", "fxtk003"} <= set(seen)
    assert not [c for c in seen if c.startswith("fxtt")]
    client.force_login(planted["coordinator"])
    seen = _everything(client, planted)
    assert {"fxtk001", "fxtt001", "fxtt002", "fxtt003"} <= set(seen)
    # the coordinator's own reads: each in the log, no text in the log
    page = client.get(reverse("consultations:read_log")).content.decode()
    assert f"#{planted['calls'][1].pk}" in page


def test_every_free_text_read_is_logged(planted):
    from consultations.models import FreeTextRead

    client = Client()
    client.force_login(planted["k_responder"].user)
    k_call = planted["calls"][0]
    client.get(reverse("consultations:call", args=[k_call.pk]))
    client.get(reverse("consultations:call_edit", args=[k_call.pk]))
    reads = list(FreeTextRead.objects.values_list("user", "call", "purpose"))
    assert reads.count((planted["k_responder"].user.pk, k_call.pk, "detail")) == 1
    assert reads.count((planted["k_responder"].user.pk, k_call.pk, "edit")) == 1
    assert len(reads) == 2


def test_the_submission_token_makes_a_resent_form_one_call(planted):
    client = Client()
    client.force_login(planted["k_responder"].user)
    url = reverse("consultations:call_new", args=[planted["stations"][0].pk])
    data = {
        "line": "1", "responder": str(planted["k_responder"].pk), "started_at": "11:00", "duration_minutes": "5",
        "caller_type": "self", "age_band": "unknown", "sex": "unknown", "care_level": "unknown",
        "summary": "", "submission_token": str(uuid.uuid4()),
    }  # fmt: skip
    before = CallRecord.objects.count()
    client.post(url, data)
    client.post(url, data)
    assert CallRecord.objects.count() == before + 1
