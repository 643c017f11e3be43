"""Load a YAML data file, turning every way it can fail into a Problem."""

from __future__ import annotations

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
