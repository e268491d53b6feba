"""The models of the app's three layers, gathered for Django (migrations, the app registry).

Code never imports from here: each layer reads its own `models` module and those of the layers below
(`municipalities.registry.models` → `municipalities.caravans.models`, `municipalities.assemblies.models`),
so loading the registry never loads the work above it.
"""

from .assemblies.models import Assembly, AssemblyPetition, AssemblyVote, OpinionStatement, PartyGroup, Sitting
from .caravans.models import (
    Answer,
    AnswerKind,
    Caravan,
    CaravanCourse,
    CaravanTarget,
    DemandItem,
    DemandLetter,
    Evaluation,
    Question,
    Questionnaire,
    QuestionnaireSection,
    Talk,
    TalkItem,
    TalkOfficial,
    TalkParticipation,
)
from .registry.models import Block, Municipality, MunicipalityChange, Prefecture

__all__ = [
    "Answer",
    "AnswerKind",
    "Assembly",
    "AssemblyPetition",
    "AssemblyVote",
    "Block",
    "Caravan",
    "CaravanCourse",
    "CaravanTarget",
    "DemandItem",
    "DemandLetter",
    "Evaluation",
    "Municipality",
    "MunicipalityChange",
    "OpinionStatement",
    "PartyGroup",
    "Prefecture",
    "Question",
    "Questionnaire",
    "QuestionnaireSection",
    "Sitting",
    "Talk",
    "TalkItem",
    "TalkOfficial",
    "TalkParticipation",
]
