"""The house rules of the package, read from its source with `ast`: no import cycles (neither
among the imports a module runs when it is imported, nor through imports put off to run time
inside functions), git run only inside `salesnotes/git/`, `.salesnotes/` named only inside
`salesnotes/local/`, commands given the date and the vault as parameters and leaving git work
to the core, and no import put off to run time without a comment saying why.

Each rule is also run on a small package made in tmp_path that breaks it, so a checker that
found nothing because it looked at nothing would fail here.
"""

from __future__ import annotations

import ast
import re
from functools import cache
from pathlib import Path

import salesnotes

PACKAGE = Path(salesnotes.__file__).parent
LOCAL_STATE = re.compile(r"(^|[/\\])\.salesnotes($|[/\\])")


def modules(package: Path) -> dict[str, tuple[Path, ast.Module]]:
    """Dotted module name -> (file, its syntax tree), for every module of the package."""
    out = {}
    for file in sorted(package.rglob("*.py")):
        parts = [package.name, *file.relative_to(package).with_suffix("").parts]
        if parts[-1] == "__init__":
            parts.pop()
        stat = file.stat()
        out[".".join(parts)] = (file, _tree(file, stat.st_mtime_ns, stat.st_size))
    return out


@cache
def _tree(file: Path, mtime_ns: int, size: int) -> ast.Module:
    """A file's syntax tree, parsed once for all the rules (the checks only read trees); a
    file changed meanwhile has another stamp, so it is parsed again."""
    return ast.parse(file.read_text(encoding="utf-8"))


def _module_level(tree: ast.Module) -> list[ast.stmt]:
    """Statements run when the module is imported: the top level, and inside top-level `if`
    and `try` blocks, but not `if TYPE_CHECKING:` (never run)."""
    out: list[ast.stmt] = []
    todo = list(tree.body)
    while todo:
        node = todo.pop(0)
        out.append(node)
        if isinstance(node, ast.If):
            if "TYPE_CHECKING" in ast.unparse(node.test):
                todo.extend(node.orelse)
            else:
                todo.extend([*node.body, *node.orelse])
        elif isinstance(node, ast.Try):
            todo.extend([*node.body, *node.orelse, *node.finalbody,
                         *(s for h in node.handlers for s in h.body)])
    return out


def _targets(name: str, is_package: bool, node: ast.Import | ast.ImportFrom,
             known: set[str]) -> set[str]:
    if isinstance(node, ast.Import):
        return {a.name for a in node.names if a.name in known}
    if node.level:
        base = name.split(".")[: len(name.split(".")) - node.level + (1 if is_package else 0)]
        origin = ".".join([*base, *([node.module] if node.module else [])])
    else:
        origin = node.module or ""
    found = {f"{origin}.{a.name}" for a in node.names} & known
    return found or ({origin} & known)


def import_graph(package: Path, *, deferred: bool = False) -> dict[str, set[str]]:
    """Module -> the package's modules it imports when it is imported; with `deferred`, also
    those it imports inside functions (a cycle hidden there is still a cycle). Imports under
    `if TYPE_CHECKING:` never run, so they never count."""
    mods = modules(package)
    graph: dict[str, set[str]] = {}
    for name, (file, tree) in mods.items():
        is_package = file.name == "__init__.py"
        edges: set[str] = set()
        for node in _all_imports(tree) if deferred else _module_level(tree):
            if isinstance(node, ast.Import | ast.ImportFrom):
                edges |= _targets(name, is_package, node, set(mods))
        graph[name] = edges - {name}
    return graph


@cache  # by tree: each rule asks again of the same parsed tree
def _all_imports(tree: ast.Module) -> tuple[ast.stmt, ...]:
    typing_only = {id(s) for n in ast.walk(tree)
                   if isinstance(n, ast.If) and "TYPE_CHECKING" in ast.unparse(n.test)
                   for s in n.body}
    return tuple(n for n in ast.walk(tree)
                 if isinstance(n, ast.Import | ast.ImportFrom) and id(n) not in typing_only)


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Every strongly connected group of more than one module (Tarjan), each sorted."""
    search = _Tarjan(graph)
    for v in sorted(graph):
        if v not in search.index:
            search.visit(v)
    return search.found


class _Tarjan:
    def __init__(self, graph: dict[str, set[str]]) -> None:
        self.graph = graph
        self.index: dict[str, int] = {}
        self.low: dict[str, int] = {}
        self.stack: list[str] = []
        self.found: list[list[str]] = []

    def visit(self, v: str) -> None:
        self.index[v] = self.low[v] = len(self.index)
        self.stack.append(v)
        for w in sorted(self.graph.get(v, ())):
            if w not in self.index:
                self.visit(w)
                self.low[v] = min(self.low[v], self.low[w])
            elif w in self.stack:
                self.low[v] = min(self.low[v], self.index[w])
        if self.low[v] == self.index[v]:
            self.pop_group(v)

    def pop_group(self, v: str) -> None:
        group = []
        while True:
            w = self.stack.pop()
            group.append(w)
            if w == v:
                break
        if len(group) > 1:
            self.found.append(sorted(group))


def _strings(tree: ast.Module) -> list[ast.Constant]:
    """String constants that are not docstrings (prose may mention anything)."""
    docstrings = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            first = node.body[0] if node.body else None
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                docstrings.add(id(first.value))
    return [n for n in ast.walk(tree) if isinstance(n, ast.Constant)
            and isinstance(n.value, str) and id(n) not in docstrings]


def runs_git(tree: ast.Module) -> bool:
    """Imports subprocess and names the `git` program."""
    imports_subprocess = any(
        (isinstance(n, ast.Import) and any(a.name == "subprocess" for a in n.names))
        or (isinstance(n, ast.ImportFrom) and n.module == "subprocess")
        for n in ast.walk(tree))
    return imports_subprocess and any(s.value == "git" for s in _strings(tree))


def names_local_state(tree: ast.Module) -> bool:
    """A string naming the `.salesnotes` folder or a path in it (not `x.salesnotes-tmp`)."""
    return any(LOCAL_STATE.search(s.value) for s in _strings(tree))


def reaches_back(package: str, tree: ast.Module) -> bool:
    """A command that takes the date or the vault from `cli` itself instead of as parameters
    (`pass_today`, `pass_clock`, `pass_vault`)."""
    cli = f"{package}.cli"
    return any(
        (isinstance(n, ast.ImportFrom) and n.module == cli
         and any(a.name in ("today", "vault_root") for a in n.names))
        or (isinstance(n, ast.Attribute) and n.attr in ("today", "vault_root")
            and isinstance(n.value, ast.Name) and n.value.id == "cli")
        for n in ast.walk(tree))


def does_git_work(package: str, tree: ast.Module) -> bool:
    """A command importing the committer or the git runner to run (not only to name a type):
    its git work belongs in a core function that returns what it did."""
    runners = {f"{package}.git.gitlog", f"{package}.git.run"}
    return any(
        (isinstance(n, ast.ImportFrom) and (n.module in runners or (
            n.module == f"{package}.git" and any(a.name in ("gitlog", "run") for a in n.names))))
        or (isinstance(n, ast.Import) and any(a.name in runners for a in n.names))
        for n in _all_imports(tree))


def error_types(package: Path) -> list[str]:
    """Exception classes that carry a message for the catalog (`self.said`) or a line
    (`self.line`): one type says why the core refuses a text (`errors.Refused`), so a parser
    never needs its own."""
    found = []
    for name, (_, tree) in modules(package).items():
        for node in tree.body:
            if not isinstance(node, ast.ClassDef) or not node.bases:
                continue
            init = next((f for f in node.body
                         if isinstance(f, ast.FunctionDef) and f.name == "__init__"), None)
            sets = {t.attr for n in ast.walk(init) if isinstance(n, ast.Assign)
                    for target in n.targets
                    for t in (target.elts if isinstance(target, ast.Tuple) else [target])
                    if isinstance(t, ast.Attribute)} if init else set()
            if sets & {"said", "line"}:
                found.append(f"{name}.{node.name}")
    return sorted(found)


def unexplained_imports(file: Path, tree: ast.Module) -> list[int]:
    """Lines of function-level imports with no reason given: a comment on the line before
    their block of imports, or on one of its lines. An import put off to run time is there
    for start-up time (or a cycle still to untangle), and says so; any other belongs at the top
    of the module."""
    lines = file.read_text(encoding="utf-8").split("\n")
    typing_only = [n for n in ast.walk(tree)
                   if isinstance(n, ast.If) and "TYPE_CHECKING" in ast.unparse(n.test)]
    run_at_import = {id(n) for n in _module_level(tree)}
    run_at_import |= {id(s) for n in typing_only for s in n.body}
    found = []
    for node in ast.walk(tree):
        for body in (getattr(node, f, None) for f in ("body", "orelse", "finalbody")):
            if not isinstance(body, list):
                continue
            for block in _import_blocks(body, run_at_import):
                before = lines[block[0].lineno - 2].strip()
                if not before.startswith("#") and not any(
                        "#" in lines[s.lineno - 1] for s in block):
                    found.append(block[0].lineno)
    return found


def _import_blocks(body: list[ast.stmt], skip: set[int]) -> list[list[ast.stmt]]:
    """Runs of consecutive function-level import statements."""
    blocks: list[list[ast.stmt]] = []
    for stmt in body:
        if not isinstance(stmt, ast.Import | ast.ImportFrom) or id(stmt) in skip:
            blocks.append([])
        elif blocks and blocks[-1]:
            blocks[-1].append(stmt)
        else:
            blocks.append([stmt])
    return [b for b in blocks if b]


# What the pure layers may import, even inside a function: the note's reader and the model
# sit below everything else (docs/ARCHITECTURE.md, section 2).
BELOW = {"read": ("errors", "i18n", "read", "model.money"),
         "model": ("errors", "i18n", "read", "model")}


def upward_imports(package: Path) -> list[str]:
    """`module -> module` for each import by `read/` or `model/` of a higher layer."""
    found = []
    for name, targets in import_graph(package, deferred=True).items():
        layer = name.split(".")[1] if name.count(".") >= 2 else ""
        allowed = tuple(f"{package.name}.{a}" for a in BELOW.get(layer, ()))
        if allowed:
            found += [f"{name} -> {t}" for t in sorted(targets)
                      if not any(t == a or t.startswith(a + ".") for a in allowed)]
    return found


def offenders(package: Path) -> dict[str, list[str]]:
    """Each rule -> the modules breaking it."""
    mods = modules(package)
    local = f"{package.name}.local"
    git = f"{package.name}.git"
    return {
        "cycles": [" <-> ".join(c) for c in cycles(import_graph(package))],
        "cycles through function-level imports": [
            " <-> ".join(c) for c in cycles(import_graph(package, deferred=True))],
        "read/ or model/ importing a higher layer": upward_imports(package),
        "git outside git/": sorted(n for n, (_, t) in mods.items()
                                   if runs_git(t) and not (n == git or n.startswith(git + "."))),
        ".salesnotes outside local/": sorted(
            n for n, (_, t) in mods.items()
            if names_local_state(t) and not (n == local or n.startswith(local + "."))),
        "commands taking the date or the vault from cli": sorted(
            n for n, (_, t) in mods.items()
            if n.startswith(f"{package.name}.commands.") and reaches_back(package.name, t)),
        "commands doing git work": sorted(
            n for n, (_, t) in mods.items()
            if n.startswith(f"{package.name}.commands.") and does_git_work(package.name, t)),
        "imports put off without a reason": [
            f"{n}:{line}" for n, (f, t) in mods.items() for line in unexplained_imports(f, t)],
    }


def test_the_package_keeps_the_house_rules():
    assert offenders(PACKAGE) == {"cycles": [], "cycles through function-level imports": [],
                                  "read/ or model/ importing a higher layer": [],
                                  "git outside git/": [],
                                  ".salesnotes outside local/": [],
                                  "commands taking the date or the vault from cli": [],
                                  "commands doing git work": [],
                                  "imports put off without a reason": []}


def test_one_exception_type_says_why_a_text_is_refused():
    """Reading a note, its YAML, a value, an amount, an import's cell and editing a note all
    refuse with `Refused`. The others name something else than a line of a text: a file the
    OS refused (its path), a template stopped at a limit (the template's name), a mirror of a
    rep's repository (its remote)."""
    assert error_types(PACKAGE) == ["salesnotes.edit.files.FileRefused",
                                    "salesnotes.errors.Refused",
                                    "salesnotes.git.mirror.MirrorError",
                                    "salesnotes.sandbox.TemplateLimit"]


def test_the_error_type_check_sees_a_second_parse_error(tmp_path: Path):
    pkg = tmp_path / "house"
    pkg.mkdir()
    (pkg / "__init__.py").write_text("")
    (pkg / "errors.py").write_text(
        "class Refused(ValueError):\n    def __init__(self, said, line=0):\n"
        "        self.said, self.line = said, line\n")
    (pkg / "yamlish.py").write_text(
        "class YamlProblem(ValueError):\n    def __init__(self, line, message):\n"
        "        self.line = line\n\n\nclass Fine(Exception):\n    pass\n")
    assert error_types(pkg) == ["house.errors.Refused", "house.yamlish.YamlProblem"]


def test_the_checks_see_a_package_that_breaks_every_rule(tmp_path: Path):
    pkg = tmp_path / "house"
    for folder in ("", "git", "local", "model", "commands", "imports"):
        (pkg / folder).mkdir(exist_ok=True)
        (pkg / folder / "__init__.py").write_text('"""A package."""\n')
    (pkg / "a.py").write_text("from house import b\n")
    (pkg / "b.py").write_text("import house.c\n")
    (pkg / "c.py").write_text("from . import a\n")
    (pkg / "lazy.py").write_text("def f():\n    # start-up time\n    from house import late\n")
    (pkg / "quiet.py").write_text("import os\n\n\ndef f():\n    x = 1\n    import json\n"
                                  "    return x\n\n\ndef g():\n    from house import late  # why\n")
    (pkg / "late.py").write_text("from house import lazy\n")  # a cycle through a function
    (pkg / "typed.py").write_text("from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n"
                                  "    from house import hinted\n")
    (pkg / "hinted.py").write_text("from house import typed\n")
    (pkg / "model" / "runner.py").write_text(
        "import subprocess\n\ndef head():\n    return subprocess.run(['git', 'rev-parse'])\n")
    (pkg / "git" / "ok.py").write_text("import subprocess\nsubprocess.run(['git', 'log'])\n")
    (pkg / "model" / "state.py").write_text(
        '"""Mentions .salesnotes/ in prose: fine."""\nSTATE = ".salesnotes/state.json"\n')
    (pkg / "model" / "prose.py").write_text('"""Keeps .salesnotes/ in mind."""\n'
                                        'T = ".a.salesnotes-"\n')
    (pkg / "local" / "store.py").write_text('DIR = ".salesnotes"\n')
    (pkg / "cli.py").write_text("def today(): ...\ndef vault_root(): ...\n")
    (pkg / "commands" / "clock.py").write_text("from house.cli import labels, today\n")
    (pkg / "commands" / "root.py").write_text(
        "from house import cli\n\n\ndef f():\n    return cli.vault_root()\n")
    (pkg / "commands" / "given.py").write_text(
        "from typing import TYPE_CHECKING\nfrom house.cli import pass_today\n"
        "if TYPE_CHECKING:\n    from house.git.gitlog import Committed\n")
    (pkg / "commands" / "commit.py").write_text(
        "def f():\n    # at run time\n    from house.git import gitlog\n"
        "    gitlog.commit_paths()\n")
    (pkg / "git" / "gitlog.py").write_text('"""Commits."""\n')
    (pkg / "imports" / "reader.py").write_text("COLUMNS = {}\n")
    (pkg / "model" / "config.py").write_text(
        "def f():\n    # imports/ is above model/\n    from house.imports.reader import COLUMNS\n")
    assert offenders(pkg) == {"cycles": ["house.a <-> house.b <-> house.c"],
                              "cycles through function-level imports": [
                                  "house.a <-> house.b <-> house.c", "house.late <-> house.lazy"],
                              "read/ or model/ importing a higher layer": [
                                  "house.model.config -> house.imports.reader"],
                              "git outside git/": ["house.model.runner"],
                              ".salesnotes outside local/": ["house.model.state"],
                              "commands taking the date or the vault from cli": [
                                  "house.commands.clock", "house.commands.root"],
                              "commands doing git work": ["house.commands.commit"],
                              "imports put off without a reason": ["house.quiet:6"]}
