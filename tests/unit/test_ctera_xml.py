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
from ansible_collections.filefleet.office.plugins.module_utils._edge_shares import as_text

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
    ("7", 7), ("-3", -3), ("1.5", 1.5), ("7.11", 7.11), ("0", 0), ("true", True), ("false", False),
])
def test_sniffing_types_like_the_sdk_where_nothing_is_lost(text, expected):
    assert sniff(text) == expected
    assert type(sniff(text)) is type(expected)


@pytest.mark.parametrize("text", [
    # the SDK makes these 7, 1.5, 1.1, 0, 1.0, 0.5, 1000, "x", True, 1, 7: a PUT of what was read rewrites them
    "007", "1.50", "1.10", "-0", "1.", ".5", "1_000", " x ", " true", "+1", " 7",
    # text the SDK does not retype either
    "7.11.1000.1", "True", "1e5", "0x10", "nan", "",
])
def test_text_that_would_not_encode_back_stays_text(text):
    assert sniff(text) == text and isinstance(sniff(text), str)


def test_a_round_trip_sends_back_exactly_what_was_read():
    read = ('<obj class="ShareConfig" uuid="u-1"><att id="name"><val>007</val></att><att id="comment"><val>1.10</val>'
            '</att><att id="directory"><val>/2024</val></att><att id="uid"><val>42</val></att>'
            '<att id="ratio"><val>0.5</val></att><att id="indexed"><val>true</val></att><att id="x"><val> y </val></att>'
            '<att id="tags"><list><val>1.50</val><val>007</val></list></att><att id="none" /><att id="e"><val /></att></obj>')
    decoded = from_xml(read)
    assert decoded["name"] == "007" and decoded["comment"] == "1.10" and decoded["uid"] == 42
    assert to_xml(decoded) == read


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


# Any text survives decoding (except what XML itself cannot carry: control characters, and \r, which parsers
# normalise); numbers and bools survive too.
texts = st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=20)
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
    decoded = from_xml(to_xml(value))
    # a str that looks like a number or a bool comes back typed only when the typed value encodes to the same text
    assert to_xml(decoded) == to_xml(value)
    assert from_xml(to_xml(decoded)) == decoded


@settings(max_examples=500, deadline=None)
@given(texts)
def test_any_text_reads_back_as_the_same_text(text):
    decoded = from_xml(to_xml(text))
    assert to_xml(decoded) == to_xml(text)
    assert as_text(decoded) == text


@settings(max_examples=200, deadline=None)
@given(values)
def test_encoding_is_well_formed_and_stable(value):
    text = to_xml(value)
    StdET.fromstring(text)  # an independent parser accepts it
    assert to_xml(from_xml(text)) == text
