"""Staff record actions in the admin with inlines; a poll that does not add up is refused there too."""

import pytest
from django.urls import reverse

from campaigns.models import Action, PollOption
from tests.campaigns.factories import D, action, kind, rows

pytestmark = pytest.mark.django_db
INLINES = ["participations", "speakers", "outputs", "polls", "voices", "demands", "tally_entries"]


def _management(data, prefix, total=0):
    data.update({f"{prefix}-TOTAL_FORMS": str(total), f"{prefix}-INITIAL_FORMS": "0"})


def _add_data(kanagawa, **polls):
    data = {"kind": kind("street").pk, "title": "宣伝行動", "status": "held", "starts_on": "2023-11-25",
            "mode": "onsite", "organiser": kanagawa.pk, "counterpart_kind": ""}  # fmt: skip
    for prefix in INLINES:
        _management(data, prefix)
    _management(data, "participations", 1)
    data.update({"participations-0-organisation_name": "保険医協会", "participations-0-count": "7",
                 "participations-0-order": "1"})  # fmt: skip
    _management(data, "polls", 1)
    data.update({"polls-0-question": "賛成？反対？", "polls-0-stated_total": "75", **polls})
    return data


def test_staff_add_an_action_with_inlines_and_the_poll_options(client, kanagawa_staff, kanagawa):
    client.force_login(kanagawa_staff)
    response = client.post(
        reverse("admin:campaigns_action_add"), _add_data(kanagawa, **{"polls-0-options_text": "反対72、賛成3"})
    )
    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else ""
    created = Action.objects.get()
    assert created.entered_by == kanagawa_staff and created.participations.get().count == 7
    assert list(PollOption.objects.values_list("label", "count")) == [("反対", 72), ("賛成", 3)]


def test_a_poll_that_does_not_add_up_is_refused_in_the_admin(client, kanagawa_staff, kanagawa):
    client.force_login(kanagawa_staff)
    response = client.post(
        reverse("admin:campaigns_action_add"), _add_data(kanagawa, **{"polls-0-options_text": "反対72、賛成2"})
    )
    assert response.status_code == 200 and not Action.objects.exists()
    assert "投票数75と合いません" in response.content.decode()


def test_another_prefectures_council_is_not_a_choice_of_organiser(client, kanagawa_staff, tokyo):
    client.force_login(kanagawa_staff)
    data = _add_data(tokyo, **{"polls-0-options_text": "反対72、賛成3"})
    response = client.post(reverse("admin:campaigns_action_add"), data)
    assert response.status_code == 200 and not Action.objects.exists()
    assert "organiser" in response.context["adminform"].form.errors


def test_changelist_warns_of_an_unconfirmed_disagreement(client, kanagawa_staff, kanagawa):
    action(kanagawa_staff, kanagawa, starts_on=D(2023, 11, 25), participants=rows(), stated_organisations=12)
    client.force_login(kanagawa_staff)
    page = client.get(reverse("admin:campaigns_action_changelist")).content.decode()
    assert "11団体26人 ⚠ 報告と食い違い" in page
