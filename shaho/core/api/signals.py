"""Cached token snapshots are dropped the moment what they copy changes (connected in CoreConfig.ready)."""

from django.db.models.signals import post_delete, post_save

from . import tokens


def _token_changed(sender, instance, **kwargs):
    tokens.forget([instance.key])


def _council_changed(sender, instance, **kwargs):
    # A council renamed, dissolved, moved (its path, and its descendants' paths, change): every cached snapshot
    # goes, without a query (a council saved in a loop costs no more than before).
    tokens.forget_all()


def connect():
    from .models import ApiToken

    post_save.connect(_token_changed, sender=ApiToken, dispatch_uid="api_token_saved")
    post_delete.connect(_token_changed, sender=ApiToken, dispatch_uid="api_token_deleted")
    post_save.connect(_council_changed, sender="councils.Council", dispatch_uid="api_council_saved")
    post_delete.connect(_council_changed, sender="councils.Council", dispatch_uid="api_council_deleted")
