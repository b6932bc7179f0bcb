"""Fuzz targets (hypothesis): arbitrary bytes as a note and as an import file.

Whatever the bytes, salesnotes answers with exit 0 or 1 and problems as `path:line: message`,
never a traceback, and a note it cannot read is never rewritten. Derandomized, so a run is
reproducible and CI sees the same examples each time; the generators mix raw bytes with
front-matter and CSV fragments, so most examples get past the first check.
"""

from __future__ import annotations

from pathlib import Path

from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from adversarial import no_traceback, problem_lines

FUZZ = settings(derandomize=True, deadline=None, database=None,
                phases=[Phase.explicit, Phase.generate],  # no shrinking: keeps a failure fast
                suppress_health_check=[HealthCheck.function_scoped_fixture,
                                       HealthCheck.too_slow, HealthCheck.data_too_large])

# ------------------------------------------------------------ notes

KEYS = ["name", "nip", "tier", "status", "budget", "potential", "last_contact", "next_contact",
        "tags", "checklists", "aliases", "region", "x", "<<", "? a"]
VALUES = ["", "A", "~", "null", "'q'", '"d', "[a, b]", "[", "{a: 1}", "&a x", "*a", "!!str x",
          "!!python/name:os.system", "2026-02-30", "2026-11-18T10:00:00+01:00", "1,234",
          "1 234,56 zł", "0123", "5260250274", '"5260250274"', "no", "10:00", "\t1", "|",
          "|\n  block", "\n  - a\n  - b", "\n  k: v", "x" * 200, "é\u2028ł", "\x7f", "\x85"]
BODY = ["# Title", "## Log", "- 2026-11-18 phone: call", "- 2026-13-45 visit: bad",
        "## Opportunities", "- Deal [value:: 1,234] [close:: 2027-13]", "## Tasks",
        "- [ ] Task 📅 2026-02-30", "- [x] Done ✅ 2026-11-15", "## Checklist: Key account",
        "```", "---", "<<<<<<< HEAD", "[[link|x]]", "- [ ] [due:: nope]", ""]


@st.composite
def note_bytes(draw) -> bytes:  # noqa: ANN001
    """A note: raw bytes, or front-matter and body lines from risky fragments, with a BOM,
    CRLF or a stray byte now and then."""
    if draw(st.integers(0, 4)) == 0:
        return draw(st.binary(max_size=400))
    lines = []
    if draw(st.booleans()):
        pairs = draw(st.lists(st.tuples(st.sampled_from(KEYS), st.sampled_from(VALUES)),
                              max_size=8))
        lines += ["---", *(f"{k}: {v}" for k, v in pairs)]
        if draw(st.integers(0, 5)):
            lines.append(draw(st.sampled_from(["---", "...", "--- ", "----"])))
    lines += draw(st.lists(st.sampled_from(BODY) | st.text(max_size=30), max_size=10))
    text = "\n".join(lines) + draw(st.sampled_from(["", "\n"]))
    if draw(st.booleans()):
        text = text.replace("\n", draw(st.sampled_from(["\r\n", "\r"])))
    data = text.encode("utf-8", "surrogatepass")
    if draw(st.integers(0, 5)) == 0:
        at = draw(st.integers(0, len(data)))
        data = data[:at] + draw(st.binary(min_size=1, max_size=3)) + data[at:]
    return draw(st.sampled_from([b"", b"\xef\xbb\xbf"])) + data


def _note_vault(make_vault) -> Path:  # noqa: ANN001
    return make_vault({"clients/Good.md": "---\nname: Good\ntier: A\n---\n## Log\n"})


def _assert_answers(result, root: Path, allowed_extra: tuple[str, ...] = ()) -> None:  # noqa: ANN001
    no_traceback(result)
    assert result.exit_code in (0, 1), result.output
    lines = [ln for ln in result.stderr.split("\n") if not ln.endswith(allowed_extra)]
    for problem in problem_lines("\n".join(lines)):
        assert (root / problem["path"]).exists() or problem["path"] in (".", "clients"), problem[0]


def _write(root: Path, data: bytes) -> Path:
    path = root / "clients/Fuzz.md"
    path.write_bytes(data)
    return path


def test_fuzz_note_check_and_status(make_vault, run):
    root = _note_vault(make_vault)

    @settings(FUZZ, max_examples=150)
    @given(note_bytes())
    def check_and_status(data: bytes) -> None:
        path = _write(root, data)
        _assert_answers(run("check", "--strict", "--vault", str(root)), root)
        _assert_answers(run("status", "--vault", str(root)), root,
                        allowed_extra=("run `salesnotes check`",))
        assert path.read_bytes() == data

    check_and_status()


def test_fuzz_note_review_and_log(make_vault, run):
    root = _note_vault(make_vault)

    @settings(FUZZ, max_examples=25)
    @given(note_bytes())
    def review_and_log(data: bytes) -> None:
        path = _write(root, data)
        _assert_answers(run("review", "--no-commit", "--vault", str(root)), root)
        assert path.read_bytes() == data
        result = run("log", "Fuzz.md", "call", "--no-commit", "--vault", str(root))
        no_traceback(result)
        assert result.exit_code in (0, 1, 2)
        problem_lines(result.stderr)
        if result.exit_code:
            assert path.read_bytes() == data  # refused: untouched

    review_and_log()


# ------------------------------------------------------------ import files

CELLS = ["FV/1", "2026-03-05", "05.03.2026", "2026-02-30", "5260250274", "526-025-02-74",
         "5260250275", "PL5260250274", "1 234,56", "1,234", "12,3,4", "-5", "=1+1", "Razem",
         "Suma", '"quoted;cell"', '"unclosed', "Łódź", "", " ", "\u00a0", "0,5"]
HEADERS = ["Numer", "Data", "NIP", "Kontrahent", "Netto", "Marża", "Nazwa", "Region",
           "Telefon", "Budżet", "Segment", "Status", "Miasto", "NIP", ""]


@st.composite
def export_bytes(draw) -> bytes:  # noqa: ANN001
    """An export: raw bytes, or a CSV of known headers and risky cells in some encoding."""
    if draw(st.integers(0, 4)) == 0:
        return draw(st.binary(max_size=400))
    sep = draw(st.sampled_from([";", ",", "\t"]))
    header = draw(st.lists(st.sampled_from(HEADERS), min_size=1, max_size=7))
    rows = draw(st.lists(st.lists(st.sampled_from(CELLS) | st.text(max_size=12),
                                  min_size=0, max_size=len(header) + 1), max_size=8))
    text = "\n".join(sep.join(r) for r in [header, *rows])
    encoding = draw(st.sampled_from(["utf-8", "utf-8-sig", "cp1250", "utf-16"]))
    data = text.encode(encoding, "replace")
    if draw(st.integers(0, 4)) == 0:
        at = draw(st.integers(0, len(data)))
        data = data[:at] + draw(st.binary(min_size=1, max_size=3)) + data[at:]
    return data


def test_fuzz_import_files(make_vault, run, tmp_path):
    root = make_vault({"clients/Hydro.md": '---\nname: Hydro\nnip: "5260250274"\n---\n'},
                      git=True)
    source = tmp_path / "export.csv"

    @settings(FUZZ, max_examples=120)
    @given(export_bytes(), st.sampled_from(["sales", "clients"]))
    def imports(data: bytes, kind: str) -> None:
        source.write_bytes(data)
        result = run("import", kind, str(source), "--dry-run", "--vault", str(root))
        no_traceback(result)
        assert result.exit_code in (0, 1), result.output
        for problem in problem_lines(result.stderr):
            assert problem["path"] in (str(source), "sales") or (root / problem["path"]).exists()

    imports()


def test_fuzz_xlsx_bytes_are_refused_cleanly(make_vault, run, tmp_path):
    root = make_vault({})
    source = tmp_path / "export.xlsx"

    @settings(FUZZ, max_examples=30)
    @given(st.binary(max_size=300)
           | st.builds(lambda b: b"PK\x03\x04" + b, st.binary(max_size=300)))  # a zip's magic
    def xlsx(data: bytes) -> None:
        source.write_bytes(data)
        result = run("import", "sales", str(source), "--dry-run", "--vault", str(root))
        no_traceback(result)
        assert result.exit_code == 1
        [problem] = problem_lines(result.stderr)
        assert problem["path"] == str(source)

    xlsx()
