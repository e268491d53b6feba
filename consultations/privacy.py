"""Privacy by design: the one marking of every call-record field, and who may read the personal ones.

`FIELDS` classes each field of CallRecord as PERSONAL (free text about identifiable people and their
families) or STATISTICAL (what totals are made of), or BOOKKEEPING (ids, who recorded it, tokens: shown
to nobody as content). Everything that shows a call reads this table:

- the admin lists and forms show `statistical_fields()` only (consultations.admin), and search them only;
- the call pages show personal fields only when `may_read_free_text(user, call)`, and every such read
  is written to the read log (`services.free_text_read_log`) before the text is rendered;
- exports and the report print aggregates of statistical fields only (selectors.day_totals);
- the retention purge empties exactly the personal fields (services.free_text_purge).

`tests/consultations/test_privacy.py` fails when a field of CallRecord is not classed here, so a new
field cannot be added without deciding which it is.

Who reads free text: the station's own responders (Responder rows for that station) and the national
coordinators (Coordinator rows: national staff appointed by national staff). Nobody else: not the
station council's staff, not national staff who are not coordinators, not superusers as such.
"""

from django.apps import apps

PERSONAL = "personal"
STATISTICAL = "statistical"
BOOKKEEPING = "bookkeeping"

FIELDS = {
    "id": BOOKKEEPING,
    "station": STATISTICAL,
    "line": STATISTICAL,
    "responder": STATISTICAL,
    "started_at": STATISTICAL,
    "duration_minutes": STATISTICAL,
    "caller_type": STATISTICAL,
    "caller_relation": STATISTICAL,
    "age_band": STATISTICAL,
    "sex": STATISTICAL,
    "care_level": STATISTICAL,
    "municipality": STATISTICAL,
    "categories": STATISTICAL,
    "follow_up": STATISTICAL,
    "summary": PERSONAL,
    "advice": PERSONAL,
    "referral": PERSONAL,
    "text_purged_at": BOOKKEEPING,
    "submission_token": BOOKKEEPING,
    "created_by": BOOKKEEPING,
    "created_at": BOOKKEEPING,
    "updated_by": BOOKKEEPING,
    "updated_at": BOOKKEEPING,
}


def _call_model():
    return apps.get_model("consultations", "CallRecord")


def fields_of(kind):
    return tuple(name for name, marked in FIELDS.items() if marked == kind)


def personal_fields():
    """('summary', 'advice', 'referral'): free text, readable by the station's responders and coordinators only."""
    return fields_of(PERSONAL)


def statistical_fields():
    """The fields totals are made of, shown to whoever may see the station's calls."""
    return fields_of(STATISTICAL)


def unclassified_fields():
    """CallRecord fields missing from FIELDS (and names in FIELDS that no longer exist)."""
    model = _call_model()
    names = {f.name for f in model._meta.get_fields() if not f.auto_created or f.name == "id"}
    names = {n for n in names if n not in ("reads",)}
    return sorted(names ^ set(FIELDS))


def is_coordinator(user):
    # An API token's principal (an unsaved user, pk None) is nobody's coordinator nor any station's responder.
    if not user or not user.is_authenticated or not user.is_active or user.pk is None:
        return False
    cached = getattr(user, "_consultations_coordinator", None)
    if cached is None:
        cached = apps.get_model("consultations", "Coordinator").objects.filter(user=user).exists()
        user._consultations_coordinator = cached
    return cached


def responder_station_ids(user):
    """The ids of the stations where `user` answers calls (a set; cached on the user object for the request)."""
    if not user or not user.is_authenticated or not user.is_active or user.pk is None:
        return frozenset()
    cached = getattr(user, "_consultations_stations", None)
    if cached is None:
        Responder = apps.get_model("consultations", "Responder")
        cached = frozenset(Responder.objects.filter(user=user).values_list("station_id", flat=True))
        user._consultations_stations = cached
    return cached


def may_read_free_text(user, call):
    """Whether `user` may read `call`'s summary, advice and referral: its station's responder or a coordinator."""
    return is_coordinator(user) or call.station_id in responder_station_ids(user)


def fields_for(user, call):
    """The CallRecord fields `user` may be shown for `call` (for any page or a later API): the statistical
    ones, and the personal ones only for its readers. A caller that shows personal fields logs the read."""
    return statistical_fields() + (personal_fields() if may_read_free_text(user, call) else ())


def must_use_two_factor(user):
    """Coordinators and responders verify a TOTP token (registered into shaho.core.access)."""
    return is_coordinator(user) or bool(responder_station_ids(user))
