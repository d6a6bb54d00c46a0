# -*- coding: utf-8 -*-
# Copyright: filefleet.office contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""FilefleetModule refuses bad input before the module body runs, naming the option: the checks a module asks
for (``bounds``, ``names``, ``references``, ``texts``) and every strict-type error at once. Found unchecked by
mutation testing of _common.py (docs/mutation.md)."""

import json

import pytest

from ansible_collections.filefleet.office.plugins.module_utils import _common as common

SPEC = {
    "name": {"type": "str", "required": True},
    "count": {"type": "int"},
    "owner": {"type": "raw"},
    "mode": {"type": "str"},
    "password": {"type": "str", "no_log": True},
}
CHECKS = {"bounds": {"count": (1, 10, "items")}, "names": ("name",), "references": ("owner",), "texts": ("mode",)}


def _module(capsys, args, **kwargs):
    """(module, None) when the parameters are accepted, else (None, the printed failure)."""
    with common.invocation(args):
        try:
            module = common.FilefleetModule(argument_spec=dict(SPEC), **kwargs)
        except SystemExit as ended:
            assert ended.code == 1
            return None, json.loads(capsys.readouterr().out)
    capsys.readouterr()
    return module, None


@pytest.mark.parametrize("args, message", [
    ({"name": "a", "count": 11}, "count must be between 1 and 10 items, got 11"),
    ({"name": " bob "}, "name=' bob ' has leading or trailing whitespace; names are not trimmed, give the name "
                        "without it"),
    ({"name": "a", "owner": 0}, "owner: an id must be between 1 and 2147483647, got 0"),
    ({"name": "a", "owner": [1]}, "owner must be an id (a whole number) or a name (text), got a list ([1])"),
    ({"name": "a", "mode": 420}, "mode must be given as quoted text, got the number 420 (YAML reads an unquoted 0644 "
                                 "as the number 420); write it in quotes, for example '0644'"),
], ids=["bounds", "names", "reference id", "reference type", "texts"])
def test_the_checks_a_module_asks_for_refuse_bad_input_naming_the_option(capsys, args, message):
    module, failure = _module(capsys, args, **CHECKS)
    assert module is None and failure["failed"] is True and failure["msg"] == message


def test_input_that_passes_every_check_is_accepted(capsys):
    args = {"name": "bob", "count": 10, "owner": "team-1", "mode": "0644", "password": "pw-Ok-123"}
    module, failure = _module(capsys, args, **CHECKS)
    assert failure is None and module.params == args
    # Without the checks, what they refuse is the module's own business.
    module, failure = _module(capsys, {"name": " bob ", "count": 11, "owner": 0, "mode": 420})
    assert failure is None and module.params["name"] == " bob " and module.params["mode"] == "420"


def test_every_strict_type_error_is_named_in_one_message(capsys):
    module, failure = _module(capsys, {"name": ["a", "b"], "count": True, "password": 12.5})
    assert module is None
    assert failure["msg"] == ("name must be a text, got a list (['a', 'b']); give a single value; "
                              "count must be a whole number, got a boolean (True); "
                              "password must be a text, got a fractional number; quote it to give it as text")
    assert failure["invocation"]["module_args"]["password"] == "VALUE_SPECIFIED_IN_NO_LOG_PARAMETER"
    assert "12.5" not in json.dumps(failure)  # the secret's value is neither in the message nor in the invocation


def test_the_argument_spec_may_be_given_by_position_like_ansible_module(capsys):
    with common.invocation({"name": "a", "count": "4", "_ansible_check_mode": True}):
        module = common.FilefleetModule(dict(SPEC), supports_check_mode=True)
    assert module.params["name"] == "a" and module.params["count"] == 4 and module.check_mode is True
    capsys.readouterr()
