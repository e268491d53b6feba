from .registry import Block, Municipality, MunicipalityChange, Prefecture

__all__ = ["Block", "Municipality", "MunicipalityChange", "Prefecture"]
