# -*- coding: utf-8 -*-
# Copyright: filefleet.office contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""CTERA XML decoding that mutation testing (docs/mutation.md) found unchecked: ``<db>`` answers, bytes that are
not UTF-8, the message of refused unsafe XML and of a missing defusedxml."""

import pytest

from ansible_collections.filefleet.office.plugins.module_utils import _ctera_xml as ctera_xml


def test_db_answer_merges_its_objects_and_attributes():
    text = ('<db><obj class="Settings"><att id="hostname"><val>filer1</val></att></obj>'
            '<att id="uptime"><val>42</val></att><val>stray</val></db>')
    assert ctera_xml.from_xml(text) == {"_classname": "Settings", "hostname": "filer1", "uptime": 42}


def test_objects_nested_directly_in_an_obj_are_not_merged():
    text = '<obj><att id="name"><val>a</val></att><obj><att id="name"><val>b</val></att></obj></obj>'
    assert ctera_xml.from_xml(text) == {"name": "a"}


def test_bytes_that_are_not_utf8_are_decoded_with_replacement():
    assert ctera_xml.from_xml(b"<val>caf\xe9</val>") == "caf\ufffd"


def test_unsafe_xml_is_refused_naming_what_was_refused():
    with pytest.raises(ctera_xml.XMLDecodeError) as caught:
        ctera_xml.from_xml('<!DOCTYPE x [<!ENTITY a "b">]><val>&a;</val>')
    assert str(caught.value) == "refused unsafe XML from the server: EntitiesForbidden"


def test_missing_defusedxml_is_named(monkeypatch):
    monkeypatch.setattr(ctera_xml, "HAS_DEFUSEDXML", False)
    with pytest.raises(ImportError) as caught:
        ctera_xml.from_xml("<val>1</val>")
    assert str(caught.value) == "the python 'defusedxml' library is required"
