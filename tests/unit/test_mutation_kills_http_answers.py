# -*- coding: utf-8 -*-
# Copyright: filefleet.office contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What _http.py accepts as the API's answer and how it builds URLs, found unchecked by mutation testing (issue 15,
docs/mutation.md): an answer that is not the API's (a login page, a redirect, the other format, someone else's XML,
a body in another charset) is an error with the exact message a user reads, never an empty success; the URL a name
is placed in; the base URL a user gives; server text cut in errors."""

import pytest
import requests

from ansible_collections.filefleet.office.plugins.module_utils._http import (
    ApiError, InvalidName, Redactor, UnexpectedAnswer, check_answer, check_name, clip, join_url, normalize_base_url,
)

URL = "https://filer.example.com/ServicesPortal/api/users"


def _answer(body, content_type=None, status=200, location=None, sent=True):
    """A requests answer as HttpClient.request returns it (body read, the request it answers attached)."""
    response = requests.Response()
    response.status_code = status
    response._content = body  # pylint: disable=protected-access
    if content_type:
        response.headers["Content-Type"] = content_type
    if location:
        response.headers["Location"] = location
    response.url = URL
    if sent:
        response.request = requests.Request("GET", URL).prepare()
    return response


def _refused(response, expect, what="read users", redactor=None, require_body=True):
    with pytest.raises(UnexpectedAnswer) as caught:
        check_answer(response, expect, what, redactor, require_body=require_body)
    return caught.value


def _message(problem, expect, status, content_type, size, shown, what="read users"):
    return ("%s failed: the server answered %s, not the API's %s answer (HTTP %s, %s, %d bytes: %r) (GET %s -> HTTP %s)"
            % (what, problem, expect, status, content_type, size, shown, URL, status))


# -- login pages and other HTML ---------------------------------------------------------------------------------

@pytest.mark.parametrize("body, content_type, expect", [
    (b"Please sign in to continue", "text/html; charset=utf-8", "xml"),  # labelled HTML, no markup at all
    (b"<head><title>Sign in</title></head>", "text/html", "xml"),  # labelled HTML, no <html> element
    (b"<!DOCTYPE html><html><body>Sign in</body></html>", "application/xml", "xml"),  # mislabelled page
    (b"<!doctype html><p>Sign in</p>", None, "json"),
    (b"<HTML><BODY>Sign in</BODY></HTML>", "application/json", "json"),
    (b"\r\n  <html><body>Sign in</body></html>", None, "xml"),  # blank lines before the page
], ids=["text", "no-html-element", "doctype-as-xml", "doctype-unlabelled", "html-as-json", "leading-blank"])
def test_a_login_page_is_refused_as_an_html_page_whatever_its_label(body, content_type, expect):
    error = _refused(_answer(body, content_type), expect)
    shown = body.decode().lstrip()
    assert str(error) == _message("an HTML page", expect.upper(), 200, content_type or "no content type", len(body),
                                  shown)
    assert (error.method, error.url, error.status, error.body) == ("GET", URL, 200, shown)
    assert error.to_result()["server_message"] is None  # the page is not the API's message


def test_an_answer_not_sent_by_a_request_is_still_refused_without_a_method():
    error = _refused(_answer(b"<html>Sign in</html>", "text/html", sent=False), "xml")
    assert error.method is None
    assert str(error) == ("read users failed: the server answered an HTML page, not the API's XML answer (HTTP 200, "
                          "text/html, 20 bytes: '<html>Sign in</html>')")


def test_the_page_is_shown_as_decoded_utf8_and_counted_in_bytes_sent():
    # No charset: requests would read text/html as ISO-8859-1; the error shows what the server meant.
    body = u"<html>Connexion r\u00e9serv\u00e9e</html>".encode("utf-8")
    error = _refused(_answer(body, "text/html"), "xml")
    assert str(error) == _message("an HTML page", "XML", 200, "text/html", 33, u"<html>Connexion r\u00e9serv\u00e9e</html>")


def test_an_answer_in_another_charset_is_refused_not_a_decoding_crash():
    error = _refused(_answer(b"<html>R\xe9seau indisponible</html>", "text/html; charset=iso-8859-1"), "json")
    assert str(error) == _message("an HTML page", "JSON", 200, "text/html; charset=iso-8859-1", 32,
                                  u"<html>R\ufffdseau indisponible</html>")


# -- redirects -----------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("status", [300, 301, 302, 303, 307, 308, 399])
def test_a_redirect_is_refused_naming_where_it_leads_even_when_no_body_is_needed(status):
    login = "https://filer.example.com/ServicesPortal/login?next=%2Fapi"
    error = _refused(_answer(b"", None, status, location=login), "xml", require_body=False)
    assert str(error) == _message("redirected to " + login, "XML", status, "no content type", 0, "")
    assert error.status == status


def test_a_redirect_without_location_says_so():
    error = _refused(_answer(b"<html>Moved</html>", "text/html", 302), "json")
    assert str(error) == _message("redirected to nowhere (no Location header)", "JSON", 302, "text/html", 18,
                                  "<html>Moved</html>")


# -- the other format, someone else's XML, not JSON -------------------------------------------------------------------

def test_the_apis_own_xml_is_accepted_after_a_declaration_and_blank_lines():
    for body in (b"<obj><att id='name'><val>x</val></att></obj>", b"\n  <?xml version='1.0'?>\n<list/>",
                 b"<val>3</val>", b"<db></db>"):
        assert check_answer(_answer(body, "text/xml"), "xml", "read users") is None
    assert check_answer(_answer(b"", "text/xml"), "xml", "delete user", require_body=False) is None


@pytest.mark.parametrize("body", [b"<?xml version='1.0'?><status>OK</status>", b"<result code='0'/>"])
def test_well_formed_xml_that_is_not_the_apis_is_refused(body):
    error = _refused(_answer(body, "application/xml"), "xml")
    assert str(error) == _message("XML that is not the API's (no obj, val, list or db element)", "XML", 200,
                                  "application/xml", len(body), body.decode())


def test_the_apis_own_json_is_accepted():
    for body in (b'{"total": 0, "items": []}', b"[]", b"  \n{}", b"0"):
        assert check_answer(_answer(body, "application/json"), "json", "list nodes") is None
    assert check_answer(_answer(b"[1]", None), "json", "list nodes") is None


@pytest.mark.parametrize("body, content_type", [
    (b'{"total": 0, "items": []}', "application/xml"),  # JSON text, but the server says XML
    (b'{"total": 0}', "text/XML; charset=utf-8"),
    (b"<obj/>", None),
    (b"<obj/>", "application/json"),
    (b"Service temporarily unavailable", "text/plain"),
    (b"{'total': 0}", "application/json"),
], ids=["json-labelled-xml", "json-labelled-XML", "xml-unlabelled", "xml-labelled-json", "plain-text", "not-json"])
def test_what_is_not_json_is_refused_when_json_is_expected(body, content_type):
    error = _refused(_answer(body, content_type), "json", what="list nodes")
    assert str(error) == _message("not JSON", "JSON", 200, content_type or "no content type", len(body),
                                  body.decode(), what="list nodes")


# -- what the error shows of the answer --------------------------------------------------------------------------

def test_the_error_shows_the_first_200_characters_after_leading_blanks():
    body = b"\n\n   " + b"Service unavailable. " * 20 + b"   \n"
    error = _refused(_answer(body, "text/plain"), "json")
    shown = ("Service unavailable. " * 20)[:200]
    assert str(error) == _message("not JSON", "JSON", 200, "text/plain", len(body), shown)
    assert error.body == shown


def test_a_long_secret_echoed_twice_is_never_shown_even_in_part():
    # A bearer token of 483 characters, echoed twice: masking the first occurrence shortens the text, so a cut made
    # before the redaction would show the start of the second one.
    token = "eyJ" + "A1b2C3d4" * 60
    body = ('<html><body>Session {"token": "%s"} expired; request was {"token": "%s"}</body></html>'
            % (token, token)).encode()
    error = _refused(_answer(body, "text/html"), "json", redactor=Redactor([token]))
    shown = '<html><body>Session {"token": "********"} expired; request was {"token": "********"}</body></html>'
    assert str(error) == _message("an HTML page", "JSON", 200, "text/html", len(body), shown)
    assert error.body == shown
    for part in (token[:12], token[-12:], token[100:112]):
        assert part not in str(error) and part not in repr(error.to_result())


def test_a_secret_in_the_address_and_the_page_is_masked():
    redactor = Redactor(["S3cret-Pass"])
    response = _answer(b"<html>Wrong password S3cret-Pass</html>", "text/html")
    response.url = URL + "?password=S3cret-Pass"
    error = _refused(response, "xml", what="log in", redactor=redactor)
    assert error.url == URL + "?password=********"
    assert "S3cret-Pass" not in str(error) and "Wrong password ********" in str(error)


def test_an_answer_whose_body_was_never_read_is_an_empty_body():
    response = requests.Response()  # no body read and none to read: content is None
    response.status_code = 200
    response.url = URL
    response.request = requests.Request("GET", URL).prepare()
    error = _refused(response, "xml")
    assert str(error) == _message("an empty body", "XML", 200, "no content type", 0, "")


# -- URLs ------------------------------------------------------------------------------------------------------------

def test_a_name_is_one_encoded_path_segment():
    assert join_url("https://h/api", "share", "a/b?c#d%e f") == "https://h/api/share/a%2Fb%3Fc%23d%25e%20f"
    assert join_url("https://NAS-X/", "devices/BOX", "X") == "https://NAS-X/devices/BOX/X"
    assert join_url("https://h/api/", "/users/ alice /", 7) == "https://h/api/users/%20alice%20/7"
    # Only slashes are trimmed from the API path: a blank at its ends is part of a name, sent encoded, never dropped.
    assert join_url("https://h/api", " users/alice ") == "https://h/api/%20users/alice%20"
    # A segment already encoded by the caller is kept as given.
    assert join_url("https://h/api", "share", "a%20b c", encode=False) == "https://h/api/share/a%20b c"


@pytest.mark.parametrize("segments, refused", [
    (("users", ".."), ".."), (("users/../admins",), ".."), (("users", "."), "."), (("users", "a\nb"), "a\nb"),
])
def test_a_name_that_would_change_the_url_is_refused_naming_the_option(segments, refused):
    with pytest.raises(InvalidName) as caught:
        join_url("https://h/api", *segments, option="user")
    assert str(caught.value).startswith("user=%r is not allowed: " % refused)
    with pytest.raises(InvalidName) as caught:
        join_url("https://h/api", *segments)
    assert str(caught.value).startswith("name=%r is not allowed: " % refused)


def test_dot_and_control_characters_are_refused_with_the_exact_message():
    with pytest.raises(InvalidName) as caught:
        check_name(".", "share")
    assert str(caught.value) == ("share='.' is not allowed: '.' and '..' would address another object (the URL path "
                                 "would change), not one named '.'")
    with pytest.raises(InvalidName) as caught:
        check_name("a\tb")
    assert str(caught.value) == ("name='a\\tb' is not allowed: it holds control characters, which cannot be part of a "
                                 "name in a URL")
    assert check_name("...") == "..." and check_name(".hidden") == ".hidden"


def test_the_base_url_a_user_gives():
    assert normalize_base_url("  filer.example.com ") == "https://filer.example.com"
    assert normalize_base_url("http://filer.example.com:8080/portalX/") == "http://filer.example.com:8080/portalX"
    assert normalize_base_url("HTTPS://Filer.example.com/") == "https://Filer.example.com"
    for given, shown in ((None, "https://"), ("", "https://"), ("ftp://files.example.com", "ftp://files.example.com"),
                         ("https://", "https://"), ("https:///api", "https:///api")):
        with pytest.raises(ValueError) as caught:
            normalize_base_url(given)
        assert str(caught.value) == "not an http(s) URL: %r" % shown


# -- server text in errors ---------------------------------------------------------------------------------------------

def test_server_text_is_cut_only_past_the_limit_and_other_values_are_kept():
    assert ApiError("m", server_message="s" * 2000).server_message == "s" * 2000
    assert ApiError("m", server_message="s" * 2001).server_message == "s" * 2000 + "... [1 more characters]"
    assert clip("abcdef", 6) == "abcdef" and clip("abcdefg", 6) == "abcdef... [1 more characters]"
    assert clip(None) is None and clip(4711) == 4711 and clip(["a" * 3000]) == ["a" * 3000]


# -- redaction masks the secret, not what merely resembles it ---------------------------------------------------------

def test_the_base64_of_another_value_sharing_all_but_its_last_character_is_not_masked():
    # base64("Secret-PW") is U2VjcmV0LVBX (no padding, ends in X); base64("Secret-PV") is U2VjcmV0LVBW. Only the
    # padding "=" is ever stripped from an encoding: a trailing X is part of it.
    redact = Redactor(["Secret-PW"], username="admin")
    assert redact("Basic YWRtaW46U2VjcmV0LVBX, token U2VjcmV0LVBX") == "Basic ********, token ********"
    assert redact("old token U2VjcmV0LVBW, Basic YWRtaW46U2VjcmV0LVBW") == \
        "old token U2VjcmV0LVBW, Basic YWRtaW46U2VjcmV0LVBW"
