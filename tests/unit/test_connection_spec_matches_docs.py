# -*- coding: utf-8 -*-
# Copyright: filefleet.office contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The connection options every module of a family takes are the ones its documentation promises: the same names,
each declaring its type explicitly (never left to ansible-core's default), the documented type, requirement and
default, the documented environment variable as fallback, and the secret marked no_log.

Users read the documentation fragment (plugins/doc_fragments/); the modules build their argument spec from
``*_argument_spec()`` in module_utils. ansible-test's validate-modules compares the two per module in sanity;
this checks the shared source of both in the unit tests, so that a spec drifting from its documentation fails
fast (and mutation testing sees it).
"""

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

import re

import pytest
import yaml

from ansible.module_utils.basic import env_fallback

from ansible_collections.filefleet.office.plugins.doc_fragments import cloutility as clou_doc
from ansible_collections.filefleet.office.plugins.doc_fragments import ctera as ctera_doc
from ansible_collections.filefleet.office.plugins.doc_fragments import edge as edge_doc
from ansible_collections.filefleet.office.plugins.doc_fragments import portal as portal_doc
from ansible_collections.filefleet.office.plugins.module_utils import _cloutility as clou
from ansible_collections.filefleet.office.plugins.module_utils import _edge as edge
from ansible_collections.filefleet.office.plugins.module_utils import _portal as portal

SECRETS = {"portal_password", "edge_password", "cloutility_password"}
KNOWN_KEYS = {"type", "required", "default", "no_log", "fallback"}


def documented(*fragments):
    options = {}
    for fragment in fragments:
        options.update(yaml.safe_load(fragment.ModuleDocFragment.DOCUMENTATION)["options"])
    return options


FAMILIES = {
    "portal": (portal.portal_argument_spec, documented(portal_doc, ctera_doc), "CTERA"),
    "edge": (edge.edge_argument_spec, documented(edge_doc, ctera_doc), "CTERA"),
    "cloutility": (clou.cloutility_argument_spec, documented(clou_doc), "CLOUTILITY"),
}


@pytest.mark.parametrize("family", sorted(FAMILIES))
def test_connection_options_are_the_documented_ones(family):
    build, docs, prefix = FAMILIES[family]
    spec = build()
    assert sorted(spec) == sorted(docs)
    for name, option in spec.items():
        doc = docs[name]
        assert set(option) <= KNOWN_KEYS, (name, option)
        assert "type" in option and option["type"] == doc["type"], (name, option, doc["type"])
        assert bool(option.get("required")) == bool(doc.get("required")), name
        assert option.get("default") == doc.get("default"), name
        assert option.get("no_log", False) is (name in SECRETS), name
        # The environment variable the description names is the one the fallback reads.
        named = re.findall(r"E\(([A-Z_]+)\)", " ".join(doc["description"]))
        if "fallback" in option:
            assert option["fallback"][0] is env_fallback, name
            assert option["fallback"][1] == named, (name, option["fallback"], named)
            assert all(v.startswith(prefix + "_") for v in named), (name, named)
        else:
            assert named == [], (name, named)


def test_every_family_documents_its_environment_variables():
    """Each option with a fallback names its variable in the documentation (what an AWX credential injects)."""
    for family, (build, docs, _prefix) in FAMILIES.items():
        with_fallback = sorted(n for n, o in build().items() if "fallback" in o)
        assert with_fallback, family
        assert all(re.search(r"E\([A-Z_]+\)", " ".join(docs[n]["description"])) for n in with_fallback), family
