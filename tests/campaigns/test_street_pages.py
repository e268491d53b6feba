"""The street-action form, the page it leads to, and the feed settings page, as markup.

Every control of the phone form has a name a screen reader reads (a <label>), the result page reads
back what was recorded before it offers a form, it links to the correction only for those who may
use it, and the feed's address has a label and a コピー button. The widths at 360 px and the copy
itself are in tests/browser/test_street_action.py.
"""

import uuid
from html.parser import HTMLParser

import pytest
from django.urls import reverse

from campaigns.models import Action
from tests.campaigns.factories import kind

pytestmark = pytest.mark.django_db

CONTROLS = {"input", "select", "textarea"}
NOT_LABELLED = {"hidden", "submit", "button"}


class _Controls(HTMLParser):
    """Form controls and whether a <label> names each (by for= or by wrapping it)."""

    def __init__(self):
        super().__init__()
        self.controls = []  # (id, name, wrapped in a label)
        self.label_for = set()
        self.label_depth = 0

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "label":
            self.label_depth += 1
            if attrs.get("for"):
                self.label_for.add(attrs["for"])
        elif tag in CONTROLS and attrs.get("type") not in NOT_LABELLED:
            self.controls.append((attrs.get("id"), attrs.get("name"), self.label_depth > 0))

    def handle_endtag(self, tag):
        if tag == "label":
            self.label_depth -= 1

    def unlabelled(self):
        return [name for id_, name, wrapped in self.controls if not wrapped and id_ not in self.label_for]


def _unlabelled(html):
    parser = _Controls()
    parser.feed(html)
    assert parser.controls, "no form controls found"
    return parser.unlabelled()


def _report(petition, council, **extra):
    return {
        "kind": kind("street").pk, "organiser": council.pk, "title": "宣伝行動", "starts_on": "2023年11月25日",
        "start_time": "13:30", "end_time": "15:00", "place": "桜木町駅前広場", "rows": "4",
        "p1_name": "保険医協会", "p1_count": "7", f"sig_{petition.pk}": "42",
        "submission_token": str(uuid.uuid4()), **extra,
    }  # fmt: skip


def test_every_control_of_the_street_form_has_a_label(client, organizer, petition):
    client.force_login(organizer)
    page = client.get(reverse("campaigns:street_entry")).content.decode()
    assert 'name="p4_organisation"' in page
    assert _unlabelled(page) == []


def test_the_rows_added_with_the_more_button_are_labelled_too(client, organizer, kawasaki, petition):
    client.force_login(organizer)
    response = client.post(reverse("campaigns:street_entry"), {**_report(petition, kawasaki), "_more": "1"})
    page = response.content.decode()
    assert 'name="p7_organisation"' in page
    assert _unlabelled(page) == []
    assert '<label class="visually-hidden" for="id_p7_organisation">7行目の団体（一覧から選ぶ）</label>' in page


def test_the_result_page_reads_back_the_signatures_instead_of_an_empty_select(client, organizer, kawasaki, petition):
    client.force_login(organizer)
    response = client.post(reverse("campaigns:street_entry"), _report(petition, kawasaki), follow=True)
    page = response.content.decode()
    assert "宣伝行動の報告を記録しました。" in page
    assert "保険証残して: 42筆" in page
    assert "---------" not in page
    # Adding more signatures stays possible, folded under its own summary and with a real prompt.
    assert '<details class="more" id="add-signatures">' in page and "（署名を選ぶ）" in page
    assert _unlabelled(page) == []


def test_a_signature_error_opens_the_folded_form_again(client, organizer, kawasaki, petition):
    client.force_login(organizer)
    client.post(reverse("campaigns:street_entry"), _report(petition, kawasaki))
    url = reverse("campaigns:action", args=[Action.objects.get().pk])
    page = client.post(url, {"_signatures": "1", "petition": petition.pk, "count": "abc"}).content.decode()
    assert '<details class="more" id="add-signatures" open>' in page


def test_no_signature_form_when_no_drive_runs_on_the_actions_date(client, organizer, kawasaki, petition):
    client.force_login(organizer)
    # The drive runs from 2023-09-01: an action of 2020 has no drive to add signatures to.
    data = _report(petition, kawasaki, starts_on="2020年11月25日")
    del data[f"sig_{petition.pk}"]
    page = client.post(reverse("campaigns:street_entry"), data, follow=True).content.decode()
    assert 'name="petition"' not in page and "add-signatures" not in page  # no select with nothing to choose


def test_staff_of_the_organiser_get_a_link_to_correct_the_action_and_it_opens(
    client, kanagawa_staff, kawasaki, petition
):
    client.force_login(kanagawa_staff)
    response = client.post(reverse("campaigns:street_entry"), _report(petition, kawasaki), follow=True)
    correct = reverse("admin:campaigns_action_change", args=[Action.objects.get().pk])
    assert f'href="{correct}"' in response.content.decode()
    assert client.get(correct).status_code == 200


def test_an_organizer_gets_no_link_to_the_admin_they_cannot_use(client, organizer, kawasaki, petition):
    client.force_login(organizer)
    response = client.post(reverse("campaigns:street_entry"), _report(petition, kawasaki), follow=True)
    page = response.content.decode()
    correct = reverse("admin:campaigns_action_change", args=[Action.objects.get().pk])
    assert correct not in page and "/admin/" not in page
    assert "の事務局が管理画面で行います" in page  # says who corrects it instead
    assert client.get(correct).status_code != 200  # the admin would not have let them in


def test_the_feed_address_has_a_label_and_a_copy_button(client, kanagawa_staff):
    client.force_login(kanagawa_staff)
    page = client.get(reverse("campaigns:feed_settings")).content.decode()
    assert '<label for="feed-url">配信のアドレス（購読用）</label>' in page
    assert 'data-copy="feed-url" data-copy-status="copy-status">コピー</button>' in page
    assert 'id="copy-status" class="muted" role="status"' in page
    assert '<script src="/static/js/copy.js" defer></script>' in page
    assert _unlabelled(page) == []
