# -*- coding: utf-8 -*-
# Copyright: filefleet.office contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Edge Filer shares (module_utils/_edge_shares.py): the share view ctera_share and ctera_share_info return, ACL
entries and trusted NFS clients both ways, the objects written for a new share, the shares and volumes read once per
session (against a scripted filer), and the exact messages of refused input."""

import pytest

from edge_scripted_filer import ScriptedFiler
from ansible_collections.filefleet.office.plugins.module_utils._http import ApiError, UnexpectedAnswer
from ansible_collections.filefleet.office.plugins.module_utils import _edge_shares as shares

SHARE = {"name": "Docs", "volume": "cloud", "directory": "users/docs", "access": "authenticated",
         "clientSideCaching": "documents", "exportToNFS": True, "exportToAFP": 1, "exportToFTP": None, "indexed": "",
         "comment": "team", "dirPermissions": "755", "exportToPCAgent": False, "exportToRSync": True,
         "acl": [{"principal2": {"_classname": "LocalUser", "ref": "#config#auth#users#admin"},
                  "permissions": {"allowedFileAccess": "ReadWrite"}},
                 {"principal2": {"_classname": "DomainGroup", "name": "CORP\\Staff"},
                  "permissions": {"allowedFileAccess": "ReadOnly"}},
                 "junk"],
         "trustedNFSClients": [{"address": "10.0.0.0", "netmask": "255.255.255.0", "accessLevel": "ReadOnly",
                                "insecure": 1, "noRootSquash": True}, "junk"]}
VIEW = {"name": "Docs", "directory": "cloud/users/docs", "access": "authenticated", "csc": "documents",
        "export_to_nfs": True, "export_to_afp": True, "export_to_ftp": False, "indexed": False, "comment": "team",
        "acl": [{"type": "local_user", "name": "admin", "permission": "ReadWrite"},
                {"type": "domain_group", "name": "CORP\\Staff", "permission": "ReadOnly"}],
        "trusted_nfs_clients": [{"address": "10.0.0.0", "netmask": "255.255.255.0", "access": "ReadOnly",
                                 "insecure": True}]}
V1_VIEW = dict(VIEW, dir_permissions=755, export_to_pc_agent=False, export_to_rsync=True)


def test_the_share_view():
    assert shares.share_view(SHARE, False) == VIEW
    assert shares.share_view(SHARE, True) == V1_VIEW
    assert shares.share_view(None, False) is None


def test_a_bare_share_object():
    assert shares.share_view({"name": "x", "comment": "", "access": None, "dirPermissions": ""}, True) == {
        "name": "x", "directory": "", "access": None, "csc": None, "export_to_nfs": False, "export_to_afp": False,
        "export_to_ftp": False, "indexed": False, "comment": None, "acl": [], "trusted_nfs_clients": [],
        "dir_permissions": None, "export_to_pc_agent": False, "export_to_rsync": False}
    assert shares.share_view({"dirPermissions": None}, True)["dir_permissions"] is None


def test_acl_entries_both_ways():
    for entry, obj in [
        ({"type": "local_user", "name": "admin", "permission": "ReadWrite"},
         {"_classname": "LocalUser", "ref": "#config#auth#users#admin"}),
        ({"type": "local_group", "name": "Office", "permission": "None"},
         {"_classname": "LocalGroup", "ref": "#config#auth#groups#Office"}),
        ({"type": "domain_user", "name": "CORP\\ann", "permission": "ReadOnly"},
         {"_classname": "DomainUser", "name": "CORP\\ann"}),
        ({"type": "domain_group", "name": "CORP\\Staff", "permission": "ReadOnly"},
         {"_classname": "DomainGroup", "name": "CORP\\Staff"}),
    ]:
        rule = shares.ace_to_obj(entry)
        assert rule == {"_classname": "ShareACLRule", "principal2": obj,
                        "permissions": {"_classname": "FileAccessPermissions", "allowedFileAccess": entry["permission"]}}
        assert shares.ace_from_obj(rule) == entry


def test_acl_entries_the_filer_may_send():
    assert shares.ace_from_obj({}) == {"type": None, "name": None, "permission": None}
    assert shares.ace_from_obj({"principal2": {"_classname": "LocalUser", "ref": "admin"}}) == {
        "type": "local_user", "name": "admin", "permission": None}
    assert shares.ace_from_obj({"principal2": {"_classname": "LocalGroup"}})["name"] == ""
    assert shares.ace_from_obj({"principal2": {"_classname": "Robot", "name": "r#2"}}) == {
        "type": "Robot", "name": "r#2", "permission": None}
    assert shares.ace_key({"type": "domain_user", "name": None}) == ("domain_user", "")


def test_nfs_clients_both_ways():
    entry = {"address": "10.0.0.0", "netmask": "255.255.255.0", "access": "ReadWrite", "insecure": 0}
    assert shares.nfs_to_obj(entry) == {"address": "10.0.0.0", "netmask": "255.255.255.0", "accessLevel": "ReadWrite",
                                        "noRootSquash": False, "insecure": False}
    existing = {"address": "10.0.0.0", "netmask": "255.255.255.0", "accessLevel": "ReadOnly", "noRootSquash": True,
                "insecure": True, "_classname": "NFSv3AccessControlEntry"}
    assert shares.nfs_to_obj(entry, existing) == dict(existing, accessLevel="ReadWrite", insecure=False)
    assert shares.nfs_from_obj(existing) == {"address": "10.0.0.0", "netmask": "255.255.255.0", "access": "ReadOnly",
                                             "insecure": True}
    assert shares.nfs_from_obj({}) == {"address": None, "netmask": None, "access": None, "insecure": False}


def test_nfs_lists_compare_as_sets_of_their_settings():
    one = {"address": "10.0.0.0", "netmask": "255.255.255.0", "access": "ReadOnly", "insecure": False}
    two = {"address": "10.1.0.0", "netmask": "255.255.0.0", "access": "ReadWrite", "insecure": True}
    assert shares.lists_equal("trusted_nfs_clients", [one, two], [two, dict(one, insecure=0)])
    assert not shares.lists_equal("trusted_nfs_clients", [one], [dict(one, insecure=True)])
    assert not shares.lists_equal("trusted_nfs_clients", [one], [dict(one, access="ReadWrite")])
    assert shares.lists_equal("acl", None, [])


# -- finding shares, read once per session -------------------------------------------------------------------------

def test_a_share_is_found_by_exact_name_first_then_ignoring_case():
    upper, lower = {"name": "DOCS"}, {"name": "docs"}
    assert shares.find_share([upper, lower], "docs") is lower
    assert shares.find_share([upper, {"name": None}], "Docs") is upper
    assert shares.find_share([upper], "other") is None


def test_shares_and_volumes_are_read_once_per_session():
    filer = ScriptedFiler({"config/fileservices/share": [{"name": "b"}, "junk", {"name": "A"}, {"name": ""}, {"name": "C"}]},
                          {"listPhysicalFolders": [{"fullpath": "/cloud"}, {"fullpath": "local/"}, "junk", {}]})
    directory = shares.ShareDirectory.of(filer)
    assert shares.ShareDirectory.of(filer) is directory
    assert shares.share_names(filer) == ["A", "b", "C"]
    assert directory.find("a") == {"name": "A"}
    assert directory.volumes() == ["cloud", "local", ""]
    assert directory.volumes() == ["cloud", "local", ""]
    assert filer.sent() == [("GET", "config/fileservices/share", None),
                            ("POST", "status/fileManager", ("listPhysicalFolders", {"path": "/"}))]
    directory.forget()
    assert directory.find("b") == {"name": "b"}
    assert len(filer.sent("GET")) == 2


def test_an_empty_listing_is_empty_and_an_answer_that_is_not_a_list_is_refused():
    filer = ScriptedFiler({"config/fileservices/share": None}, {"listPhysicalFolders": None})
    assert shares.ShareDirectory(filer).shares() == []
    assert shares.ShareDirectory(filer).volumes() == []
    for answer in ({"name": "x"}, "share", 0, True):
        filer = ScriptedFiler({"config/fileservices/share": answer}, {"listPhysicalFolders": answer})
        with pytest.raises(UnexpectedAnswer) as caught:
            shares.ShareDirectory(filer).shares()
        assert str(caught.value).startswith("list shares failed: the filer answered %s, not a list: %r (GET "
                                            % (type(answer).__name__, answer))
        with pytest.raises(UnexpectedAnswer, match="^list volumes failed: the filer answered %s, not a list: .*POST "
                           % type(answer).__name__):
            shares.ShareDirectory(filer).volumes()


def test_replacing_and_removing_a_share():
    first, second = {"name": "a"}, {"name": "b"}
    filer = ScriptedFiler({"config/fileservices/share": [first, second]})
    directory = shares.ShareDirectory.of(filer)
    new = {"name": "a", "comment": "x"}
    directory.replace(first, new)
    assert directory.shares() == [new, second]
    added = {"name": "c"}
    directory.replace({"name": "c"}, added)
    assert directory.shares() == [new, second, added]
    directory.remove(second)
    assert directory.shares() == [new, added]


# -- new shares and the options as given ---------------------------------------------------------------------------

def test_a_new_share_has_the_sdks_defaults():
    expected = {"name": "docs", "access": "winAclMode", "clientSideCaching": "manual", "exportToAFP": False,
                "exportToFTP": False, "exportToNFS": False, "indexed": False, "comment": None, "acl": [],
                "trustedNFSClients": []}
    assert shares.new_share("docs", False) == expected
    assert shares.new_share("docs", True) == dict(expected, dirPermissions=777, exportToPCAgent=False,
                                                  exportToRSync=False)


def test_every_view_key_is_written_to_its_attribute():
    out = shares.apply_changes({"keep": 1}, {"access": "authenticated", "csc": "disable", "export_to_nfs": True,
                                             "export_to_afp": True, "export_to_ftp": True, "indexed": True,
                                             "comment": "c", "dir_permissions": 700, "export_to_pc_agent": True,
                                             "export_to_rsync": True, "unknown": "x",
                                             "acl": [{"type": "domain_user", "name": "C\\a", "permission": "ReadOnly"}]})
    assert out == {"keep": 1, "access": "authenticated", "clientSideCaching": "disable", "exportToNFS": True,
                   "exportToAFP": True, "exportToFTP": True, "indexed": True, "comment": "c", "dirPermissions": 700,
                   "exportToPCAgent": True, "exportToRSync": True,
                   "acl": [shares.ace_to_obj({"type": "domain_user", "name": "C\\a", "permission": "ReadOnly"})]}


def test_given_entries_are_trimmed():
    params = {"acl": [{"type": "local_user", "name": " admin ", "permission": "ReadOnly", "extra": 1}],
              "trusted_nfs_clients": [{"address": " 10.0.0.1 ", "netmask": "255.255.255.255", "access": "ReadOnly",
                                       "insecure": False, "extra": 1}]}
    assert shares.given_acl(params) == [{"type": "local_user", "name": "admin", "permission": "ReadOnly"}]
    assert shares.given_nfs_clients(params) == [{"address": "10.0.0.1", "netmask": "255.255.255.255",
                                                 "access": "ReadOnly", "insecure": False}]


# -- refused input, exact messages ----------------------------------------------------------------------------------

def params(**overrides):
    base = {"name": "docs", "directory": None, "acl": [], "acl_mode": "exact", "trusted_nfs_clients": [],
            "dir_permissions": None}
    base.update(overrides)
    return base


def refused(**overrides):
    with pytest.raises(ValueError) as caught:
        shares.validate(params(**overrides))
    return str(caught.value)


@pytest.mark.parametrize("netmask,ok", [("255.255.255.0", True), ("255.255.255.255", True), ("0.0.0.0", True),
                                        ("255.255.254.0", True), ("255.0.255.0", False), ("0.0.0.255", False),
                                        ("255.255.255", False), ("", False)])
def test_netmasks(netmask, ok):
    assert shares.valid_netmask(netmask) is ok


@pytest.mark.parametrize("name", ["", "   ", None])
def test_an_empty_name(name):
    assert refused(name=name) == "name must not be empty"


@pytest.mark.parametrize("name", [" docs", "docs ", "d" * 81] + ["a%sb" % ch for ch in '\\/:*?"<>|'])
def test_a_bad_name(name):
    assert refused(name=name) == ("name %r is not a valid share name: up to 80 characters, no leading or trailing "
                                  "spaces, none of \\ / : * ? \" < > |" % name)


def test_good_names_and_directories():
    assert shares.validate(params(name="d" * 80, directory=" /cloud/a b/ ")) == ("d" * 80, "cloud/a b")
    assert shares.validate(params(directory="cloud")) == ("docs", "cloud")


@pytest.mark.parametrize("directory", ["", "/", " / ", "cloud//a", "cloud/./a", "cloud/..", "./cloud"])
def test_a_bad_directory(directory):
    assert refused(directory=directory) == ("directory %r must be 'volume/path' (for example cloud/users/docs), "
                                            "without empty, '.' or '..' segments" % directory)


def test_bad_acl_entries():
    entry = {"type": "local_user", "name": "admin", "permission": "ReadOnly"}
    assert refused(acl=[dict(entry, name=" ")]) == "acl: every entry needs a non-empty name"
    assert refused(acl=[dict(entry, name=None)]) == "acl: every entry needs a non-empty name"
    assert refused(acl=[dict(entry, type="local_group", name="a#b")]) == \
        "acl: local_group name 'a#b' must not contain '#'"
    assert shares.validate(params(acl=[dict(entry, type="domain_group", name="CORP#x")]))
    assert refused(acl=[dict(entry, permission=None)]) == (
        "acl: entry local_user 'admin' needs a permission (ReadWrite, ReadOnly or None) unless acl_mode=remove")
    assert refused(acl=[entry, dict(entry, name="ADMIN", permission="ReadWrite")]) == \
        "acl: local_user 'ADMIN' is listed twice with different permissions"
    assert shares.validate(params(acl=[entry, dict(entry)]))
    # Windows folds case one letter at a time: "STRASSE" is not "straße" (Python's upper() would make them equal).
    assert shares.validate(params(acl=[dict(entry, type="domain_user", name="CORP\\straße"),
                                       dict(entry, type="domain_user", name="CORP\\STRASSE", permission="ReadWrite")]))
    assert shares.validate(params(acl=[dict(entry, permission=None), dict(entry, permission=None)], acl_mode="remove"))


def test_bad_nfs_clients():
    entry = {"address": "10.0.0.0", "netmask": "255.255.255.0", "access": "ReadOnly", "insecure": False}
    assert refused(trusted_nfs_clients=[dict(entry, address="10.0.0")]) == (
        "trusted_nfs_clients: address '10.0.0' is not an IPv4 address; give a host or network address such as "
        "10.0.0.0 (four numbers from 0 to 255, no spaces)")
    assert "address None is not" in refused(trusted_nfs_clients=[dict(entry, address=None)])
    assert refused(trusted_nfs_clients=[dict(entry, netmask="255.0.255.0")]) == (
        "trusted_nfs_clients: netmask '255.0.255.0' of 10.0.0.0 is not a dotted netmask such as 255.255.255.0")
    assert "netmask None of" in refused(trusted_nfs_clients=[dict(entry, netmask=None)])
    assert refused(trusted_nfs_clients=[entry, dict(entry, insecure=True)]) == \
        "trusted_nfs_clients: 10.0.0.0/255.255.255.0 is listed twice with different settings"
    assert refused(trusted_nfs_clients=[entry, dict(entry, access="ReadWrite")]).endswith("different settings")
    assert shares.validate(params(trusted_nfs_clients=[entry, dict(entry), dict(entry, netmask="255.255.0.0")]))


@pytest.mark.parametrize("perms,ok", [(755, True), (0, True), ("7", True), (778, False), (1000, False), ("", False),
                                      ("75a", False)])
def test_dir_permissions(perms, ok):
    if ok:
        assert shares.validate(params(dir_permissions=perms))
    else:
        assert refused(dir_permissions=perms) == \
            "dir_permissions %r must be up to three octal digits (0-7), for example 755" % perms


def test_options_of_old_firmware_on_a_new_filer():
    new, old = ScriptedFiler(firmware="7.13.1000"), ScriptedFiler(firmware="7.11.1000.1")
    given = {"dir_permissions": 755, "export_to_pc_agent": None, "export_to_rsync": False}
    with pytest.raises(ValueError) as caught:
        shares.check_v1_options(given, new)
    assert str(caught.value) == ("dir_permissions, export_to_rsync: not available on https://filer.test, which runs "
                                 "firmware 7.13.1000; these options exist only on firmware before 7.12.5400")
    shares.check_v1_options(given, old)
    shares.check_v1_options({"export_to_pc_agent": None}, new)


def test_a_directory_must_be_on_a_volume():
    filer = ScriptedFiler({}, {"listPhysicalFolders": [{"fullpath": "/local"}, {"fullpath": "/cloud"}]})
    shares.check_volume(filer, "cloud/users")
    with pytest.raises(ValueError) as caught:
        shares.check_volume(filer, "archive/users")
    assert str(caught.value) == "directory 'archive/users': 'archive' is not a volume of https://filer.test " \
                                "(volumes: cloud, local)"
    filer = ScriptedFiler({}, {"listPhysicalFolders": []})
    with pytest.raises(ValueError, match=r"\(volumes: none\)$"):
        shares.check_volume(filer, "cloud")


def test_values_read_back_as_the_text_the_filer_sent():
    assert [shares.as_text(v) for v in (True, False, None, 0, 755, "x")] == ["true", "false", None, "0", "755", "x"]


def test_a_share_without_a_name_matches_no_name():
    assert shares.find_share([{"name": None}, {}], "xxxx") is None


def test_an_insecure_nfs_client_is_written_insecure():
    entry = {"address": "10.0.0.9", "netmask": "255.255.255.255", "access": "ReadOnly", "insecure": True}
    assert shares.nfs_to_obj(entry)["insecure"] is True
    assert shares.apply_changes({}, {"trusted_nfs_clients": [entry]})["trustedNFSClients"][0]["insecure"] is True


def test_names_ending_in_x_keep_their_letters():
    assert shares.share_view({"volume": "/Xvol/", "directory": "/docsX/"}, False)["directory"] == "Xvol/docsX"
    assert shares.validate(params(directory="/Xvol/docsX/"))[1] == "Xvol/docsX"
    filer = ScriptedFiler({}, {"listPhysicalFolders": [{"fullpath": "/archiveX/"}]})
    assert shares.ShareDirectory(filer).volumes() == ["archiveX"]


def test_listing_errors_name_the_listing():
    filer = ScriptedFiler({"config/fileservices/share": []}, {"listPhysicalFolders": []})
    filer.failing.update({"config/fileservices/share", "status/fileManager"})
    with pytest.raises(ApiError, match="^list shares failed"):
        shares.ShareDirectory(filer).shares()
    with pytest.raises(ApiError, match="^list volumes failed"):
        shares.ShareDirectory(filer).volumes()
