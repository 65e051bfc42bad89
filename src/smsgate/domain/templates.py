"""Message templates: text with placeholders filled from each recipient's contact.

`{first_name}` takes a contact's field (built-in or custom); `{first_name|there}` falls back to
"there" when the contact has no such value; `{{` and `}}` are literal braces. A template is
compiled once into literal and placeholder pieces, so filling it for 100,000 recipients is a
join per recipient.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from smsgate.domain.errors import DomainError, ErrorCode

TEXT_MAX = 1600  # characters of a template, before it is filled
NAME_MAX = 64

_TOKEN = re.compile(r"\{\{|\}\}|\{([^{}]*)\}|[{}]")
_PLACEHOLDER = re.compile(r"([a-z][a-z0-9_]{0,31})(?:\|([^{}|]*))?")


@dataclass(frozen=True, slots=True)
class Placeholder:
    name: str
    default: str | None  # None: none given, the value may be missing


@dataclass(frozen=True, slots=True)
class Filled:
    text: str
    missing: tuple[str, ...]  # placeholders with no value and no default (left empty)


@dataclass(frozen=True, slots=True)
class Template:
    text: str
    pieces: tuple[str | Placeholder, ...]

    @property
    def fields(self) -> tuple[str, ...]:
        """The fields it asks for, in the order they first appear."""
        return tuple(dict.fromkeys(p.name for p in self.pieces if isinstance(p, Placeholder)))

    def fill(self, value: Callable[[str], str | None]) -> Filled:
        """The text for one recipient; `value(name)` is the recipient's field or None."""
        out: list[str] = []
        missing: list[str] = []
        for piece in self.pieces:
            if isinstance(piece, str):
                out.append(piece)
                continue
            found = value(piece.name)
            if found:
                out.append(found)
            elif piece.default is not None:
                out.append(piece.default)
            else:
                missing.append(piece.name)
        return Filled("".join(out), tuple(missing))


def template(text: str, at: str = "text") -> Template:
    """A template from its text, or INVALID_FIELD saying what is wrong with it."""
    if not text or text.isspace():
        raise DomainError(ErrorCode.EMPTY_TEXT, field=at)
    if len(text) > TEXT_MAX:
        raise DomainError(ErrorCode.INVALID_FIELD, f"{TEXT_MAX} characters at most", at)
    pieces: list[str | Placeholder] = []
    literal: list[str] = []
    position = 0
    for token in _TOKEN.finditer(text):
        literal.append(text[position : token.start()])
        position = token.end()
        matched = token.group(0)
        if matched in ("{{", "}}"):
            literal.append(matched[0])
            continue
        inner = token.group(1)
        found = _PLACEHOLDER.fullmatch(inner) if inner is not None else None
        if found is None:
            raise DomainError(
                ErrorCode.INVALID_FIELD,
                f"{matched!r} at {token.start()} is not a placeholder like {{first_name}} or "
                "{first_name|default} (write {{ and }} for braces)",
                at,
            )
        pieces.append("".join(literal))
        literal = []
        pieces.append(Placeholder(found.group(1), found.group(2)))
    literal.append(text[position:])
    pieces.append("".join(literal))
    return Template(text, tuple(p for p in pieces if p != ""))


def template_name(name: str, at: str = "name") -> str:
    if not 1 <= len(name) <= NAME_MAX or name != name.strip():
        raise DomainError(
            ErrorCode.INVALID_FIELD, f"a template name is 1-{NAME_MAX} characters", at
        )
    return name
