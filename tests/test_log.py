"""`log` and `history` through the real CLI on real git vaults."""

import json
import subprocess
from datetime import date, timedelta
from pathlib import PurePosixPath

from conftest import SPEC_NOTE
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from salesnotes.edit import contactlog
from salesnotes.read.note import read_note

NOTE = "clients/Kraków/Hydro-Tech Sp. z o.o..md"


def git(root, *args):
    return subprocess.run(["git", "-c", "core.quotepath=off", *args], cwd=root, check=True,
                          capture_output=True, text=True).stdout


def test_log_commits_one_file_with_trailers_and_history_shows_it_first(make_vault, run):
    root = make_vault({NOTE: SPEC_NOTE, "clients/Other.md": "---\ntier: B\n---\n"}, git=True)
    (root / "clients/Other.md").write_text("---\ntier: C\n---\n")  # the rep's own unsaved work
    result = run("log", "hydro", "Buyer wants the Q1 offer", "--via", "phone",
                 "--vault", str(root))
    assert result.exit_code == 0, result.output
    assert git(root, "show", "--name-only", "--format=", "HEAD").strip() == NOTE
    msg = git(root, "log", "-1", "--format=%B")
    assert msg.startswith("contact: Hydro-Tech Sp. z o.o. (phone)\n\nBuyer wants the Q1 offer\n")
    trailers = git(root, "log", "-1", "--format=%(trailers)")
    assert "Client-NIP: 5260250274" in trailers
    assert "Contact-Date: 2026-11-27" in trailers
    assert "Channel: phone" in trailers
    assert "M clients/Other.md" in git(root, "status", "--short").replace(" M", "M")
    hist = json.loads(run("history", "Hydro", "--json", "--vault", str(root)).stdout)["contacts"]
    assert hist[0]["date"] == "2026-11-27" and hist[0]["text"] == "Buyer wants the Q1 offer"
    assert hist[0]["source"] == "log+git"


def test_log_changes_only_the_log_line_and_the_dates(make_vault, run):
    root = make_vault({NOTE: SPEC_NOTE})
    before = (root / NOTE).read_text().splitlines()
    run("log", "hydro", "Offer sent", "--via", "email", "--vault", str(root), "--no-commit")
    after = (root / NOTE).read_text().splitlines()
    removed = [ln for ln in before if ln not in after]
    added = [ln for ln in after if ln not in before]
    assert removed == ["last_contact: 2026-11-18"]  # next_contact 2026-12-02: still booked
    assert added == ["last_contact: 2026-11-27", "- 2026-11-27 email: Offer sent"]
    assert after[after.index("## Log") + 1] == "- 2026-11-27 email: Offer sent"


def test_log_with_next_sets_next_contact(make_vault, run):
    root = make_vault({NOTE: SPEC_NOTE})
    run("log", "hydro", "x", "--next", "2026-12-10", "--vault", str(root))
    assert "next_contact: 2026-12-10" in (root / NOTE).read_text()


def test_older_contact_does_not_move_last_contact(make_vault, run):
    root = make_vault({NOTE: SPEC_NOTE})
    run("log", "hydro", "backfilled", "--date", "2026-01-05", "--vault", str(root))
    text = (root / NOTE).read_text()
    assert "last_contact: 2026-11-18" in text and "next_contact: 2026-12-02" in text
    assert "- 2026-01-05 other: backfilled" in text


def test_ambiguous_prefix_changes_nothing_and_commits_nothing(make_vault, run):
    root = make_vault({"clients/Acme One.md": "---\ntier: A\n---\n",
                       "clients/Acme Two.md": "---\ntier: A\n---\n"}, git=True)
    head = git(root, "rev-parse", "HEAD")
    result = run("log", "acme", "hello", "--vault", str(root))
    assert result.exit_code == 2
    assert "matches 2 clients" in result.stderr and "Acme One" in result.stderr
    assert git(root, "rev-parse", "HEAD") == head
    assert git(root, "status", "--porcelain") == ""


def test_unknown_client_suggests_close_names(make_vault, run):
    root = make_vault({"clients/Łódź Serwis.md": "---\ntier: A\n---\n"})
    assert run("log", "lodz serwis", "x", "--vault", str(root)).exit_code == 0
    result = run("log", "lodz serwiz", "x", "--vault", str(root))
    assert result.exit_code == 2 and "did you mean 'Łódź Serwis'" in result.stderr


def test_log_without_git_repo_edits_and_does_not_commit(make_vault, run):
    root = make_vault({NOTE: SPEC_NOTE})
    result = run("log", "5260250274", "by NIP", "--vault", str(root))
    assert result.exit_code == 0 and "committed" not in result.stdout
    assert "- 2026-11-27 other: by NIP" in (root / NOTE).read_text()


def test_held_index_lock_exits_75_and_keeps_the_edit(make_vault, run):
    root = make_vault({NOTE: SPEC_NOTE}, git=True)
    (root / ".git/index.lock").write_text("")
    result = run("log", "hydro", "while busy", "--vault", str(root))
    assert result.exit_code == 75
    assert "index.lock" in result.stderr
    assert (root / ".git/index.lock").exists()
    assert "while busy" in (root / NOTE).read_text()


def test_history_keeps_a_contact_whose_line_was_deleted(make_vault, run):
    root = make_vault({NOTE: SPEC_NOTE}, git=True)
    run("log", "hydro", "to be deleted", "--vault", str(root))
    path = root / NOTE
    path.write_text(path.read_text().replace("- 2026-11-27 other: to be deleted\n", ""))
    hist = json.loads(run("history", "hydro", "--json", "--vault", str(root)).stdout)["contacts"]
    assert hist[0]["text"] == "to be deleted" and hist[0]["source"] == "git"


def test_history_shows_every_log_line_when_a_broken_note_makes_it_load_the_vault(make_vault, run):
    # a broken note leaves the who-is-who index unsure: the client is found in the loaded vault,
    # whose notes are summaries; history must still read the note whole
    root = make_vault({NOTE: SPEC_NOTE, "clients/Broken.md": "---\ntier: [A\n---\n"})
    whole = read_note(PurePosixPath(NOTE), (root / NOTE).read_bytes()).note
    result = run("history", "hydro", "--json", "--vault", str(root))
    assert result.exit_code == 0, result.output
    hist = json.loads(result.stdout)["contacts"]
    assert len(whole.body.log) > 1
    assert [h["text"] for h in hist] == [e.text for e in sorted(
        whole.body.log, key=lambda e: e.date, reverse=True)]


def test_breath_takes_last_contact_from_git_when_note_has_none(make_vault, run):
    root = make_vault({"clients/Bare.md": "Notes without front-matter or log.\n"}, git=True)
    before = json.loads(run("status", "--json", "--vault", str(root)).stdout)["clients"]
    assert before[0]["breath"] == "never"
    run("log", "bare", "first call", "--vault", str(root), "--date", "2026-11-20")
    path = root / "clients/Bare.md"
    text = path.read_text()
    # the rep deletes the line and the front-matter by hand: git still remembers the contact
    path.write_text(text.split("---\n", 2)[2].replace("- 2026-11-20 other: first call\n", ""))
    git(root, "commit", "-qam", "tidy")
    after = json.loads(run("status", "--json", "--vault", str(root)).stdout)["clients"]
    assert after[0]["last_contact"] == "2026-11-20"


lines = st.text(alphabet="abc ĄŁź:#'\"-", min_size=1, max_size=12).map(str.strip).filter(
    lambda s: s and not s.startswith(("-", "#", "'", '"', ":")) and ":" not in s and "#" not in s)


@st.composite
def notes(draw):
    nl = draw(st.sampled_from(["\n", "\r\n"]))
    bom = draw(st.booleans())
    keys = [f"name: {json.dumps(draw(lines), ensure_ascii=False)}", "tier: A", "# a comment",
            draw(st.sampled_from(["tags: [a, b]", "tags:\n  - a\n  - b", "x: ~", ""])),
            draw(st.sampled_from(["last_contact: 2026-01-02", "last_contact: '2026-01-02'",
                                  'last_contact: "2026-01-02"', ""]))]
    has_fm = draw(st.booleans())
    body = ["# Title", "", draw(lines), ""]
    if draw(st.booleans()):
        body += ["## Log", "- 2025-12-01 phone: old", ""]
    body += [draw(st.sampled_from(["trailing text", "```\n- [ ] code\n```", "> quote"])), ""]
    front = ["---", *[k for k in keys if k], "---"] if has_fm else []
    text = nl.join("\n".join(front + body).split("\n"))
    return (b"\xef\xbb\xbf" if bom else b"") + text.encode("utf-8")


@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=notes(), days=st.integers(0, 400))
def test_log_property_changes_only_intended_lines(tmp_path_factory, data, days):
    root = tmp_path_factory.mktemp("v")
    (root / "clients").mkdir()
    path = root / "clients" / "n.md"
    path.write_bytes(data)
    note = read_note(PurePosixPath("clients/n.md"), data).note
    when = date(2026, 1, 3) + timedelta(days=days)
    contact = contactlog.make_contact("called", "phone", when, None)
    contactlog.log_contact(root, note, contact)
    new = path.read_bytes()
    assert new.startswith(b"\xef\xbb\xbf") == data.startswith(b"\xef\xbb\xbf")
    if b"\r\n" in data:
        assert new.count(b"\n") == new.count(b"\r\n")
    old_lines = data.decode("utf-8-sig").splitlines()
    new_lines = new.decode("utf-8-sig").splitlines()
    removed = [ln for ln in old_lines if ln not in new_lines]
    added = [ln for ln in new_lines if ln not in old_lines]
    assert all(ln.startswith(("last_contact:", "next_contact:")) for ln in removed)
    assert f"- {when.isoformat()} phone: called" in added
    assert all(ln.startswith(("last_contact:", "next_contact:", "- 20", "## Log", "---")) or not ln
               for ln in added), added
    reread = read_note(PurePosixPath("clients/n.md"), new).note
    assert reread.last_contact == when
    assert reread.body.log[0].text == "called" and reread.body.log[0].date == when


def test_who_is_who_index_follows_renames_and_edits(make_vault, run):
    import os

    from salesnotes.local import store
    from salesnotes.local.lookupindex import INDEX_FILE, who_is_who

    root = make_vault({"clients/Acme.md": "---\nname: Acme\nnip: 5260250274\n---\n",
                       "clients/Beta.md": "---\nname: Beta\n---\n"})
    old = 1_600_000_000_000_000_000  # long ago: not racy, so the index keeps the rows
    for p in (root / "clients").iterdir():
        os.utime(p, ns=(old, old))
    def people():
        index = who_is_who(root)
        if index is None:
            return None
        with index:
            return {w.name: str(w.path) for w in index.everyone()}

    assert set(people()) == {"Acme", "Beta"}
    assert store.path(root, INDEX_FILE).is_file()
    beta = root / "clients/Beta.md"
    beta.write_text("---\nname: Gamma Trade\n---\n")
    os.utime(beta, ns=(old + 10**9, old + 10**9))
    (root / "clients/Acme.md").rename(root / "clients/Acme2.md")
    assert people() == {"Acme": "clients/Acme2.md", "Gamma Trade": "clients/Beta.md"}
    assert run("log", "gamma", "hi", "--vault", str(root)).exit_code == 0
    assert "- 2026-11-27 other: hi" in beta.read_text()
    assert run("log", "beta", "hi", "--vault", str(root)).exit_code == 0  # the file name still
    (root / "clients/Broken.md").write_text("---\nname: [x\n---\n")
    assert who_is_who(root) is None  # a broken note: the caller loads the vault and says why
    assert run("log", "acme", "again", "--vault", str(root)).exit_code == 0
