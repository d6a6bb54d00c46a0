# -*- coding: utf-8 -*-
# Copyright: filefleet.office contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Input checks (``_validate``) that mutation testing (docs/mutation.md) found unchecked by fast unit tests.

Every check is what ``FilefleetModule`` runs before any request; the messages asserted here are the ones a user
reads when a task is refused (``msg``: the errors joined by ``; ``), so each names the option, what was given (never
a ``no_log`` value) and what is allowed. The secrets collected by ``secret_values`` are what is masked in a failure
that comes before ansible-core collects them.
"""

import pytest

from ansible_collections.filefleet.office.plugins.module_utils import _validate as validate


def errors(spec, params, texts=()):
    return validate.strict_type_errors(spec, params, texts=texts)


def refused(check, *args):
    with pytest.raises(ValueError) as caught:
        check(*args)
    return str(caught.value)


# -- strict types: single values ---------------------------------------------------------------------------------

@pytest.mark.parametrize("value,shown", [
    (["a", "b"], "a list (['a', 'b'])"), (("a",), "a list (('a',))"), ({"k": 1}, "a dictionary ({'k': 1})"),
])
def test_a_collection_for_a_single_text_names_the_option_and_what_was_given(value, shown):
    assert errors({"name": {"type": "str"}}, {"name": value}) == [
        "name must be a text, got %s; give a single value" % shown]


def test_a_set_for_a_single_value_is_a_list_too():
    assert errors({"count": {"type": "int"}}, {"count": {3}}) == [
        "count must be a whole number, got a list ({3}); give a single value"]


@pytest.mark.parametrize("kind,word", [("str", "a text"), ("path", "a file path (text)")])
@pytest.mark.parametrize("value,shown", [(True, "a boolean (True)"), (1.5, "a fractional number (1.5)")])
def test_a_boolean_or_fraction_for_a_text_must_be_quoted(kind, word, value, shown):
    assert errors({"name": {"type": kind}}, {"name": value}) == [
        "name must be %s, got %s; quote it to give it as text" % (word, shown)]


def test_the_type_of_an_option_defaults_to_text():
    assert errors({"name": {}}, {"name": False}) == ["name must be a text, got a boolean (False); quote it to give it as text"]


def test_whole_numbers_and_texts_for_a_text_are_accepted():
    assert errors({"name": {"type": "str"}, "dest": {"type": "path"}}, {"name": 7, "dest": "/tmp/x"}) == []


def test_text_problems_name_the_option():
    assert errors({"name": {"type": "str"}}, {"name": "a\x00b"}) == [
        "name holds the control character '\\x00'; only printable text, tabs and line breaks are allowed"]
    assert errors({"dest": {"type": "path"}}, {"dest": "x" * 4097}) == [
        "dest is 4097 characters long; at most 4096 are allowed"]


@pytest.mark.parametrize("kind,word", [("int", "a whole number"), ("float", "a number")])
def test_a_boolean_for_a_number_is_refused(kind, word):
    assert errors({"size": {"type": kind}}, {"size": True}) == ["size must be %s, got a boolean (True)" % word]


@pytest.mark.parametrize("value,shown", [
    (float("nan"), "nan"), (float("inf"), "inf"), (float("-inf"), "-inf"), ("nan", "'nan'"), (" inf ", "' inf '"),
])
@pytest.mark.parametrize("kind", ["int", "float"])
def test_numbers_must_be_finite(kind, value, shown):
    assert errors({"size": {"type": kind}}, {"size": value}) == ["size must be a finite number, got %s" % shown]


def test_a_secret_number_that_is_not_finite_is_not_shown():
    assert errors({"pin": {"type": "float", "no_log": True}}, {"pin": "nan"}) == [
        "pin must be a finite number, got nan or inf"]


@pytest.mark.parametrize("kind", ["int", "float"])
def test_finite_numbers_and_texts_ansible_refuses_itself_pass(kind):
    assert errors({"size": {"type": kind}}, {"size": "12"}) == []
    assert errors({"size": {"type": kind}}, {"size": "twelve"}) == []  # ansible-core names option and type
    assert errors({"size": {"type": kind}}, {"size": 3}) == []
    assert errors({"size": {"type": kind}}, {"size": None}) == []


def test_a_whole_number_too_large_for_a_float_is_refused_for_a_float_only():
    shown = repr(10 ** 400)[:77] + "..."
    assert errors({"size": {"type": "float"}}, {"size": 10 ** 400}) == ["size is too large a number (%s)" % shown]
    assert errors({"size": {"type": "int"}}, {"size": 10 ** 400}) == []
    assert errors({"size": {"type": "float"}}, {"size": 10 ** 300}) == []


def test_values_shown_up_to_80_characters_then_cut():
    exact = ["x" * 76]  # repr is 80 characters
    assert errors({"name": {"type": "str"}}, {"name": exact}) == [
        "name must be a text, got a list (%r); give a single value" % exact]
    longer = ["x" * 77]
    assert errors({"name": {"type": "str"}}, {"name": longer}) == [
        "name must be a text, got a list (%s...); give a single value" % repr(longer)[:77]]


def test_a_number_too_long_to_show_is_named_so():
    assert errors({"size": {"type": "float"}}, {"size": 10 ** 5000}) == [
        "size is too large a number (a number too long to show)"]


def test_secret_values_are_never_shown_in_type_errors():
    assert errors({"password": {"type": "str", "no_log": True}}, {"password": ["s3cret-1"]}) == [
        "password must be a text, got a list; give a single value"]
    assert errors({"password": {"type": "str", "no_log": True}}, {"password": 12.5}) == [
        "password must be a text, got a fractional number; quote it to give it as text"]


def test_booleans_are_checked_only_for_collections():
    assert errors({"flag": {"type": "bool"}}, {"flag": "yes"}) == []
    assert errors({"flag": {"type": "bool"}}, {"flag": [True]}) == [
        "flag must be true or false, got a list ([True]); give a single value"]


# -- strict types: aliases, texts, lists, dicts -----------------------------------------------------------------

def test_an_alias_is_checked_under_the_options_name():
    spec = {"name": {"type": "str", "aliases": ["user"]}}
    assert errors(spec, {"user": ["a"]}) == ["name must be a text, got a list (['a']); give a single value"]
    assert errors(spec, {"name": "ok", "user": ["a"]}) == []  # the option itself wins over its alias


def test_options_not_given_and_parameters_that_are_not_a_dict_give_no_errors():
    assert errors({"name": {"type": "str"}}, {}) == []
    assert errors({"name": {"type": "str"}}, None) == []


@pytest.mark.parametrize("value", [644, 6.44])
def test_a_mode_given_as_a_number_must_be_quoted(value):
    found = errors({"mode": {"type": "str"}}, {"mode": value}, texts=("mode",))
    assert found[0] == (
        "mode must be given as quoted text, got the number %r (YAML reads an unquoted 0644 as the number 420); "
        "write it in quotes, for example '0644'" % value)
    # a fraction is also refused as a text (quote it)
    assert found[1:] == ([] if value == 644 else ["mode must be a text, got a fractional number (6.44); quote it to give it as text"])


def test_a_mode_given_as_text_or_not_at_all_passes():
    assert errors({"mode": {"type": "str"}}, {"mode": "0644"}, texts=("mode",)) == []
    assert errors({"mode": {"type": "str"}}, {}, texts=("mode",)) == []
    # only options named in texts: a whole number is fine for any other text option
    assert errors({"mode": {"type": "str"}}, {"mode": 644}) == []


def test_every_error_is_reported_in_order():
    spec = {"a": {"type": "str"}, "b": {"type": "int"}}
    assert errors(spec, {"a": [1], "b": True}, texts=("c",)) == [
        "a must be a text, got a list ([1]); give a single value", "b must be a whole number, got a boolean (True)"]
    assert errors(spec, {"c": 1, "a": [1]}, texts=("c",))[0].startswith("c must be given as quoted text")


def test_list_elements_are_checked_by_position():
    spec = {"names": {"type": "list", "elements": "str"}}
    assert errors(spec, {"names": ["ok", ["x"], True]}) == [
        "names[1] must be a text, got a list (['x']); give a single value",
        "names[2] must be a text, got a boolean (True); quote it to give it as text"]


def test_secret_list_elements_are_not_shown():
    spec = {"keys": {"type": "list", "elements": "str", "no_log": True}}
    assert errors(spec, {"keys": [["s3cret-2"]]}) == ["keys[0] must be a text, got a list; give a single value"]


def test_list_of_dicts_checks_each_entry_and_its_suboptions():
    spec = {"users": {"type": "list", "elements": "dict", "options": {"name": {"type": "str"}, "quota": {"type": "int"}}}}
    assert errors(spec, {"users": [{"name": "a"}, "bob", {"name": ["b"], "quota": False}, 5]}) == [
        "users[1] must be a dictionary, got a str ('bob')",
        "users[2].name must be a text, got a list (['b']); give a single value",
        "users[2].quota must be a whole number, got a boolean (False)",
        "users[3] must be a dictionary, got a whole number (5)"]


def test_a_list_of_dicts_without_suboptions_is_not_checked_per_entry():
    spec = {"items": {"type": "list", "elements": "dict"}}
    assert errors(spec, {"items": ["x"]}) == []


@pytest.mark.parametrize("value,shown", [
    ({"k": "v"}, "a dictionary ({'k': 'v'})"), (True, "a boolean (True)"), (3, "a whole number (3)"),
    (2.5, "a fractional number (2.5)"),
])
def test_a_single_value_for_a_list_is_refused(value, shown):
    assert errors({"names": {"type": "list", "elements": "str"}}, {"names": value}) == [
        "names must be a list, got %s" % shown]


def test_text_for_a_list_is_split_by_ansible_unless_it_is_a_list_of_dicts():
    assert errors({"names": {"type": "list", "elements": "str"}}, {"names": "a,b"}) == []
    assert errors({"users": {"type": "list", "elements": "dict"}}, {"users": "a"}) == [
        "users must be a list, got a str ('a')"]


def test_a_dict_option_must_be_a_dict_and_its_suboptions_are_checked():
    spec = {"limits": {"type": "dict", "options": {"size": {"type": "int"}}}}
    assert errors(spec, {"limits": ["x"]}) == ["limits must be a dictionary, got a list (['x'])"]
    assert errors(spec, {"limits": {"size": True}}) == ["limits.size must be a whole number, got a boolean (True)"]
    assert errors({"extra": {"type": "dict"}}, {"extra": {"size": True}}) == []
    assert errors({"extra": {"type": "dict", "no_log": True}}, {"extra": "s3cret-3"}) == [
        "extra must be a dictionary, got a str"]


def test_other_kinds_are_left_to_ansible():
    assert errors({"anything": {"type": "raw"}}, {"anything": [{"a": True}]}) == []


def test_texts_are_not_applied_inside_suboptions():
    spec = {"entry": {"type": "dict", "options": {"mode": {"type": "str"}}}}
    assert errors(spec, {"entry": {"mode": 644}}, texts=("mode",)) == []


# -- text that no API can carry ------------------------------------------------------------------------------

@pytest.mark.parametrize("text", ["", "plain", "tab\there", "line\nbreak", "cr\rlf", " ~", "\x80\ud7ff\ue000", "x" * 4096])
def test_text_any_api_can_carry(text):
    assert validate.text_problem(text) is None


@pytest.mark.parametrize("char", ["\x00", "\x1b", "\x1f", "\x7f"])
def test_control_characters_are_named(char):
    assert validate.text_problem("a%sb" % char) == (
        "holds the control character %r; only printable text, tabs and line breaks are allowed" % char)


@pytest.mark.parametrize("char", ["\ud800", "\udfff"])
def test_lone_surrogates_are_named(char):
    assert validate.text_problem(char) == "holds a lone surrogate (%r), which is not valid Unicode text" % char


def test_text_longer_than_the_maximum_is_named_with_its_length():
    assert validate.MAX_TEXT == 4096
    assert validate.text_problem("y" * 5000) == "is 5000 characters long; at most 4096 are allowed"


# -- secrets masked before ansible-core collects them ----------------------------------------------------------

def test_secret_values_collects_every_text_of_no_log_options_and_suboptions():
    spec = {
        "password": {"type": "str", "no_log": True},
        "name": {"type": "str"},
        "keys": {"type": "list", "no_log": True},
        "users": {"type": "list", "elements": "dict", "options": {"password": {"no_log": True}, "name": {}}},
        "owner": {"type": "dict", "options": {"token": {"no_log": True}}},
        "nested": {"type": "raw", "no_log": True},
        "unset": {"type": "str", "no_log": True},
    }
    params = {"password": "pw-1", "name": "bob", "keys": ["k-1", ("k-2",), {"k-3"}],
              "users": [{"password": "pw-2", "name": "alice"}, {"password": None, "name": "carol"}],
              "owner": {"token": 12345}, "nested": {"a": {"b": "deep-1"}, "flag": True, "empty": "", "none": None},
              "unset": None}
    assert validate.secret_values(spec, params) == {"pw-1", "k-1", "k-2", "k-3", "pw-2", "12345", "deep-1"}


def test_secret_values_of_parameters_that_are_not_a_dict_is_empty():
    assert validate.secret_values({"password": {"no_log": True}}, None) == set()
    assert validate.secret_values({"users": {"options": {"password": {"no_log": True}}}}, {"users": ["bob"]}) == set()


# -- bounds and numbers in messages ------------------------------------------------------------------------------

def test_bounds_are_inclusive():
    for value in (1, 2.5, 3600):
        validate.check_bounds("timeout", value, 1, 3600, "seconds")
    validate.check_bounds("timeout", None, 1, 3600, "seconds")


@pytest.mark.parametrize("value,shown", [(0, "0"), (3601, "3601"), (0.5, "0.5"), (3600.5, "3600.5"), (-2.0, "-2"),
                                         (10 ** 20, "about 10^20")])
def test_out_of_bounds_names_the_option_the_range_and_the_unit(value, shown):
    assert refused(validate.check_bounds, "timeout", value, 1, 3600, "seconds") == (
        "timeout must be between 1 and 3600 seconds, got %s" % shown)


def test_out_of_bounds_without_a_unit():
    assert refused(validate.check_bounds, "count", 9, 0, 5) == "count must be between 0 and 5, got 9"


@pytest.mark.parametrize("value", [float("nan"), float("inf"), float("-inf")])
def test_bounds_refuse_numbers_that_are_not_finite(value):
    assert refused(validate.check_bounds, "timeout", value, 1, 3600, "seconds") == (
        "timeout must be a finite number, got %r" % value)


@pytest.mark.parametrize("value,text", [
    (3.0, "3"), (-2.0, "-2"), (2.5, "2.5"), (999999999999999.0, "999999999999999"), (1e15, "1000000000000000.0"),
    (-1e15, "-1000000000000000.0"),
    (999999999999999, "999999999999999"), (10 ** 15, "about 10^15"), (-(10 ** 15), "-about 10^15"),
    (10 ** 15 + 1, "about 10^15"), (10 ** 20, "about 10^20"), (-(10 ** 400), "-about 10^400"),
    (2 ** 2000, "about 10^602"), (7, "7"), (-7, "-7"),
])
def test_number_text(value, text):
    assert validate.number_text(value) == text


def test_number_text_of_a_number_with_more_digits_than_python_prints():
    assert validate.number_text(10 ** 5000) == "about 10^5000"


# -- base URLs ---------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("url", ["https://portal.example.com", "HTTPS://portal.example.com", "portal.example.com",
                                 "portal.example.com:8443", "https://portal.example.com:443/base/", None])
def test_https_urls_and_bare_host_names_pass(url):
    validate.check_base_url("portal_url", url, False)


@pytest.mark.parametrize("url", ["http://edge.lab", "HTTP://edge.lab", "Http://edge.lab:8080/"])
def test_plain_http_needs_allow_insecure_http(url):
    assert refused(validate.check_base_url, "edge_url", url, False) == (
        "edge_url=%r is plain http: the password would travel in clear text. Use https://, or set "
        "allow_insecure_http: true if you accept that (a lab system only)" % url)
    validate.check_base_url("edge_url", url, True)


@pytest.mark.parametrize("url", [" https://h", "https://h ", "", "https://a b", "https://h\t/x"])
def test_urls_with_spaces_or_empty_are_refused(url):
    assert refused(validate.check_base_url, "portal_url", url, True) == (
        "portal_url=%r must be a URL such as https://host.example.com, without spaces" % url)


def test_a_port_that_is_not_a_number_is_refused():
    assert refused(validate.check_base_url, "portal_url", "https://h:99999", True) == (
        "portal_url='https://h:99999' has a port that is not a number from 1 to 65535")
    assert refused(validate.check_base_url, "portal_url", "h:port", True) == (
        "portal_url='h:port' has a port that is not a number from 1 to 65535")


@pytest.mark.parametrize("url", ["ftp://h", "https://", "https://:443", "file:///etc/passwd"])
def test_other_schemes_and_urls_without_a_host_are_refused(url):
    assert refused(validate.check_base_url, "cloutility_url", url, True) == (
        "cloutility_url=%r is not an https URL; give https://host (or a bare host name, which means https)" % url)


@pytest.mark.parametrize("url", ["https://user:pw-9@h", "https://user@h", "https://:pw-9@h", "user:pw-9@h"])
def test_credentials_in_a_url_are_refused_without_showing_them(url):
    message = refused(validate.check_base_url, "portal_url", url, True)
    assert message == ("portal_url must not hold credentials (user:password@); give them in the username and password "
                       "options")


@pytest.mark.parametrize("url", ["https://h/?a=1", "https://h/#top", "h/x#y", "https://h?a"])
def test_a_query_or_fragment_is_refused(url):
    assert refused(validate.check_base_url, "portal_url", url, True) == (
        "portal_url=%r must not hold a query (?) or a fragment (#)" % url)


# -- names -------------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("name", ["bob", "", "a b", "...", ".x", 5, None])
def test_names_that_pass(name):
    validate.check_names("name", name)


@pytest.mark.parametrize("name", [" ", "\t", "  \n"])
def test_a_name_of_only_whitespace_is_empty(name):
    assert refused(validate.check_names, "name", name) == "name must not be empty (it is only whitespace)"


@pytest.mark.parametrize("name", [" bob", "bob ", "bob\n"])
def test_a_name_with_surrounding_whitespace_is_refused(name):
    assert refused(validate.check_names, "name", name) == (
        "name=%r has leading or trailing whitespace; names are not trimmed, give the name without it" % name)


@pytest.mark.parametrize("name", [".", ".."])
def test_dot_names_would_address_another_object(name):
    assert refused(validate.check_names, "name", name) == (
        "name=%r is not allowed: '.' and '..' would address another object (the URL path would change), not one "
        "named %r" % (name, name))


def test_names_in_a_list_are_named_by_position():
    assert refused(validate.check_names, "members", ["a", 3, " c"]) == (
        "members[2]=' c' has leading or trailing whitespace; names are not trimmed, give the name without it")
    assert refused(validate.check_names, "members", ["a", " "]) == "members[1] must not be empty (it is only whitespace)"
    assert refused(validate.check_names, "members", [".."]) == (
        "members[0]='..' is not allowed: '.' and '..' would address another object (the URL path would change), "
        "not one named '..'")


# -- references by id or name ------------------------------------------------------------------------------------

@pytest.mark.parametrize("value", [None, 1, 2147483647, "1", "2147483647", " 7 ", "acme", "007x", "Team 1"])
def test_references_that_pass(value):
    validate.check_reference("unit", value)


@pytest.mark.parametrize("value", ["", "   "])
def test_an_empty_reference_is_refused(value):
    assert refused(validate.check_reference, "unit", value) == "unit must be an id or a name, got an empty text"


def test_a_reference_that_no_api_can_carry_is_refused():
    assert refused(validate.check_reference, "unit", "a\x01") == (
        "unit holds the control character '\\x01'; only printable text, tabs and line breaks are allowed")


@pytest.mark.parametrize("value,shown", [("0", "0"), ("2147483648", "2147483648"), (" 0 ", "0"), (0, "0"), (-3, "-3"),
                                         (2147483648, "2147483648"), (10 ** 30, "about 10^30")])
def test_ids_out_of_range_are_refused(value, shown):
    assert refused(validate.check_reference, "unit", value) == (
        "unit: an id must be between 1 and 2147483647, got %s" % shown)


@pytest.mark.parametrize("value,shown", [(True, "a boolean (True)"), (1.5, "a fractional number (1.5)"),
                                         (["a"], "a list (['a'])"), ({"id": 1}, "a dictionary ({'id': 1})")])
def test_a_reference_that_is_neither_id_nor_name_is_refused(value, shown):
    assert refused(validate.check_reference, "unit", value) == (
        "unit must be an id (a whole number) or a name (text), got %s" % shown)


# -- check_params: what FilefleetModule runs on validated parameters ----------------------------------------------

@pytest.mark.parametrize("option", ["portal_url", "edge_url", "cloutility_url"])
def test_every_url_option_is_checked_and_http_needs_the_flag(option):
    assert refused(validate.check_params, {option: "http://lab"}).startswith("%s='http://lab' is plain http" % option)
    validate.check_params({option: "http://lab", "allow_insecure_http": True})
    validate.check_params({option: None})


def test_common_bounds_of_timeouts():
    assert validate.COMMON_BOUNDS == {"timeout": (1, 3600, "seconds"), "wait_timeout": (0, 86400, "seconds")}
    validate.check_params({"timeout": 1, "wait_timeout": 0})
    validate.check_params({"timeout": 3600, "wait_timeout": 86400})
    validate.check_params({"timeout": True})  # a boolean is refused by the type check, not bounded here
    assert refused(validate.check_params, {"timeout": 0}) == "timeout must be between 1 and 3600 seconds, got 0"
    assert refused(validate.check_params, {"wait_timeout": 86401}) == (
        "wait_timeout must be between 0 and 86400 seconds, got 86401")
    assert refused(validate.check_params, {"wait_timeout": float("nan")}) == "wait_timeout must be a finite number, got nan"


def test_module_bounds_are_added_and_checked_in_option_order():
    bounds = {"a_count": (0, 5, ""), "users.quota": (1, 10, "GB")}
    validate.check_params({"a_count": 5, "users": [{"quota": 10}]}, bounds)
    assert refused(validate.check_params, {"timeout": 0, "a_count": 6}, bounds) == "a_count must be between 0 and 5, got 6"
    assert refused(validate.check_params, {"users": [{"quota": 1}, {"quota": 11}]}, bounds) == (
        "users[1].quota must be between 1 and 10 GB, got 11")
    assert refused(validate.check_params, {"users": {"quota": 0}}, bounds) == (
        "users[0].quota must be between 1 and 10 GB, got 0")
    validate.check_params({"users": [{"quota": "many"}, None, {"name": "x"}]}, bounds)


def test_urls_are_checked_before_bounds_references_and_names():
    params = {"portal_url": "ftp://h", "timeout": 0, "unit": True, "name": " x"}
    assert refused(validate.check_params, params, None, ["name"], ["unit"]).startswith("portal_url='ftp://h' is not")
    del params["portal_url"]
    assert refused(validate.check_params, params, None, ["name"], ["unit"]).startswith("timeout must be between")
    del params["timeout"]
    assert refused(validate.check_params, params, None, ["name"], ["unit"]).startswith("unit must be an id")
    del params["unit"]
    assert refused(validate.check_params, params, None, ["name"], ["unit"]).startswith("name=' x' has leading")


def test_references_single_or_each_element_of_a_list():
    assert refused(validate.check_params, {"unit": 0}, None, (), ["unit"]) == (
        "unit: an id must be between 1 and 2147483647, got 0")
    assert refused(validate.check_params, {"units": ["a", 5, ""]}, None, (), ["units[]"]) == (
        "units[2] must be an id or a name, got an empty text")
    assert refused(validate.check_params, {"entries": [{"unit": "a"}, {"unit": -1}]}, None, (), ["entries.unit"]) == (
        "entries[1].unit: an id must be between 1 and 2147483647, got -1")
    # a list given where one reference is expected is refused as a whole
    assert refused(validate.check_params, {"unit": ["a"]}, None, (), ["unit"]) == (
        "unit must be an id (a whole number) or a name (text), got a list (['a'])")
    # "each" of a single value checks it as one reference
    assert refused(validate.check_params, {"units": True}, None, (), ["units[]"]) == (
        "units must be an id (a whole number) or a name (text), got a boolean (True)")
    validate.check_params({"units": None, "unit": None}, None, (), ["units[]", "unit"])


def test_names_at_option_paths():
    assert refused(validate.check_params, {"users": [{"name": "a"}, {"name": "b "}]}, None, ["users.name"]) == (
        "users[1].name='b ' has leading or trailing whitespace; names are not trimmed, give the name without it")
    assert refused(validate.check_params, {"members": ["a", "."]}, None, ["members"]) == (
        "members[1]='.' is not allowed: '.' and '..' would address another object (the URL path would change), "
        "not one named '.'")
    validate.check_params({"users": "not a list of dicts"}, None, ["users.name"])


# -- found by the mutation run: every element kind checked, every option checked, secrets never shown -----------

@pytest.mark.parametrize("elements,given,message", [
    ("path", [["/a"]], "dirs[0] must be a file path (text), got a list (['/a']); give a single value"),
    ("path", [1.5], "dirs[0] must be a file path (text), got a fractional number (1.5); quote it to give it as text"),
    ("int", [True], "dirs[0] must be a whole number, got a boolean (True)"),
    ("int", ["nan"], "dirs[0] must be a finite number, got 'nan'"),
    ("float", [False], "dirs[0] must be a number, got a boolean (False)"),
    ("float", [float("inf")], "dirs[0] must be a finite number, got inf"),
    ("bool", [{"on": 1}], "dirs[0] must be true or false, got a dictionary ({'on': 1}); give a single value"),
])
def test_list_elements_of_every_kind_are_checked(elements, given, message):
    assert errors({"dirs": {"type": "list", "elements": elements}}, {"dirs": given}) == [message]


def test_an_option_not_given_does_not_stop_the_checks_of_the_next():
    spec = {"first": {"type": "str"}, "second": {"type": "int"}}
    assert errors(spec, {"second": True}) == ["second must be a whole number, got a boolean (True)"]


def test_an_unset_secret_does_not_stop_collecting_the_next():
    spec = {"old_password": {"no_log": True}, "password": {"no_log": True}, "users": {"options": {"key": {"no_log": True}}}}
    assert validate.secret_values(spec, {"old_password": None, "password": "pw-4", "users": [{"key": "k-4"}]}) == {
        "pw-4", "k-4"}


@pytest.mark.parametrize("spec,given,message", [
    ({"type": "int", "no_log": True}, True, "pin must be a whole number, got a boolean"),
    ({"type": "float", "no_log": True}, 10 ** 400, "pin is too large a number"),
    ({"type": "list", "elements": "str", "no_log": True}, {"k": "s3cret-5"}, "pin must be a list, got a dictionary"),
    ({"type": "list", "elements": "dict", "no_log": True, "options": {"v": {}}}, ["s3cret-6"],
     "pin[0] must be a dictionary, got a str"),
])
def test_secret_values_of_every_shape_are_never_shown(spec, given, message):
    assert errors({"pin": spec}, {"pin": given}) == [message]
