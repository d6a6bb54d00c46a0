# -*- coding: utf-8 -*-
# Copyright: filefleet.office contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Cloutility client behaviour that mutation testing (docs/mutation.md) found unchecked by the unit tests:
paging of collections (filters kept on every page, items counted once, a server that does not page answered by
an error instead of a partial list or an endless loop), the names in errors, the resolvers and their caches.

Uses the scripted transport of test_cloutility_client.py (requests recorded as they would go on the wire).
"""

import json

import pytest

from ansible_collections.filefleet.office.plugins.module_utils import _cloutility as clou
from ansible_collections.filefleet.office.plugins.module_utils._http import (
    ApiError, AuthenticationError, NotFound, UnexpectedAnswer, WaitTimeout,
)

from test_cloutility_client import CLIENT_ID, ORIGIN, Clock, FakeHttp, Server, make_session

PATH = "/v1/bunits/101/consumers"


def collection(items, total, offset=0):
    return {"href": "https://api.example.com" + PATH, "total": total, "offset": offset, "first": None, "items": items}


def consumers(ids):
    return [{"id": i, "name": "ws-%03d" % i} for i in ids]


class Pages:
    """A collection of ``count`` consumers answered ``page`` at a time from ``offset``; gives up after ``limit``
    requests so that a client that never stops paging fails instead of hanging."""

    def __init__(self, count, page=50, limit=20):
        self.items = consumers(range(1, count + 1))
        self.page = page
        self.limit = limit
        self.seen = []

    def __call__(self, request):
        params = dict(request["params"] or {})
        self.seen.append(params)
        assert len(self.seen) <= self.limit, "the client kept paging: %r" % self.seen
        offset = int(params.get("offset", 0))
        size = int(params.get("limit", self.page))
        return collection(self.items[offset:offset + size], len(self.items), offset)


def session_with(route):
    server = Server()
    server.routes[PATH] = (200, route)
    session, http, _clock = make_session(server)
    return session, http


def test_every_page_is_read_with_the_callers_filters():
    pages = Pages(230)
    session, _http = session_with(pages)
    items = session.list(PATH, params={"orderDesc": "false", "types": "100"})
    assert [i["id"] for i in items] == list(range(1, 231))
    # 50 without a limit (the server's default page), then pages of the client's size from where it stopped.
    assert pages.seen == [{"orderDesc": "false", "types": "100"},
                          {"orderDesc": "false", "types": "100", "offset": 50, "limit": clou.PAGE_SIZE},
                          {"orderDesc": "false", "types": "100", "offset": 50 + clou.PAGE_SIZE, "limit": clou.PAGE_SIZE}]


def test_items_seen_on_an_earlier_page_are_not_listed_twice():
    """Between two requests a consumer was added before the page boundary: the next page starts with the last item
    of the previous one. Each consumer is listed once, and paging goes on until every one is there."""
    items = consumers(range(1, 131))
    answers = iter([collection(items[:50], 130), collection(items[49:99], 130, 50), collection(items[98:130], 130, 99)])
    session, http = session_with(lambda request: next(answers))
    listed = session.list(PATH)
    assert [i["id"] for i in listed] == list(range(1, 131))
    assert len(http.requests) == 1 + 3  # the login and three pages


def test_items_without_an_id_on_later_pages_are_all_listed():
    """Items the server sends without an id are never taken for one another: none is dropped on any page."""
    items = [{"name": "anon-%03d" % i} for i in range(1, 301)]
    answers = iter([collection(items[:50], 300), collection(items[50:50 + clou.PAGE_SIZE], 300, 50)]
                   + [collection(items[50 + clou.PAGE_SIZE * n:50 + clou.PAGE_SIZE * (n + 1)], 300,
                                 50 + clou.PAGE_SIZE * n) for n in range(1, 10)])
    session, _http = session_with(lambda request: next(answers))
    assert [i["name"] for i in session.list(PATH)] == ["anon-%03d" % i for i in range(1, 301)]


@pytest.mark.parametrize("answer", [
    lambda request: collection(consumers(range(1, 51)), 120),  # every request answers the first page again
    lambda request: collection(consumers(range(1, 51)), 120, offset=(request["params"] or {}).get("offset")),  # same items
], ids=["offset-ignored", "no-new-items"])
def test_a_server_that_does_not_page_is_an_error_not_a_partial_list(answer):
    session, http = session_with(answer)
    with pytest.raises(ApiError) as failure:
        session.list(PATH, what="list the consumption units of business unit 101")
    message = str(failure.value)
    assert message.startswith("list the consumption units of business unit 101: the server reports 120 items but "
                              "paging stopped after 50 (offset=50 gave no new items); refusing to work on a partial list")
    assert len(http.requests) == 1 + 2  # the login, the first page and one page that did not advance


def test_a_page_from_the_wrong_offset_is_an_error_even_with_new_items():
    items = consumers(range(1, 201))
    # The second answer holds items not seen yet, but from offset 0: the server sorted differently, so items
    # between could be missing.
    answers = iter([collection(items[:50], 200), collection(items[100:200], 200, 0)])
    session, _http = session_with(lambda request: next(answers))
    with pytest.raises(ApiError) as failure:
        session.list(PATH)
    assert "list %s: the server reports 200 items but paging stopped after 50" % PATH in str(failure.value)


class Scripted(Server):
    """Answers ``PATH`` with ``answer(request) -> (status, body)``."""

    def __init__(self, answer):
        Server.__init__(self)
        self.answer = answer

    def __call__(self, request):
        if request["path"] == PATH and request["headers"].get("Authorization", "")[len("Bearer "):] in self.valid:
            return self.answer(request)
        return Server.__call__(self, request)


def test_errors_while_listing_name_the_listing():
    session, _http = session_with(collection([], 0))
    session.http.handler.routes["/v1/nodetypes"] = (500, {"message": "database down"})
    with pytest.raises(ApiError) as failure:
        session.list("/v1/nodetypes")
    assert str(failure.value).startswith("list /v1/nodetypes failed")
    with pytest.raises(ApiError) as failure:
        session.node_types()
    assert str(failure.value).startswith("list the node types failed")

    # The first page is answered, the second fails: the error names the listing.
    def answer(request):
        if request["params"] is None:
            return 200, collection(consumers(range(1, 51)), 79)
        return 503, {"message": "busy"}
    session, _http, _clock = make_session(Scripted(answer))
    for what, expected in ((None, "list %s failed" % PATH), ("list the consumers of Stockholm",
                                                             "list the consumers of Stockholm failed")):
        with pytest.raises(ApiError) as failure:
            session.list(PATH, what=what)
        assert str(failure.value).startswith(expected)


def test_empty_answers_and_bare_arrays():
    session, _http = session_with([{"id": 1}, {"id": 2}])
    assert session.list(PATH) == [{"id": 1}, {"id": 2}]
    session, _http = session_with(collection(None, None))
    assert session.list(PATH) == []


@pytest.mark.parametrize("answer, kind, shown", [
    ({"status": "ok"}, "dict", '{"status": "ok"}'),
    ({"items": {"id": 1}, "total": 1}, "dict", '{"items": {"id": 1}, "total": 1}'),
    ("accepted", "str", '"accepted"'),
    (7, "int", "7"),
])
def test_an_answer_that_is_not_a_collection_is_an_error_not_an_empty_list(answer, kind, shown):
    """A proxy's {"status": "ok"} or someone's error object answered with 200 is never taken for an empty list."""
    session, _http = session_with(answer)
    with pytest.raises(UnexpectedAnswer) as failure:
        session.list(PATH, what="list the consumption units of business unit 101")
    error = failure.value
    assert error.message == ("list the consumption units of business unit 101 failed: the server answered %s, not a "
                             "list or a page of items: %s" % (kind, shown))
    assert (error.method, error.url, error.status) == ("GET", "https://api.example.com" + PATH, 200)
    with pytest.raises(UnexpectedAnswer) as failure:
        session.list(PATH)
    assert failure.value.message.startswith("list %s failed: the server answered %s" % (PATH, kind))


def test_a_page_with_only_items_or_only_a_total_is_a_collection():
    for answer, listed in (({"items": [{"id": 3}]}, [{"id": 3}]), ({"total": 0}, []), ({"items": None, "total": 0}, []),
                           ({"items": [], "total": 0}, [])):
        session, http = session_with(answer)
        assert session.list(PATH) == listed
        assert len(http.requests) == 2  # the login and one page: nothing more to read


def test_a_secret_in_an_answer_that_is_not_a_collection_is_redacted():
    session, _http = session_with({"status": "ok", "echo": "placeholder"})
    secret = session._password  # pylint: disable=protected-access
    session.http.handler.routes[PATH] = (200, {"status": "ok", "echo": "password " + secret})
    with pytest.raises(UnexpectedAnswer) as failure:
        session.list(PATH)
    assert secret not in str(failure.value) and "password ********" in str(failure.value)


# -- resolvers: by id or by name, each list read once per business unit, errors that name the option -----------------

DOMAINS = [{"id": 1, "name": "30DAYS"}, {"id": 2, "name": "60DAYS"}, {"id": 3, "name": "STANDARD"}]
OPTION_SETS = [{"id": 7, "name": "DEDUP_AND_COMPRESS"}, {"id": 8, "name": "FORCE_ENCRYPT"}]
SYSTEMS = [{"id": 1, "name": "Linux"}, {"id": 2, "name": "Windows"}]
TYPES = [{"id": 1, "name": "File Server"}, {"id": 2, "name": "Workstation"}]
TREE = {"id": 22, "name": "Company AB", "businessUnits": [
    {"id": 76, "name": "Marketing Department", "businessUnits": []},
    {"id": 101, "name": "Stockholm Office", "businessUnits": [{"id": 130, "name": "Sales", "businessUnits": []}]}]}


def resolver_session():
    server = Server()
    server.routes.update({
        "/v1/bunits": (200, TREE),
        "/v1/bunits/101/defaultserver/domains": (200, collection(DOMAINS, 3)),
        "/v1/bunits/76/defaultserver/domains": (200, collection(DOMAINS[:1], 1)),
        "/v1/bunits/101/defaultserver/clientoptionsets": (200, collection(OPTION_SETS, 2)),
        "/v1/nodeoperatingsystems": (200, collection(SYSTEMS, 2)),
        "/v1/nodetypes": (200, collection(TYPES, 2)),
    })
    session, http, _clock = make_session(server)
    return session, http


def reads(http):
    return sorted(r["path"] for r in http.requests if r["path"] != "/v1/oauth")


def test_resolvers_find_by_name_or_id_and_read_each_list_once_per_business_unit():
    session, http = resolver_session()
    assert session.resolve_domain(101, "standard")["id"] == 3
    assert session.resolve_domain(101, 2)["name"] == "60DAYS"
    assert session.resolve_domain(101, " 1 ")["name"] == "30DAYS"
    assert session.resolve_domain(76, "30days")["id"] == 1
    with pytest.raises(ValueError) as failure:
        session.resolve_domain(76, "STANDARD")  # only on the other business unit's server
    assert str(failure.value) == "domain='STANDARD': no policy domain with that name (known: 30DAYS)"
    assert session.resolve_client_option_set(101, "force_encrypt")["id"] == 8
    assert session.resolve_client_option_set(101, 7)["name"] == "DEDUP_AND_COMPRESS"
    assert session.resolve_operating_system("windows")["id"] == 2
    assert session.resolve_operating_system(1)["name"] == "Linux"
    assert session.resolve_node_type("workstation")["id"] == 2
    assert session.resolve_node_type("1")["name"] == "File Server"
    assert reads(http) == ["/v1/bunits/101/defaultserver/clientoptionsets", "/v1/bunits/101/defaultserver/domains",
                           "/v1/bunits/76/defaultserver/domains", "/v1/nodeoperatingsystems", "/v1/nodetypes"]


@pytest.mark.parametrize("call, message", [
    (lambda s: s.resolve_domain(101, "90DAYS"),
     "domain='90DAYS': no policy domain with that name (known: 30DAYS, 60DAYS, STANDARD)"),
    (lambda s: s.resolve_domain(101, 9, option="policy_domain"),
     "policy_domain=9: no policy domain with id 9 (known: 1, 2, 3)"),
    (lambda s: s.resolve_client_option_set(101, "NONE"),
     "client_option_set='NONE': no client option set with that name (known: DEDUP_AND_COMPRESS, FORCE_ENCRYPT)"),
    (lambda s: s.resolve_client_option_set(101, 1, option="options"),
     "options=1: no client option set with id 1 (known: 7, 8)"),
    (lambda s: s.resolve_operating_system("AIX"),
     "operating_system='AIX': no node operating system with that name (known: Linux, Windows)"),
    (lambda s: s.resolve_operating_system("AIX", option="os"), "os='AIX': no node operating system with that name "
                                                               "(known: Linux, Windows)"),
    (lambda s: s.resolve_node_type("Server"),
     "node_type='Server': no node type with that name (known: File Server, Workstation)"),
    (lambda s: s.resolve_node_type(5, option="kind"), "kind=5: no node type with id 5 (known: 1, 2)"),
])
def test_resolver_errors_name_the_option_and_what_exists(call, message):
    session, _http = resolver_session()
    with pytest.raises(ValueError) as failure:
        call(session)
    assert str(failure.value) == message


def test_pick_by_name_or_id():
    items = [{"id": 4, "name": "Alpha"}, {"id": 5, "name": "alpha"}, {"id": 6, "name": "Beta"}, {"id": 7}]
    assert clou.pick(items, 5, "thing", "opt") is items[1]
    assert clou.pick(items, "6", "thing", "opt") is items[2]
    assert clou.pick(items, " beta ", "thing", "opt") is items[2]
    assert clou.pick(items, "Alpha", "thing", "opt", casefold=False) is items[0]
    with pytest.raises(ValueError) as failure:
        clou.pick(items, "ALPHA", "thing", "opt")
    assert str(failure.value) == "opt='ALPHA' is ambiguous: 2 things have that name (ids 4, 5); give the id instead"
    with pytest.raises(ValueError) as failure:
        clou.pick(items, "beta", "thing", "opt", casefold=False)
    assert str(failure.value) == "opt='beta': no thing with that name (known: Alpha, Beta, alpha)"
    # An item without the key is no match, not a match for the text "None" or "".
    for wanted in ("None", "none"):
        with pytest.raises(ValueError):
            clou.pick([{"id": 7}], wanted, "thing", "opt")
    assert clou.pick([{"id": 1, "label": "x"}, {"id": 2, "label": "y"}], "Y", "thing", "opt", key="label")["id"] == 2
    with pytest.raises(ValueError) as failure:
        clou.pick([{"id": 1, "label": "x"}], "z", "thing", "opt", key="label")
    assert str(failure.value) == "opt='z': no thing with that name (known: x)"


def test_ids_and_choices():
    assert [clou.is_id(v) for v in (3, "12", " 12 ", "1a", "", None, True, False, 1.0)] == [
        True, True, True, False, False, False, False, False, False]
    names = [{"name": "n%02d" % i} for i in range(31)]
    assert clou.describe_choices(names) == ", ".join("n%02d" % i for i in range(30)) + ", ..."
    assert clou.describe_choices(names[:30]) == ", ".join("n%02d" % i for i in range(30))
    assert clou.describe_choices(names[:3], limit=2) == "n00, n01, ..."
    assert clou.describe_choices([{"id": 1}]) == "none"
    assert clou.describe_choices([]) == "none"


def test_server_message_of_each_error_shape():
    assert clou.server_message({"developerMessage": "dev", "message": "msg"}) == "dev"
    assert clou.server_message({"error": "invalid_grant", "error_description": "bad password"}) == "bad password"
    assert clou.server_message({"message": "m", "Message": "M"}) == "m"
    assert clou.server_message({"Message": "No HTTP resource was found"}) == "No HTTP resource was found"
    assert clou.server_message({"error": "invalid_client"}) == "invalid_client"
    assert clou.server_message({"code": 5}) is None
    assert clou.server_message("x" * 400) == "x" * 400  # cut by the caller, after redaction
    assert clou.server_message("") is None
    assert clou.server_message(["a list"]) is None
    assert clou.server_message(None) is None


def test_node_name_message_names_the_option_and_the_rule():
    with pytest.raises(ValueError) as failure:
        clou.validate_node_name("bad name")
    assert str(failure.value) == "node_name='bad name' is not a valid node name: use " + clou.NODE_NAME_RULE
    assert clou.validate_node_name("ws-01.a") == "WS-01.A"


def test_business_units_by_id_or_path():
    session, http = resolver_session()
    assert session.resolve_bunit(130) == {"id": 130, "name": "Sales", "path": "Company AB/Stockholm Office/Sales"}
    assert session.resolve_bunit("22") == {"id": 22, "name": "Company AB", "path": "Company AB"}
    assert session.resolve_bunit("stockholm office/SALES") == {
        "id": 130, "name": "Sales", "path": "Company AB/Stockholm Office/Sales"}
    assert session.resolve_bunit("/Company AB/Marketing Department/") == {
        "id": 76, "name": "Marketing Department", "path": "Company AB/Marketing Department"}
    assert reads(http) == ["/v1/bunits"]  # the tree is read once
    with pytest.raises(ValueError) as failure:
        session.resolve_bunit(999, option="bunit")
    assert str(failure.value) == ("bunit=999: no business unit with that id is visible to 'automation@example.com' "
                                  "(top business unit 'Company AB')")
    with pytest.raises(ValueError) as failure:
        session.resolve_bunit("Stockholm Office//Sales")
    assert str(failure.value) == "business_unit='Stockholm Office//Sales': empty name in the path"
    with pytest.raises(ValueError) as failure:
        session.resolve_bunit("Stockholm Office/Oslo")
    assert str(failure.value) == ("business_unit='Oslo': no business unit under 'Company AB/Stockholm Office' with "
                                  "that name (known: Sales) (path 'Stockholm Office/Oslo')")
    for blank in (None, " "):
        with pytest.raises(ValueError) as failure:
            session.resolve_bunit(blank, option="where")
        assert str(failure.value) == ("where must be an id or a path of business unit names such as "
                                      "'Company AB/Marketing Department'")


def test_failed_reads_name_what_was_read():
    server = Server()
    for path in ("/v1/bunits", "/v1/bunits/101/defaultserver/domains", "/v1/bunits/101/defaultserver/clientoptionsets",
                 "/v1/nodeoperatingsystems", "/v1/nodetypes", PATH, PATH + "/5", PATH + "/5/node",
                 PATH + "/5/node/activate"):
        server.routes[path] = (500, {"message": "database down"})
    session, _http, _clock = make_session(server)
    for call, what in [
            (session.bunit_tree, "read the business unit tree"),
            (lambda: session.domains(101), "list the policy domains of business unit 101"),
            (lambda: session.client_option_sets(101), "list the client option sets of business unit 101"),
            (session.operating_systems, "list the node operating systems"),
            (session.node_types, "list the node types"),
            (lambda: session.consumers(101), "list the consumption units of business unit 101"),
            (lambda: session.get_consumer(101, 5), "read consumption unit 5"),
            (lambda: session.get_node(101, 5), "read the backup node of consumption unit 5"),
            (lambda: session.activate_node(101, 5, "WS5", "activate node WS5"), "activate node WS5"),
            (lambda: session.delete(PATH + "/5", what="delete consumption unit 5"), "delete consumption unit 5"),
            (lambda: session.put(PATH + "/5", {"name": "x"}, what="update consumption unit 5"),
             "update consumption unit 5"),
            (lambda: session.post(PATH, {"name": "x"}, what="create consumption unit x"), "create consumption unit x")]:
        with pytest.raises(ApiError) as failure:
            call()
        assert str(failure.value).startswith(what + " failed"), what


def test_requests_of_the_consumer_helpers():
    server = Server()
    seen = []

    def record(answer):
        def route(request):
            seen.append((request["method"], request["path"], request["params"], request["json"], request["idempotent"]))
            return answer
        return route
    server.routes.update({PATH: (200, record(collection(consumers([4, 5]) + [{"id": 6, "name": "WS-005"}], 3))),
                          PATH + "/5": (200, record({"id": 5, "name": "ws-005"})),
                          PATH + "/5/node": (200, record({"id": 50})),
                          PATH + "/5/node/activate": (200, record("WS5"))})
    session, _http, _clock = make_session(server)
    assert session.find_consumers(101, "ws-005") == [{"id": 5, "name": "ws-005"}]  # names compared exactly
    assert session.get_consumer(101, 5) == {"id": 5, "name": "ws-005"}
    assert session.get_node(101, 5) == {"id": 50}
    assert session.activate_node(101, 5, "WS5", "activate") == "WS5"
    session.delete(PATH + "/5", params={"deleteAssociations": "true"})
    session.put(PATH + "/5", {"name": "b"})
    session.post(PATH, {"name": "c"}, params={"x": "1"})
    assert seen == [("GET", PATH, None, None, None), ("GET", PATH + "/5", None, None, None),
                    ("GET", PATH + "/5/node", None, None, None),
                    ("GET", PATH + "/5/node/activate", {"tsmName": "WS5"}, None, False),
                    ("DELETE", PATH + "/5", {"deleteAssociations": "true"}, None, None),
                    ("PUT", PATH + "/5", None, {"name": "b"}, None),
                    ("POST", PATH, {"x": "1"}, {"name": "c"}, False)]


def test_missing_objects():
    session, _http, _clock = make_session(Server())
    assert session.get_consumer(101, 9) is None and session.get_node(101, 9) is None  # missing_ok by default
    assert session.delete(PATH + "/9", missing_ok=True) is None
    for call in (lambda: session.get_consumer(101, 9, missing_ok=False), lambda: session.get_node(101, 9, missing_ok=False),
                 lambda: session.delete(PATH + "/9")):
        with pytest.raises(NotFound):
            call()


def test_a_closed_session_logs_in_again_before_its_next_request():
    server = Server()
    session, http, _clock = make_session(server)
    session.get("/v1/fullVersion")
    session.close()
    session.get("/v1/fullVersion")
    assert [r["path"] for r in http.requests] == ["/v1/oauth", "/v1/fullVersion", "/v1/oauth", "/v1/fullVersion"]
    assert http.grants() == ["password", "password"]  # the dropped refresh token is not used


# -- the token manager: refusals, errors and token lifetimes; secrets redacted in every error ----------------------

USER = "automation@example.com"
OAUTH = "https://api.example.com/v1/oauth"


class GrantServer(Server):
    """Answers the OAuth endpoint with ``grant_answer(form) -> (status, body)`` when set."""

    grant_answer = None

    def __call__(self, request):
        if request["path"] == "/v1/oauth" and self.grant_answer is not None:
            return self.grant_answer(request["data"])
        return Server.__call__(self, request)


def grant_session(answer, password="pw-Grant-Secret-1", **kwargs):
    clou._REFUSED_GRANTS.clear()  # pylint: disable=protected-access
    server = GrantServer()
    server.grant_answer = answer
    session, http, clock = make_session(server, password=password, **kwargs)
    return session, http, clock, server


@pytest.mark.parametrize("status, body, said", [
    (400, {"error": "invalid_grant", "error_description": "password pw-Grant-Secret-1 is wrong"},
     "password ******** is wrong"),
    (401, None, "HTTP 401"),
    (403, {"Message": "Origin not allowed"}, "Origin not allowed"),
])
def test_a_refused_login_says_which_options_to_check_and_hides_the_password(status, body, said):
    session, http, _clock, _server = grant_session(lambda form: (status, body))
    with pytest.raises(AuthenticationError) as failure:
        session.login()
    error = failure.value
    assert error.message == (
        "Cloutility login refused for user %r (client_id %r, origin %r): %s. The password grant is not retried, so "
        "the account is not locked out by repeated attempts; check cloutility_username, cloutility_password, "
        "cloutility_client_id and cloutility_origin" % (USER, CLIENT_ID, ORIGIN, said))
    assert (error.method, error.url, error.status, error.server_message) == ("POST", OAUTH, status, said)
    assert http.requests[0]["method"] == "POST" and "Authorization" not in http.requests[0]["headers"]
    assert "pw-Grant-Secret-1" not in str(error) + repr(error.to_result())


@pytest.mark.parametrize("status, body, cls, said", [
    (400, {"code": "BadRequest", "message": "pw-Grant-Secret-1 is malformed"}, ApiError, "******** is malformed"),
    (402, {"message": "licence expired"}, ApiError, "licence expired"),
    (404, None, NotFound, "null"),
    (502, "<html>bad gateway pw-Grant-Secret-1</html>", ApiError, "<html>bad gateway ********</html>"),
])
def test_a_login_that_fails_for_another_reason_does_not_blame_the_credentials(status, body, cls, said):
    session, _http, _clock, _server = grant_session(lambda form: (status, body))
    with pytest.raises(cls) as failure:
        session.login()
    error = failure.value
    assert not isinstance(error, AuthenticationError)
    assert error.message == ("Cloutility login for user %r failed: %s answered HTTP %s; the credentials were not "
                             "checked" % (USER, OAUTH, status))
    assert (error.method, error.url, error.status, error.server_message) == ("POST", OAUTH, status, said)
    with pytest.raises(cls):
        session.login()  # not remembered as refused: the next login is sent
    assert len(_http.requests) == 2


def test_a_refresh_that_fails_for_another_reason_is_named_a_token_refresh():
    session, _http, _clock, server = grant_session(None)
    session.login()
    server.grant_answer = lambda form: (503, {"message": "maintenance"})
    with pytest.raises(ApiError) as failure:
        session.renew()
    assert failure.value.message.startswith("Cloutility token refresh failed: %s answered HTTP 503" % OAUTH)


@pytest.mark.parametrize("body, problem", [
    ({"token_type": "bearer"}, "without an access_token"),
    ({"access_token": "", "refresh_token": "r"}, "without an access_token"),
])
def test_a_login_answer_without_a_token_is_an_error(body, problem):
    session, _http, _clock, _server = grant_session(lambda form: (200, body))
    with pytest.raises(ApiError) as failure:
        session.login()
    error = failure.value
    assert error.message == "Cloutility login for user %r failed: %s answered HTTP 200 %s" % (USER, OAUTH, problem)
    assert (error.method, error.url, error.status) == ("POST", OAUTH, 200)


def test_a_login_answered_by_something_else_names_the_login_and_hides_secrets():
    class Html(FakeHttp):
        def request(self, method, url, **kwargs):
            response = FakeHttp.request(self, method, url, **kwargs)
            response.text = "<html>proxy login for pw-Grant-Secret-1</html>"
            response.headers = {"Content-Type": "text/html"}
            return response
    clou._REFUSED_GRANTS.clear()  # pylint: disable=protected-access
    clock = Clock()
    session = clou.CloutilitySession("https://api.example.com", USER, "pw-Grant-Secret-1", CLIENT_ID, ORIGIN,
                                     http=Html(Server()), clock=clock, sleep=clock.sleep)
    with pytest.raises(UnexpectedAnswer) as failure:
        session.login()
    assert str(failure.value).startswith("Cloutility login for user %r failed: the server answered an HTML page" % USER)
    assert "pw-Grant-Secret-1" not in str(failure.value) and "********" in str(failure.value)


def test_tokens_are_redacted_from_later_errors():
    session, _http, _clock, server = grant_session(None)
    session.login()
    token, refresh = session._access_token, session._refresh_token  # pylint: disable=protected-access
    server.routes["/v1/echo"] = (500, {"message": "token %s refresh %s" % (token, refresh)})
    with pytest.raises(ApiError) as failure:
        session.get("/v1/echo")
    assert failure.value.server_message == "token ******** refresh ********"


@pytest.mark.parametrize("expires_in, stale_after", [(299, 269.1), (None, 269.1), ("soon", 269.1), (1000, 970.0),
                                                     (10, 9.0)])
def test_a_token_is_renewed_a_tenth_of_its_life_before_it_expires_at_most_30_seconds(expires_in, stale_after):
    def answer(form):
        body = {"access_token": "tok-%s-%d" % (form["grant_type"], len(http.requests)), "refresh_token": "refresh-tok"}
        if expires_in is not None:
            body["expires_in"] = expires_in
        return 200, body
    session, http, clock, server = grant_session(answer)
    server.valid = type("Any", (), {"__contains__": lambda self, token: True})()
    start = clock.now
    session.get("/v1/fullVersion")
    clock.now = start + stale_after - 0.05
    session.get("/v1/fullVersion")
    assert http.grants() == ["password"]
    clock.now = start + stale_after + 0.05
    session.get("/v1/fullVersion")
    assert http.grants() == ["password", "refresh_token"]


def test_a_refused_login_is_remembered_for_exactly_these_credentials():
    session, http, _clock, _server = grant_session(lambda form: (400, {"error": "invalid_grant"}))
    with pytest.raises(AuthenticationError):
        session.login()
    with pytest.raises(AuthenticationError) as failure:
        clou.CloutilitySession("https://api.example.com/v1/", USER, "pw-Grant-Secret-1", CLIENT_ID, " %s " % ORIGIN,
                               http=http).login()
    assert str(failure.value) == ("Cloutility login for user %r was already refused in this run; not trying again to "
                                  "avoid locking the account" % USER)
    assert len(http.requests) == 1
    others = [("https://other.example.com", USER, "pw-Grant-Secret-1", CLIENT_ID, ORIGIN),
              ("https://api.example.com", "someone@example.com", "pw-Grant-Secret-1", CLIENT_ID, ORIGIN),
              ("https://api.example.com", USER, "pw-Grant-Secret-2", CLIENT_ID, ORIGIN),
              ("https://api.example.com", USER, "pw-Grant-Secret-1", "another-client", ORIGIN),
              ("https://api.example.com", USER, "pw-Grant-Secret-1", CLIENT_ID, "https://other.example.com")]
    for index, args in enumerate(others):
        with pytest.raises(AuthenticationError) as failure:
            clou.CloutilitySession(*args, http=http).login()
        assert "already refused" not in str(failure.value)
        assert len(http.requests) == 2 + index  # each is tried once


def test_session_settings():
    clock = Clock()
    session = clou.CloutilitySession("api.example.com/V1/", USER, "pw-Settings-1", CLIENT_ID, None, timeout=45,
                                     clock=clock, sleep=clock.sleep)
    assert session.base_url == "https://api.example.com" and session.origin == ""
    assert session.http.base_url == "https://api.example.com" and session.http.timeout[1] == 45.0
    assert session.http.redact("pw-Settings-1 pw-Settings-1") == "******** ********"  # the transport hides it too
    import base64
    basic = base64.b64encode(("%s:pw-Settings-1" % USER).encode()).decode()
    assert session.redactor("Basic " + basic) == "Basic ********"
    assert clou.CloutilitySession("https://api.example.com/cloutility/v1", USER, "p", CLIENT_ID, ORIGIN).base_url == \
        "https://api.example.com/cloutility"
    assert clou.CloutilitySession("https://api.example.com/v1x", USER, "p", CLIENT_ID, ORIGIN).base_url == \
        "https://api.example.com/v1x"


# -- the choke point: errors name the request, answers that are not the API's ----------------------------------------

class Retried(FakeHttp):
    def request(self, method, url, **kwargs):
        response = FakeHttp.request(self, method, url, **kwargs)
        response.retries = 2
        return response


def test_errors_name_the_request_the_retries_and_the_server_text():
    server = Server()
    server.routes["/v1/flaky"] = (503, "Service Unavailable for pw-Choke-1 " + "x" * 400)
    server.routes["/v1/gone"] = (405, {"message": "not allowed"})
    clock = Clock()
    session = clou.CloutilitySession("https://api.example.com", USER, "pw-Choke-1", CLIENT_ID, ORIGIN,
                                     http=Retried(server), clock=clock, sleep=clock.sleep)
    with pytest.raises(ApiError) as failure:
        session.get("/v1/flaky")
    error = failure.value
    assert error.message == "GET /v1/flaky failed (after 2 retries)"
    assert error.server_message == "Service Unavailable for ******** " + "x" * 400
    assert (error.method, error.url, error.status) == ("GET", "https://api.example.com/v1/flaky", 503)
    with pytest.raises(ApiError) as failure:
        session.delete("/v1/gone", missing_ok=True)  # only a 404 counts as missing
    assert failure.value.status == 405 and failure.value.message == "DELETE /v1/gone failed (after 2 retries)"


def test_answers_that_are_not_the_apis_are_errors_for_reads_and_fine_when_empty_for_writes():
    class Odd(FakeHttp):
        def request(self, method, url, **kwargs):
            response = FakeHttp.request(self, method, url, **kwargs)
            if response.status_code == 200 and not url.endswith("/oauth"):
                response.text = "" if "empty" in url else "<html>login for pw-Odd-1</html>"
                response.headers = {"Content-Type": "text/html" if response.text else "application/json"}
            return response
    server = Server()
    for path in ("/v1/page", "/v1/empty"):
        server.routes[path] = (200, {"ok": True})
    clock = Clock()
    session = clou.CloutilitySession("https://api.example.com", USER, "pw-Odd-1", CLIENT_ID, ORIGIN, http=Odd(server),
                                     clock=clock, sleep=clock.sleep)
    with pytest.raises(UnexpectedAnswer) as failure:
        session.get("/v1/page", what="read the page")
    assert str(failure.value).startswith("read the page failed: the server answered an HTML page")
    assert "pw-Odd-1" not in str(failure.value)
    with pytest.raises(UnexpectedAnswer) as failure:
        session.get("/v1/empty")
    assert str(failure.value).startswith("GET /v1/empty failed: the server answered an empty body")
    assert session.delete("/v1/empty") is None and session.put("/v1/empty", {"a": 1}) is None


def test_waiting_ends_at_the_deadline_with_the_last_state():
    clock = Clock()
    session = clou.CloutilitySession("https://api.example.com", USER, "p", CLIENT_ID, ORIGIN, http=FakeHttp(Server()),
                                     clock=clock, sleep=clock.sleep)
    polls = []
    with pytest.raises(WaitTimeout) as failure:
        session.wait_for(lambda: polls.append(clock.now) or {"state": "Pending"}, lambda v: False, "activation of WS1",
                         timeout=4, interval=2)
    assert polls == [1000.0, 1002.0, 1004.0]
    assert str(failure.value) == ("activation of WS1 did not finish within 4 seconds; last seen state: "
                                  "{'state': 'Pending'}")
    assert session.wait_for(lambda: 7, lambda v: v == 7, "x") == 7


@pytest.mark.parametrize("text, said", [("", None), ("x" * 400, "x" * 300)])
def test_a_failed_login_shows_at_most_300_characters_of_a_body_that_is_not_json_and_counts_retries(text, said):
    class Plain(FakeHttp):
        def request(self, method, url, **kwargs):
            response = FakeHttp.request(self, method, url, **kwargs)
            response.text = text
            response.retries = 2
            return response
    clou._REFUSED_GRANTS.clear()  # pylint: disable=protected-access
    server = GrantServer()
    server.grant_answer = lambda form: (502, None)
    clock = Clock()
    session = clou.CloutilitySession("https://api.example.com", USER, "pw-Plain-1", CLIENT_ID, ORIGIN,
                                     http=Plain(server), clock=clock, sleep=clock.sleep)
    with pytest.raises(ApiError) as failure:
        session.login()
    assert failure.value.server_message == said
    assert failure.value.message == ("Cloutility login for user %r failed: %s answered HTTP 502 (after 2 retries); the "
                                     "credentials were not checked" % (USER, OAUTH))


def test_a_login_answered_with_text_that_is_not_json_says_so():
    class Text(FakeHttp):
        def request(self, method, url, **kwargs):
            response = FakeHttp.request(self, method, url, **kwargs)
            response.text = "OK pw-Text-1"
            response.headers = {"Content-Type": "text/plain"}
            return response
    clou._REFUSED_GRANTS.clear()  # pylint: disable=protected-access
    clock = Clock()
    session = clou.CloutilitySession("https://api.example.com", USER, "pw-Text-1", CLIENT_ID, ORIGIN,
                                     http=Text(Server()), clock=clock, sleep=clock.sleep)
    with pytest.raises(UnexpectedAnswer) as failure:
        session.login()
    assert str(failure.value).startswith("Cloutility login for user %r failed: the server answered not JSON, not the "
                                         "API's JSON answer" % USER)
    assert "pw-Text-1" not in str(failure.value)


class OneScope:
    """A session scope that makes each session with its factory (cloutility_session's only use of the scope)."""

    def get(self, kind, key, factory):
        assert kind == "cloutility"
        return factory()


def test_a_session_made_from_the_options_logs_in_with_them():
    clou._REFUSED_GRANTS.clear()  # pylint: disable=protected-access
    params = {"cloutility_url": "https://api.example.com/v1", "cloutility_username": USER,
              "cloutility_password": "pw-Options-Secret-7", "cloutility_client_id": CLIENT_ID, "cloutility_origin": ORIGIN,
              "validate_certs": True, "ca_path": None, "timeout": None}
    session = clou.cloutility_session(OneScope(), params)
    session.http = http = FakeHttp(Server())
    session.get("/v1/fullVersion")
    form = http.requests[0]["data"]
    assert form == {"client_id": CLIENT_ID, "grant_type": "password", "username": USER, "password": "pw-Options-Secret-7"}
    assert http.requests[0]["headers"]["Origin"] == ORIGIN
    assert session.redactor("echo pw-Options-Secret-7") == "echo ********"


def test_a_session_made_without_transport_options_verifies_certificates_and_retries_reads_three_times():
    """The secure default holds for every caller, also one that builds the session itself (not from module options)."""
    session = clou.CloutilitySession("https://api.example.com", USER, "pw-Default-1", CLIENT_ID, ORIGIN)
    assert session.http.verify is True
    assert session.http.timeout[1] == 30.0 and session.http.retries == 3
    params = {"cloutility_url": "https://api.example.com", "cloutility_username": USER,
              "cloutility_password": "pw-Default-1", "cloutility_client_id": CLIENT_ID, "cloutility_origin": ORIGIN}
    assert clou.cloutility_session(OneScope(), params).http.retries == 3  # the modules' sessions too


def test_a_token_is_renewed_at_its_renewal_time_not_only_after_it():
    def answer(form):
        return 200, {"access_token": "tok-%d" % len(http.requests), "refresh_token": "refresh-tok", "expires_in": 1000}
    session, http, clock, server = grant_session(answer)
    server.valid = type("Any", (), {"__contains__": lambda self, token: True})()
    start = clock.now
    session.get("/v1/fullVersion")
    clock.now = start + 970.0  # 1000 s of life, renewed 30 s before the end: exactly now
    session.get("/v1/fullVersion")
    assert http.grants() == ["password", "refresh_token"]


def test_a_write_to_something_gone_is_an_error_not_an_empty_answer():
    """Only reads asked with missing_ok turn a 404 into "absent": an update, a creation or an activation that meets a
    404 fails naming the request."""
    session, _http, _clock = make_session(Server())
    for call, what in ((lambda: session.put(PATH + "/5", {"name": "x"}), "PUT %s/5 failed" % PATH),
                       (lambda: session.post(PATH, {"name": "x"}), "POST %s failed" % PATH),
                       (lambda: session.activate_node(101, 5, "WS5", "activate node WS5"), "activate node WS5 failed"),
                       (lambda: session.get(PATH + "/5"), "GET %s/5 failed" % PATH)):
        with pytest.raises(NotFound) as failure:
            call()
        assert failure.value.message == what and failure.value.status == 404


class Text(FakeHttp):
    """Answers with the raw ``text`` of the route (not JSON-encoded) and a content type."""

    def request(self, method, url, **kwargs):
        response = FakeHttp.request(self, method, url, **kwargs)
        raw = json.loads(response.text)
        if isinstance(raw, dict) and "raw" in raw:
            response.text = raw["raw"]
            response.headers = {"Content-Type": raw.get("type", "text/plain")}
        return response


def text_session(routes, password="pw-Text-Secret-5"):
    server = Server()
    server.routes.update(routes)
    clock = Clock()
    session = clou.CloutilitySession("https://api.example.com", USER, password, CLIENT_ID, ORIGIN, http=Text(server),
                                     clock=clock, sleep=clock.sleep)
    return session


def test_an_error_body_that_is_not_json_is_shown_redacted_and_cut_at_300_characters():
    session = text_session({"/v1/html": (502, {"raw": "<html>gateway pw-Text-Secret-5 " + "y" * 400, "type": "text/html"}),
                            "/v1/empty": (500, {"raw": ""}),
                            "/v1/code": (500, {"code": 5})})
    with pytest.raises(ApiError) as failure:
        session.get("/v1/html")
    shown = "<html>gateway ******** " + "y" * 400
    assert failure.value.server_message == shown[:300] and failure.value.status == 502
    with pytest.raises(ApiError) as failure:
        session.get("/v1/empty")
    assert failure.value.server_message is None and failure.value.message == "GET /v1/empty failed"
    with pytest.raises(ApiError) as failure:
        session.get("/v1/code")
    assert failure.value.server_message == '{"code": 5}'  # an error object without a message: its text


def test_a_json_null_answer_is_an_error_that_says_so():
    """A 200 with the JSON null is not an answer of the API; the error keeps status and body so that a caller that
    expects "nothing" (a consumer without a node) can tell it from other failures."""
    session, _http, _clock = make_session(Server())
    session.http.handler.routes["/v1/null"] = (200, None)
    with pytest.raises(ApiError) as failure:
        session.get("/v1/null", what="read the node")
    error = failure.value
    assert (error.message, error.method, error.url, error.status, error.server_message) == (
        "read the node failed: the answer is not JSON", "GET", "https://api.example.com/v1/null", 200, "null")


def test_a_read_answered_with_plain_text_is_not_the_apis_answer():
    session = text_session({"/v1/status": (200, {"raw": "OK pw-Text-Secret-5", "type": "text/plain"})})
    with pytest.raises(UnexpectedAnswer) as failure:
        session.get("/v1/status", what="read the status")
    message = failure.value.message
    assert message.startswith("read the status failed: the server answered not JSON, not the API's JSON answer (HTTP 200, "
                              "text/plain")
    assert "pw-Text-Secret-5" not in message and "OK ********" in message
