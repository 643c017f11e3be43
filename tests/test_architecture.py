"""The house rules of the code (docs/architecture.md), checked on the source:

- the plugin's layers import only downwards (import-linter, .importlinter);
- no module of the plugin or the tools keeps mutable state at module level:
  per-build state lives in the build's own object, state kept between the dev
  server's rebuilds in the object the dev server owns;
- CLINIC_* settings are read only by the settings module.
"""

from __future__ import annotations

import ast
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PLUGIN = ROOT / "plugins" / "clinic"
MODULES = sorted(PLUGIN.rglob("*.py")) + sorted((ROOT / "tools").glob("*.py"))

# Calls whose result cannot change after the module is loaded.
IMMUTABLE_CALLS = {"N_", 
    "re.compile", "frozenset", "tuple", "logging.getLogger", "Path", "namedtuple", "TypeVar", "dict.fromkeys",
    "object", "Spec", "Kind", "str", "int", "float", "bytes", "types.MappingProxyType", "MappingProxyType",
    "ROOT.joinpath", "Path(__file__).resolve", "os.environ.get",
}
MUTABLE_NODES = (ast.Dict, ast.List, ast.Set, ast.DictComp, ast.ListComp, ast.SetComp)


def _name(node: ast.AST) -> str:
    try:
        return ast.unparse(node)
    except Exception:  # noqa: BLE001
        return ""


def _targets(node: ast.stmt) -> list[str]:
    if isinstance(node, ast.Assign):
        return [t.id for t in node.targets if isinstance(t, ast.Name)]
    if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
        return [node.target.id]
    return []


def state_in(source: str) -> list[str]:
    """The module-level names of `source` that hold mutable state: a lower-case
    name bound to a dict, list, set or a call; any name bound to an instance of
    a class (a call not known to give an immutable value); a cache decorator on
    a function that takes arguments; a `global` statement."""
    found = []
    tree = ast.parse(source)
    for node in tree.body:
        value = getattr(node, "value", None)
        for target in _targets(node):
            constant = target.isupper() or target.lstrip("_").isupper()
            if target == "__all__" or value is None:
                continue
            if isinstance(value, MUTABLE_NODES) and not constant:
                found.append(f"{target} (line {node.lineno})")
            elif isinstance(value, ast.Call):
                called = _name(value.func)
                if called in IMMUTABLE_CALLS or called.split("(")[0] in IMMUTABLE_CALLS:
                    continue
                leaf = called.split("(")[0].split(".")[-1]
                if constant and leaf[:1].islower() and leaf not in ("dict", "list", "set", "defaultdict"):
                    continue  # a constant made by a function (e.g. a table built once)
                found.append(f"{target} = {called}(...) (line {node.lineno})")
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            for deco in node.decorator_list:
                name = _name(deco.func if isinstance(deco, ast.Call) else deco)
                if name.split(".")[-1] in ("lru_cache", "cache") and node.args.args:
                    found.append(f"@{name} on {node.name}() (line {node.lineno})")
    for node in ast.walk(tree):
        if isinstance(node, ast.Global):
            found += [f"global {name} (line {node.lineno})" for name in node.names]
    return found


def test_the_state_rule_finds_what_it_should():
    source = """
import re, functools
PATTERN = re.compile("x")
KINDS = {"a": 1}
_seen = {}
stats = {"n": 0}
CACHE = MemoryCache()
ITEMS = sorted([3, 1])
logger = logging.getLogger("x")
@functools.lru_cache(maxsize=8)
def key(x): return x
@functools.lru_cache(maxsize=1)
def executable(): return "pagefind"
def start():
    global _split
"""
    assert state_in(source) == ["_seen (line 5)", "stats (line 6)", "CACHE = MemoryCache(...) (line 7)",
                                "@functools.lru_cache on key() (line 11)", "global _split (line 15)"]


# Module-level names that look like state to the rule above but are not, each with why.
NOT_STATE = {
    ("plugins/clinic/checks/links.py", "_netloc"): "a pure function's memo: its answer depends on its argument only",
    ("plugins/clinic/checks/links.py", "_site_path"): "a pure function's memo, likewise",
    ("plugins/clinic/checks/links.py", "_candidates"): "a pure function's memo, likewise",
    ("plugins/clinic/speed/parallel_read.py", "_worker"):
        "set once inside the Markdown worker process when it starts (a process pool gives a worker no other "
        "place); that process lives for one build",
    ("plugins/clinic/speed/parallel_read.py", "_NO_FORMATTED_FIELDS"): "a stub that nothing changes",
}


def test_no_module_keeps_mutable_state():
    found = {}
    for path in MODULES:
        rel = str(path.relative_to(ROOT))
        names = [what for what in state_in(path.read_text(encoding="utf-8"))
                 if (rel, re.split(r"[ (]", what.removeprefix("@functools.lru_cache on ").removeprefix(
                     "@lru_cache on ").removeprefix("global "))[0].rstrip("()")) not in NOT_STATE]
        if names:
            found[rel] = names
    assert not found, "module-level mutable state (put it in the build's Build or the dev server's Session, " \
        "plugins/clinic/state.py):\n" + "\n".join(f"{path}: {', '.join(names)}" for path, names in found.items())


def test_clinic_settings_are_read_only_by_the_settings_module():
    reader = PLUGIN / "model" / "settings.py"
    # a quoted CLINIC_ name is a read of the settings dict; messages and docs name settings unquoted
    read = re.compile(r"""["'](CLINIC_[A-Z_]+|PRECOMPRESS_[A-Z_]+)["']""")
    found = []
    for path in MODULES:
        if path == reader:
            continue
        for lineno, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if read.search(line):
                found.append(f"{path.relative_to(ROOT)}:{lineno}: {line.strip()}")
    assert not found, "read CLINIC_* settings through clinic.model.settings:\n" + "\n".join(found)


def test_the_layers_import_only_downwards():
    lint = Path(sys.executable).with_name("lint-imports")
    run = subprocess.run([str(lint), "--config", str(ROOT / ".importlinter"), "--no-cache"],
                         cwd=ROOT / "plugins", capture_output=True, text=True)
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-2000:]
    assert "Contracts: 1 kept, 0 broken." in run.stdout


def test_a_layer_that_imports_upwards_is_caught(tmp_path):
    """The contract is not vacuous: a model module that imports a check breaks it."""
    import shutil
    copy = tmp_path / "plugins"
    shutil.copytree(ROOT / "plugins", copy, ignore=shutil.ignore_patterns("__pycache__"))
    bad = copy / "clinic" / "model" / "problems.py"
    bad.write_text(bad.read_text(encoding="utf-8") + "\nfrom ..checks import review  # noqa\n", encoding="utf-8")
    lint = Path(sys.executable).with_name("lint-imports")
    run = subprocess.run([str(lint), "--config", str(ROOT / ".importlinter"), "--no-cache"],
                         cwd=copy, capture_output=True, text=True)
    assert run.returncode != 0
    assert "clinic.model.problems -> clinic.checks.review" in run.stdout


def _dist(text: str) -> str:
    return re.sub(r"[-_.]+", "-", text).lower()


def _pins(path: Path) -> dict[str, dict]:
    """A compiled requirements file: for each package, its version, its hashes
    and what it is there for (the '# via' lines uv writes)."""
    pins, current, via = {}, None, False
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        found = re.match(r"^([A-Za-z0-9][A-Za-z0-9._-]*)(\[[^]]*\])?==([^\s\\]+)", line)
        if found and not raw.startswith(" "):
            current = _dist(found.group(1))
            pins[current] = {"version": found.group(3), "hashes": [], "via": []}
            via = False
        elif current and line.startswith("--hash=sha256:"):
            pins[current]["hashes"].append(line.split(":", 1)[1].rstrip(" \\"))
        elif current and line == "# via":
            via = True
        elif current and via and line.startswith("#   "):
            pins[current]["via"].append(line[4:].strip())
        elif current and line.startswith("# via "):
            pins[current]["via"].append(line[6:].strip())
    return pins


def _pinned(path: Path) -> set[str]:
    return set(_pins(path))


def _wanted(path: Path) -> dict[str, str]:
    """A .in file's requirements (its -r files' too): name -> specifier."""
    from packaging.requirements import Requirement
    wanted = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if line.startswith("-r "):
            wanted.update(_wanted(path.parent / line[3:].strip()))
        elif line:
            req = Requirement(line)
            wanted[_dist(req.name)] = str(req.specifier)
    return wanted


@pytest.mark.parametrize("compiled,source", [("requirements.txt", "requirements.in"),
                                             ("requirements-test.txt", "requirements-test.in")])
def test_every_pin_has_its_hashes_and_agrees_with_the_in_files(compiled, source):
    """`make pins` makes the .txt files from the .in files; a package added to or
    changed in a .in file without it, or a pin added by hand, fails here."""
    from packaging.specifiers import SpecifierSet
    pins, wanted = _pins(ROOT / compiled), _wanted(ROOT / source)
    assert [name for name, pin in pins.items() if not pin["hashes"]] == []
    assert sorted(set(wanted) - set(pins)) == [], f"in {source} but not pinned: run `make pins`"
    assert [name for name, spec in wanted.items() if pins[name]["version"] not in SpecifierSet(spec)] == []
    # every pin is asked for by a .in file or needed by another pin
    orphans = [name for name, pin in pins.items() if name not in wanted
               and not any(_dist(v) in pins for v in pin["via"] if not v.startswith("-"))]
    assert orphans == [], f"pinned but wanted by nothing: run `make pins`"
    if compiled == "requirements-test.txt":  # the test tools run the site at the versions it goes live with
        live = _pins(ROOT / "requirements.txt")
        assert {n: p["version"] for n, p in live.items()} == {n: pins[n]["version"] for n in live}


def test_the_live_site_installs_only_what_building_and_uploading_need():
    """requirements.txt (make publish) pins every distribution the plugin and the
    tools import, and nothing only the tests use; requirements-test.txt adds
    those (issue 19: a lean install)."""
    import importlib.metadata
    import sys as _sys

    by_module = importlib.metadata.packages_distributions()
    runtime, test = _pinned(ROOT / "requirements.txt"), _pinned(ROOT / "requirements-test.txt")
    imported = set()
    # the benchmark (make bench) runs with the test tools: Chromium's driver, Hugo
    for path in [m for m in MODULES if not (m.parent.name == "tools" and m.name.startswith("bench"))]:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                imported.update(alias.name.split(".")[0] for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                imported.add(node.module.split(".")[0])
    ours = {"clinic", "pelicanconf", "publishconf"} | {p.stem for p in (ROOT / "tools").glob("*.py")}
    third_party = {m for m in imported - ours - set(_sys.stdlib_module_names)}
    needed = {re.sub(r"[-_.]+", "-", d).lower() for m in third_party for d in by_module.get(m, [m])}
    assert needed - runtime == set(), "imported by the site but not pinned in requirements.txt"
    for tool in ("pytest", "pytest-xdist", "playwright", "moto", "import-linter", "hypothesis", "beautifulsoup4"):
        assert tool not in runtime and tool in test, tool
    assert runtime <= test, "requirements-test.txt holds the site's own pins too (make pins)"
