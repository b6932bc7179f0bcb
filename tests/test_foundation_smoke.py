"""The read path end to end through the CLI: check and status on a small messy vault."""

import json

from conftest import SPEC_NOTE


def test_status_json_lists_good_notes_and_check_reports_broken(make_vault, run):
    files = {f"clients/Client {i:02d}.md": f"---\nname: Client {i:02d}\ntier: B\n---\n"
             for i in range(99)}
    files["clients/Broken.md"] = "---\nname: [broken\n---\n"
    root = make_vault(files)
    status = run("status", "--json", "--vault", str(root))
    assert len(json.loads(status.stdout)["clients"]) == 99
    check = run("--vault", str(root), "check")
    assert check.exit_code == 1
    assert "clients/Broken.md:2: malformed YAML" in check.stderr


def test_spec_note_reads_clean(make_vault, run):
    root = make_vault({"clients/Kraków/Hydro-Tech Sp. z o.o..md": SPEC_NOTE})
    result = run("check", "--vault", str(root))
    assert result.exit_code == 0, result.stderr
    rows = json.loads(run("status", "--json", "--vault", str(root)).stdout)["clients"]
    assert rows == [{
        "name": "Hydro-Tech Sp. z o.o.", "file": "clients/Kraków/Hydro-Tech Sp. z o.o..md",
        "nip": "5260250274", "tier": "A", "status": "active", "breath": "due",
        "last_contact": "2026-11-18", "next_contact": "2026-12-02", "days_overdue": 0}]
