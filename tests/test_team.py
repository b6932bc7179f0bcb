"""The team roll-up through the real CLI and real git: reps' vaults with bare remotes, a team
vault, and figures that must equal what each rep's own salesnotes shows."""

from __future__ import annotations

import json
import subprocess
from decimal import Decimal
from pathlib import Path

import pytest
from conftest import TODAY, git_init, write_files

CONFIG = """owner: {owner}
locale: en
tiers:
  A: {{cadence_days: 14}}
  C: {{cadence_days: 90}}
pay:
  base: 7000.00
  commission:
    basis: revenue
    period: month
    rates:
      - {{from: 0.0, rate: 0.01}}
      - {{from: 0.8, rate: 0.03}}
git: {{commit: true}}
"""
# valid NIPs (checksums right): one company per NIP
NIPS = ["5260250274", "7740001454", "5252248481", "9542742927", "1132191233", "8992689516"]


def note(name: str, nip: str, tier: str, last: str | None, budget: int, owner: str = "") -> str:
    lines = ["---", f"name: {name}", f'nip: "{nip}"', f"tier: {tier}", f"budget: {budget}"]
    if last:
        lines.append(f"last_contact: {last}")
    if owner:
        lines.append(f"owner: {owner}")
    return "\n".join([*lines, "---", f"# {name}", "", "## Log", ""]) + "\n"


def git(root: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=root, check=True, capture_output=True,
                          text=True).stdout.strip()


def make_rep(tmp_path: Path, who: str, clients: list[tuple[str, str, str, str | None, int]],
             sales: str = "") -> tuple[Path, Path]:
    """A rep's vault (a git repository) and its bare remote, pushed."""
    root = tmp_path / who
    root.mkdir()
    files: dict[str, str | bytes] = {"salesnotes.yaml": CONFIG.format(owner=who)}
    for name, nip, tier, last, budget in clients:
        files[f"clients/{name}.md"] = note(name, nip, tier, last, budget)
    if sales:
        files["sales/2026-11.csv"] = "date,document,nip,client,amount,margin\n" + sales
    write_files(root, files)
    git_init(root)
    git(root, "add", "-A")
    git(root, "commit", "-qm", "start")
    remote = tmp_path / f"{who}.git"
    git(tmp_path, "init", "-q", "--bare", str(remote))
    git(root, "remote", "add", "origin", str(remote))
    git(root, "push", "-q", "origin", "main")
    return root, remote


@pytest.fixture
def team(tmp_path: Path, run):
    """Three reps (Anna and Piotr share one company's NIP) and a team vault listing them."""
    anna = make_rep(tmp_path, "anna", [
        ("Hydro-Tech", NIPS[0], "A", "2026-10-01", 120000),
        ("Aqua-Serwis", NIPS[1], "C", "2026-11-20", 60000),
        ("Nowy Klient", NIPS[2], "C", None, 0),
    ], "2026-11-03,FV/1,5260250274,Hydro-Tech,10000.50,\n"
       "2026-11-05,FV/2,7740001454,Aqua-Serwis,2500.25,\n")
    piotr = make_rep(tmp_path, "piotr", [
        ("Termo-Bud", NIPS[3], "A", "2026-11-25", 240000),
        ("Hydro-Tech Kraków", NIPS[0], "C", "2026-11-10", 0),
    ], "2026-11-10,FV/9,9542742927,Termo-Bud,30000.00,\n")
    ola = make_rep(tmp_path, "ola", [("Gaz-Met", NIPS[4], "C", "2026-06-01", 50000)])
    result = run("team", "init", str(tmp_path / "team"), "--locale", "en")
    assert result.exit_code == 0, result.output
    root = tmp_path / "team"
    for name, (_, remote) in (("Anna Nowak", anna), ("Piotr Wiśniewski", piotr),
                              ("Ola Kot", ola)):
        result = run("team", "add", name, str(remote), "--vault", str(root))
        assert result.exit_code == 0, result.output
    return {"root": root, "anna": anna[0], "piotr": piotr[0], "ola": ola[0]}


def status_of(run, vault: Path) -> dict[str, int]:
    rows = json.loads(run("status", "--json", "--vault", str(vault)).output)
    rows = rows["clients"] if isinstance(rows, dict) else rows
    counts = {"overdue": 0, "never": 0, "due": 0, "ok": 0}
    for row in rows:
        counts[row["breath"]] += 1
    return counts


def team_status(run, root: Path) -> dict[str, dict]:
    data = json.loads(run("team", "status", "--json", "--vault", str(root)).output)
    assert data["version"] == 1
    return {r["name"]: r for r in data["reps"]}


def notes_read(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The notes the team review parses from now on (every other one comes from its summary)."""
    from salesnotes.team import snapshot

    calls: list[str] = []
    real = snapshot.read_note
    monkeypatch.setattr(snapshot, "read_note",
                        lambda rel, data, **kw: calls.append(str(rel)) or real(rel, data, **kw))
    return calls


def piotr_logs_a_visit_and_pushes(team, run) -> None:
    run("log", "Termo-Bud", "Visit", "--via", "visit", "--vault", str(team["piotr"]))
    git(team["piotr"], "push", "-q", "origin", "main")


def test_each_reps_figures_equal_their_own_status_and_ledger(team, run):
    result = run("team", "review", "--vault", str(team["root"]))
    assert result.exit_code == 0, result.output + result.stderr
    reps = team_status(run, team["root"])
    for name, key in (("Anna Nowak", "anna"), ("Piotr Wiśniewski", "piotr"), ("Ola Kot", "ola")):
        own = status_of(run, team[key])
        row = reps[name]
        assert {k: row[k] for k in own} == own, name
        assert row["commit"] == git(team[key], "rev-parse", "HEAD")
        assert row["clients"] == sum(own.values())
    assert reps["Anna Nowak"]["actual_ytd"] == "12500.75"  # the ledger's November, to the grosz
    assert reps["Piotr Wiśniewski"]["actual_ytd"] == "30000.00"
    assert reps["Ola Kot"]["actual_ytd"] == "0.00"
    # the commission by each rep's own plan, as their Pay.md computes it
    from salesnotes.load.vault import load_vault
    from salesnotes.model.portfolio import Book
    from salesnotes.reports.pay import pay_year

    for name, key in (("Anna Nowak", "anna"), ("Piotr Wiśniewski", "piotr")):
        own = pay_year(Book.of(load_vault(team[key], cache=False), TODAY))
        assert own is not None and own.current.commission is not None
        assert Decimal(reps[name]["commission"]) == own.current.commission.amount


def test_team_md_totals_are_the_exact_sum_and_the_shared_nip_is_a_conflict(team, run):
    assert run("team", "review", "--vault", str(team["root"])).exit_code == 0
    text = (team["root"] / "views" / "Team.md").read_text()
    assert text.startswith("<!-- generated by salesnotes: do not edit -->\n")
    assert "PLN 42,500.75" in text  # 12,500.75 + 30,000.00 + 0.00
    conflicts = text.split("## Territory conflicts")[1].split("##")[0]
    assert NIPS[0] in conflicts
    assert "clients/Hydro-Tech.md" in conflicts and "clients/Hydro-Tech Kraków.md" in conflicts
    assert NIPS[1] not in conflicts
    svg = (team["root"] / "views" / "team.svg").read_text()
    assert svg.count("<rect") > 3 and "Anna Nowak" in svg
    assert git(team["root"], "log", "-1", "--format=%s").startswith("salesnotes: team review")


def test_a_contact_logged_and_pushed_shows_in_the_next_review(team, run):
    assert run("team", "review", "--vault", str(team["root"])).exit_code == 0
    before = team_status(run, team["root"])["Anna Nowak"]
    assert before["overdue"] == 1  # Hydro-Tech, tier A, last contact 1 October
    result = run("log", "Hydro-Tech", "Phoned the buyer", "--vault", str(team["anna"]))
    assert result.exit_code == 0, result.output + result.stderr
    git(team["anna"], "push", "-q", "origin", "main")
    assert run("team", "review", "--vault", str(team["root"])).exit_code == 0
    after = team_status(run, team["root"])["Anna Nowak"]
    assert after["overdue"] == 0 and after["ok"] == before["ok"] + 1
    assert after["commit"] == git(team["anna"], "rev-parse", "HEAD")
    assert status_of(run, team["anna"]) == {k: after[k] for k in ("overdue", "never", "due", "ok")}


def test_the_second_review_reads_only_the_notes_that_changed(team, run, monkeypatch):
    assert run("team", "review", "--vault", str(team["root"])).exit_code == 0
    calls = notes_read(monkeypatch)
    piotr_logs_a_visit_and_pushes(team, run)
    assert run("team", "review", "--vault", str(team["root"])).exit_code == 0
    assert calls == ["clients/Termo-Bud.md"]
    # the ledger, unchanged, came from the kept summary: the same sums as the rep's own
    assert team_status(run, team["root"])["Piotr Wiśniewski"]["actual_ytd"] == "30000.00"


def test_only_a_rep_who_pushed_is_fetched_again(team, run, monkeypatch):
    from salesnotes.git import mirror

    assert run("team", "review", "--vault", str(team["root"])).exit_code == 0
    fetched: list[str] = []
    real = mirror._remote_git
    monkeypatch.setattr(mirror, "_remote_git", lambda where, remote, *args: (
        fetched.append(Path(remote).stem) if args[0] == "fetch" else None)
        or real(where, remote, *args))
    assert run("team", "review", "--vault", str(team["root"])).exit_code == 0
    assert fetched == []  # every branch still at the commit last fetched
    piotr_logs_a_visit_and_pushes(team, run)
    assert run("team", "review", "--vault", str(team["root"])).exit_code == 0
    assert fetched == ["piotr"]
    assert team_status(run, team["root"])["Piotr Wiśniewski"]["commit"] == git(
        team["piotr"], "rev-parse", "HEAD")


def test_notes_kept_by_another_parser_are_read_again(team, run, monkeypatch):
    from salesnotes.local import cache

    assert run("team", "review", "--vault", str(team["root"])).exit_code == 0
    calls = notes_read(monkeypatch)
    monkeypatch.setattr(cache, "identity", lambda: {"schema": "another parser"})
    piotr_logs_a_visit_and_pushes(team, run)
    assert run("team", "review", "--vault", str(team["root"])).exit_code == 0
    assert sorted(calls) == ["clients/Hydro-Tech Kraków.md", "clients/Termo-Bud.md"]


def test_an_unreachable_rep_is_reported_and_the_others_are_built(team, run, tmp_path):
    (tmp_path / "team" / "team.yaml").open("a").write(
        '  - {name: Zdalny, remote: "https://jan:s3cret@127.0.0.1:9/x.git"}\n'
        "  - {name: Brak, remote: ../nothing-here.git}\n")
    result = run("team", "review", "--vault", str(team["root"]))
    assert result.exit_code == 1
    assert "s3cret" not in result.output + result.stderr
    assert "team.yaml:" in result.stderr and "Zdalny" in result.stderr
    text = (team["root"] / "views" / "Team.md").read_text()
    assert "s3cret" not in text
    assert "| Anna Nowak |" in text and "## Not synced" in text
    not_synced = text.split("## Not synced")[1]
    assert "Zdalny" in not_synced and "Brak" in not_synced and "never" in not_synced


def test_a_named_branch_is_read_and_a_missing_one_is_said(team, run, tmp_path):
    remote = tmp_path / "anna.git"
    (tmp_path / "team" / "team.yaml").open("a").write(
        f'  - {{name: Anna Main, remote: "{remote}", branch: main}}\n'
        f'  - {{name: Anna Old, remote: "{remote}", branch: old}}\n')
    result = run("team", "review", "--vault", str(team["root"]))
    assert result.exit_code == 1
    assert "Anna Old" in result.stderr and "no branch 'old'" in result.stderr
    data = json.loads(run("team", "status", "--json", "--vault", str(team["root"])).stdout)
    rows = {r["name"]: r for r in data["reps"]}
    assert rows["Anna Main"]["commit"] == rows["Anna Nowak"]["commit"] == git(
        team["anna"], "rev-parse", "HEAD")
    assert rows["Anna Old"]["commit"] is None


def test_a_force_pushed_rep_is_read_again_whole(team, run):
    assert run("team", "review", "--vault", str(team["root"])).exit_code == 0
    ola = team["ola"]
    note_path = ola / "clients" / "Gaz-Met.md"
    note_path.write_text(note("Gaz-Met", NIPS[4], "C", "2026-11-26", 50000))
    git(ola, "commit", "-qa", "--amend", "-m", "rewritten")
    git(ola, "push", "-q", "--force", "origin", "main")
    assert run("team", "review", "--vault", str(team["root"])).exit_code == 0
    row = team_status(run, team["root"])["Ola Kot"]
    assert row["commit"] == git(ola, "rev-parse", "HEAD")
    assert (row["overdue"], row["ok"]) == (0, 1)


def test_a_shared_vault_splits_by_owner(tmp_path, run):
    root = tmp_path / "shared"
    root.mkdir()
    write_files(root, {
        "salesnotes.yaml": CONFIG.format(owner="Firma"),
        "clients/A.md": note("A", NIPS[0], "A", "2026-10-01", 1000, owner="anna"),
        "clients/B.md": note("B", NIPS[1], "C", "2026-11-20", 1000, owner="piotr"),
        "clients/C.md": note("C", NIPS[2], "C", None, 1000, owner="piotr"),
        "sales/2026-11.csv": "date,document,nip,client,amount,margin\n"
                             "2026-11-03,FV/1,5260250274,A,100.10,\n"
                             "2026-11-04,FV/2,7740001454,B,200.20,\n",
    })
    git_init(root)
    git(root, "add", "-A")
    git(root, "commit", "-qm", "start")
    team_root = tmp_path / "team"
    assert run("team", "init", str(team_root), "--locale", "en").exit_code == 0
    (team_root / "team.yaml").write_text(
        f"locale: en\nshared: {root}\nreps:\n  - {{name: Anna, owner: anna}}\n"
        "  - {name: Piotr, owner: piotr}\n")
    result = run("team", "review", "--vault", str(team_root))
    assert result.exit_code == 0, result.output + result.stderr
    reps = team_status(run, team_root)
    assert (reps["Anna"]["clients"], reps["Anna"]["overdue"]) == (1, 1)
    assert (reps["Piotr"]["clients"], reps["Piotr"]["never"], reps["Piotr"]["ok"]) == (2, 1, 1)
    assert (reps["Anna"]["actual_ytd"], reps["Piotr"]["actual_ytd"]) == ("100.10", "200.20")


def test_team_yaml_problems_name_their_line(tmp_path, run):
    root = tmp_path / "team"
    assert run("team", "init", str(root)).exit_code == 0
    (root / "team.yaml").write_text("reps:\n  - {name: Anna, remote: ../a.git}\n"
                                    "  - {name: anna, remote: ../b.git}\n  - {name: Bez}\n")
    result = run("team", "review", "--vault", str(root), "--offline")
    assert result.exit_code == 1
    assert "team.yaml:3: handlowiec 'anna' jest na liście dwa razy" in result.stderr
    assert "team.yaml:4: handlowiec 'Bez' nie ma remote" in result.stderr


def test_team_add_changes_no_other_byte(tmp_path, run):
    root = tmp_path / "team"
    assert run("team", "init", str(root)).exit_code == 0
    original = ("\ufeff# our team\r\nlocale: pl   # Polish views\r\nreps:\r\n"
                "  - {name: Anna, remote: '../a.git'}  # the north\r\n").encode()
    (root / "team.yaml").write_bytes(original)
    assert run("team", "add", "Piotr Wiśniewski", "../p.git", "--branch", "main",
               "--vault", str(root)).exit_code == 0
    data = (root / "team.yaml").read_bytes()
    assert data.startswith(original)
    assert data[len(original):] == "  - {name: Piotr Wiśniewski, remote: \"../p.git\", " \
                                   "branch: main}\r\n".encode()
    result = run("team", "add", "piotr wiśniewski", "../x.git", "--vault", str(root))
    assert result.exit_code == 1 and "already" in result.stderr


def test_the_team_vault_is_its_own_repository_and_nothing_is_pushed(team, run):
    before = {k: git(team[k], "rev-parse", "HEAD") for k in ("anna", "piotr", "ola")}
    remotes = {k: git(team[k], "ls-remote", "origin") for k in ("anna", "piotr", "ola")}
    assert run("team", "review", "--vault", str(team["root"])).exit_code == 0
    assert git(team["root"], "rev-parse", "--show-toplevel") == str(team["root"].resolve())
    assert {k: git(team[k], "rev-parse", "HEAD") for k in before} == before
    assert {k: git(team[k], "ls-remote", "origin") for k in remotes} == remotes
    assert git(team["anna"], "status", "--porcelain") == ""


def test_reps_read_in_parallel_processes_give_the_same_figures(team, run, monkeypatch):
    from salesnotes.team import rollup

    assert run("team", "review", "--vault", str(team["root"]), "--no-commit").exit_code == 0
    alone = team_status(run, team["root"])
    monkeypatch.setattr(rollup, "PARALLEL_FROM", 1)
    for summary in (team["root"] / ".salesnotes" / "team").glob("*.pickle"):
        summary.unlink()  # read every note again, in the forked workers
    assert run("team", "review", "--vault", str(team["root"])).exit_code == 0
    assert team_status(run, team["root"]) == alone
    # parsed notes and figures, one of each per rep
    assert len(list((team["root"] / ".salesnotes" / "team").glob("*.pickle"))) == 6


def test_kept_figures_are_for_their_own_date_only(team, run):
    assert run("team", "review", "--vault", str(team["root"])).exit_code == 0
    assert team_status(run, team["root"])["Anna Nowak"]["overdue"] == 1
    later = json.loads(run("team", "status", "--json", "--today", "2027-03-01",
                           "--vault", str(team["root"])).output)
    anna = next(r for r in later["reps"] if r["name"] == "Anna Nowak")
    assert anna["overdue"] == 2  # Aqua-Serwis (tier C, 20 November) is late by March


def test_daily_notes_count_as_they_do_in_the_reps_own_review(team, run):
    anna = team["anna"]
    write_files(anna, {"Daily/2026-11-26.md": "- [ ] call [[Aqua-Serwis]]\n"
                                              "- rang [[Hydro-Tech]]: order in January\n",
                       "2026-12-24.md": "- visit [[Nowy Klient]]\n"})  # after --today: a plan
    git(anna, "add", "-A")
    git(anna, "commit", "-qm", "daily notes")
    git(anna, "push", "-q", "origin", "main")
    assert run("team", "review", "--vault", str(team["root"])).exit_code == 0
    row = team_status(run, team["root"])["Anna Nowak"]
    own = status_of(run, anna)
    assert own["overdue"] == 0 and own["never"] == 1  # Hydro-Tech breathes again
    assert {k: row[k] for k in own} == own


def test_a_planted_summary_runs_nothing(team, run, tmp_path):
    import pickle

    class Boom:
        def __reduce__(self):
            return (Path.write_text, (tmp_path / "pwned", "x"))

    assert run("team", "review", "--vault", str(team["root"])).exit_code == 0
    for summary in (team["root"] / ".salesnotes" / "team").glob("*.pickle"):
        summary.write_bytes(pickle.dumps((3, Boom())))
    assert run("team", "review", "--vault", str(team["root"])).exit_code == 0
    assert not (tmp_path / "pwned").exists()
    assert team_status(run, team["root"])["Anna Nowak"]["clients"] == 3
