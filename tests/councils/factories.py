import factory
from factory.django import DjangoModelFactory

from councils import services
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
    """Councils as production makes them: through councils.services (path, sort key, first stage)."""

    class Meta:
        model = Council

    name = factory.Sequence(lambda n: f"テスト社保協{n}")
    kind = CouncilKind.LOCAL

    @classmethod
    def _create(cls, model_class, *args, municipalities=(), **kwargs):
        return services.council_create(municipalities=municipalities, **kwargs)


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
    """Accounts through councils.services.user_set_role: is_staff follows the role as in production."""

    class Meta:
        model = User

    username = factory.Sequence(lambda n: f"user{n}")
    role = Role.MEMBER
    password = "test-pass-2025"

    @classmethod
    def _create(cls, model_class, *args, password, role, council=None, **kwargs):
        user = model_class(**kwargs)
        user.set_password(password)
        return services.user_set_role(user=user, role=role, council=council)


def staff_of(council, role=Role.COUNCIL_STAFF, **kwargs):
    return UserFactory(council=council, role=role, **kwargs)


def became(council, kind, on, note="種別の変更"):
    """Record that `council` became `kind` from `on` (a 準備会 turning into a 地域社保協), as the census reads it."""
    return services.council_change_kind(council=council, kind=kind, since=on, note=note)


def covering(council, *municipalities):
    """Let `council` cover `municipalities` (besides those it covers), through the service."""
    return services.council_update(council=council, municipalities=[*council.municipalities.all(), *municipalities])
