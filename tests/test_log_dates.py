"""Dates and channels as a rep writes them, through the real CLI."""

import json
import subprocess

import pytest
from conftest import SPEC_NOTE, snapshot

NOTE = "clients/Solar.md"
SOLAR = SPEC_NOTE.replace("Hydro-Tech Sp. z o.o.", "Solar Sp. z o.o.")


def text(root):
    return (root / NOTE).read_text(encoding="utf-8")


@pytest.mark.parametrize("written", ["2026-11-20", "20.11.2026", "2026-11-20 ", "2026-11-20"])
def test_date_takes_iso_and_polish_forms(make_vault, run, written):
    root = make_vault({NOTE: SOLAR})
    r = run("log", "solar", "Telefon", "--date", written, "--vault", str(root), "--no-commit")
    assert r.exit_code == 0, r.output
    assert "- 2026-11-20 other: Telefon" in text(root)
    assert "last_contact: 2026-11-20" in text(root)


def test_next_takes_the_polish_form(make_vault, run):
    root = make_vault({NOTE: SOLAR})
    r = run("log", "solar", "x", "--next", "04.12.2026", "--vault", str(root), "--no-commit")
    assert r.exit_code == 0, r.output
    assert "next_contact: 2026-12-04" in text(root)


@pytest.mark.parametrize("written", ["03/12/2026", "2026-13-01", "31.02.2026", "jutro"])
def test_a_date_that_is_no_date_is_a_plain_usage_error(make_vault, run, written):
    root = make_vault({NOTE: SOLAR}, git=True)
    before = snapshot(root)
    r = run("log", "solar", "x", "--date", written, "--vault", str(root))
    assert r.exit_code == 2
    assert "strptime" not in r.stderr and "format" not in r.stderr
    assert "YYYY-MM-DD or DD.MM.YYYY" in r.stderr or "not a day of the calendar" in r.stderr
    assert snapshot(root) == before


def test_a_contact_after_today_is_refused(make_vault, run):
    root = make_vault({NOTE: SOLAR}, git=True)
    before = snapshot(root)
    r = run("log", "solar", "Telefon", "--date", "2062-12-03", "--vault", str(root))
    assert r.exit_code == 2
    assert r.stderr == ("clients/Solar.md:0: the contact date 2062-12-03 is after today "
                        "(2026-11-27); log a contact once it has happened, and plan the next "
                        "one with --next\n")
    assert snapshot(root) == before


def test_next_before_the_contact_is_refused(make_vault, run):
    root = make_vault({NOTE: SOLAR}, git=True)
    before = snapshot(root)
    r = run("log", "solar", "x", "--date", "2026-11-25", "--next", "24.11.2026",
            "--vault", str(root))
    assert r.exit_code == 2
    assert "the next contact 2026-11-24 is before this contact (2026-11-25)" in r.stderr
    assert snapshot(root) == before
    # the same day is fine: a follow-up call later that day
    r = run("log", "solar", "x", "--date", "2026-11-25", "--next", "2026-11-25",
            "--vault", str(root), "--no-commit")
    assert r.exit_code == 0, r.output


def test_check_reports_a_last_contact_after_today(make_vault, run):
    typo = SOLAR.replace("last_contact: 2026-11-18", "last_contact: 2062-11-18")
    root = make_vault({NOTE: typo})
    r = run("check", "--vault", str(root))
    assert r.exit_code == 1
    assert ("clients/Solar.md:9: last_contact 2062-11-18 is after today (2026-11-27)"
            in r.stderr)
    r = run("check", "--json", "--vault", str(root), "--today", "2062-11-18")
    assert r.exit_code == 0, json.loads(r.stdout)["problems"]


@pytest.mark.parametrize("word, stored", [("telefon", "phone"), ("wizyta", "visit"),
                                          ("spotkanie", "meeting"), ("mail", "email"),
                                          ("sms", "sms"), ("inne", "other"), ("Phone", "phone"),
                                          ("e-mail", "email")])
def test_channels_in_the_vault_language_are_stored_canonically(make_vault, run, word, stored):
    root = make_vault({NOTE: SOLAR}, locale="pl", git=True)
    r = run("log", "solar", "Rozmowa", "--via", word, "--vault", str(root))
    assert r.exit_code == 0, r.output
    assert f"- 2026-11-27 {stored}: Rozmowa" in text(root)
    trailers = subprocess.run(["git", "log", "-1", "--format=%(trailers)"], cwd=root,
                              capture_output=True, text=True, check=True).stdout
    assert f"Channel: {stored}" in trailers


def test_an_unknown_channel_lists_both_languages(make_vault, run):
    root = make_vault({NOTE: SOLAR}, locale="pl")
    r = run("log", "solar", "x", "--via", "fax", "--vault", str(root))
    assert r.exit_code == 2
    assert "'fax' is not a channel: use phone, email, sms, visit, meeting, other" in r.stderr
    assert "telefon" in r.stderr and "wizyta" in r.stderr
