# -*- coding: utf-8 -*-
# Copyright: filefleet.office contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Equivalent mutants of _http.py outside HttpClient.request/download/_read_bounded (those are in _http_request.py):
check_answer, join_url, HttpClient.__init__ and clone, Redactor. Checked against _http.py as of 5fb8e2e (mutmut
numbers mutants per function: a change to one of these functions renumbers its own entries only)."""

ENTRIES = (
    # check_answer: every caller (_portal, _edge, _edge_device, _cloutility) passes the requests.Response that
    # HttpClient.request returned, after raising for any status >= 400.
    ("_http.x_check_answer", (48, 55), "'UTF-8' for 'utf-8': codec names are looked up case-insensitively, same "
                                       "bytes and text"),
    ("_http.x_check_answer", (65, 66), "a status of 400 also taken as a redirect: no caller passes a status >= 400 "
                                       "(each raises HTTPStatusError for it first: _portal._call and login, _edge "
                                       "login/_bootstrap_get, _edge_device.open_call, _cloutility._call and login)"),
    ("_http.x_check_answer", (74, 75), "headers.get('location'/'LOCATION'): a requests.Response's headers are a "
                                       "CaseInsensitiveDict, the same Location is read"),
    ("_http.x_check_answer", (128,), "startswith('XX<XX') for startswith('<') in the JSON branch: an answer starting "
                                     "with '<' then fails json.loads and gets the same problem 'not JSON'; no JSON "
                                     "text starts with '<' or 'X'"),
    # join_url
    ("_http.x_join_url", (47,), "quote(part, safe='XXXX'): 'X' is never quoted (letters are always safe), the same "
                                "characters are encoded"),
    # HttpClient.__init__ / clone: connection pools and adapters (no parameter, request or result differs)
    ("_http.xǁHttpClientǁ__init__", (41, 42, 44, 45), "HTTPAdapter pool_connections/pool_maxsize left at requests' "
                                                      "default or changed by one: how many host pools and idle "
                                                      "connections are kept for reuse; pool_block is False, so a "
                                                      "full pool never delays or fails a request: performance only"),
    ("_http.xǁHttpClientǁ__init__", (43,), "max_retries left out: HTTPAdapter's default DEFAULT_RETRIES is 0 and 0 is "
                                           "turned into the same Retry(0, read=False)"),
    ("_http.xǁHttpClientǁ__init__", (73, 74), "'user-agent'/'USER-AGENT' key: session headers are a "
                                              "CaseInsensitiveDict, so it replaces requests' default User-Agent and "
                                              "one header with the same value is sent; only the name's letter case "
                                              "differs, and HTTP field names are case-insensitive (RFC 9110 5.1)"),
    ("_http.xǁHttpClientǁclone", (5,), "trust_env = None: requests only tests it for truth (sessions.py, "
                                       "utils.resolve_proxies); None is as false as False"),
    ("_http.xǁHttpClientǁclone", (12, 13, 15, 16), "pool_connections/pool_maxsize of the clone's adapter at the "
                                                   "default or changed by one: performance only"),
    ("_http.xǁHttpClientǁclone", (14,), "max_retries left out: the default 0 gives the same Retry(0, read=False)"),
    ("_http.xǁHttpClientǁclone", (22, 23, 28, 29), "the adapter mounted under 'XXhttps://XX'/'HTTPS://' (or the "
                                                   "http:// twins): requests picks the first matching prefix, the "
                                                   "new Session's own 'https://'/'http://' adapter, an HTTPAdapter "
                                                   "with 0 retries too; only the pool size differs"),
    # Redactor
    ("_http.xǁRedactorǁ__call__", (8,), "decode('UTF-8', 'replace'): codec names are case-insensitive"),
    ("_http.xǁRedactorǁadd", (17, 19, 25, 27), "'UTF-8'/'ASCII' codec names: case-insensitive, same forms"),
    ("_http.xǁRedactorǁadd", (40, 50), "quote(secret, safe='XXXX'): letters are never quoted, the same URL-encoded "
                                       "form is registered"),
    ("_http.xǁRedactorǁadd", (62,), "json.dumps(ensure_ascii=None): only tested for truth, None is as false as "
                                    "False; the same non-ASCII JSON form is registered"),
)
