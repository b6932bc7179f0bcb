"""read/yamlnodes.py's loader: PyYAML's BaseLoader with its resolver said in three lines, so it
must compose exactly the nodes BaseLoader composes (tags, values, styles, lines), for any text."""

from __future__ import annotations

import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from salesnotes.read import yamlnodes

BASE = yaml.CBaseLoader if yamlnodes.WITH_LIBYAML else yaml.BaseLoader


def tree(node: yaml.Node | None) -> object:
    if node is None:
        return None
    mark = (node.start_mark.line, node.start_mark.column)
    if isinstance(node, yaml.ScalarNode):
        return ("scalar", node.tag, node.value, node.style, mark)
    if isinstance(node, yaml.SequenceNode):
        return ("seq", node.tag, [tree(n) for n in node.value], mark)
    return ("map", node.tag, [(tree(k), tree(v)) for k, v in node.value], mark)


def composed(text: str, loader: type) -> object:
    try:
        return tree(yaml.compose(text, Loader=loader))
    except yaml.YAMLError as e:
        return ("error", type(e).__name__, str(e))


scalars = st.one_of(st.text(max_size=12), st.integers(), st.booleans(), st.none(),
                    st.dates().map(str), st.sampled_from(["0123", "no", "~", "1,5", "12:30"]))
documents = st.recursive(scalars, lambda inner: st.lists(inner, max_size=4)
                         | st.dictionaries(st.text(max_size=8), inner, max_size=4), max_leaves=12)
styles = st.sampled_from([{}, {"default_flow_style": True}, {"default_style": '"'},
                          {"default_style": "'"}])
tagged = st.sampled_from([
    "a: !!int 3\n", "a: !!str 3\n", "a: !custom x\n", "a: ! 'q'\n", "a: ! q\n",
    "a: !!python/object/apply:os.system ['x']\n", "!!map {a: 1}\n", "- !!seq [1]\n",
    "a: &x 1\nb: *x\n", "a: [1, {b: c}]\n", "? [k]\n: v\n", "a: 'unclosed\n", "a:\tb\n",
    "name: 'Acme'  # note\nnip: \"0123\"\ntags: [a, b]\n",
])


@settings(deadline=None)
@given(documents, styles)
def test_any_dumped_document_composes_as_with_base_loader(value, style):
    text = yaml.safe_dump(value, allow_unicode=True, **style)
    assert composed(text, yamlnodes._Loader) == composed(text, BASE)


@settings(deadline=None)
@given(tagged, st.text(max_size=20))
def test_tagged_aliased_and_broken_texts_compose_as_with_base_loader(text, tail):
    for candidate in (text, text + tail, f"k: {tail!r}\n" + text):
        assert composed(candidate, yamlnodes._Loader) == composed(candidate, BASE)
