"""Connector kinds: how a connector is described (a name, a kind and the kind's options) and
how such a description becomes a running `Connector`.

A kind is a pydantic model of its options and a factory `(name, options) -> Connector`. The
same options come from the config file (`[[connectors]]`), the admin API and the CLI, are
checked here and stored as JSON, so a kind is added in one place:

    # in connectors/smpp.py
    class SmppOptions(BaseModel):
        model_config = ConfigDict(extra="forbid")  # a misspelt option is an error
        host: str
        port: int = Field(default=2775, ge=1, le=65535)
        password: str
        window: int = Field(default=10, ge=1)
        ...

    def build(name: str, options: SmppOptions) -> SmppConnector: ...

    # at the bottom of this module
    from smsgate.connectors import smpp
    register("smpp", smpp.SmppOptions, smpp.build, secrets=("password",))

Rules for a kind:
- Options models forbid unknown keys, and use none of the names `name`, `kind`, `enabled`
  (in the config file they sit beside the options).
- The factory does no I/O (it runs when a definition is checked, too); connecting belongs in
  `Connector.start`, which should return promptly and keep connecting in the background.
  A `ValueError` from the factory is reported like a bad option.
- `secrets` name the options shown masked in listings (the API, the CLI).
"""

from __future__ import annotations

import json
import re
import types
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar, Union, get_args, get_origin

from pydantic import BaseModel, ValidationError

from smsgate.connectors import smpp
from smsgate.connectors.base import Connector
from smsgate.connectors.simulator import SimulatorOptions, simulator_from_options
from smsgate.domain.errors import DomainError, ErrorCode

Options = TypeVar("Options", bound=BaseModel)

MASK = "********"
RESERVED_OPTIONS = frozenset({"name", "kind", "enabled"})
_KIND_NAME = re.compile(r"[a-z][a-z0-9_]{0,19}")


@dataclass(frozen=True, slots=True)
class Kind(Generic[Options]):
    name: str
    options: type[Options]
    factory: Callable[[str, Options], Connector]
    secrets: frozenset[str]


_kinds: dict[str, Kind[Any]] = {}


def register(
    kind: str,
    options: type[Options],
    factory: Callable[[str, Options], Connector],
    *,
    secrets: Iterable[str] = ("password",),
) -> None:
    """Make `kind` available to the config file, the API and the CLI."""
    if not _KIND_NAME.fullmatch(kind):
        raise ValueError(f"a kind is 1-20 lower-case letters, digits or _, not {kind!r}")
    if kind in _kinds:
        raise ValueError(f"connector kind {kind} is registered already")
    clashes = RESERVED_OPTIONS & options.model_fields.keys()
    if clashes:
        raise ValueError(f"options of {kind} may not be called {', '.join(sorted(clashes))}")
    _kinds[kind] = Kind(kind, options, factory, frozenset(secrets))


def kinds() -> list[str]:
    return sorted(_kinds)


def _kind(kind: str) -> Kind[Any]:
    found = _kinds.get(kind)
    if found is None:
        raise DomainError(
            ErrorCode.INVALID_FIELD,
            f"unknown connector kind {kind!r}; known: {', '.join(kinds())}",
            field="kind",
        )
    return found


def _problem(error: Mapping[str, Any]) -> tuple[str, str]:
    where = ".".join(str(part) for part in ("options", *error["loc"]))
    if error["type"] == "extra_forbidden":
        return where, "unknown option"
    if error["type"] == "missing":
        return where, "required"
    return where, str(error["msg"])


def parse(kind: str, options: Mapping[str, Any]) -> BaseModel:
    """The options validated by the kind's model. A DomainError (invalid_field) names every
    bad option: `options.window: Input should be greater than or equal to 1; options.hots:
    unknown option`, its field the first of them."""
    spec = _kind(kind)
    try:
        parsed: BaseModel = spec.options.model_validate(dict(options))
    except ValidationError as exc:
        problems = [_problem(e) for e in exc.errors()]
        raise DomainError(
            ErrorCode.INVALID_FIELD,
            "; ".join(f"{where}: {what}" for where, what in problems),
            field=problems[0][0],
        ) from None
    return parsed


_COLLECTIONS = (list, tuple, set, frozenset)


def _takes(annotation: Any, kinds: tuple[type, ...]) -> bool:
    """Whether an option's type is (or, in a union, allows) one of `kinds`."""
    if get_origin(annotation) in (Union, types.UnionType):
        return any(_takes(a, kinds) for a in get_args(annotation))
    return (get_origin(annotation) or annotation) in kinds


def _item(annotation: Any) -> Any:
    """The type of the items of a list option (str when it does not say)."""
    if get_origin(annotation) in (Union, types.UnionType):
        return next(_item(a) for a in get_args(annotation) if _takes(a, _COLLECTIONS))
    args = get_args(annotation)
    return args[0] if args else str


def _read(annotation: Any, text: str) -> Any:
    # Text options stay text ("007" is a password, not 7); others are read as JSON when they
    # parse (5, 1.5, true, null, ["a", "b"]), else left for the model to convert.
    if _takes(annotation, (str,)):
        return text
    try:
        return json.loads(text)
    except ValueError:
        return text


def from_text(kind: str, pairs: Sequence[tuple[str, str]]) -> dict[str, Any]:
    """Options written as `key=value` text (the CLI), read as each option's type. An option
    that takes a list takes every value given for it, or one JSON list."""
    fields = _kind(kind).options.model_fields
    options: dict[str, Any] = {}
    for key, text in pairs:
        annotation = fields[key].annotation if key in fields else str
        if _takes(annotation, _COLLECTIONS):
            value = _read(annotation, text)
            items = value if isinstance(value, list) else [_read(_item(annotation), text)]
            options.setdefault(key, []).extend(items)
        else:
            options[key] = _read(annotation, text)
    return options


def normalised(kind: str, options: Mapping[str, Any]) -> dict[str, Any]:
    """The options as they are stored: validated, in JSON types, only those given."""
    dumped: dict[str, Any] = parse(kind, options).model_dump(mode="json", exclude_unset=True)
    return dumped


def build(name: str, kind: str, options: Mapping[str, Any]) -> Connector:
    """A new connector of this kind, not started."""
    spec = _kind(kind)
    try:
        return spec.factory(name, parse(kind, options))
    except ValueError as exc:
        raise DomainError(ErrorCode.INVALID_FIELD, str(exc), field="options") from None


def masked(kind: str, options: Mapping[str, Any]) -> dict[str, Any]:
    """Options fit to show: secrets replaced by a mask (for an unknown kind, `password`)."""
    spec = _kinds.get(kind)
    secrets = spec.secrets if spec is not None else frozenset({"password"})
    return {k: MASK if k in secrets and v is not None else v for k, v in options.items()}


register("simulator", SimulatorOptions, simulator_from_options, secrets=())
register("smpp", smpp.SmppOptions, smpp.build, secrets=("password",))
