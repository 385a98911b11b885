"""The package's shape: imports flow one way, no circles, no private names across modules, and
every module has its test file (``tests/<package>/test_<module>.py``)."""
import ast
from pathlib import Path

import pytest

pytestmark = pytest.mark.book

ROOT = Path(__file__).resolve().parent.parent
PKG = ROOT / "code" / "nnbook"
TOP = "top"
#: Which groups a module may import from. The top level holds only cross-cutting pieces.
ALLOWED = {
    TOP: {TOP},
    "data": {TOP, "data"},
    "nn": {TOP, "nn"},
    "nets": {TOP, "data", "nn", "nets"},
    "seq": {TOP, "data", "nn", "seq"},
    "studies": {TOP, "data", "nn", "nets", "seq", "studies"},
    "exercises": {TOP, "data", "nn", "nets", "seq", "studies", "exercises"},
}


def module_name(path: Path) -> str:
    parts = path.relative_to(PKG.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def group(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 2 or (len(parts) == 2 and parts[1] in ALLOWED) else TOP


MODULES = {module_name(p): p for p in sorted(PKG.rglob("*.py"))}


def imports(path: Path):
    """(imported module, imported names, line) for every nnbook import, module-level or inside functions."""
    tree = ast.parse(path.read_text())
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.split(".")[0] == "nnbook":
            for alias in node.names:
                sub = f"{node.module}.{alias.name}"
                yield (sub if sub in MODULES else node.module), alias.name, node.lineno
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.split(".")[0] == "nnbook":
                    yield alias.name, None, node.lineno


def edges():
    for name, path in MODULES.items():
        for target, imported, line in imports(path):
            yield name, target, imported, line


def test_imports_flow_one_way():
    wrong = [f"{src} (line {line}) imports {dst}" for src, dst, _, line in edges()
             if src != "nnbook" and group(dst) not in ALLOWED[group(src)]]
    assert not wrong, "imports against the layering " + str(ALLOWED) + ":\n" + "\n".join(wrong)


def test_no_import_circles():
    graph: dict[str, set[str]] = {name: set() for name in MODULES}
    for src, dst, _, _ in edges():
        if src != dst and dst in graph and not (src == "nnbook" or dst == "nnbook"):
            if not src.startswith(dst + "."):  # a module may import from its own package's __init__
                graph[src].add(dst)
    cycles, state = [], {}

    def visit(node, stack):
        state[node] = "open"
        for nxt in sorted(graph[node]):
            if state.get(nxt) == "open":
                cycles.append(stack[stack.index(nxt):] + [nxt])
            elif nxt not in state:
                visit(nxt, stack + [nxt])
        state[node] = "done"

    for node in sorted(graph):
        if node not in state:
            visit(node, [node])
    assert not cycles, "import circles:\n" + "\n".join(" -> ".join(c) for c in cycles)


def test_no_private_names_imported_from_another_module():
    wrong = [f"{src} (line {line}) imports {imported} from {dst}" for src, dst, imported, line in edges()
             if imported and imported.startswith("_") and not imported.startswith("__") and dst != "nnbook._validation" and dst != src]
    assert not wrong, "\n".join(wrong)


def test_no_private_attributes_of_other_modules():
    wrong = []
    for name, path in MODULES.items():
        tree = ast.parse(path.read_text())
        aliases = {a.asname or a.name for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)
                   and n.module and n.module.startswith("nnbook") for a in n.names
                   if f"{n.module}.{a.name}" in MODULES}
        for node in ast.walk(tree):
            if (isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id in aliases
                    and node.attr.startswith("_") and not node.attr.startswith("__")):
                wrong.append(f"{name} (line {node.lineno}) uses {node.value.id}.{node.attr}")
    assert not wrong, "\n".join(wrong)


@pytest.mark.parametrize("module", sorted(m for m in MODULES if m.count(".") >= 1
                                          and not m.endswith("__init__") and ".models." not in m))
def test_every_module_has_its_test_file(module):
    parts = module.split(".")[1:]
    if parts[-1].startswith("_"):
        parts[-1] = parts[-1][1:]
    if MODULES[module].name == "__init__.py":
        pytest.skip("a package's __init__ only documents and re-exports")
    test = ROOT / "tests" / Path(*parts[:-1]) / f"test_{parts[-1]}.py"
    assert test.exists(), f"{module} has no test file {test.relative_to(ROOT)}"


def test_models_are_tested():
    assert (ROOT / "tests" / "nets" / "test_models.py").exists()
