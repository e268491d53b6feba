from .assemblies import Assembly, AssemblyPetition, AssemblyVote, OpinionStatement, PartyGroup, Sitting
from .registry import Block, Municipality, MunicipalityChange, Prefecture

__all__ = [
    "Assembly",
    "AssemblyPetition",
    "AssemblyVote",
    "Block",
    "Municipality",
    "MunicipalityChange",
    "OpinionStatement",
    "PartyGroup",
    "Prefecture",
    "Sitting",
]
