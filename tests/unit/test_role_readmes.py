# -*- coding: utf-8 -*-
# Copyright: filefleet.office contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Every role has a README (galaxy-importer refuses a collection without) that names it and every variable of its
argument spec, whatever roles and variables the tree holds."""

import os

import pytest
import yaml

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
ROLES = sorted(name for name in os.listdir(os.path.join(ROOT, "roles")) if os.path.isdir(os.path.join(ROOT, "roles", name)))


def test_roles_found():
    assert "office_onboarding" in ROLES and "office_offboarding" in ROLES


@pytest.mark.parametrize("role", ROLES)
def test_role_readme_names_the_role_and_every_variable(role):
    path = os.path.join(ROOT, "roles", role, "README.md")
    assert os.path.isfile(path), "roles/%s has no README.md" % role
    with open(path, encoding="utf-8") as handle:
        text = handle.read()
    assert text.startswith("# filefleet.office.%s\n" % role)
    with open(os.path.join(ROOT, "roles", role, "meta", "argument_specs.yml"), encoding="utf-8") as handle:
        specs = yaml.safe_load(handle)["argument_specs"]
    missing = sorted(name for entry in specs.values() for name in entry.get("options", {}) if "`%s`" % name not in text)
    assert not missing, "roles/%s/README.md does not mention %s" % (role, ", ".join(missing))
