# -*- coding: utf-8 -*-
# Copyright: filefleet.office contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Equivalent mutants of plugins/module_utils/_portal.py (see README.md; docs/mutation/portal.md)."""

ENTRIES = (
    ("_portal.x_decode_error_body", (2,),
     "'if content or True': from_xml(b'') is None, the else branch's value (defusedxml is checked before any session)"),
    ("_portal.xǁCteraXmlSessionǁcall", (99,),
     "the same 'if response.content or True' on the success answer: from_xml(b'') is None like the else branch"),
    ("_portal.xǁCteraXmlSessionǁcall", (22, 26),
     "a lost connection re-raised with status None or without it: every TransportError HttpClient.request raises "
     "(lost connection, timeout, TLS) has status None, so the error is the same"),
    ("_portal.xǁCteraXmlSessionǁcall", (45,),
     "logged_in = None instead of False before the new login: logged_in is only tested for truth"),
    ("_portal.xǁCteraXmlSessionǁdownload", (11,),
     "logged_in = None instead of False before the new login: logged_in is only tested for truth"),
    ("_portal.xǁCteraXmlSessionǁclose", (10,),
     "logged_in = None instead of False after the logout: logged_in is only tested for truth"),
    ("_portal.xǁCteraXmlSessionǁclose", (3,),
     "getattr(self, 'is_worker', None): only its truth is read; None is false like the default False"),
    ("_portal.xǁCteraXmlSessionǁ_send", (7,), "codec name 'UTF-8': codec names are case-insensitive"),
    ("_portal.xǁPortalSessionǁ__init__", (26, 27),
     "'XXXX' as query or fragment of the API root: HttpClient's normalize_base_url drops both, base_url is the same"),
    ("_portal.xǁPortalSessionǁ_is_expired", (12, 13),
     "headers.get('location') / ('LOCATION'): requests' response headers are a case-insensitive dict"),
    ("_portal.xǁPortalSessionǁ_is_expired", (14,),
     "a missing Location read as 'XXXX' instead of '': neither ends with the login page nor starts with Entra ID's "
     "address, so it is no expiry either way"),
    ("_portal.xǁPortalSessionǁ_login", (11,),
     "'post': HttpClient.request upper-cases the method (sent and retried as POST); the login's own errors name "
     "'POST' literally and raise_for_status reads the sent request"),
    ("_portal.xǁPortalSessionǁ_logout", (12,), "'post': HttpClient.request upper-cases the method"),
    ("_portal.xǁPortalSessionǁ_login", (60,), "check_answer(require_body=None) instead of False: only its truth is read"),
    ("_portal.xǁPortalSessionǁ_logout", (3, 8),
     "data=None or no data instead of b'': requests prepares the same POST (no body, Content-Length: 0, the given "
     "Content-Type)"),
    ("_portal.xǁPortalSessionǁ_logout", (4, 9),
     "idempotent=None or left out instead of False: HttpClient.request then takes a POST as not idempotent, the same"),
    ("_portal.xǁPortalSessionǁ_put_tenant", (16,),
     "tenant or 'XXXX': only differs for an empty tenant, which no caller passes (browse returns before on an empty "
     "tenant and sets wanted_tenant only to a non-empty one; global_session sends its own PUT of '')"),
)
