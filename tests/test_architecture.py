"""The package's shape, read from its source (docs/console-shell.md "Where things live").

Imports run one way, down the tree: ``core`` at the bottom, then ``models``, the services' kit,
the domain packages, the top floor of services, the web kit, the blueprints and the entry
points. Imports inside functions count; ``if TYPE_CHECKING:`` ones do not. A package's
``__init__`` loading its own modules (the blueprint pattern) is not a cycle.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "mallconsole"
BLUEPRINTS = ("admin", "auth", "console", "finance", "moderation", "operations", "support")
ENTRY_POINTS = ("api", "cli", "health", "worker", "demo", "tasks")
TOP_OF_SERVICES = ("approvals", "executors", "jobs", "dashboards")


@dataclass
class Module:
    name: str
    path: Path
    tree: ast.Module
    imports: dict[str, int] = field(default_factory=dict)  # module -> first line
    private_names: list[tuple[str, str, int]] = field(default_factory=list)

    @property
    def is_package(self) -> bool:
        return self.path.name == "__init__.py"

    @property
    def lines(self) -> int:
        return len(self.path.read_text().splitlines())


def _type_checking_nodes(tree) -> set[int]:
    skipped = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            for child in node.body:
                skipped.update(id(n) for n in ast.walk(child))
    return skipped


@cache
def modules() -> dict[str, Module]:
    found = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = list(path.relative_to(ROOT).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        name = ".".join(parts)
        found[name] = Module(name, path, ast.parse(path.read_text(), str(path)))
    for module in found.values():
        _read_imports(module, found)
    return found


def _owner(name: str, known) -> str | None:
    while name and name not in known:
        if "." not in name:
            return None
        name = name.rpartition(".")[0]
    return name or None


def _read_imports(module: Module, known) -> None:
    skipped = _type_checking_nodes(module.tree)
    package = module.name if module.is_package else module.name.rpartition(".")[0]
    aliases: dict[str, str] = {}
    for node in ast.walk(module.tree):
        if id(node) in skipped:
            continue
        if isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                base = ".".join([*parts, *([base] if base else [])])
            for alias in node.names:
                full = f"{base}.{alias.name}"
                target = full if full in known else _owner(base, known)
                if target is None:
                    continue
                _add(module, target, node.lineno)
                if full in known:
                    aliases[alias.asname or alias.name] = full
                elif alias.name.startswith("_") and not alias.name.startswith("__"):
                    module.private_names.append((target, alias.name, node.lineno))
        elif isinstance(node, ast.Import):
            for alias in node.names:
                target = _owner(alias.name, known)
                if target is not None:
                    _add(module, target, node.lineno)
                    if alias.asname:
                        aliases[alias.asname] = target
    # ``module._private`` through an imported module
    for node in ast.walk(module.tree):
        if (
            isinstance(node, ast.Attribute)
            and isinstance(node.value, ast.Name)
            and node.value.id in aliases
            and node.attr.startswith("_")
            and not node.attr.startswith("__")
        ):
            module.private_names.append((aliases[node.value.id], node.attr, node.lineno))


def _add(module: Module, target: str, line: int) -> None:
    if target == module.name:
        return
    if module.is_package and target.startswith(module.name + "."):
        return  # a package loading its own modules
    module.imports.setdefault(target, line)


def _in(name: str, *prefixes: str) -> bool:
    return any(name == p or name.startswith(p + ".") for p in prefixes)


def _m(*names: str) -> tuple[str, ...]:
    return tuple(f"mallconsole.{n}" for n in names)


def _violations(sources, allowed) -> list[str]:
    found = []
    for module in modules().values():
        if not _in(module.name, *sources):
            continue
        for target, line in module.imports.items():
            if not _in(target, *allowed):
                found.append(f"{module.path.relative_to(ROOT)}:{line} imports {target}")
    return found


def test_the_graph_was_read():
    assert len(modules()) > 100
    imports = modules()["mallconsole.services.aftersales.refund_execution"].imports
    assert "mallconsole.services.money.ledger" in imports
    assert "mallconsole.core.states" in imports


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one node (Tarjan)."""
    index, low, stack, on_stack, found = {}, {}, [], set(), []
    counter = [0]

    def visit(node):
        index[node] = low[node] = counter[0]
        counter[0] += 1
        stack.append(node)
        on_stack.add(node)
        for other in graph.get(node, ()):
            if other not in index:
                visit(other)
                low[node] = min(low[node], low[other])
            elif other in on_stack:
                low[node] = min(low[node], index[other])
        if low[node] == index[node]:
            component = []
            while True:
                other = stack.pop()
                on_stack.discard(other)
                component.append(other)
                if other == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_no_import_cycles_among_modules():
    graph = {name: set(m.imports) for name, m in modules().items()}
    assert _cycles(graph) == []


def test_the_cycle_finder_finds_a_cycle():
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def _domain_package(name: str) -> str | None:
    parts = name.split(".")
    if parts[:2] == ["mallconsole", "services"] and len(parts) > 2:
        return ".".join(parts[:3])
    return None


def test_no_import_cycles_among_service_packages():
    graph: dict[str, set[str]] = {}
    for name, module in modules().items():
        source = _domain_package(name)
        if source is None:
            continue
        for target in module.imports:
            other = _domain_package(target)
            if other and other != source:
                graph.setdefault(source, set()).add(other)
    assert graph, "no service package imports another: the graph was not read"
    assert _cycles(graph) == []


def test_core_imports_nothing_of_mallconsole():
    assert _violations(_m("core"), _m("core")) == []


def test_models_import_only_core_and_models():
    assert _violations(_m("models"), _m("core", "models")) == []


def test_the_services_kit_imports_only_core_and_models():
    assert _violations(_m("services.kit"), _m("core", "models", "services.kit")) == []


def test_approvals_imports_only_the_kit_and_identity():
    allowed = _m("core", "models", "services.kit", "services.identity")
    assert _violations(_m("services.approvals"), allowed) == []
    assert _violations(_m("services.identity"), allowed) == []


def test_services_import_no_web_tasks_blueprint_or_entry_point():
    allowed = _m("core", "models", "extensions", "config", "services")
    assert _violations(_m("services"), allowed) == []


def test_only_the_top_floor_of_services_imports_it():
    top = _m(*(f"services.{n}" for n in TOP_OF_SERVICES if n != "approvals"))
    found = []
    for module in modules().values():
        if not _in(module.name, "mallconsole.services") or _in(module.name, *top):
            continue
        found += [f"{module.name} imports {t}" for t in module.imports if _in(t, *top)]
    assert found == []


def test_the_web_kit_imports_no_blueprint_task_or_entry_point():
    allowed = _m("core", "models", "extensions", "config", "services", "web")
    assert _violations(_m("web"), allowed) == []


def test_blueprints_import_no_other_blueprint_and_no_task():
    found = []
    for name in BLUEPRINTS:
        allowed = _m("core", "models", "extensions", "config", "services", "web", name)
        # The shared screens (approvals inbox) live in the console blueprint.
        allowed += _m("console.approvals", "console.forms")
        found += _violations(_m(name), allowed)
    assert found == []


def test_no_module_takes_another_modules_private_names():
    found = [
        f"{m.path.relative_to(ROOT)}:{line} uses {target}.{name}"
        for m in modules().values()
        for target, name, line in m.private_names
        if target != m.name
    ]
    assert found == []


LIKE_ESCAPING = re.compile(r"""replace\(\s*["']%["']|escape\s*=\s*["']""")


def test_like_escaping_is_written_once():
    found = [
        str(m.path.relative_to(ROOT))
        for m in modules().values()
        if LIKE_ESCAPING.search(m.path.read_text())
    ]
    assert found == ["mallconsole/core/text.py"]


def test_every_like_search_escapes_what_was_typed():
    """A LIKE pattern built from an f-string goes through ``core.text.like_pattern``."""
    found = []
    for m in modules().values():
        for number, line in enumerate(m.path.read_text().splitlines(), 1):
            if re.search(r"\.i?like\(\s*f[\"']", line):
                found.append(f"{m.path.relative_to(ROOT)}:{number}: {line.strip()}")
    assert found == []


def test_no_folder_holds_more_than_20_modules_or_6000_lines():
    folders: dict[Path, list[Module]] = {}
    for m in modules().values():
        folders.setdefault(m.path.parent, []).append(m)
    assert len(folders) > 10
    found = []
    for folder, members in folders.items():
        if folder == PACKAGE / "models":
            continue  # mirrors the seed's domains
        lines = sum(m.lines for m in members)
        if len(members) > 20 or lines > 6000:
            found.append(f"{folder.relative_to(ROOT)}: {len(members)} modules, {lines} lines")
    assert found == []


def _view_modules() -> list[Module]:
    return [m for m in modules().values() if _in(m.name, *_m(*BLUEPRINTS))]


FORBIDDEN_IN_VIEWS = re.compile(
    r"db\.session\.(rollback|get|execute|scalars?|scalar|query)\b|\bselect\("
)


def test_views_do_not_query_or_roll_back_themselves():
    found = []
    for m in _view_modules():
        if m.name in ("mallconsole.auth.principal", "mallconsole.auth.cli"):
            continue  # the sign-in loader and the shell command are not views
        for number, line in enumerate(m.path.read_text().splitlines(), 1):
            if FORBIDDEN_IN_VIEWS.search(line):
                found.append(f"{m.path.relative_to(ROOT)}:{number}: {line.strip()}")
    assert found == []


def _view_functions():
    for m in _view_modules():
        for node in ast.walk(m.tree):
            if isinstance(node, ast.FunctionDef) and any(
                isinstance(d, ast.Call) and getattr(d.func, "attr", "") in ("get", "post", "route")
                for d in node.decorator_list
            ):
                yield m, node


def test_view_functions_are_short():
    views = list(_view_functions())
    assert len(views) > 100
    lengths = {
        f"{m.path.relative_to(ROOT)}:{f.lineno} {f.name}": f.end_lineno - f.lineno + 1
        for m, f in views
    }
    over_20 = {k: v for k, v in lengths.items() if v > 20}
    assert {k: v for k, v in lengths.items() if v > 35} == {}
    assert len(over_20) <= len(views) * 0.05, over_20


def test_forms_live_in_each_blueprints_forms_module():
    found = []
    for m in _view_modules():
        if m.path.name == "forms.py":
            continue
        for node in ast.walk(m.tree):
            if isinstance(node, ast.ClassDef) and any(
                ast.unparse(b).endswith(("Form", "Filters")) for b in node.bases
            ):
                found.append(f"{m.path.relative_to(ROOT)}:{node.lineno} {node.name}")
    assert found == []


@pytest.mark.parametrize("name", BLUEPRINTS)
def test_each_blueprint_is_a_package(name):
    assert (PACKAGE / name / "__init__.py").exists()
