"""trees.tree_with builds the very tree git's own index would: for any files set and removed,
in any folders, with names git must quote (spaces, quotes, tabs, Polish letters)."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from salesnotes.git.gitlog import git_env
from salesnotes.git.trees import Entry, Objects, TreeWriter, tree_with

FOLDERS = ["", "clients/", "clients/Kraków/", 'a "quoted" dir/', "x y/z/"]
NAMES = ["n.md", "Łódź Serwis.md", "tab\tname.md", 'q"uote.md', "back\\slash.md"]
PATHS = [folder + name for folder in FOLDERS for name in NAMES]


def git(root: Path, *args: str, stdin: bytes | None = None, index: Path | None = None) -> str:
    env = git_env(**({"GIT_INDEX_FILE": str(index)} if index else {}))
    done = subprocess.run(["git", *args], cwd=root, input=stdin, env=env, capture_output=True,
                          check=True)
    return done.stdout.decode("utf-8", "surrogateescape")


def blob(root: Path, text: str) -> str:
    return git(root, "hash-object", "-w", "--stdin", stdin=text.encode()).strip()


def index_tree(root: Path, index: Path, entries: dict[str, str | None]) -> str:
    """What `git update-index` + `git write-tree` make of `entries` on top of `index`."""
    lines = b"".join(
        (f"100644 {sha}\t" if sha else f"0 {'0' * 40}\t").encode() + p.encode() + b"\0"
        for p, sha in entries.items())
    git(root, "update-index", "-z", "--index-info", stdin=lines, index=index)
    return git(root, "write-tree", index=index).strip()


TEXTS = ["a\n", "b\n", "", "Zażółć\n"]


@pytest.fixture(scope="module")
def repo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str]]:
    root = tmp_path_factory.mktemp("trees")
    git(root, "init", "-q")
    return root, {text: blob(root, text) for text in TEXTS}


contents = st.one_of(st.none(), st.sampled_from(TEXTS))


@settings(max_examples=15, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(base=st.dictionaries(st.sampled_from(PATHS), st.sampled_from(["a\n", "b\n"]), max_size=8),
       changes=st.dictionaries(st.sampled_from(PATHS), contents, min_size=1, max_size=6),
       n=st.integers(0, 10**9))
def test_tree_with_matches_gits_index(repo: tuple[Path, dict[str, str]], base: dict[str, str],
                                      changes: dict[str, str | None], n: int) -> None:
    root, shas = repo
    index = root / ".git" / f"test-index-{n}"
    try:
        base_tree = index_tree(root, index, {p: shas[t] for p, t in base.items()})
        wanted = {p: (shas[t] if t is not None else None) for p, t in changes.items()}
        expected = index_tree(root, index, wanted)
        env = git_env()
        with Objects(root, env) as objects, TreeWriter(root, env) as writer:
            built = tree_with(objects, writer, base_tree,
                              {p: Entry("100644", sha) if sha else None
                               for p, sha in wanted.items()})
            first = next(iter(wanted))
            assert objects.entry(built, first) == (
                Entry("100644", wanted[first]) if wanted[first] else None)
        assert built == expected
    finally:
        index.unlink(missing_ok=True)
