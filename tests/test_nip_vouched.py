"""A NIP the who-is-who index vouches for is read without python-stdnum, and reads the same:
`parse_nip` takes only a text equal to a compact NIP python-stdnum accepted before; any other
text, and any NIP no one vouches for, is checked by python-stdnum as always."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from stdnum.pl import nip as stdnip

from salesnotes.errors import Refused
from salesnotes.read import fields
from salesnotes.read.fields import accept_nips, nip_keeper, parse_nip


def _stdnum(text: str) -> str | None:
    try:
        return str(stdnip.validate(text.strip().replace(".", "")))
    except Exception:  # noqa: BLE001 - any refusal
        return None


def _parsed(text: str) -> str | None:
    try:
        return parse_nip(text)
    except Refused:
        return None


@pytest.fixture(autouse=True)
def fresh(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(fields, "_ACCEPTED", set())
    monkeypatch.setattr(fields, "_KEEPERS", [])


TEXTS = st.one_of(
    st.text(alphabet="0123456789", min_size=10, max_size=10),
    st.text(alphabet="0123456789 -.PLpl", min_size=0, max_size=16),
    st.sampled_from(["5260250274", "526-025-02-74", "PL 526 025 02 74", " 5260250274 ",
                     "5260250275", "1234563218", "123456321"]))


@given(text=TEXTS, kept=st.lists(st.text(alphabet="0123456789", min_size=10, max_size=10)))
def test_a_vouched_nip_reads_as_python_stdnum_reads_it(text: str, kept: list[str]) -> None:
    """A keeper holding only what python-stdnum accepted (as the index does) changes no answer."""
    fields._ACCEPTED.clear()
    valid = {k for k in kept if _stdnum(k) == k}
    accept_nips(list(valid)[: len(valid) // 2])
    with nip_keeper(valid.__contains__):
        assert _parsed(text) == _stdnum(text)
    assert _parsed(text) == _stdnum(text)  # and after the block


def test_a_keeper_is_asked_only_for_ten_digits_and_only_while_it_keeps() -> None:
    asked: list[str] = []

    def keeps(nip: str) -> bool:
        asked.append(nip)
        return True

    with nip_keeper(keeps):
        assert parse_nip("5260250274") == "5260250274"
        with pytest.raises(Refused):
            parse_nip("526-025-02-75")  # a written form: python-stdnum, which refuses it
    assert asked == ["5260250274"]
    with pytest.raises(Refused):
        parse_nip("5260250275")  # the keeper is gone: python-stdnum refuses the checksum
