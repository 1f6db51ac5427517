"""Checks of a params `trl:` (or `args:`) section against the config class it goes to, before any job runs.

The class itself is built with the options (an unknown option is its TypeError), but it checks
little else: measured on TRL 1.16, `DPOConfig(beta=-0.1, learning_rate=-1.0, num_train_epochs=-1,
per_device_train_batch_size=0, loss_type="nosuch")` and `learning_rate="fast"` build without a word,
and fail minutes into a build (or train an inverted objective: DPO with beta < 0). So each value is
also checked against the type the class declares for its field, against the choices the class
declares (its field metadata, or for DPO's loss_type the names its help lists), and against the
ranges below.

    problems("dpo", {"beta": -0.1}, {"beta": "eurus.preference.trl.beta"})
    -> ["eurus.preference.trl.beta: -0.1 must be > 0 (trl.DPOConfig)"]
"""
from __future__ import annotations

import dataclasses
import enum
import functools
import re
import tempfile
import types
import typing

CLASSES = {  # what each trainer builds (train/*.py): module, class
    "sft": ("trl", "SFTConfig"),
    "dpo": ("trl", "DPOConfig"),
    "nca": ("trl", "DPOConfig"),
    "kto": ("trl", "KTOConfig"),
    "orpo": ("trl.experimental.orpo", "ORPOConfig"),
    "reward": ("trl", "RewardConfig"),
    "grpo": ("trl", "GRPOConfig"),
    "args": ("transformers", "TrainingArguments"),
}

# Ranges no config class checks. ORPO's beta is the paper's lambda: it too must be > 0.
RANGES = {
    "learning_rate": (lambda v: v > 0, "> 0"),
    "num_train_epochs": (lambda v: v > 0, "> 0"),
    "max_steps": (lambda v: v == -1 or v > 0, "-1 (off) or > 0"),
    "per_device_train_batch_size": (lambda v: v >= 1, ">= 1"),
    "gradient_accumulation_steps": (lambda v: v >= 1, ">= 1"),
    "beta": (lambda v: v > 0, "> 0"),
    "warmup_steps": (lambda v: v >= 0, ">= 0"),
    "warmup_ratio": (lambda v: 0 <= v <= 1, "in [0, 1]"),
    "weight_decay": (lambda v: v >= 0, ">= 0"),
    "max_grad_norm": (lambda v: v >= 0, ">= 0"),
    "max_length": (lambda v: v >= 1, ">= 1"),
    "logging_steps": (lambda v: v > 0, "> 0"),
}
# KTO pairs desirable and undesirable rows within a batch: TRL refuses a batch of one
KIND_RANGES = {"kto": {"per_device_train_batch_size": (lambda v: v >= 2, ">= 2 (KTO needs both kinds in a batch)")},
               # GRPO's beta weighs a KL term: 0 is its default (no reference model), never below
               "grpo": {"beta": (lambda v: v >= 0, ">= 0"), "num_generations": (lambda v: v >= 2, ">= 2 (a group needs two to compare)")}}


def config_class(kind: str):
    import importlib
    import os

    os.environ.setdefault("TRL_EXPERIMENTAL_SILENCE", "1")

    module, name = CLASSES[kind]
    return getattr(importlib.import_module(module), name)


@functools.lru_cache(maxsize=None)
def _fields(cls) -> dict:
    hints = typing.get_type_hints(cls)
    return {f.name: (hints.get(f.name), f.metadata) for f in dataclasses.fields(cls)}


def _accepts(value, hint) -> bool:
    """Whether `value` has the type the config class declares (bool is not a number here)."""
    if hint is None or hint is typing.Any:
        return True
    origin = typing.get_origin(hint)
    if origin in (typing.Union, types.UnionType):
        return any(_accepts(value, h) for h in typing.get_args(hint))
    if hint is type(None):
        return value is None
    if hint is float:
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    if hint is int:
        return isinstance(value, int) and not isinstance(value, bool)
    if hint in (str, bool):
        return isinstance(value, hint)
    if isinstance(hint, type) and issubclass(hint, enum.Enum):
        return isinstance(value, (hint, str))
    if origin is list:
        (item,) = typing.get_args(hint) or (typing.Any,)
        # a string where a list of strings is declared: TRL wraps it (loss_type: sigmoid)
        return (isinstance(value, list) and all(_accepts(v, item) for v in value)) or (item is str and isinstance(value, str))
    if origin is dict or hint is dict:
        return isinstance(value, dict)
    return True  # a type this check does not know: the class decides


def _choices(name: str, metadata) -> list[str] | None:
    if "choices" in metadata:
        return [str(c) for c in metadata["choices"]]
    if name == "loss_type":  # DPOConfig lists its loss names only in the help text
        names = re.findall(r"`'([a-z0-9_]+)'`", metadata.get("help", ""))
        return names or None
    return None


def problems(kind: str, options: dict, keys: dict[str, str], base: dict | None = None) -> list[str]:
    """What is wrong with `options` for `kind`'s config class, one line per problem naming the
    params key (`keys`: option -> dotted params key). `base`: options the trainer adds itself."""
    cls = config_class(kind)
    where = f"{cls.__module__.split('.')[0]}.{cls.__name__}"
    fields = _fields(cls)
    found = []
    for name, value in options.items():
        key = keys.get(name, name)
        if name not in fields:
            found.append(f"{key}: not an option of {where}")
            continue
        hint, metadata = fields[name]
        if not _accepts(value, hint):
            found.append(f"{key}: {value!r} is not of type {getattr(hint, '__name__', hint)} ({where})")
            continue
        choices = _choices(name, metadata)
        if choices is not None:
            for v in value if isinstance(value, list) else [value]:
                if str(getattr(v, "value", v)) not in choices:
                    found.append(f"{key}: {v!r} is not one of {', '.join(choices)} ({where})")
        test, rule = {**RANGES, **KIND_RANGES.get(kind, {})}.get(name, (None, None))
        if test is not None and value is not None and isinstance(value, (int, float)) and not test(value):
            found.append(f"{key}: {value!r} must be {rule} ({where})")
    if not found:  # the class's own checks, on the options the trainer would pass
        error = _build(cls, {**(base or {}), **options})
        if error:  # name the options that fail on their own, else all of them
            alone = [name for name in options if _build(cls, {**(base or {}), name: options[name]})]
            named = [keys.get(n, n) for n in alone or options] or [kind]
            found.append(f"{', '.join(named)}: {error} ({where})")
    return found


def _build(cls, options: dict) -> str | None:
    """The class's complaint about `options`, None if it builds (its deprecation warnings hushed)."""
    import warnings

    with tempfile.TemporaryDirectory() as scratch, warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            cls(**{"output_dir": scratch, "report_to": "none", "use_cpu": True, "bf16": False, **options})
        except (TypeError, ValueError) as exc:
            return str(exc)
    return None
