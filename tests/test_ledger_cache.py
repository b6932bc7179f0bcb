"""The ledger's parse cache in `.salesnotes/`: the same sales and problems as a fresh parse,
an edited month parsed again, a broken, foreign or planted cache file ignored."""

from __future__ import annotations

import os
import pickle
import subprocess
import sys
import tempfile
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from conftest import SPEC_NOTE
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from salesnotes.load.vault import load_vault
from salesnotes.local import ledgercache, store
from salesnotes.local.ledgercache import LedgerCache
from salesnotes.model.ledger import (
    Sale,
    _order,
    _sorted,
    read_ledger,
    sale_columns,
    sales_of_columns,
)

OLD = 1_700_000_000  # long past: no file is too fresh to keep (store.RACY_NS)
HEADER = "date,document,nip,client,amount,margin\n"
GOOD = "2026-03-02,FV/1,5260250274,Hydro-Tech,1234.50,100.00\n"
BAD = "2026-03-03,FV/2,5260250274,Hydro-Tech,12.345,\n"  # line 3: more than 2 places


@pytest.fixture(autouse=True)
def _fresh_process(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each test starts as a new process would: nothing parsed in memory yet."""
    monkeypatch.setattr(ledgercache, "_MEMO", {})


def forget_memory() -> None:
    ledgercache._MEMO.clear()


def ledger_vault(root: Path, months: dict[str, str]) -> Path:
    (root / "sales").mkdir(parents=True, exist_ok=True)
    (root / "clients").mkdir(exist_ok=True)
    (root / "salesnotes.yaml").write_text("owner: Jan Kowalski\nlocale: en\n", encoding="utf-8")
    (root / "clients" / "Hydro-Tech.md").write_text(SPEC_NOTE, encoding="utf-8")
    for name, text in months.items():
        path = root / "sales" / name
        path.write_text(text, encoding="utf-8")
        os.utime(path, (OLD, OLD))
    return root


def cached_read(root: Path, *, store_it: bool = True) -> tuple[tuple, LedgerCache]:
    reader = LedgerCache(root, store=store_it)
    sales, problems = read_ledger(root, reader)
    reader.save()
    return (sales, problems), reader


def no_racy(monkeypatch: pytest.MonkeyPatch) -> None:
    """Files written by the test a moment ago count as old (their ctime is now)."""
    monkeypatch.setattr(store, "RACY_NS", 0)


cells = st.one_of(
    st.sampled_from(["2026-03-05", "2026-02-30", "2026-04-01", "05.03.2026", "Razem", ""]),
    st.text(alphabet="FV/0123456789 ,\"'=", max_size=6),
    st.sampled_from(["5260250274", "5260250275", "", "'=1", "7740001454"]),
    st.text(alphabet="abcŁź ,\"=@'\n", max_size=8),
    st.sampled_from(["1.5", "-0.004", "12.345", "1 234,56", "99999999999999", "7", "x", ""]),
)
row = st.lists(cells, min_size=4, max_size=7).map(
    lambda cs: ",".join('"' + c.replace('"', '""') + '"' if any(x in c for x in ',"\n') else c
                        for c in cs))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                  HealthCheck.function_scoped_fixture])
@given(months=st.dictionaries(st.sampled_from(["2026-03.csv", "2026-04.csv", "notes.csv"]),
                              st.lists(row, max_size=6).map(lambda rs: HEADER + "\n".join(rs)),
                              min_size=1, max_size=3))
def test_a_cached_ledger_is_the_fresh_parse_with_every_problem_at_its_line(months, monkeypatch):
    no_racy(monkeypatch)
    with tempfile.TemporaryDirectory() as folder:
        root = ledger_vault(Path(folder), months)
        fresh = read_ledger(root)
        first, reader = cached_read(root)  # parses, keeps
        assert first == fresh
        assert reader.parsed == len([m for m in months if m != "notes.csv"])
        forget_memory()
        again, reader = cached_read(root)  # from .salesnotes/ alone
        assert reader.parsed == 0
        assert again == fresh
        assert [type(s.amount) for s in again[0]] == [Decimal] * len(again[0])


def test_a_bad_row_is_reported_at_its_line_on_every_run(tmp_path, run, monkeypatch):
    no_racy(monkeypatch)
    root = ledger_vault(tmp_path / "v", {"2026-03.csv": HEADER + GOOD + BAD})
    for _ in range(2):
        result = run("--vault", str(root), "review", "--no-commit")
        assert "sales/2026-03.csv:3: amount '12.345' has more than 2 decimal places" in \
            result.output + result.stderr
        assert (root / ".salesnotes" / ledgercache.FILE).is_file()
    forget_memory()
    result = run("--vault", str(root), "check")
    assert "sales/2026-03.csv:3:" in result.output + result.stderr
    assert result.exit_code == 1


def test_an_edited_month_is_parsed_again_even_with_its_mtime_put_back(tmp_path, monkeypatch):
    no_racy(monkeypatch)
    root = ledger_vault(tmp_path, {"2026-03.csv": HEADER + GOOD, "2026-04.csv": HEADER})
    cached_read(root)
    forget_memory()
    path = root / "sales" / "2026-03.csv"
    path.write_text(HEADER + GOOD.replace("1234.50", "4321.50"), encoding="utf-8")  # same size
    os.utime(path, (OLD, OLD))  # only the ctime (and maybe the inode) tells
    (sales, _), reader = cached_read(root)
    assert reader.parsed == 1
    assert [s.amount for s in sales] == [Decimal("4321.50")]
    assert (sales, _) == read_ledger(root)


def test_each_month_is_kept_as_a_pickle_of_its_own_and_read_back(tmp_path, monkeypatch):
    """One pickle of every month held all their columns at once while it was written."""
    no_racy(monkeypatch)
    root = ledger_vault(tmp_path, {"2026-03.csv": HEADER + GOOD, "2026-04.csv": HEADER})
    expected = read_ledger(root)
    cached_read(root)
    parts = store.read_pickles(ledgercache.store_path(root), ledgercache.version(),
                               ledgercache._allowed())
    assert parts is not None
    assert sorted(rel for rel, _ in parts) == ["sales/2026-03.csv", "sales/2026-04.csv"]
    forget_memory()
    got, reader = cached_read(root)
    assert reader.parsed == 0
    assert got == expected


def test_a_month_written_just_now_is_used_but_not_kept(tmp_path):
    root = ledger_vault(tmp_path, {"2026-03.csv": HEADER + GOOD})
    (root / "sales" / "2026-03.csv").touch()  # written within the racy window
    (sales, _), reader = cached_read(root)
    assert [s.document for s in sales] == ["FV/1"]
    assert not reader.used
    assert not (root / ".salesnotes" / ledgercache.FILE).exists()


@pytest.mark.parametrize("damage", ["garbage", "truncated", "old version", "planted"])
def test_a_broken_foreign_or_planted_cache_file_is_ignored(tmp_path, monkeypatch, damage):
    no_racy(monkeypatch)
    root = ledger_vault(tmp_path / "v", {"2026-03.csv": HEADER + GOOD + BAD})
    expected = read_ledger(root)
    cached_read(root)
    forget_memory()
    file = root / ".salesnotes" / ledgercache.FILE
    marker = tmp_path / "pwned"

    class Evil:
        def __reduce__(self):  # noqa: ANN204
            return (Path.touch, (marker,))

    if damage == "garbage":
        file.write_bytes(b"not a pickle")
    elif damage == "truncated":
        file.write_bytes(file.read_bytes()[:100])
    elif damage == "old version":
        data = store.read_pickle(file, ledgercache.version(), ledgercache._allowed())
        store.write_pickle(file, "0:old", data)
    else:
        file.write_bytes(pickle.dumps((ledgercache.version(), {"sales/2026-03.csv": Evil()})))
    got, reader = cached_read(root)
    assert got == expected
    assert reader.parsed == 1
    assert not marker.exists()
    forget_memory()
    assert cached_read(root)[1].parsed == 0  # rewritten good


def test_check_reads_the_cache_but_writes_nothing(tmp_path, monkeypatch):
    no_racy(monkeypatch)
    root = ledger_vault(tmp_path, {"2026-03.csv": HEADER + GOOD})
    vault = load_vault(root, git=False, store_cache=False)
    assert not (root / ".salesnotes" / ledgercache.FILE).exists()
    forget_memory()
    assert load_vault(root, git=False).sales == vault.sales
    assert (root / ".salesnotes" / ledgercache.FILE).is_file()


def test_commands_that_read_no_sales_import_no_ledger_parser():
    """`log`, `status` and a skipped review import load/ but never the ledger nor python-stdnum
    (start-up time): the cache imports the parser only when a month is read."""
    code = ("import sys, salesnotes.load.vault, salesnotes.review; "
            "print(sorted(m for m in ('stdnum', 'salesnotes.model.ledger') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


sales = st.lists(st.builds(
    Sale, st.dates(), st.sampled_from(["FV/1", "FV/2", "", "=X"]),
    st.sampled_from([None, "5260250274", "7740001454"]), st.sampled_from(["A", "Bą", ""]),
    st.decimals(allow_nan=False, allow_infinity=False, places=2, max_value=10**9,
                min_value=-10**9),
    st.one_of(st.none(), st.decimals(allow_nan=False, allow_infinity=False))), max_size=12)


@settings(max_examples=60, deadline=None)
@given(sales)
def test_sales_kept_as_columns_come_back_equal_to_the_digit(kept):
    back = sales_of_columns(sale_columns(kept))
    assert back == tuple(kept)
    assert [(str(s.amount), str(s.margin)) for s in back] == [
        (str(s.amount), str(s.margin)) for s in kept]
    assert all(type(s) is Sale for s in back)


@pytest.mark.parametrize("column, bad", [(4, 1.5), (0, "2026-03-01"), (5, 2), (2, 5260250274)])
def test_columns_of_the_wrong_type_are_refused(column, bad):
    columns = list(sale_columns([Sale(date(2026, 3, 1), "FV/1", "5260250274", "A",
                                      Decimal("1.50"), Decimal(1))]))
    columns[column] = (bad,)
    with pytest.raises(TypeError):
        sales_of_columns(tuple(columns))


@settings(max_examples=60, deadline=None)
@given(sales)
def test_the_ledger_order_is_sorting_by_every_field(kept):
    assert _sorted(list(kept)) == sorted(kept, key=_order)


def test_a_ledger_read_from_the_cache_imports_no_stdnum(tmp_path, monkeypatch):
    """python-stdnum (30 ms: ssl, pydoc) only when a month is parsed; a warm review parses none."""
    no_racy(monkeypatch)
    root = ledger_vault(tmp_path, {"2026-03.csv": HEADER + GOOD})
    os.utime(root / "clients" / "Hydro-Tech.md", (OLD, OLD))
    load_vault(root, git=False)  # parses and keeps the month (and the note)
    code = ("import sys; from pathlib import Path; from salesnotes.local import store; "
            "store.RACY_NS = 0; from salesnotes.load.vault import load_vault; "
            f"v = load_vault(Path({str(root)!r}), git=False); "
            "print(len(v.sales), 'stdnum' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["1", "False"]
