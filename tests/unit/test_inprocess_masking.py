# -*- coding: utf-8 -*-
# Copyright: filefleet.office contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The in-process action plugin's fast no_log masking gives exactly what Ansible's remove_values gives."""

from hypothesis import given, settings, strategies as st

from ansible.module_utils.basic import remove_values
from ansible_collections.filefleet.office.plugins.plugin_utils._inprocess import mask_no_log

secrets = st.lists(st.text(min_size=0, max_size=8), min_size=0, max_size=6)
leaves = st.one_of(st.text(max_size=30), st.integers(-1000, 100000), st.booleans(), st.none(),
                   st.floats(allow_nan=False, allow_infinity=False))
data = st.recursive(leaves, lambda inner: st.one_of(st.lists(inner, max_size=5),
                                                    st.dictionaries(st.text(max_size=6), inner, max_size=5)),
                    max_leaves=30)


@settings(max_examples=400, deadline=None)
@given(data, secrets)
def test_same_result_as_remove_values(value, no_log):
    assert mask_no_log(value, set(no_log)) == remove_values(value, set(no_log))


@settings(max_examples=200, deadline=None)
@given(st.lists(st.text(min_size=3, max_size=10), min_size=1, max_size=5), st.data())
def test_secrets_embedded_in_text_are_masked(no_log, draw):
    secret = draw.draw(st.sampled_from(no_log))
    value = {"msg": "before %s after" % secret, "nested": [{"password": secret}], "count": 3}
    masked = mask_no_log(value, set(no_log))
    assert masked == remove_values(value, set(no_log))
    assert secret not in masked["msg"]
    assert masked["nested"][0]["password"] == "VALUE_SPECIFIED_IN_NO_LOG_PARAMETER"


def test_large_result_is_masked_quickly():
    import time
    no_log = set("Pw-secret-%d" % i for i in range(1000))
    value = {"users": [{"name": "u%d" % i, "email": "u%d@example.com" % i, "comment": "x" * 20} for i in range(1000)],
             "leak": "oops Pw-secret-999 here"}
    start = time.perf_counter()
    masked = mask_no_log(value, no_log)
    elapsed = time.perf_counter() - start
    assert masked["leak"] == "oops ******** here"
    assert masked == remove_values(value, no_log)
    assert elapsed < 1.0
