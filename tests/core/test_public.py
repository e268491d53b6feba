"""The federation-public policy names real fields, and nothing personal or contact-like."""

from councils.models import Council, Officer, Organisation, User
from petitions.models import TallyEntry
from shaho.core.public import (
    FEDERATION_PUBLIC_FIELDS,
    REFERENCE_DATA,
    declared_fields_missing,
    is_federation_public,
    public_fields,
    public_total_fields,
)


def test_the_policy_names_only_existing_fields():
    assert declared_fields_missing() == []


def test_a_councils_name_and_coverage_are_public_its_contacts_are_not():
    assert {"name", "municipalities", "prefecture", "kind"} <= public_fields(Council)
    for private in ("address", "phone", "fax", "email", "website", "postal_code", "note", "short_name"):
        assert not is_federation_public(Council, private), private


def test_people_and_organisations_have_no_public_field():
    for model in (User, Officer, Organisation, TallyEntry):
        assert public_fields(model) == frozenset(), model


def test_tally_counts_are_public_only_as_totals():
    assert public_total_fields(TallyEntry) == {"count"}
    assert not is_federation_public(TallyEntry, "count")


def test_reference_data_is_public():
    assert REFERENCE_DATA <= set(FEDERATION_PUBLIC_FIELDS)
