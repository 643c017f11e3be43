"""Load a YAML data file, turning every way it can fail into a Problem."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import yaml

from .problems import Problem


def load(path: Path, display: str) -> tuple[object, list[Problem]]:
    try:
        text = path.read_bytes().decode("utf-8")
    except FileNotFoundError:
        return None, [Problem(display, None, "file", "is missing", "restore it from git or the README")]
    except UnicodeDecodeError as exc:
        return None, [Problem(display, None, "file", f"is not valid UTF-8 text (byte {exc.start})",
                              "save the file as UTF-8 in your editor")]
    try:
        # libyaml's loader when PyYAML has it: several times faster on a large taxonomy
        return yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader)), []
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark else None
        what = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        return None, [Problem(display, line, "yaml", f"cannot be read: {what}",
                              "check the indentation and that each value after a colon is quoted if it contains ': ' or '#'")]


def field_lines(text: str) -> dict[str, int]:
    """The line of each field of a YAML text, by the name the checks give it:
    'facets.condition.terms[7].description', 'locations[0].hours[1].days'."""
    lines: dict[str, int] = {}

    def walk(node, name: str) -> None:
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                inner = f"{name}.{key.value}" if name else str(key.value)
                walk(value, inner)
                lines[inner] = key.start_mark.line + 1  # the key's line, where a block value starts below it
        elif isinstance(node, yaml.SequenceNode):
            for i, item in enumerate(node.value):
                inner = f"{name}[{i}]"
                lines[inner] = item.start_mark.line + 1
                walk(item, inner)

    walk(yaml.compose(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader)), "")
    return lines


_LAST_STEP = re.compile(r"(\.[^.\[]*|\[\d+\])$")


def with_lines(problems: list[Problem], path: Path, display: str) -> list[Problem]:
    """The problems, those about this file given the line of the field they
    name, or of the nearest enclosing field for one that is missing. Worked
    out only when there is such a problem: a good file is parsed once."""
    if not any(p.path == display and p.line is None for p in problems):
        return problems
    try:
        lines = field_lines(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError):
        return problems
    placed = []
    for p in problems:
        if p.path == display and p.line is None:
            name = p.field
            while name and name not in lines:
                name = _LAST_STEP.sub("", name) if _LAST_STEP.search(name) else ""
            if name:
                p = dataclasses.replace(p, line=lines[name])
        placed.append(p)
    return placed
