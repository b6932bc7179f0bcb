"""team.yaml -> Team: who the reps are and where their vaults live.

Each rep is a git remote (any URL or path) and an optional branch; a team sharing one vault
names it once as `shared:` and tells its reps apart by the notes' `owner:`. A rep that cannot be
read (no name, no remote, a name given twice) is a `team.yaml:LINE` problem and is left out:
the rest of the team still gets its Monday.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from salesnotes.edit.files import atomic_write, read_snapshot
from salesnotes.edit.yamltext import yaml_str
from salesnotes.errors import Problem, VaultError, saying
from salesnotes.git import gitlog
from salesnotes.i18n import Labels, Said
from salesnotes.read import yamlnodes as Y

TEAM_FILE = "team.yaml"
LOCALES = ("pl", "en")
_PATH = PurePosixPath(TEAM_FILE)


@dataclass(frozen=True)
class Rep:
    name: str
    remote: str | None  # None in a shared vault: the rep is an `owner:` there
    branch: str | None
    owner: str | None
    line: int

    @property
    def key(self) -> str:
        """A folder name for the rep's mirror and summary: readable, and unique per name."""
        folded = unicodedata.normalize("NFKD", self.name).encode("ascii", "ignore").decode()
        slug = re.sub(r"[^a-z0-9]+", "-", folded.lower()).strip("-")[:40] or "rep"
        return f"{slug}-{hashlib.sha256(self.name.encode()).hexdigest()[:8]}"


@dataclass(frozen=True)
class Team:
    locale: str = "pl"
    reps: tuple[Rep, ...] = ()
    shared: str | None = None  # one vault for the whole team, reps told apart by `owner:`
    shared_branch: str | None = None


def load_team(root: Path) -> tuple[Team, list[Problem]]:
    """Read `root/team.yaml`; a rep with a problem is left out and reported at its line."""
    try:
        data = (root / TEAM_FILE).read_bytes()
    except FileNotFoundError:
        raise VaultError(saying(_PATH, 0, Said("err_team_no_file"))) from None
    doc = Y.load_map_file(data, _PATH)
    return _team_from(doc) if doc is not None else (Team(), [])


def _team_from(doc: Y.Map) -> tuple[Team, list[Problem]]:
    problems: list[Problem] = []
    for key in doc.items:
        if key not in ("locale", "reps", "shared", "branch"):
            problems.append(saying(_PATH, doc.key_lines[key], Said(
                "err_cfg_unknown_key", key=key, known="branch, locale, reps, shared")))
    locale = _text(doc.items.get("locale")) or "pl"
    if locale not in LOCALES:
        problems.append(saying(_PATH, doc.key_lines["locale"],
                               Said("err_cfg_locale", got=repr(locale))))
        locale = "pl"
    shared = _text(doc.items.get("shared"))
    reps: list[Rep] = []
    seen: dict[str, int] = {}
    listed = doc.items.get("reps")
    items = listed.items if isinstance(listed, Y.Seq) else ()
    if listed is not None and not isinstance(listed, Y.Seq):
        problems.append(saying(_PATH, listed.line, Said("err_in", part="reps",
                                                        message=Said("err_team_reps_list"))))
    for item in items:
        rep = _rep(item, shared is not None, problems)
        if rep is None:
            continue
        folded = " ".join(rep.name.casefold().split())
        if folded in seen:
            problems.append(saying(_PATH, rep.line, Said("err_team_twice", name=repr(rep.name),
                                                         line=seen[folded])))
            continue
        seen[folded] = rep.line
        reps.append(rep)
    return Team(locale, tuple(reps), shared, _text(doc.items.get("branch"))), problems


def _rep(item: Y.Value, shared: bool, problems: list[Problem]) -> Rep | None:
    if not isinstance(item, Y.Map):
        problems.append(saying(_PATH, item.line, Said("err_team_rep_map")))
        return None
    for key in item.items:
        if key not in ("name", "remote", "branch", "owner"):
            problems.append(saying(_PATH, item.key_lines[key], Said(
                "err_team_rep_key", key=key, known="branch, name, owner, remote")))
    name = _text(item.items.get("name"))
    remote = _text(item.items.get("remote"))
    owner = _text(item.items.get("owner"))
    if not name:
        problems.append(saying(_PATH, item.line, Said("err_team_rep_no_name")))
        return None
    if shared and not owner:
        problems.append(saying(_PATH, item.line, Said("err_team_rep_no_owner", name=repr(name))))
        return None
    if not shared and not remote:
        problems.append(saying(_PATH, item.line, Said("err_team_rep_no_remote", name=repr(name))))
        return None
    return Rep(name, remote, _text(item.items.get("branch")), owner, item.line)


def _text(v: Y.Value | None) -> str | None:
    if isinstance(v, Y.Scalar) and not v.is_null:
        return v.text.strip() or None
    return None


# -- writing ----------------------------------------------------------------------------------

TEMPLATE = """\
# {about}
# {branch}
locale: {locale}
reps: []
#  - {{name: Anna Nowak, remote: "git@git.firma.pl:sprzedaz/anna.git"}}
#  - {{name: Piotr Wiśniewski, remote: ../piotr-vault, branch: main}}
"""


def add_rep(root: Path, name: str, remote: str, branch: str | None) -> None:
    """Append one rep to team.yaml, changing no other byte (comments, order and quoting kept)."""
    team, _ = load_team(root)
    if any(" ".join(r.name.casefold().split()) == " ".join(name.casefold().split())
           for r in team.reps):
        raise VaultError(saying(_PATH, 0, Said("err_team_rep_there", name=repr(name))))
    path = root / TEAM_FILE
    snap = read_snapshot(path)
    text = snap.data.decode("utf-8-sig")
    bom = snap.data[:3] == b"\xef\xbb\xbf"
    newline = "\r\n" if "\r\n" in text else "\n"
    fields = [f"name: {yaml_str(name)}", f"remote: {yaml_str(remote)}"]
    if branch:
        fields.append(f"branch: {yaml_str(branch)}")
    entry = "{" + ", ".join(fields) + "}"
    updated = _with_rep(text, entry, newline)
    check = Y.load(updated)
    if not isinstance(check, Y.Map):  # pragma: no cover - _with_rep keeps a mapping
        raise VaultError(saying(_PATH, 0, Said("err_team_unsafe")))
    after, _ = _team_from(check)
    if [r.name for r in after.reps] != [*(r.name for r in team.reps), name]:
        raise VaultError(saying(_PATH, 0, Said("err_team_by_hand", entry=entry)))
    atomic_write(path, (b"\xef\xbb\xbf" if bom else b"") + updated.encode(), expect=snap)


_REPS = re.compile(r"reps:\s*(\[\s*\])?\s*(#.*)?")


def _with_rep(text: str, entry: str, newline: str) -> str:
    """`reps: []` becomes a block list; a block list gets one more item after its last one."""
    lines = text.splitlines(keepends=True)
    head = next((i for i, line in enumerate(lines) if _REPS.fullmatch(line.rstrip("\r\n"))), None)
    if head is None:
        tail = "" if not text or text.endswith("\n") else newline
        return f"{text}{tail}reps:{newline}  - {entry}{newline}"
    last, indent = None, "  "
    for j in range(head + 1, len(lines)):
        line = lines[j]
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        if not line[0].isspace() and not line.startswith("-"):
            break  # the next top-level key
        last = j
        if line.lstrip().startswith("-"):
            indent = line[:len(line) - len(line.lstrip())]
    if last is None:
        lines[head] = re.sub(r"\s*\[\s*\]", "", lines[head], count=1)
        last = head
    lines.insert(last + 1, f"{indent}- {entry}{newline}")
    return "".join(lines)


def create_team(root: Path, locale: str) -> str | None:
    """A new team vault: team.yaml, views/, a git-ignored .salesnotes/, its own repository and
    a first commit. An existing team.yaml is never overwritten."""
    if (root / TEAM_FILE).exists():
        raise VaultError(saying(_PATH, 0, Said("err_team_exists")))
    root.mkdir(parents=True, exist_ok=True)
    t = Labels(locale)  # the comments in the team's language
    atomic_write(root / TEAM_FILE, TEMPLATE.format(
        locale=locale, about=t.team_yaml_about, branch=t.team_yaml_branch).encode(),
        exclusive=True)
    ignore = root / ".gitignore"
    if not ignore.exists():
        atomic_write(ignore, b".salesnotes/\n.*.salesnotes-*.tmp\n", exclusive=True)
    (root / "views").mkdir(exist_ok=True)
    if not (root / ".git").exists():
        gitlog.init_repo(root)  # its own repository, also inside another one
    return gitlog.commit_paths(root, [root / TEAM_FILE, ignore], "salesnotes: team vault",
                               fallback_identity=True)


def find_team_root(explicit: str | None, cwd: Path) -> Path:
    """`--vault`, else the nearest folder up holding team.yaml."""
    if explicit:
        root = Path(explicit).expanduser()
        if not (root / TEAM_FILE).is_file():
            raise VaultError(saying(explicit, 0, Said("err_team_not_a_team", file=TEAM_FILE)))
        return root.resolve()
    for folder in (cwd, *cwd.parents):
        if (folder / TEAM_FILE).is_file():
            return folder
    raise VaultError(saying(".", 0, Said("err_team_none_found", file=TEAM_FILE)))
