from .registry import Block, Municipality, MunicipalityChange, Prefecture

__all__ = ["Block", "Prefecture", "Municipality", "MunicipalityChange"]
