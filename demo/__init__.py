"""Demo data of every app, in one place above the domain apps: a believable federation to try the system on.

Why here and not in each app: the demo crosses every layer (the registry, the federation, the
petitions, the reports), so like the URL configuration it sits on top and imports downward, and
nothing imports it. It writes only through the apps' services (councils.services,
petitions.services, reports.services), so its rows are what production would write; facts and
figures come from the seed documents (see each module's docstring). Where the seeds give no figure
and a module invents one that depends on a municipality or a council (資格確認書 to send, 法定外繰入,
a local council's signatures, a prefecture's study sessions), it scales with the municipality's size
through `demo.population` (population, households, 国保 insured, with the ratios stated there).

`STEPS` is the order in which the parts build on each other; `seed_demo` runs them.
"""

STEPS = [
    "demo.federation",
    "demo.petitions",
    "demo.campaigns",
    "demo.caravans",
    "demo.assemblies",
    "demo.consultations",
    "demo.materials",
    "demo.meetings",
    "demo.newsletters",
]
