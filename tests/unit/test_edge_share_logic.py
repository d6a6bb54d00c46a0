# -*- coding: utf-8 -*-
# Copyright: filefleet.office contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""ctera_share's pure parts, in their homes: input validation and comparison (module_utils/_edge_shares.py) and the
list modes (the engine's merge_list). No network."""

import pytest

from ansible_collections.filefleet.office.plugins.modules import ctera_share
from ansible_collections.filefleet.office.plugins.module_utils._edge_shares import (
    ace_key, apply_changes, lists_equal, nfs_key, validate,
)
from ansible_collections.filefleet.office.plugins.module_utils._engine import merge_list


def params(**overrides):
    base = dict((key, spec.get("default")) for key, spec in ctera_share.argument_spec().items())
    base.update(name="docs")
    base.update(overrides)
    return base


@pytest.mark.parametrize("overrides, fragment", [
    ({"name": "a/b"}, "name 'a/b' is not a valid share name"),
    ({"name": " docs"}, "no leading or trailing spaces"),
    ({"name": ""}, "name must not be empty"),
    ({"directory": "cloud/../etc"}, "directory 'cloud/../etc' must be 'volume/path'"),
    ({"directory": "/"}, "must be 'volume/path'"),
    ({"dir_permissions": 778}, "dir_permissions 778 must be up to three octal digits"),
    ({"acl": [{"type": "local_user", "name": "admin", "permission": None}]}, "needs a permission"),
    ({"acl": [{"type": "local_user", "name": "a#b", "permission": "ReadOnly"}]}, "must not contain '#'"),
    ({"acl": [{"type": "domain_user", "name": "C\\x", "permission": "ReadOnly"},
              {"type": "domain_user", "name": "c\\X", "permission": "ReadWrite"}]}, "listed twice"),
    ({"trusted_nfs_clients": [{"address": "10.0.0.0", "netmask": "255.0.255.0", "access": "ReadWrite",
                               "insecure": False}]}, "netmask '255.0.255.0'"),
])
def test_bad_input_names_the_option(overrides, fragment):
    with pytest.raises(ValueError) as info:
        validate(params(**overrides))
    assert fragment in str(info.value)


def test_remove_mode_needs_no_permission_and_directory_is_normalised():
    name, directory = validate(params(directory="/cloud/users/admin/My Files/", acl_mode="remove",
                                      acl=[{"type": "local_user", "name": "admin", "permission": None}]))
    assert name == "docs"
    assert directory == "cloud/users/admin/My Files"


CURRENT = [{"type": "local_group", "name": "Administrators", "permission": "ReadWrite"},
           {"type": "domain_user", "name": "CORP\\ann", "permission": "ReadOnly"}]


def test_acl_modes():
    given = [{"type": "domain_user", "name": "corp\\ANN", "permission": "ReadWrite"},
             {"type": "domain_group", "name": "CORP\\Staff", "permission": "ReadOnly"}]
    exact = merge_list(CURRENT, given, "exact", ace_key)
    assert exact == given
    append = merge_list(CURRENT, given, "append", ace_key)
    assert [(e["type"], e["permission"]) for e in append] == [
        ("local_group", "ReadWrite"), ("domain_user", "ReadWrite"), ("domain_group", "ReadOnly")]
    remove = merge_list(CURRENT, given, "remove", ace_key)
    assert remove == [CURRENT[0]]


def test_acl_compared_as_set_and_case_insensitively():
    same_reordered = [dict(CURRENT[1], name="corp\\Ann"), CURRENT[0]]
    assert lists_equal("acl", CURRENT, same_reordered)
    other_permission = [CURRENT[0], dict(CURRENT[1], permission="None")]
    assert not lists_equal("acl", CURRENT, other_permission)


def test_nfs_append_keeps_others_and_no_root_squash():
    existing = [{"address": "10.0.0.0", "netmask": "255.255.255.0", "accessLevel": "ReadOnly", "noRootSquash": True,
                 "insecure": False}]
    have = [{"address": "10.0.0.0", "netmask": "255.255.255.0", "access": "ReadOnly", "insecure": False}]
    given = [{"address": "10.0.0.0", "netmask": "255.255.255.0", "access": "ReadWrite", "insecure": False},
             {"address": "10.9.9.9", "netmask": "255.255.255.255", "access": "ReadOnly", "insecure": True}]
    merged = merge_list(have, given, "append", nfs_key)
    out = apply_changes({"trustedNFSClients": existing}, {"trusted_nfs_clients": merged})
    assert out["trustedNFSClients"][0]["noRootSquash"] is True
    assert out["trustedNFSClients"][0]["accessLevel"] == "ReadWrite"
    assert out["trustedNFSClients"][1]["address"] == "10.9.9.9"


def test_changes_are_written_onto_the_share_object():
    out = apply_changes({"name": "docs", "volume": "cloud", "directory": "a", "comment": "x"},
                        {"directory": "local/b/c", "comment": None, "csc": "disable", "dir_permissions": 755})
    assert out == {"name": "docs", "volume": "local", "directory": "b/c", "comment": None,
                   "clientSideCaching": "disable", "dirPermissions": 755}
    assert apply_changes({}, {"directory": "cloud"}) == {"volume": "cloud", "directory": ""}
