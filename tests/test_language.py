"""One language: in a Polish vault every command speaks Polish, in an English one English."""

from __future__ import annotations

import re

import pytest
from test_portfolio import portfolio_files

# Words of the English messages that must never reach a Polish rep (paths and git subjects,
# which are data, are taken out before looking).
ENGLISH = ["days late", "day late", "active", "overdue", "clients", "client", "problems",
           "problem", "never", "due", "written", "unchanged", "committed", "created", "checked",
           "notes", "note:", "portfolio", "nothing", "rows", "total", "watching", "would",
           "listed", "run `salesnotes", "no contacts", "not a git", "already", "matched",
           "unknown", "tier", "last", "next", "late", "left out", "dry run"]
CHECKLIST = "# Key account\n- [ ] Decision maker identified\n- [ ] Annual plan agreed\n"
SALES = "Numer;Data;NIP;Netto\nFV/9/11/2026;20.11.2026;5260250274;1 000,00\n"


def _data(root) -> list[str]:
    """The rep's own words in the notes (names, next steps), longest first: not ours to say."""
    found = {p.stem for p in (root / "clients").rglob("*.md")}
    for p in (root / "clients").rglob("*.md"):
        found.update(re.findall(r"^(?:name|next_step|tier): *(.+)$", p.read_text("utf-8"), re.M))
    return sorted(found, key=len, reverse=True)


def _said(result, root=None) -> str:
    """What a person reads: stdout and stderr without paths, file names, git subjects and the
    rep's own words."""
    text = result.stdout + "\n" + result.stderr
    for data in _data(root) if root else ():
        text = text.replace(data, " ").replace(" ".join(data.split()), " ")
    lines = text.splitlines()
    text = "\n".join(re.sub(r"^\S.*?:\d+: ", "", line) for line in lines)  # path:line:
    text = re.sub(r"[^\s,:;()][^,:;()\n]*?\.(md|csv|svg|ics)\b|\S*/\S*", " ", text)
    return re.sub(r"(review|contact|import|new): .*", " ", text)


def _english_in(text: str) -> list[str]:
    return [w for w in ENGLISH if re.search(rf"(?<!\w){re.escape(w)}(?!\w)", text, re.I)]


@pytest.fixture
def polish_vault(make_vault, tmp_path):
    files = portfolio_files()
    files["templates/checklists/key-account.md"] = CHECKLIST
    root = make_vault(files, locale="pl", git=True)
    (tmp_path / "sprzedaz.csv").write_text(SALES, encoding="utf-8")
    return root


def test_every_main_command_speaks_polish_in_a_polish_vault(polish_vault, tmp_path, run):
    v = ["--vault", str(polish_vault)]
    outputs = {
        "review": run("review", *v),
        "review again": run("review", *v),
        "status": run("status", *v),
        "check": run("check", *v),
        "log": run("log", "Kraków Steel", "Rozmowa o planie", "--via", "phone", *v),
        "history": run("history", "Kraków Steel", *v),
        "new": run("new", "Nowa Firma", *v),
        "checklist": run("checklist", "apply", "key-account", "--dry-run", *v),
        "import": run("import", "sales", str(tmp_path / "sprzedaz.csv"), "--dry-run", *v),
        "unknown client": run("log", "Nikt Taki", "x", *v),
        "export": run("export", "status", str(tmp_path / "status.csv"), *v),
    }
    for name, result in outputs.items():
        said = _said(result, polish_vault)
        assert said.strip(), name
        assert not _english_in(said), f"{name}: {_english_in(said)} in\n{said}"
    review = outputs["review"].stdout
    assert "Portfel: 25 klientów" in review and "po terminie" in review
    assert re.search(r"\d+ dni spóźnienia", review)
    assert "segment" in outputs["status"].stdout.splitlines()[0]


def test_the_same_commands_speak_english_in_an_english_vault(make_vault, run):
    root = make_vault(portfolio_files(), locale="en")
    review = run("review", "--vault", str(root)).stdout
    assert "Portfolio: 25 clients" in review and re.search(r"\d+ days late", review)
    status = run("status", "--vault", str(root)).stdout.splitlines()[0].split()
    assert status[:3] == ["client", "tier", "status"]


def test_before_a_vault_is_found_english_or_the_locale_asked_for(tmp_path, run):
    missing = run("status", "--vault", str(tmp_path / "nowhere"))
    assert missing.exit_code == 2 and "no such vault folder" in missing.stderr
    english = run("init", str(tmp_path / "a"))
    assert "vault created in" in english.stdout
    polish = run("init", str(tmp_path / "b"), "--locale", "pl")
    assert "utworzono sejf w" in polish.stdout and "dalej: cd" in polish.stdout
    assert not _english_in(_said(polish))


# The giveaways of an English sentence, on top of ENGLISH: words no Polish message uses.
GIVEAWAYS = [*(w for w in ENGLISH if w != "problem"),  # "problem" is Polish too
             "not a", "cannot", "expected", "line", "missing", "note", "malformed",
             "duplicate", "template", "rep", "fetch", "synced", "found", "no such", "invalid",
             "impossible", "not an", "no template", "has no", "is in", "also in", "the", "of"]
KEYS = ["name", "nip", "tier", "status", "region", "budget", "potential", "last_contact",
        "next_contact", "next_step", "checklists", "phone", "email", "owner", "competitor"]
BROKEN = "---\nname: Zepsuta Firma\ntier: [A\n---\n# Zepsuta\n"
ODD = ("---\nname: Dziwna Firma\nnip: \"7740001454\"\ntier: Z\nbudget: 1,234\n---\n# Dziwna\n\n"
       "## Log\n- 2026-02-30 telefon: rozmowa\n\n## Tasks\n- [ ] oferta 📅 2026-02-31\n")
LISTED = ("---\nname: Lista Firma\nnip: \"5260250274\"\ntier: A\nchecklists: [nieistniejaca]\n"
          "---\n# Lista\n\n## Checklist: Nie ma takiej\n- [ ] coś\n")
BAD_SALES = ("Numer;Data;NIP;Kontrahent;Netto\n"
             "FV/1/11/2026;20.11.2026;{nip};Żółć Sp. z o.o.;1 000,00\n"
             "FV/2/11/2026;32.11.2026;81354692;Łąka s.c.;abc\n")
BAD_CLIENTS = "Nazwa;NIP;Segment;Status\nŻółta Łąka;{nip};Z;aktywny\nBez Numeru;;A;active\n"


def _said_by_a_pl_vault(text: str, data: list[str]) -> str:
    """What a person reads, without what is not ours to translate: the rep's own words,
    paths, quoted values, commands in backticks, the values the note format accepts (`znane:
    ...`), git's and YAML's own words, and commit subjects."""
    for words in data:
        text = re.sub(rf"(?<!\w){re.escape(words)}(?!\w)", " ", text)
    text = re.sub(rf"\b({'|'.join(KEYS)}):", " ", text)  # a note's keys are the file format
    text = re.sub(r"(?m)^- \[[^\]]*\]\([^)]*\): ", "", text)  # a problem linked in a view
    text = re.sub(r"(?m)^(- )?\S[^\n]*?:\d+: ", "", text)  # path:line:
    text = re.sub(r"(?m)^\S[^\n]*?\.(md|csv|yaml|txt): ", "", text)  # path: (a whole file)
    text = re.sub(r"(fatal|error|hint|warning): .*|błędny YAML: .*|znane: [^)]*", " ", text)
    text = re.sub(r"'[^'\n]*'|`[^`\n]*`|\"[^\"\n]*\"|\S*[/\\]\S*|--\w+", " ", text)
    text = re.sub(r"[^\s,:;()][^,:;()\n]*?\.(md|csv|svg|ics|yaml|txt|git|base)\b", " ", text)
    return re.sub(r"(review|contact|import|new|salesnotes): .*", " ", text)


def _problem_lines(view: str) -> str:
    """The problems a view lists (`- path:line: message`, linked or not)."""
    return "\n".join(line for line in view.splitlines()
                     if re.match(r"- (\[[^\]]*:\d+\]\(|\S[^\n]*?\.(md|yaml):\d+: )", line))


def test_every_command_on_a_polish_demo_vault_with_planted_problems(tmp_path, run):
    """Each command a rep or a manager runs, against every kind of problem a vault can have:
    no line of what they print (nor a problem listed in a view) reads as English."""
    import subprocess

    root = tmp_path / "sejf"
    outputs = {"init": run("init", str(root), "--demo", "--locale", "pl")}
    nip = re.search(r'^nip: "(\d+)"', next((root / "clients").glob("*.md")).read_text("utf-8"),
                    re.M)[1]
    twin = "---\nname: Bliźniak\nnip: \"" + nip + "\"\ntier: B\n---\n# Bliźniak\n"
    for name, text in {"Zepsuta.md": BROKEN, "Dziwna.md": ODD, "Lista.md": LISTED,
                       "Bliźniak.md": twin}.items():
        (root / "clients" / name).write_text(text, encoding="utf-8")
    subprocess.run(["git", "add", "-A"], cwd=root, check=True)
    subprocess.run(["git", "commit", "-qm", "planted"], cwd=root, check=True)
    (tmp_path / "sprzedaz.csv").write_bytes(BAD_SALES.format(nip=nip).encode("cp1250"))
    (tmp_path / "klienci.csv").write_bytes(BAD_CLIENTS.format(nip=nip).encode("cp1250"))
    v = ["--vault", str(root)]
    outputs |= {
        "review": run("review", *v),
        "review again": run("review", *v),
        "status": run("status", *v),
        "check": run("check", *v),
        "check --strict": run("check", "--strict", *v),
        "check a path": run("check", str(root / "clients" / "Zepsuta.md"), *v),
        "log": run("log", "Dziwna", "Rozmowa o planie", "--via", "telefon", *v),
        "log in the future": run("log", "Dziwna", "x", "--date", "2027-01-04", *v),
        "log an unknown client": run("log", "Nikt Taki", "x", *v),
        "log a broken note": run("log", "Zepsuta", "x", *v),
        "history": run("history", "Dziwna", *v),
        "new, name taken": run("new", "Dziwna Firma", *v),
        "new, NIP taken": run("new", "Inna Firma", "--nip", nip, *v),
        "new, file taken": run("new", "Zepsuta", *v),
        "checklist unknown": run("checklist", "apply", "nieistniejaca", *v),
        "checklist": run("checklist", "apply", "key-account", "--dry-run", *v),
        "import sales": run("import", "sales", str(tmp_path / "sprzedaz.csv"), *v),
        "import clients": run("import", "clients", str(tmp_path / "klienci.csv"), *v),
        "export": run("export", "status", str(tmp_path / "status.txt"), *v),
        "hook": run("hook", "install", *v),
    }
    (root / ".git" / "hooks" / "pre-commit").write_text("#!/bin/sh\nexit 0\n")
    outputs["hook, not ours"] = run("hook", "install", *v)
    # fixed on disk, broken in git: the contact's commit must leave the note out, and say so
    (root / "clients" / "Zepsuta.md").write_text(BROKEN.replace("[A", "A"), encoding="utf-8")
    outputs["log, kept back"] = run("log", "Zepsuta", "Telefon", *v)
    team = tmp_path / "zespol"
    outputs["team init"] = run("team", "init", str(team), "--locale", "pl")
    t = ["--vault", str(team)]
    outputs |= {
        "team add": run("team", "add", "Anna Nowak", str(root), *t),
        "team add again": run("team", "add", "Anna Nowak", str(root), *t),
        "team add unreachable": run("team", "add", "Piotr Wiśniewski",
                                    str(tmp_path / "nie-ma"), *t),
        "team review": run("team", "review", *t),
        "team status": run("team", "status", *t),
        "team status, no team": run("team", "status", *v),
    }
    data = sorted({w for w in {p.stem for p in (root / "clients").rglob("*.md")}
                  | {m for p in (root / "clients").rglob("*.md") for m in re.findall(
                      r"^(?:name|next_step|region): *\"?(.+?)\"?$",
                      p.read_text("utf-8"), re.M)}
                  | {"Anna Nowak", "Piotr Wiśniewski", "Nikt Taki", "Inna Firma", "Żółta Łąka",
                     "Bez Numeru"} if len(w) > 2}, key=len, reverse=True)
    shown = {name: r.stdout + "\n" + r.stderr for name, r in outputs.items()}
    for view in ("Portfolio.md", "Checklists.md"):
        shown[view] = _problem_lines((root / "views" / view).read_text("utf-8"))
    shown["Team.md"] = _problem_lines((team / "views" / "Team.md").read_text("utf-8"))
    shown["team.yaml"] = "\n".join(line[2:] for line in (team / "team.yaml").read_text(
        "utf-8").splitlines() if line.startswith("# "))  # its comments, as team init wrote them
    english = {}
    for name, text in shown.items():
        said = _said_by_a_pl_vault(text, data)
        found = [w for w in GIVEAWAYS if re.search(rf"(?<!\w){re.escape(w)}(?!\w)", said, re.I)]
        if found:
            english[name] = (found, text)
    if english:  # pytest.fail: an assert would have pytest compare the whole outputs
        pytest.fail("\n\n".join(f"{name}: {found}\n{text}"
                                 for name, (found, text) in english.items()))
    # the test sees what it must: the planted problems are all said
    assert "Zepsuta.md:3" in shown["check"] and "Dziwna.md:4" in shown["check"]
    assert "sprzedaz.csv:3" in shown["import sales"]
    assert "nieistniejaca" in shown["Checklists.md"]
    assert outputs["team review"].exit_code == 1
    assert "Zepsuta.md:0" in shown["log, kept back"]
    assert "  telefon  " in shown["history"] and "phone" not in shown["history"]
    assert "już istnieje jako Zepsuta.md" in shown["new, file taken"]


def test_watch_notices_and_kept_views_speak_polish(make_vault, monkeypatch):
    """What `watch` says besides its rebuild lines: polling instead of inotify, and why the
    views on disk were kept (a broken salesnotes.yaml)."""
    import errno

    from conftest import TODAY

    from salesnotes import watch as W
    from salesnotes.i18n import Labels

    class Exhausted:
        def schedule(self, *args, **kwargs):  # noqa: ANN002, ANN003
            raise OSError(errno.ENOSPC, "inotify watch limit reached")

    monkeypatch.setattr(W, "_native_observer", Exhausted)
    root = make_vault(portfolio_files(), locale="pl")
    notices = []
    watcher = W.Watcher(root, lambda: TODAY, on_rebuild=lambda r: None,
                        on_notice=notices.append, quiet=0.05)
    watcher.start()
    watcher.stop()
    (root / "salesnotes.yaml").write_text("owner: [niezamknięty\n", encoding="utf-8")
    kept = watcher.build({"salesnotes.yaml"}).kept
    t = Labels("pl")
    said = [t.say(n.key, **n.fields) for n in notices] + [kept.told(t)]
    assert len(said) == 2 and "fs.inotify.max_user_watches" in said[0]
    for text in said:
        text = re.sub(r"\S*[/\\]\S*|\S+\.yaml:\d+: |błędny YAML: .*", " ", text)
        assert not [w for w in GIVEAWAYS if re.search(rf"(?<!\w){re.escape(w)}(?!\w)", text, re.I)]
