# -*- coding: utf-8 -*-
# Copyright: filefleet.office contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""edge_setup's requests without a session (module_utils/_edge_device.py SetupSession.open_call) answered by
something that is not the filer's XML: the error names the operation and shows the answer with the password of
the first administrator masked (mutation testing, docs/mutation.md; in-process scripted filer of
test_mutation_kills_edge_tasks)."""

import pytest
import requests

from test_mutation_kills_edge_tasks import API, Filer, URL
from ansible_collections.filefleet.office.plugins.module_utils import _edge_device as device
from ansible_collections.filefleet.office.plugins.module_utils._http import UnexpectedAnswer

PASSWORD = "First-Admin-Pw-9"


@pytest.fixture
def filer(monkeypatch):
    fake = Filer()
    monkeypatch.setattr(requests.Session, "get_adapter", lambda _self, url: fake)
    return fake


@pytest.mark.parametrize("method, path, call, what", [
    ("POST", "/nosession/createfirstuser", lambda s: s.create_first_user("first-admin", PASSWORD, None),
     "create the first administrator 'first-admin'"),
    ("GET", "/nosession/logininfo", lambda s: s.initialized(), "read the login information of " + URL),
])
@pytest.mark.parametrize("answer", [
    ("<html><body>Welcome, your password is %s</body></html>" % PASSWORD, "text/html"),
    ('{"password": "%s"}' % PASSWORD, "application/json"),
])
def test_a_foreign_answer_is_refused_with_the_password_masked(filer, method, path, call, what, answer):
    body, content_type = answer
    filer.routes[(method, API + path)] = (200, body, {"Content-Type": content_type})
    session = device.SetupSession(URL, "first-admin", PASSWORD)
    with pytest.raises(UnexpectedAnswer) as caught:
        call(session)
    shown = repr(caught.value.to_result())
    assert caught.value.message.startswith(what + " failed: the server answered ")
    assert PASSWORD not in shown and "********" in caught.value.message
    assert [(m, p) for m, p, _b, _h in filer.sent] == [(method, API + path)]
