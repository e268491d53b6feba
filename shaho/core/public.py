"""What is public across the federation: written down once, here.

Everything else a council records is seen only inside its scope (`shaho.core.scoping`).
Some things are nationwide on purpose:

- the registry of Japan (blocks, prefectures, municipalities) is public reference data;
- the policy draft's 地域社保協一覧 and the census list every council's name, kind, prefecture,
  founding and dissolution and the municipalities it covers (coverage), so those fields of a
  council — not its address, telephone, e-mail, officers or notes — are federation-public;
- the 集約一覧表 prints every prefecture's goal, collected and submitted totals, so the numbers
  of goals, tally entries and submissions are public *as sums per council and prefecture*,
  never row by row (no entry's place, note, correction reason or enterer);
- a national campaign's petitions to the local assemblies are public *as each municipality's outcome*
  (採択・趣旨採択・継続・不採択, how many petitions, adopted and 意見書 sent): the assemblies decide in
  public session. The campaign is named on its map (its name, short name and dates). Never a
  petition's text, title, submitter, votes or notes, and never a prefectural or local campaign's
  (`PUBLIC_ASSEMBLY_OUTCOMES`; /public/assemblies/ reads it through
  `municipalities.assemblies.selectors.public_campaigns` and `adoption_map(public=True)`).

The isolation walk (`tests/test_isolation_walk.py`) allows exactly these fields to reach a user
of another prefecture and fails on any other field's canary.
"""

from django.apps import apps

# model label → field names whose values any user of the federation may read
FEDERATION_PUBLIC_FIELDS = {
    "municipalities.Block": frozenset({"name", "order"}),
    "municipalities.Prefecture": frozenset({"code", "name", "kana", "block"}),
    "municipalities.Municipality": frozenset(
        {"code", "prefecture", "name", "kana", "kind", "county", "parent", "population", "valid_from", "valid_until"}
    ),
    "councils.Council": frozenset(
        {"name", "kind", "parent", "prefecture", "municipalities", "status", "founded_on", "dissolved_on"}
    ),
    "councils.CouncilStage": frozenset({"council", "kind", "since"}),
}

# Reference data: the registry of Japan, which any page may show (a block lists its prefectures).
# The rest of FEDERATION_PUBLIC_FIELDS is public in the nationwide documents, not in choice lists:
# a council's staff pages and admin lists show no other prefecture's council, even by name.
REFERENCE_DATA = frozenset({"municipalities.Block", "municipalities.Prefecture", "municipalities.Municipality"})

# model label → numeric fields that are public only as totals per council / prefecture (集約一覧表)
FEDERATION_PUBLIC_TOTALS = {
    "petitions.PetitionGoal": frozenset({"goal"}),
    "petitions.TallyEntry": frozenset({"count"}),
    "petitions.Submission": frozenset({"count"}),
}

# model label → fields public as counts or classes per municipality, for campaigns led by the national council
PUBLIC_ASSEMBLY_OUTCOMES = {
    # the campaign itself as its public map names it: what it is called and when it runs
    "campaigns.Campaign": frozenset({"slug", "name", "short_name", "starts_on", "ends_on", "lead_council"}),
    "municipalities.AssemblyPetition": frozenset({"assembly", "campaign", "outcome"}),
    "municipalities.OpinionStatement": frozenset({"assembly", "campaign", "status"}),
}


def _label(model_or_label):
    return model_or_label if isinstance(model_or_label, str) else model_or_label._meta.label


def public_fields(model):
    """The names of `model`'s federation-public fields (an empty set for a model that has none)."""
    return FEDERATION_PUBLIC_FIELDS.get(_label(model), frozenset())


def is_federation_public(model, field_name):
    """Whether the value of `model.field_name` may be shown to any user of the federation."""
    return field_name in public_fields(model)


def is_reference_data(model):
    """Whether `model` is the registry of Japan (public reference data, shown on any page)."""
    return _label(model) in REFERENCE_DATA


def printed_nationwide(model):
    """Whether a document of any council may print something of `model`'s rows beyond the reader's scope: the
    registry, the federation-public fields, the totals and the public assembly outcomes above. What a report
    reads of any other model is within the reader's scope (`reports.selectors.data_version` relies on it)."""
    label = _label(model)
    return (
        label in REFERENCE_DATA
        or label in FEDERATION_PUBLIC_FIELDS
        or label in FEDERATION_PUBLIC_TOTALS
        or label in PUBLIC_ASSEMBLY_OUTCOMES
    )


def public_total_fields(model):
    """Numeric fields of `model` that may be shown summed per council or prefecture, never per row."""
    return FEDERATION_PUBLIC_TOTALS.get(_label(model), frozenset())


def declared_fields_missing():
    """(label, field) pairs named above that no longer exist: a renamed field must update the policy."""
    missing = []
    for table in (FEDERATION_PUBLIC_FIELDS, FEDERATION_PUBLIC_TOTALS, PUBLIC_ASSEMBLY_OUTCOMES):
        for label, names in table.items():
            model = apps.get_model(label)
            existing = {f.name for f in model._meta.get_fields()}
            missing += [(label, name) for name in sorted(names - existing)]
    return missing
