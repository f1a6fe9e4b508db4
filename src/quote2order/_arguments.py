"""Argument checks at the public surface: a wrong type is a ValidationError, never a builtin.

:func:`checked` wraps every public method of a class so that each argument is checked
against the method's annotations before the method runs: an ``int`` where a ``str`` id
belongs, a ``dict`` where a ``Customer`` belongs, a string with a lone surrogate or a NUL
(no store can hold either), a naive datetime all raise :class:`~quote2order.errors.ValidationError` naming
the method and the parameter, and nothing runs. Parameters named ``link_token`` or
``token`` are left to the method: a bad token is "not found", like any unknown link.

Only what can be checked cheaply and exactly is checked: classes, ``X | None``,
``Literal``, ``Sequence[X]``, ``Mapping[K, V]``, ``Iterable[X]`` and ``Callable``.
Protocols and anything else are left to the method.
"""

from __future__ import annotations

import collections.abc
import functools
import inspect
import types
import typing
from collections.abc import Callable
from datetime import datetime
from decimal import Decimal
from typing import Any, TypeVar

import attrs

from quote2order.errors import ValidationError

__all__ = ["checked"]

C = TypeVar("C", bound=type)

#: Checked by the method itself: a bad link token must look like an unknown one.
_UNCHECKED = frozenset({"self", "link_token", "token"})

Check = Callable[[object], bool]


def _text_ok(value: str) -> bool:
    if "\x00" in value:
        return False
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _is_instance(cls: type) -> Check:
    if cls is str:
        return lambda value: isinstance(value, str) and _text_ok(value)
    if cls is int:
        return lambda value: isinstance(value, int) and not isinstance(value, bool)
    if cls is float:
        return lambda value: (
            isinstance(value, int | float | Decimal) and not isinstance(value, bool)
        )
    if cls is datetime:  # every moment in quote2order is timezone-aware
        return lambda value: isinstance(value, datetime) and value.utcoffset() is not None
    return lambda value: isinstance(value, cls)


def _each(outer: type, inner: Check) -> Check:
    def check(value: object) -> bool:
        if isinstance(value, str | bytes) or not isinstance(value, outer):
            return False
        return all(inner(item) for item in value)  # type: ignore[attr-defined]

    return check


def _compile(hint: Any) -> Check | None:
    """A check for values of ``hint``, or None when it cannot be checked exactly."""
    if hint is Any or hint is object or isinstance(hint, TypeVar):
        return None
    origin = typing.get_origin(hint)
    args = typing.get_args(hint)
    if origin in (typing.Union, types.UnionType):
        parts = [_compile(arg) for arg in args]
        if any(part is None for part in parts):
            return None
        checks = [p for p in parts if p is not None]
        return lambda value: any(check(value) for check in checks)
    if hint is None or hint is type(None):
        return lambda value: value is None
    if origin is typing.Literal:
        return lambda value: any(value == arg and type(value) is type(arg) for arg in args)
    if origin is collections.abc.Callable or hint is collections.abc.Callable:
        return callable
    if origin is collections.abc.Iterable:
        # Not iterated here: a generator would arrive at the method used up.
        return lambda value: (
            isinstance(value, collections.abc.Iterable) and not isinstance(value, str | bytes)
        )
    if origin in (collections.abc.Sequence, list) or (
        origin is tuple and len(args) == 2 and args[1] is Ellipsis
    ):
        inner = _compile(args[0]) if args else None
        return _each(collections.abc.Sequence, inner or (lambda _: True))
    if origin in (collections.abc.Mapping, dict):
        key = _compile(args[0]) if args else None
        val = _compile(args[1]) if len(args) > 1 else None

        def mapping(value: object) -> bool:
            if not isinstance(value, collections.abc.Mapping):
                return False
            return all(
                (key is None or key(k)) and (val is None or val(v)) for k, v in value.items()
            )

        return mapping
    if isinstance(hint, type):
        if getattr(hint, "_is_protocol", False):
            return None  # structural: the method finds out when it uses the object
        return _is_instance(hint)
    return None


@attrs.frozen
class _Plan:
    """How to check one function's arguments, worked out once, at its first call."""

    positional: tuple[str, ...]  # in order, ``self`` first
    keywords: frozenset[str]  # every name that may be given by keyword
    required: frozenset[str]
    any_keyword: bool  # it takes ``**kwargs``
    checks: dict[str, Check]


def _plan(function: Callable[..., Any]) -> _Plan:
    parameters = inspect.signature(function).parameters.values()
    hints = typing.get_type_hints(function)
    checks = {}
    for parameter in parameters:
        if parameter.name in _UNCHECKED or parameter.name not in hints:
            continue
        check = _compile(hints[parameter.name])
        if check is not None:
            checks[parameter.name] = check
    kinds = inspect.Parameter
    return _Plan(
        positional=tuple(
            p.name
            for p in parameters
            if p.kind in (kinds.POSITIONAL_ONLY, kinds.POSITIONAL_OR_KEYWORD)
        ),
        keywords=frozenset(
            p.name
            for p in parameters
            if p.kind in (kinds.POSITIONAL_OR_KEYWORD, kinds.KEYWORD_ONLY)
        ),
        required=frozenset(
            p.name
            for p in parameters
            if p.default is kinds.empty and p.kind not in (kinds.VAR_POSITIONAL, kinds.VAR_KEYWORD)
        ),
        any_keyword=any(p.kind is kinds.VAR_KEYWORD for p in parameters),
        checks=checks,
    )


def _describe(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _wrap(function: Callable[..., Any], owner: str) -> Callable[..., Any]:
    where = f"{owner}.{function.__name__}"
    plan: _Plan | None = None

    @functools.wraps(function)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        nonlocal plan
        if plan is None:
            plan = _plan(function)
        if len(args) > len(plan.positional):
            raise ValidationError(f"{where}: too many positional arguments")
        given = dict(zip(plan.positional, args, strict=False))
        for name, value in kwargs.items():
            if name in given or (name not in plan.keywords and not plan.any_keyword):
                raise ValidationError(f"{where}: unexpected or repeated argument {name!r}")
            given[name] = value
        missing = plan.required - given.keys()
        if missing:
            raise ValidationError(f"{where}: missing {', '.join(sorted(missing))}")
        for name, check in plan.checks.items():
            if name in given and not check(given[name]):
                raise ValidationError(f"{where}: {name} cannot be {_describe(given[name])}")
        return function(*args, **kwargs)

    return wrapper


def checked(cls: C) -> C:
    """Check the arguments of every public method ``cls`` defines (see the module doc)."""
    for name, member in list(vars(cls).items()):
        if name.startswith("_") or not inspect.isfunction(member):
            continue
        setattr(cls, name, _wrap(member, cls.__name__))
    return cls
