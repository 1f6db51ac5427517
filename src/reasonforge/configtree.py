"""A params section as a dataclass tree: `build(EurusConfig, params["eurus"], "eurus")`.

Kept apart from config.py (the schema, its loader and checks): a job's script builds its section with
this alone, so an edit of the validation code re-runs no stage.
"""
from __future__ import annotations

import dataclasses
import types
import typing


class ParamsError(ValueError):
    """params.yaml (or an overlay) does not match schemas/params.schema.yaml."""


def build(cls, data: dict, key: str):
    """The dataclass `cls` from a params mapping at `key`: nested dataclasses (also optional or in a
    list) from their sub-mappings, absent keys from the dataclass defaults; an unknown or missing key
    raises ParamsError naming its dotted path."""
    if not isinstance(data, dict):
        raise ParamsError(f"{key}: expected a mapping, got {data!r}")
    fields = {f.name: f for f in dataclasses.fields(cls)}
    unknown = sorted(set(data) - set(fields))
    if unknown:
        raise ParamsError("; ".join(f"{key}.{k}: unknown key" for k in unknown))
    missing = [n for n, f in fields.items() if n not in data and f.init and
               f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING]
    if missing:
        raise ParamsError("; ".join(f"{key}.{n}: missing required key" for n in missing))
    hints = typing.get_type_hints(cls)
    return cls(**{n: _built(hints[n], v, f"{key}.{n}") for n, v in data.items()})


def _built(hint, value, key: str):
    if dataclasses.is_dataclass(hint):
        return build(hint, value, key)
    args = typing.get_args(hint)
    if typing.get_origin(hint) in (typing.Union, types.UnionType):  # X | None
        if value is None:
            return None
        inner = [a for a in args if a is not type(None)]
        return _built(inner[0], value, key) if len(inner) == 1 else value
    if typing.get_origin(hint) is list and args and dataclasses.is_dataclass(args[0]):
        return [build(args[0], v, f"{key}[{i}]") for i, v in enumerate(value)]
    return value
