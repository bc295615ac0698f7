"""Small argument checks shared by the value modules, with the reference's messages."""

from __future__ import annotations

from enum import Enum
from typing import TypeVar

E = TypeVar("E", bound=Enum)


def expect_enum(value: object, enum_type: type[E]) -> E:
    """`value` itself when it is a member of `enum_type`; a raw str (or anything else) is a
    TypeError naming the enum, as the reference does."""
    if isinstance(value, enum_type):
        return value
    raise TypeError(f"expected {enum_type.__name__}, got {type(value).__name__}")


def expect_optional_enum(value: object, enum_type: type[E]) -> E | None:
    return None if value is None else expect_enum(value, enum_type)
