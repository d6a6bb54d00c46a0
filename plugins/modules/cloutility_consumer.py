#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: filefleet.office contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

DOCUMENTATION = r'''
---
module: cloutility_consumer
short_description: Manage Cloutility consumption units
version_added: 0.1.0
description:
  - Creates, updates and deletes consumption units ("consumers" in the API) of a Cloutility business unit.
  - Only the options you give are managed. An option you leave out is never changed on an existing consumption unit.
  - Updates read the consumption unit and send it back whole with your changes, so fields this module does not
    manage keep their values.
author:
  - filefleet.office developers (@filefleet)
extends_documentation_fragment:
  - filefleet.office.cloutility
attributes:
  check_mode:
    support: full
    description: Reads the consumption unit and reports exactly what a real run would change, writing nothing.
  diff_mode:
    support: full
    description: Shows the changed fields before and after (the whole consumption unit on creation or deletion).
options:
  business_unit:
    description:
      - Business unit of the consumption unit, by id (for example V(76)) or by the path of names from the API
        user's top business unit, for example V(Company AB/Marketing Department). The top business unit's name may
        be left out (V(Marketing Department)). Names are compared case-insensitively.
      - A name that is unknown, or that several business units under the same parent share, is an error.
    type: raw
    required: true
  name:
    description:
      - Name of the consumption unit, compared exactly (case-sensitive). At most 255 characters, without leading or
        trailing whitespace (refused, not trimmed).
      - Names need not be unique in Cloutility. When several consumption units of the business unit have this name
        the task fails and lists their ids; give O(id) to choose one.
      - Two runs that create the same name at the same time would make two consumption units of that name. After
        creating one, the module lists the business unit's units of that name again; when there are several, the
        oldest (lowest id) is kept, the one this run created is deleted if it is not that one, and the kept one is
        returned, brought to the given settings. Every run applies this rule, so one consumption unit stays.
      - With O(id), a different O(name) renames the consumption unit.
      - Required unless O(id) is given.
    type: str
  id:
    description:
      - Id of an existing consumption unit in O(business_unit). With O(state=present) the consumption unit must
        exist; the module never creates one with a given id. From 1 to 2147483647.
    type: int
  note:
    description: Free-text note. An empty string clears it.
    type: str
  external_reference:
    description: External reference, for example a CMDB or order number. An empty string clears it.
    type: str
  tags:
    description:
      - Tags (texts) of the consumption unit, compared as a set. The list replaces the current tags; V([]) removes all.
    type: list
    elements: str
  storage_limit_gb:
    description:
      - High storage limit (the C(limitHighStorage) field of the API, in the unit the portal shows, GB).
      - V(0) means no limit is set. At most 1000000000 (an exabyte); C(nan) and C(inf) are refused.
    type: float
  allow_no_activity:
    description: Whether the consumption unit may have no backup activity without being reported.
    type: bool
  billing_start_date:
    description: Date (C(YYYY-MM-DD)) from which the consumption unit is billed. Cloutility sets today on creation.
    type: str
  billing_end_date:
    description:
      - Date (C(YYYY-MM-DD)) from which the consumption unit is no longer billed. An empty string clears it.
      - With O(billing_start_date), it must not be before it.
    type: str
  state:
    description:
      - V(present) makes the consumption unit exist with the given settings; V(absent) deletes it.
      - Deletion is asynchronous on the Storage Protect side. An accepted deletion counts as done (RV(deletion_state)
        says whether Cloutility still shows the consumption unit), and one marked for deletion counts as absent.
      - Deleting a consumption unit that has a backup node also removes the node from Cloutility; on the
        IBM Storage Protect server the node is handled by the business unit's node deletion rule.
    type: str
    choices: [present, absent]
    default: present
  delete_associations:
    description:
      - With O(state=absent), also delete the schedules associated with the backup node on the IBM Storage
        Protect server (the API's C(deleteAssociations), which defaults to true as well).
    type: bool
    default: true
  deletion_comment:
    description: With O(state=absent), a comment recorded in the audit log of the deletion.
    type: str
  wait_timeout:
    description:
      - Not used any more; deletions are reported (RV(deletion_state)), not waited for. Kept so that existing
        tasks keep working.
    type: int
    default: 300
notes:
  - The API user needs the privileges to create, change or delete consumption units; a user allowed only to
    request deletions gets HTTP 403, which the module reports as an error.
seealso:
  - module: filefleet.office.cloutility_consumer_info
  - module: filefleet.office.backup_node
'''

EXAMPLES = r'''
- name: Lisa's workstation is a consumption unit of the marketing department
  filefleet.office.cloutility_consumer:
    cloutility_url: https://portal-api.backup.sto2.safedc.net
    cloutility_username: automation@example.com
    cloutility_password: "{{ vault_cloutility_password }}"
    cloutility_client_id: "{{ cloutility_client_id }}"
    cloutility_origin: https://automation.example.com
    business_unit: Company AB/Marketing Department
    name: LisasWS
    note: Lisa's workstation
    tags: [workstation, marketing]
    storage_limit_gb: 250

- name: Only change the note; everything else stays as it is (connection from module_defaults)
  module_defaults:
    group/filefleet.office.cloutility:
      cloutility_url: https://portal-api.backup.sto2.safedc.net
      cloutility_username: automation@example.com
      cloutility_password: "{{ vault_cloutility_password }}"
      cloutility_client_id: "{{ cloutility_client_id }}"
      cloutility_origin: https://automation.example.com
  filefleet.office.cloutility_consumer:
    business_unit: 76
    name: LisasWS
    note: Lisa's laptop since 2025

- name: One of two consumption units named "Test" is renamed, chosen by id
  filefleet.office.cloutility_consumer:
    business_unit: Marketing Department
    id: 412
    name: Test-old

- name: The consumption unit is gone, with a comment in the audit log
  filefleet.office.cloutility_consumer:
    business_unit: Company AB/Marketing Department
    name: LisasWS
    state: absent
    deletion_comment: Laptop returned (ticket 4711)
'''

RETURN = r'''
consumer:
  description: The consumption unit after the task (predicted in check mode; a new one then has a null id). Null when absent.
  returned: always
  type: dict
  sample:
    id: 412
    name: LisasWS
    business_unit_id: 76
    business_unit: Company AB/Marketing Department
    note: Lisa's workstation
    external_reference: null
    tags: [marketing, workstation]
    storage_limit_gb: 250.0
    allow_no_activity: false
    billing_start_date: "2025-03-01"
    billing_end_date: null
    data_source_type: None
    data_source_state: New
    created_date: "2025-03-01T08:12:45.120Z"
  contains:
    id:
      description: Id of the consumption unit (null for one only predicted in check mode).
      type: int
    name:
      description: Name.
      type: str
    business_unit_id:
      description: Id of the business unit.
      type: int
    business_unit:
      description: Path of the business unit from the API user's top business unit.
      type: str
    note:
      description: Note, or null.
      type: str
    external_reference:
      description: External reference, or null.
      type: str
    tags:
      description: Tag texts, sorted.
      type: list
      elements: str
    storage_limit_gb:
      description: High storage limit (C(limitHighStorage)).
      type: float
    allow_no_activity:
      description: Whether no activity is allowed.
      type: bool
    billing_start_date:
      description: Billing start date (C(YYYY-MM-DD)).
      type: str
    billing_end_date:
      description: Billing end date (C(YYYY-MM-DD)), or null.
      type: str
    data_source_type:
      description: Kind of data source, for example C(SP Backup node) once a backup node exists.
      type: str
    data_source_state:
      description: State of the data source, for example C(New), C(Pending) or C(Active).
      type: str
    created_date:
      description: When the consumption unit was created.
      type: str
    scheduled_deletion_date:
      description: When a consumption unit marked for deletion goes (null otherwise).
      type: str
deletion_state:
  description:
    - After a deletion, V(deleted) when Cloutility no longer shows the consumption unit, V(pending) while it is
      still shown (marked for deletion, the Storage Protect delete process still running).
  returned: when deleted (not in check mode)
  type: str
  sample: pending
diff:
  description:
    - Changed fields before and after. Only with C(--diff). On creation C(before) is empty and C(after) the whole
      consumption unit; on deletion C(before) is the whole consumption unit and C(after) empty.
  returned: changed and diff mode
  type: dict
'''

from ansible_collections.filefleet.office.plugins.module_utils._common import FilefleetModule, run
from ansible_collections.filefleet.office.plugins.module_utils._engine import Resource, ensure
from ansible_collections.filefleet.office.plugins.module_utils._cloutility import cloutility_argument_spec, cloutility_session
from ansible_collections.filefleet.office.plugins.module_utils._validate import MAX_ID, MAX_STORAGE_GB
from ansible_collections.filefleet.office.plugins.module_utils._cloutility_resources import (
    consumer_body, consumer_view, delete_consumer, deletion_state, keep_oldest, locate_consumer, new_consumer_view,
    validate_date, wanted_consumer_fields, write_tags,
)


def argument_spec():
    spec = cloutility_argument_spec()
    spec.update(
        business_unit=dict(type="raw", required=True),
        name=dict(type="str"),
        id=dict(type="int"),
        note=dict(type="str"),
        external_reference=dict(type="str"),
        tags=dict(type="list", elements="str"),
        storage_limit_gb=dict(type="float"),
        allow_no_activity=dict(type="bool"),
        billing_start_date=dict(type="str"),
        billing_end_date=dict(type="str"),
        state=dict(type="str", choices=["present", "absent"], default="present"),
        delete_associations=dict(type="bool", default=True),
        deletion_comment=dict(type="str"),
        wait_timeout=dict(type="int", default=300),
    )
    return spec


MODULE_KWARGS = dict(supports_check_mode=True, required_one_of=[("name", "id")], references=("business_unit",),
                     bounds={"id": (1, MAX_ID, ""), "storage_limit_gb": (0, MAX_STORAGE_GB, "GB")},
                     names=("name", "business_unit", "tags"))


def validate(params):
    """Reject bad input before any request."""
    name = params["name"]
    if name is not None:
        if not name.strip():
            raise ValueError("name must not be empty")
        if len(name) > 255:
            raise ValueError("name is %d characters long; Cloutility allows at most 255" % len(name))
    if params["id"] is not None and params["id"] <= 0:
        raise ValueError("id must be a positive integer, got %d" % params["id"])
    if params["storage_limit_gb"] is not None and params["storage_limit_gb"] < 0:
        raise ValueError("storage_limit_gb must be 0 (no limit) or more, got %s" % params["storage_limit_gb"])
    if params["tags"] is not None and any(not t or not t.strip() for t in params["tags"]):
        raise ValueError("tags must not contain empty texts")
    validate_date("billing_start_date", params["billing_start_date"])
    validate_date("billing_end_date", params["billing_end_date"], allow_empty=True)
    if params["billing_start_date"] and params["billing_end_date"] and params["billing_end_date"] < params["billing_start_date"]:
        raise ValueError("billing_end_date %s is before billing_start_date %s; the end must be on or after the start"
                         % (params["billing_end_date"], params["billing_start_date"]))
    if params["wait_timeout"] < 0:
        raise ValueError("wait_timeout must be 0 or more seconds")


class Consumer(Resource):
    """A consumption unit of a business unit, viewed by ``consumer_view``; options map onto ``CONSUMER_FIELDS``."""

    key = "consumer"
    set_keys = ("tags",)

    def __init__(self, module, session, bunit):
        super(Consumer, self).__init__(module, session)
        self.bunit = bunit
        self.raw = None
        self.deletion_state = None

    def read(self):
        self.raw = locate_consumer(self.session, self.bunit["id"], self.params["id"], self.params["name"])
        return consumer_view(self.raw, self.bunit)

    def desired(self, current):
        return wanted_consumer_fields(self.params)

    def check_create(self, desired):
        if self.params["id"] is not None:
            raise ValueError("id=%d: business unit %r has no consumption unit with that id; leave id out to create "
                             "one by name" % (self.params["id"], self.bunit["path"]))

    def predict(self, current, changes):
        if current is None:
            return new_consumer_view(changes, self.bunit)
        return super(Consumer, self).predict(current, changes)

    def create(self, desired, predicted):
        bid = self.bunit["id"]
        created = self.session.post(self.session.path("bunits", bid, "consumers"), consumer_body(None, desired),
                                    what="create consumption unit %r in business unit %r" % (desired["name"], self.bunit["path"]))
        kept, ours = keep_oldest(self.session, bid, created, self.params)
        if ours:
            return consumer_view(write_tags(self.session, bid, created, desired), self.bunit)
        # A concurrent run created the same name first: its unit is kept and brought to the desired state.
        self.raw = kept
        current = consumer_view(kept, self.bunit)
        changes = dict((k, v) for k, v in desired.items() if not self.equal(k, current.get(k), v))
        if not changes:
            return current
        return self.update(current, changes, predicted)

    def update(self, current, changes, predicted):
        bid, cid = self.bunit["id"], self.raw["id"]
        updated = self.session.put(self.session.consumer_path(bid, cid), consumer_body(self.raw, changes),
                                   what="update consumption unit %r (id %s)" % (self.raw.get("name"), cid))
        if not isinstance(updated, dict) or updated.get("id") is None:
            updated = self.session.get_consumer(bid, cid, missing_ok=False)
        return consumer_view(write_tags(self.session, bid, updated, changes), self.bunit)

    def delete(self, current):
        delete_consumer(self.session, self.bunit["id"], self.raw, self.params)

    def finish(self, after, changed):
        if changed and after is None:  # an accepted delete is done; Storage Protect may still be working on it
            self.deletion_state = deletion_state(self.session, self.bunit["id"], self.raw)
        return after


def ensure_consumer(module, scope):
    validate(module.params)
    session = cloutility_session(scope, module.params)
    bunit = session.resolve_bunit(module.params["business_unit"])
    consumer = Consumer(module, session, bunit)
    result = ensure(consumer, module.params["state"])
    if consumer.deletion_state:
        result["deletion_state"] = consumer.deletion_state
    return result


def main():
    module = FilefleetModule(argument_spec=argument_spec(), **MODULE_KWARGS)
    run(module, ensure_consumer)


if __name__ == "__main__":
    main()
