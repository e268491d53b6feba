"""One convention for the admin's writes (shaho.core.admin.ServiceAdmin): every admin that writes domain rows
calls `<noun>_check` / `<noun>_save` / `<noun>_delete` of its app's services, and the system check refuses
an admin naming services that do not exist."""

import pytest
from django.contrib import admin

from shaho.core.admin import ServiceAdmin, ServiceAdminMixin, ServiceInline, check_admin_services

WRITERS = [
    "campaigns.LiaisonGroup", "campaigns.Campaign", "campaigns.Action", "campaigns.StudyGoal",
    "consultations.ConsultationDay", "consultations.Station", "consultations.Coordinator",
    "municipalities.Questionnaire", "municipalities.Question", "municipalities.Caravan",
    "municipalities.CaravanTarget", "municipalities.Talk", "municipalities.DemandLetter",
    "municipalities.Assembly", "municipalities.PartyGroup", "municipalities.Sitting",
    "municipalities.AssemblyPetition", "municipalities.OpinionStatement",
    "petitions.PetitionDrive", "petitions.PetitionGoal", "petitions.Submission",
    "councils.Organisation", "councils.Membership", "councils.Officer",
]  # fmt: skip


def test_every_admin_names_services_that_exist():
    assert check_admin_services() == []


# Inlines that write nothing (read-only rows), or whose rows a named service writes as a whole.
NOT_ROW_INLINES = {
    "SignatureInline",  # read-only: the ledger's entries made at an action
    "OpinionStatementInline",  # read-only: 意見書 are changed on their own page
    "AssemblyVoteInline",  # a stage's votes at once: services.votes_set (AssemblyPetitionAdmin.save_formset)
}


@pytest.mark.parametrize("label", WRITERS)
def test_the_admins_that_write_domain_rows_write_through_the_services(label):
    model_admin = next(a for m, a in admin.site._registry.items() if m._meta.label == label)
    assert isinstance(model_admin, ServiceAdminMixin)
    for inline in model_admin.inlines:
        assert issubclass(inline, ServiceInline) or inline.__name__ in NOT_ROW_INLINES, inline


def test_the_check_refuses_an_admin_naming_missing_services():
    from campaigns import services as campaign_services
    from campaigns.models import Theme

    class Broken(ServiceAdmin):
        services = campaign_services
        service_noun = "theme"

    site = admin.AdminSite(name="broken")
    site.register(Theme, Broken)
    [error] = check_admin_services(site)
    assert error.id == "shaho.E003" and "theme_check, theme_save, theme_delete" in error.msg
