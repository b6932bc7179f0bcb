"""A new vault lives well with Obsidian and git, and every `--json` is a versioned object."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from conftest import SPEC_NOTE, git_init

NOTE = "clients/Hydro-Tech Sp. z o.o..md"


def git(root: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=root, check=True, capture_output=True,
                          text=True).stdout


def test_init_types_the_properties_for_obsidian(tmp_path, run):
    root = tmp_path / "v"
    assert run("init", str(root), "--locale", "en").exit_code == 0
    types = json.loads((root / ".obsidian" / "types.json").read_text(encoding="utf-8"))["types"]
    assert {k: types[k] for k in ("last_contact", "next_contact", "potential", "budget", "tier",
                                  "status", "nip", "tags", "aliases")} == {
        "last_contact": "date", "next_contact": "date", "potential": "number",
        "budget": "number", "tier": "text", "status": "text", "nip": "text", "tags": "tags",
        "aliases": "aliases"}
    assert ".obsidian/types.json" in git(root, "ls-files").splitlines()


def test_init_leaves_an_existing_obsidian_folder_alone(tmp_path, run):
    root = tmp_path / "v"
    (root / ".obsidian").mkdir(parents=True)
    (root / ".obsidian" / "app.json").write_text("{}", encoding="utf-8")
    assert run("init", str(root), "--locale", "pl").exit_code == 0
    assert sorted(p.name for p in (root / ".obsidian").iterdir()) == ["app.json"]


def test_new_vault_ignores_temp_files_and_trash_and_keeps_ics_byte_exact(tmp_path, run):
    root = tmp_path / "v"
    assert run("init", str(root), "--locale", "en").exit_code == 0
    ignored = [".Acme.md.salesnotes-ab12cd.tmp", "clients/.Acme.md.salesnotes-x1.tmp",
               ".trash/Old client.md", ".salesnotes/cache.sqlite"]
    kept = ["clients/Acme.md", "clients/salesnotes-notes.tmp.md", "views/week.ics"]
    out = subprocess.run(["git", "check-ignore", "--no-index", *ignored, *kept], cwd=root,
                         capture_output=True, text=True).stdout.splitlines()
    assert out == ignored
    attrs = git(root, "check-attr", "text", "--", "views/week.ics", "clients/Acme.md")
    assert attrs.splitlines() == ["views/week.ics: text: unset",
                                  "clients/Acme.md: text: unspecified"]
    # the proof: under core.autocrlf=input a calendar's CRLF survives a commit and checkout
    git(root, "config", "core.autocrlf", "input")
    (root / "views" / "week.ics").write_bytes(b"BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n")
    git(root, "add", "views/week.ics")
    staged = subprocess.run(["git", "cat-file", "-p", ":views/week.ics"], cwd=root, check=True,
                            capture_output=True).stdout
    assert staged == b"BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n"


def test_salesnotes_commits_say_salesnotes_apart_from_vault_backups(make_vault, run, tmp_path):
    root = make_vault({NOTE: SPEC_NOTE}, git=True)
    assert run("review", "--vault", str(root)).exit_code == 0
    csv = tmp_path / "klienci.csv"
    csv.write_text("NIP;Nazwa;Segment\n7680002466;Nowy Klient;B\n", encoding="utf-8")
    assert run("import", "clients", str(csv), "--vault", str(root)).exit_code == 0
    subjects = git(root, "log", "--format=%s").splitlines()
    assert subjects[:2] == ["salesnotes: import clients klienci.csv (1 created, 0 updated)",
                            "salesnotes: review 2026-W48"]
    assert git(root, "log", "--format=%s", "--grep", "^salesnotes: ").splitlines() == subjects[:2]


def test_every_json_output_is_a_versioned_object(make_vault, run, tmp_path):
    root = make_vault({NOTE: SPEC_NOTE, "clients/Broken.md": "---\ntier: Z\n---\n"}, git=True)
    status = json.loads(run("status", "--json", "--vault", str(root)).stdout)
    assert status["version"] == 1
    assert [c["name"] for c in status["clients"]] == ["Broken", "Hydro-Tech Sp. z o.o."]
    history = json.loads(run("history", "hydro", "--json", "--vault", str(root)).stdout)
    assert history["version"] == 1 and history["client"]["file"] == NOTE
    assert [c["date"] for c in history["contacts"]] == ["2026-11-18", "2026-10-02"]
    check = json.loads(run("check", "--json", "--vault", str(root)).stdout)
    assert check["version"] == 1 and [p["path"] for p in check["problems"]] == ["clients/Broken.md"]

    review = run("review", "--json", "--vault", str(root))
    assert review.exit_code == 1  # the broken note: reported, the views written anyway
    data = json.loads(review.stdout)
    assert data["version"] == 1 and data["clients"] == 2 and data["today"] == "2026-11-27"
    assert "views/Portfolio.md" in data["written"] and data["commit"]
    assert data["breath"]["due"] == 1
    assert data["problems"] == [{"path": "clients/Broken.md", "line": 2,
                                 "message": "unknown tier 'Z' (known: A, B, C)"}]

    sales = tmp_path / "sprzedaz.csv"
    sales.write_text("Data;Numer;NIP;Kontrahent;Netto\n2026-11-02;FV/1;5260250274;Hydro;"
                     "1 234,56\n2026-11-03;FV/2;7680002466;Nowy;10,01\n", encoding="utf-8")
    imported = json.loads(run("import", "sales", str(sales), "--json", "--vault",
                              str(root)).stdout)
    assert imported["version"] == 1 and imported["import"] == "sales"
    assert imported["total"] == "1244.57" and imported["imported_rows"] == 2
    assert [u["nip"] for u in imported["unknown"]] == ["7680002466"]
    assert imported["written"] == ["sales/2026-11.csv"] and imported["commit"]
    clients = tmp_path / "klienci.csv"
    clients.write_text("NIP;Nazwa;Segment\n7680002466;Nowy Klient;B\n"
                       "5260250274;Hydro-Tech Sp. z o.o.;B\n", encoding="utf-8")
    dry = json.loads(run("import", "clients", str(clients), "--json", "--dry-run", "--vault",
                         str(root)).stdout)
    assert dry["version"] == 1 and dry["dry_run"] is True and dry["commit"] is None
    assert dry["created"] and dry["updated"] == [{"file": NOTE, "keys": ["tier"]}]
    assert dry["written"] == []


def test_history_json_of_a_client_in_a_plain_folder(make_vault, run):
    root = make_vault({NOTE: SPEC_NOTE})
    git_init(root)
    data = json.loads(run("history", "5260250274", "--json", "--vault", str(root)).stdout)
    assert data["client"] == {"name": "Hydro-Tech Sp. z o.o.", "file": NOTE}
