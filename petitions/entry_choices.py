"""What the phone entry offers one user, and checks their entry against: read once, kept in the shared cache.

On a submission day an organizer sends entry after entry, and the lists behind the form do not change between
them: the drives open today (with their rounds, which place an entry by its date), the councils the user may
record for, the organisations they may name. They are read from the database once per user (four queries) and
kept for CHOICES_SECONDS in the shared cache, under a generation (`shaho.core.generations`) that every save or
delete of a drive, round, council, organisation or membership moves (`forget_all`, from signals). The key holds
the user's own council, role and activity and today's date, so a user moved to another council, a changed role
or a new day reads afresh; a bulk update that bypasses the signals is seen within CHOICES_SECONDS.

The form offers and validates against these lists, and the service checks the entry against the same lists
(`EntryContext.from_choices`): an entry costs one cache read and its INSERT. When the cache cannot be reached,
the lists are read from the database for the request (the ledger does not need Redis).
"""

import logging
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from councils.models import Council
from shaho.core import generations
from shaho.core.scoping import scope_for, sees_everything

from .models import CollectionRound
from .selectors import open_petitions
from .services import allowed_organisations

GENERATION_KEY = "shaho:entry-choices-generation"
CHOICES_SECONDS = 60
log = logging.getLogger(__name__)


@dataclass
class EntryChoices:
    drives: list  # the drives open today that the user may record on, as the form lists them
    rounds: dict  # drive pk → its CollectionRound rows
    councils: list  # the councils the user may record for (not dissolved), in the federation's order
    organisations: list  # the organisations the user may name, by name
    every_organisation: bool  # national staff: every organisation (the service checks none)


def read_choices(user, *, today):
    """The lists from the database (four queries)."""
    drives = list(open_petitions(user=user, date=today))
    rounds = {drive.pk: [] for drive in drives}
    for found in CollectionRound.objects.filter(petition__in=list(rounds)):
        rounds[found.petition_id].append(found)
    councils = list(scope_for(user).exclude(status=Council.Status.DISSOLVED).order_by("sort_key", "pk"))
    organisations = list(allowed_organisations(user=user).order_by("name"))
    return EntryChoices(
        drives=drives,
        rounds=rounds,
        councils=councils,
        organisations=organisations,
        every_organisation=sees_everything(user),
    )


def _key(user, today):
    return f"shaho:entry-choices:{user.pk}:{user.council_id}:{user.role}:{int(user.is_active)}:{today.isoformat()}"


def entry_choices(user, *, today=None):
    """The user's lists: from the shared cache (one read), else from the database and kept."""
    today = today or timezone.localdate()
    key = _key(user, today)
    try:
        generation, choices = generations.read(GENERATION_KEY, key)
    except Exception:  # the cache is down: the entry still works, from the database
        log.warning("entry choices: the shared cache cannot be read; reading from the database", exc_info=True)
        return read_choices(user, today=today)
    if choices is not None:
        return choices
    choices = read_choices(user, today=today)
    try:
        generations.store(key, generation, choices, CHOICES_SECONDS)
    except Exception:
        log.warning("entry choices: the shared cache cannot be written", exc_info=True)
    return choices


def forget_all(**_signal_kwargs):
    """Every user's lists stale: a drive, round, council, organisation or membership was saved or deleted.

    Now, and again when the transaction commits: a request that read the lists between the two (the change not
    yet visible to it) kept them under the first move's generation, which the second makes stale."""
    _move()
    transaction.on_commit(_move)


def _move():
    try:
        generations.move(GENERATION_KEY)
    except Exception:
        # Not moved: the lists are kept CHOICES_SECONDS at most, and the service refuses what the form should not
        # have offered only within that time. Logged at error: someone should know.
        log.error("entry choices: the shared cache cannot be written; lists may lag for a minute", exc_info=True)
