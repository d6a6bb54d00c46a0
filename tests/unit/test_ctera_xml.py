# -*- coding: utf-8 -*-
# Copyright: filefleet.office contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The CTERA XML codec against the examples of ctera-protocol.md section 1.3, property tests, hardening."""

import xml.etree.ElementTree as StdET

import pytest
from hypothesis import given, settings, strategies as st

from ansible_collections.filefleet.office.plugins.module_utils._ctera_xml import (
    XMLDecodeError, envelope, from_xml, sniff, to_xml,
)

EXAMPLE_A = ('<obj class="PortalUser" uuid="abc-123"><att id="name"><val>alice &amp; &lt;bob&gt;</val></att>'
             '<att id="uid"><val>42</val></att><att id="ratio"><val>0.5</val></att><att id="enabled"><val>true</val></att>'
             '<att id="disabled"><val>false</val></att><att id="comment" /><att id="empty"><val /></att>'
             '<att id="tags"><list><val>a</val><val>1</val><val>true</val></list></att><att id="nothing"><list /></att>'
             '<att id="inner"><obj><att id="x"><val>1</val></att></obj></att></obj>')


def test_encode_example_a_byte_for_byte():
    value = {"_classname": "PortalUser", "_uuid": "abc-123", "name": "alice & <bob>", "uid": 42, "ratio": 0.5,
             "enabled": True, "disabled": False, "comment": None, "empty": "", "tags": ["a", 1, None, True],
             "nothing": [], "inner": {"x": 1}}
    assert to_xml(value) == EXAMPLE_A


def test_decode_example_a():
    assert from_xml(EXAMPLE_A) == {
        "_classname": "PortalUser", "_uuid": "abc-123", "comment": None, "name": "alice & <bob>", "uid": 42,
        "ratio": 0.5, "enabled": True, "disabled": False, "empty": "", "tags": ["a", 1, True], "nothing": [],
        "inner": {"x": 1}}


@pytest.mark.parametrize("value,xml", [
    ("acme", "<val>acme</val>"), ("", "<val />"), (1234, "<val>1234</val>"), ([], "<list />"),
])
def test_encode_scalars_example_b(value, xml):
    assert to_xml(value) == xml


def test_top_level_none_is_no_body():
    assert to_xml(None) == ""


def test_envelope_example_c():
    assert to_xml(envelope("user-defined", "getApiKeys", 1234)) == (
        '<obj><att id="type"><val>user-defined</val></att><att id="name"><val>getApiKeys</val></att>'
        '<att id="param"><val>1234</val></att></obj>')


def test_query_result_example_d():
    xml = ('<obj class="QueryResult"><att id="objects"><list><obj><att id="name"><val>alice</val></att></obj>'
           '<obj><att id="name"><val>bob</val></att></obj></list></att><att id="hasMore"><val>true</val></att></obj>')
    assert from_xml(xml) == {"_classname": "QueryResult", "objects": [{"name": "alice"}, {"name": "bob"}], "hasMore": True}


@pytest.mark.parametrize("text,expected", [
    ("007", 7), ("-3", -3), ("1.50", 1.5), ("7.11", 7.11), ("7.11.1000.1", "7.11.1000.1"), ("True", "True"),
    (" x ", "x"), ("1e5", "1e5"), ("0x10", "0x10"), ("true", True), ("false", False),
])
def test_sniffing_matches_the_sdk(text, expected):
    assert sniff(text) == expected
    assert type(sniff(text)) is type(expected)


def test_non_xml_decodes_to_none():
    assert from_xml("<html><body>login") is None
    assert from_xml("") is None
    assert from_xml(b"Login succeed") is None


def test_entity_expansion_is_refused():
    bomb = ('<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">]>'
            '<val>&lol2;</val>')
    with pytest.raises(XMLDecodeError):
        from_xml(bomb)


def test_external_entity_is_refused():
    xxe = '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><val>&e;</val>'
    with pytest.raises(XMLDecodeError):
        from_xml(xxe)


# Values that survive the type sniffing: text that does not look like a number or a bool and has no edge blanks.
texts = st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=20).filter(
    lambda s: s == s.strip() and not isinstance(sniff(s), (int, float, bool)))
scalars = st.one_of(texts, st.integers(-10 ** 12, 10 ** 12), st.booleans(),
                    st.floats(allow_nan=False, allow_infinity=False, width=32).filter(lambda f: "e" not in repr(f)))
names = st.text(alphabet="abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ", min_size=1, max_size=10)
values = st.recursive(
    scalars,
    lambda inner: st.one_of(st.lists(inner, max_size=4).filter(lambda l: all(not isinstance(i, list) for i in l)),
                            st.dictionaries(names, st.one_of(inner, st.none()), max_size=4)),
    max_leaves=12)


@settings(max_examples=300, deadline=None)
@given(values)
def test_round_trip_python_xml_python(value):
    assert from_xml(to_xml(value)) == value


@settings(max_examples=200, deadline=None)
@given(values)
def test_encoding_is_well_formed_and_stable(value):
    text = to_xml(value)
    StdET.fromstring(text)  # an independent parser accepts it
    assert to_xml(from_xml(text)) == text
