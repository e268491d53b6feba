import factory
from factory.django import DjangoModelFactory

from councils.models import Council, CouncilKind, Membership, Officer, Organisation, Role, User
from municipalities.models import Prefecture


def prefecture(code):
    return Prefecture.objects.get(code=code)


def national_council():
    council = Council.objects.filter(kind=CouncilKind.NATIONAL).first()
    return council or CouncilFactory(
        kind=CouncilKind.NATIONAL, name="中央社会保障推進協議会", parent=None, prefecture=None
    )


class CouncilFactory(DjangoModelFactory):
    class Meta:
        model = Council

    name = factory.Sequence(lambda n: f"テスト社保協{n}")
    kind = CouncilKind.LOCAL


def prefectural_council(code):
    pref = prefecture(code)
    existing = Council.objects.filter(kind=CouncilKind.PREFECTURAL, prefecture=pref).first()
    return existing or CouncilFactory(
        kind=CouncilKind.PREFECTURAL, name=f"{pref.name}社会保障推進協議会", parent=national_council(), prefecture=pref
    )


def local_council(code, name=None, **kwargs):
    parent = prefectural_council(code)
    extra = {"name": name} if name else {}
    return CouncilFactory(
        kind=kwargs.pop("kind", CouncilKind.LOCAL), parent=parent, prefecture=parent.prefecture, **extra, **kwargs
    )


class OrganisationFactory(DjangoModelFactory):
    class Meta:
        model = Organisation

    name = factory.Sequence(lambda n: f"テスト団体{n}")
    level = Organisation.Level.PREFECTURAL


class MembershipFactory(DjangoModelFactory):
    class Meta:
        model = Membership


class OfficerFactory(DjangoModelFactory):
    class Meta:
        model = Officer

    role = Officer.Role.SECRETARY_GENERAL
    person_name = factory.Sequence(lambda n: f"山田{n}")


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    role = Role.MEMBER
    password = factory.PostGenerationMethodCall("set_password", "test-pass-2025")

    @factory.post_generation
    def saved(obj, create, extracted, **kwargs):
        if create:
            obj.save()


def staff_of(council, role=Role.COUNCIL_STAFF, **kwargs):
    return UserFactory(council=council, role=role, **kwargs)


def became(council, kind, on, note="種別の変更"):
    """Record that `council` became `kind` from `on` (a 準備会 turning into a 地域社保協), as the census reads it."""
    from councils.models import CouncilStage

    CouncilStage.objects.create(council=council, kind=kind, since=on, note=note)
    council.kind = kind
    council.save()  # the latest stage already has this kind: no stage dated today is added
    return council
