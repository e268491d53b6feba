"""The interface is Japanese: every model and field of the project's apps has a Japanese label."""

import re

import pytest
from django.apps import apps

PROJECT_APPS = {"municipalities", "councils", "petitions", "campaigns", "consultations", "reports"}
JAPANESE = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")


def project_models():
    return [
        m
        for m in apps.get_models()
        if m._meta.app_label in PROJECT_APPS and not m.__name__.startswith("Historical") and not m._meta.auto_created
    ]


@pytest.mark.parametrize("model", project_models(), ids=lambda m: m._meta.label)
def test_model_and_fields_have_japanese_verbose_names(model):
    assert JAPANESE.search(str(model._meta.verbose_name)), model._meta.label
    inherited = {"password", "last_login", "is_superuser", "username", "first_name", "last_name", "email",
                 "is_staff", "is_active", "date_joined", "groups", "user_permissions"}  # fmt: skip
    missing = [
        f.name
        for f in model._meta.get_fields()
        if f.concrete and not f.auto_created and f.name not in inherited and not JAPANESE.search(str(f.verbose_name))
    ]
    assert not missing, f"{model._meta.label}: {missing}"


@pytest.mark.parametrize("model", project_models(), ids=lambda m: m._meta.label)
def test_labels_are_gettext_lazy(model):
    """Labels go through gettext_lazy (Django's rule), so a translation can reach every one of them."""
    from django.utils.functional import Promise

    inherited = {"password", "last_login", "is_superuser", "username", "first_name", "last_name", "email",
                 "is_staff", "is_active", "date_joined", "groups", "user_permissions"}  # fmt: skip
    assert isinstance(model._meta.verbose_name, Promise), model._meta.label
    plain = [
        f.name
        for f in model._meta.get_fields()
        if f.concrete and not f.auto_created and f.name not in inherited and not isinstance(f.verbose_name, Promise)
    ]
    assert not plain, f"{model._meta.label}: {plain}"
    choices = [
        f"{f.name}={label}"
        for f in model._meta.get_fields()
        if f.concrete and getattr(f, "choices", None)
        for _, label in f.flatchoices
        if not isinstance(label, Promise)
    ]
    assert not choices, f"{model._meta.label}: {choices}"
