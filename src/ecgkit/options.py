"""Command-line options generated from :class:`~ecgkit.experiment.ExperimentConfig`.

The recipe of a training run is defined once, by the fields of ``ExperimentConfig`` and its
:class:`~ecgkit.train.TrainConfig`: :func:`add_config_options` makes one option per field
(type, choices and help taken from the field and its documentation) and
:func:`config_from_options` turns the parsed options back into a config. ``ecgkit train``
and the benchmark scripts take their recipe options from here, so a new field is reachable
from every command line without being spelled out anywhere else.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import re
import types
import typing
from pathlib import Path
from typing import Any, Literal

from ecgkit.experiment import ExperimentConfig, default_prior_adjustment
from ecgkit.signal import RELATIVE_RR_FEATURES, RR_FEATURES
from ecgkit.train import TrainConfig

__all__ = ["add_config_options", "config_fields", "config_from_options", "given_options"]

# shorthands the command line accepts for tuple fields, as their only translation
_ALIASES: dict[str, dict[str, tuple[str, ...]]] = {
    "rr_features": {"relative": RELATIVE_RR_FEATURES, "all": RR_FEATURES},
}
# options whose name differs from the field's, kept for the commands people already type
_EXTRA_FLAGS = {"out_dir": ("--out",)}
_DEST_PREFIX = "config_"


def _field_docs(cls: type) -> dict[str, str]:
    """Each attribute's description from a NumPy-style ``Attributes`` section, one line."""
    text = cls.__doc__ or ""
    section = text.split("Attributes\n", 1)[-1]
    docs: dict[str, str] = {}
    names: list[str] = []
    for line in section.splitlines():
        header = re.match(r"^    ([a-z_][a-z0-9_, ]*) : ", line)
        if header:
            names = [name.strip() for name in header.group(1).split(",")]
            for name in names:
                docs[name] = ""
        elif line.startswith("        ") and names:
            for name in names:
                docs[name] = f"{docs[name]} {line.strip()}".strip()
        elif line.strip() and not line.startswith(" "):
            break
    return docs


def config_fields() -> list[tuple[str, type, Any, str]]:
    """``(field name, type, default, help)`` of every recipe field, ``train``'s flattened."""
    defaults = ExperimentConfig()
    out = []
    for owner, instance in ((ExperimentConfig, defaults), (TrainConfig, defaults.train)):
        hints = typing.get_type_hints(owner)
        docs = _field_docs(owner)
        for field in dataclasses.fields(owner):
            if field.name == "train":
                continue
            out.append(
                (
                    field.name,
                    hints[field.name],
                    getattr(instance, field.name),
                    docs.get(field.name, ""),
                )
            )
    return out


def _optional(kind: Any) -> tuple[Any, bool]:
    """``kind`` without ``None``, and whether ``None`` was allowed."""
    args = typing.get_args(kind)
    if typing.get_origin(kind) in (typing.Union, types.UnionType):
        rest = [a for a in args if a is not type(None)]
        if len(rest) == 1:
            return rest[0], len(rest) < len(args)
    return kind, False


def _none_or(convert: Any) -> Any:
    def parse(text: str) -> Any:
        return None if text.lower() == "none" else convert(text)

    parse.__name__ = getattr(convert, "__name__", "value")
    return parse


def _json_object(text: str) -> dict[str, Any]:
    try:
        value = json.loads(text)
    except json.JSONDecodeError as error:
        raise argparse.ArgumentTypeError(f"not JSON ({error.msg}): {text!r}") from None
    if not isinstance(value, dict):
        raise argparse.ArgumentTypeError(
            f"must be a JSON object, e.g. '{{\"width\": 32}}', got {text!r}"
        )
    return value


def _plain(text: str) -> str:
    """Sphinx markup (roles, literals) as plain text for a terminal."""
    text = re.sub(r":[a-z]+:`~?([^`]+)`", r"\1", text)
    return text.replace("``", "")


def _show(value: Any) -> str:
    if isinstance(value, tuple):
        return " ".join(str(v) for v in value)
    if isinstance(value, dict):
        return json.dumps(value)
    return str(value)


def add_config_options(parser: argparse.ArgumentParser) -> None:
    """Add one option per :func:`config_fields` entry to ``parser``.

    An option not given leaves no attribute in the parsed namespace, so that
    :func:`config_from_options` changes only what was given; the help shows the field's
    default. Booleans get ``--name/--no-name``; ``Literal`` fields their choices (``none``
    for an optional one); tuples take several values; ``model_kwargs`` a JSON object.
    """
    group = parser.add_argument_group("recipe (the fields of ExperimentConfig and TrainConfig)")
    for name, kind, default, doc in config_fields():
        flags = [f"--{name.replace('_', '-')}", *_EXTRA_FLAGS.get(name, ())]
        # not given leaves no attribute at all, so that an explicit "none" (None) differs
        options: dict[str, Any] = {"dest": _DEST_PREFIX + name, "default": argparse.SUPPRESS}
        base, optional = _optional(kind)
        shown = "none" if default is None else _show(default)
        help_text = f"{doc} (default: {shown})" if doc else f"default: {shown}"
        if base is bool:
            options["action"] = argparse.BooleanOptionalAction
        elif typing.get_origin(base) is Literal:
            options["choices"] = [*typing.get_args(base), *(["none"] if optional else [])]
        elif typing.get_origin(base) is tuple:
            options["nargs"] = "+"
            if float in typing.get_args(base):  # numbers, e.g. rate_copies LOW HIGH
                options["type"] = _none_or(float) if optional else float
            aliases = _ALIASES.get(name)
            if aliases:
                help_text += f"; or one of {', '.join(aliases)}"
        elif typing.get_origin(base) is dict:
            options["type"] = _json_object
            options["metavar"] = "JSON"
        elif base in (int, float, str, Path):
            options["type"] = _none_or(base) if optional else base
        else:  # pragma: no cover - a new field of a type this does not know yet
            raise TypeError(f"no command-line form for {name}: {kind}")
        if name == "prior_adjustment":
            help_text += " with --class-weighting none, else 0"
        if name == "model":
            from ecgkit.models import list_models

            options["choices"] = list_models()
        if "choices" not in options and options.get("action") is None:
            options["metavar"] = options.get("metavar", name.upper())
        options["help"] = _plain(help_text).replace("%", "%%")
        group.add_argument(*flags, **options)


def given_options(args: argparse.Namespace) -> list[str]:
    """The recipe options present in ``args`` (as ``--name``), in field order."""
    return [
        f"--{name.replace('_', '-')}"
        for name, *_ in config_fields()
        if hasattr(args, _DEST_PREFIX + name)
    ]


def config_from_options(
    args: argparse.Namespace, base: ExperimentConfig | None = None
) -> ExperimentConfig:
    """``base`` (default: ``ExperimentConfig()``) with the options given in ``args`` applied.

    Raises
    ------
    ValueError
        If the result is not a valid config (the message names the field).
    """
    base = ExperimentConfig() if base is None else base
    experiment_names = {f.name for f in dataclasses.fields(ExperimentConfig)}
    changes: dict[str, Any] = {}
    train_changes: dict[str, Any] = {}
    for name, kind, _, _ in config_fields():
        if not hasattr(args, _DEST_PREFIX + name):
            continue
        value = getattr(args, _DEST_PREFIX + name)
        base_kind, _ = _optional(kind)
        if (
            typing.get_origin(base_kind) is Literal
            and value == "none"
            and "none" not in typing.get_args(base_kind)
        ):
            value = None
        if value == [None]:  # "none" for an optional tuple of numbers
            value = None
        if isinstance(value, list):
            aliases = _ALIASES.get(name, {})
            value = aliases[value[0]] if len(value) == 1 and value[0] in aliases else tuple(value)
        (changes if name in experiment_names else train_changes)[name] = value
    train = dataclasses.replace(base.train, **train_changes)
    if "prior_adjustment" not in changes and "class_weighting" in train_changes:
        changes["prior_adjustment"] = default_prior_adjustment(train.class_weighting)
    return dataclasses.replace(base, **changes, train=train)
