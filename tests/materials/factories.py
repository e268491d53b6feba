"""Materials, orders and distributions for tests, written through campaigns.materials.services as in production."""

import datetime
from decimal import Decimal

from campaigns.materials import services
from campaigns.materials.models import Material
from councils.models import Membership, Organisation
from tests.councils.factories import OrganisationFactory

D = datetime.date
ORDERED_ON, HANDED_OUT_ON = D(2023, 12, 1), D(2023, 12, 10)


def material(publisher, *, slug="kokuho-pamphlet", name="新国保パンフ", unit_price=Decimal(50), **kwargs):
    """A material of `publisher` (saved as the admin saves it: through the row services, by nobody)."""
    row = Material(slug=slug, name=name, publisher=publisher, unit_price=unit_price, **kwargs)
    row.full_clean()
    row.save()
    return row


def member(council, name, short_name=""):
    """An organisation managed by `council` and its member."""
    organisation = OrganisationFactory(
        name=name, short_name=short_name, home_council=council, prefecture=council.prefecture
    )
    Membership.objects.create(organisation=organisation, council=council)
    return organisation


def line(recipient, quantity, **kwargs):
    key = "recipient_organisation" if isinstance(recipient, Organisation) else "recipient_council"
    return {key: recipient, "quantity": quantity, **kwargs}


def order(user, council, material_, lines, *, ordered_on=ORDERED_ON, note=""):
    return services.order_place(
        user=user, material=material_, council=council, ordered_on=ordered_on, lines=lines, note=note
    )


def handed_out(user, council, material_, quantity, *, on=HANDED_OUT_ON, organisation=None, note=""):
    return services.distribution_record(
        user=user,
        material=material_,
        council=council,
        quantity=quantity,
        distributed_on=on,
        organisation=organisation,
        note=note,
    )
