"""Writes of the local-assembly work: petitions to assemblies, their votes, 意見書. Every write goes through here.

Each service takes the acting `user`, refuses anything outside the user's scope with the same
message as for something that does not exist, runs the model's `full_clean()` and the checks
across rows (votes adding up to the stated totals), and saves inside a transaction with who and
when. A ValidationError's keys are the model's field names, so the admin form and the importer
put each message on its field or column.
"""

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from municipalities.assemblies.models import (
    Assembly,
    AssemblyVote,
    PartyGroup,
    Season,
    Sitting,
    Stage,
    municipalities_in_scope,
    prefectural_assemblies_in_scope,
    season_of,
    sitting_year_of,
)
from municipalities.registry.models import Municipality, Prefecture
from shaho.core.scoping import in_scope, restrict, scope_for, system_user

NOT_IN_SCOPE = "この議会は見つかりません（または記録する権限がありません）。"


def assembly_in_scope(*, user, assembly):
    """Whether `user` may record for `assembly` (None: a system run, which may)."""
    if system_user(user):
        return True
    if assembly.pk is None:  # one an importer will create: judged by its municipality or prefecture
        councils = scope_for(user)
        if assembly.municipality_id:
            return Municipality.objects.filter(municipalities_in_scope(councils), pk=assembly.municipality_id).exists()
        return Prefecture.objects.filter(prefectural_assemblies_in_scope(councils), pk=assembly.prefecture_id).exists()
    return restrict(Assembly.objects.filter(pk=assembly.pk), user).exists()


def assembly_of(*, municipality=None, prefecture=None):
    """The assembly of `municipality` (or of `prefecture` when no municipality), created on first use."""
    if municipality is not None:
        assembly, _ = Assembly.objects.get_or_create(
            municipality=municipality, defaults={"prefecture_id": municipality.prefecture_id}
        )
        return assembly
    assembly, _ = Assembly.objects.get_or_create(prefecture=prefecture, municipality=None)
    return assembly


def assembly_check(*, user, assembly):
    """An assembly `user` may record: its municipality (or prefecture) within the scope."""
    assembly.full_clean()
    if not system_user(user):
        probe = Assembly(municipality=assembly.municipality, prefecture_id=assembly.prefecture_id)
        if not assembly_in_scope(user=user, assembly=probe):
            raise ValidationError({"municipality": NOT_IN_SCOPE})


@transaction.atomic
def assembly_save(*, user, assembly):
    assembly_check(user=user, assembly=assembly)
    assembly._history_user = user
    assembly.save()
    return assembly


def _delete(*, user, row, assembly):
    """Delete `row` (and what hangs on it) when `assembly`, as stored, is within the user's scope."""
    if not assembly_in_scope(user=user, assembly=assembly):
        raise PermissionDenied(NOT_IN_SCOPE)
    row._history_user = user
    row.delete()


@transaction.atomic
def assembly_delete(*, user, assembly):
    """Delete an assembly with its groups, sittings and petitions; PermissionDenied outside the scope."""
    _delete(user=user, row=assembly, assembly=Assembly.objects.get(pk=assembly.pk))


def _stored_assembly(row):
    return Assembly.objects.get(pk=type(row).objects.filter(pk=row.pk).values("assembly")[:1])


def _parent_check(*, user, row):
    """A row of an assembly (sitting, group, 意見書): the assembly, as stored and as chosen, within the scope.

    The assembly of an inline row on the add page is not saved yet: it is judged by its municipality.
    """
    if row.pk is not None and not assembly_in_scope(user=user, assembly=_stored_assembly(row)):
        raise ValidationError({"assembly": NOT_IN_SCOPE})
    assembly = row.assembly if row.assembly_id or "assembly" in row._state.fields_cache else None
    if assembly is not None and not assembly_in_scope(user=user, assembly=assembly):
        raise ValidationError({"assembly": NOT_IN_SCOPE})
    row.full_clean(exclude=["assembly"] if row.assembly_id is None and assembly is not None else None)


def sitting_check(*, user, sitting):
    _parent_check(user=user, row=sitting)


@transaction.atomic
def sitting_save(*, user, sitting):
    sitting_check(user=user, sitting=sitting)
    sitting._history_user = user
    sitting.save()
    return sitting


@transaction.atomic
def sitting_delete(*, user, sitting):
    _delete(user=user, row=sitting, assembly=_stored_assembly(sitting))


def sitting_for(*, assembly, season, year, starts_on, ends_on=None, name=""):
    """The regular sitting of `assembly` for (`season`, `year`), created with the dates given when missing."""
    if season != Season.EXTRAORDINARY:
        existing = Sitting.objects.filter(assembly=assembly, season=season, year=year).first()
        if existing is not None:
            return existing
    sitting = Sitting(assembly=assembly, season=season, year=year, starts_on=starts_on, ends_on=ends_on, name=name)
    sitting.full_clean()
    sitting.save()
    return sitting


def sitting_of_date(day):
    """(season, year) of the regular sitting a date falls in."""
    season = season_of(day)
    return season, sitting_year_of(day, season)


@dataclass
class VoteLine:
    group: PartyGroup
    position: str
    members_for: int | None = None
    members_against: int | None = None


def votes_check(*, petition, stage, votes):
    """Refuse votes whose member counts do not add up to the totals stated on the petition.

    `votes`: VoteLine-like objects of one stage. Only checked when every group's count is known
    (a 分かれた group needs both its counts). Raises ValidationError keyed by the total's field.
    """
    ayes_total = getattr(petition, f"{stage}_for")
    noes_total = getattr(petition, f"{stage}_against")
    stage_label = Stage(stage).label
    errors = {}
    groups = [v.group.pk for v in votes if v.group is not None]
    if len(groups) != len(set(groups)):
        errors[f"{stage}_for"] = f"{stage_label}の同じ会派の態度が二度入力されています。"
    ayes = [_counted(v, "for") for v in votes]
    noes = [_counted(v, "against") for v in votes]
    if votes and ayes_total is not None and None not in ayes and sum(ayes) != ayes_total:
        errors[f"{stage}_for"] = (
            f"{stage_label}の会派ごとの賛成の人数の合計（{sum(ayes)}）が賛成数（{ayes_total}）と合いません。"
        )
    if votes and noes_total is not None and None not in noes and sum(noes) != noes_total:
        errors[f"{stage}_against"] = (
            f"{stage_label}の会派ごとの反対の人数の合計（{sum(noes)}）が反対数（{noes_total}）と合いません。"
        )
    if errors:
        raise ValidationError(errors)


def _counted(vote, side):
    """A group's count on one side: its stated number, 0 when its position excludes the side, None when unknown."""
    value = vote.members_for if side == "for" else vote.members_against
    if value is not None:
        return value
    if vote.position in (AssemblyVote.Position.ABSTAIN, AssemblyVote.Position.LEFT):
        return 0
    if vote.position == (AssemblyVote.Position.AGAINST if side == "for" else AssemblyVote.Position.FOR):
        return 0
    return None


def petition_check(*, user, petition, exclude=None):
    """Every rule of one petition for `user`: scope, the model's rules. Raises ValidationError by field.

    `exclude`: fields not validated as fields (an importer's assembly and sitting still to be created).
    """
    assembly = petition.assembly if petition.assembly_id or "assembly" in petition._state.fields_cache else None
    if assembly is not None and not assembly_in_scope(user=user, assembly=assembly):
        raise ValidationError({"assembly": NOT_IN_SCOPE})
    if petition.submitted_by_id and not in_scope(user, petition.submitted_by_id):
        raise ValidationError({"submitted_by": "この社保協は見つかりません（または記録する権限がありません）。"})
    petition.full_clean(exclude=exclude)


def _settle(petition):
    petition.outcome, petition.decided_on = petition.final_outcome()


@transaction.atomic
def petition_save(*, user, petition, organisations=None, votes=None):
    """Save `petition` (new or changed) for `user`, with its organisations and, per stage, its votes.

    `votes`: {stage: [VoteLine, ...]} replacing that stage's recorded votes. Raises ValidationError
    (nothing saved) when the assembly is outside the scope, a date is out of order or outside the
    sitting, the municipality did not exist on the date, or votes do not add up. Returns the petition.
    """
    if petition.sitting_id and not petition.assembly_id:
        petition.assembly_id = petition.sitting.assembly_id
    petition_check(user=user, petition=petition)
    for stage, lines in (votes or {}).items():
        for line in lines:
            vote = AssemblyVote(petition=petition, stage=stage, **_vote_fields(line))
            vote.petition = petition
            vote.clean()
        votes_check(petition=petition, stage=stage, votes=lines)
    _settle(petition)
    now = timezone.now()
    if petition.pk is None:
        petition.entered_by, petition.entered_at = user, now
    else:
        petition.updated_by, petition.updated_at = user, now
    petition._history_user = user
    petition.save()
    if organisations is not None:
        petition.organisations.set(organisations)
    for stage, lines in (votes or {}).items():
        petition.votes.filter(stage=stage).delete()
        AssemblyVote.objects.bulk_create(
            [AssemblyVote(petition=petition, stage=stage, **_vote_fields(line)) for line in lines]
        )
    return petition


@transaction.atomic
def petition_delete(*, user, petition):
    """Delete a petition with its votes; PermissionDenied when its assembly, as stored, is outside the scope."""
    _delete(user=user, row=petition, assembly=_stored_assembly(petition))


def _vote_fields(line):
    return {
        "group": line.group,
        "position": line.position,
        "members_for": line.members_for,
        "members_against": line.members_against,
    }


@transaction.atomic
def votes_set(*, user, petition, stage, votes):
    """Replace the recorded votes of one stage of `petition` with `votes` (VoteLine), after every check.

    Returns the votes created. Raises ValidationError (nothing changed) when they do not add up."""
    if not assembly_in_scope(user=user, assembly=petition.assembly):
        raise ValidationError({"assembly": NOT_IN_SCOPE})
    for line in votes:
        AssemblyVote(petition=petition, stage=stage, **_vote_fields(line)).clean()
    votes_check(petition=petition, stage=stage, votes=votes)
    petition.votes.filter(stage=stage).delete()
    created = AssemblyVote.objects.bulk_create(
        [AssemblyVote(petition=petition, stage=stage, **_vote_fields(v)) for v in votes]
    )
    petition.updated_by, petition.updated_at = user, timezone.now()
    petition.save(update_fields=["updated_by", "updated_at"])
    return created


def opinion_statement_check(*, user, statement):
    """The rules of one 意見書 for `user`: its assembly within the scope, the model's rules."""
    _parent_check(user=user, row=statement)


@transaction.atomic
def opinion_statement_save(*, user, statement):
    """Save an 意見書 for `user`: its assembly in scope, dated if adopted; the petition's campaign by default."""
    if statement.petition_id and statement.campaign_id is None:
        statement.campaign_id = statement.petition.campaign_id
    opinion_statement_check(user=user, statement=statement)
    if statement.pk is None:
        statement.entered_by, statement.entered_at = user, timezone.now()
    statement._history_user = user
    statement.save()
    return statement


@transaction.atomic
def opinion_statement_delete(*, user, statement):
    _delete(user=user, row=statement, assembly=_stored_assembly(statement))


def party_group_check(*, user, group):
    _parent_check(user=user, row=group)


@transaction.atomic
def party_group_save(*, user, group):
    """Save a 会派 of an assembly within `user`'s scope."""
    party_group_check(user=user, group=group)
    group._history_user = user
    group.save()
    return group


@transaction.atomic
def party_group_delete(*, user, group):
    _delete(user=user, row=group, assembly=_stored_assembly(group))


def party_group_of(*, assembly, name, on=None):
    """The group named `name` of `assembly` existing on `on`, created (without dates) when there is none."""
    candidates = [g for g in PartyGroup.objects.filter(assembly=assembly, name=name) if on is None or g.exists_on(on)]
    if candidates:
        return candidates[0]
    return PartyGroup.objects.create(assembly=assembly, name=name)
