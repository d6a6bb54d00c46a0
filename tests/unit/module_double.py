# -*- coding: utf-8 -*-
# Copyright: filefleet.office contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The one stand-in for ``AnsibleModule`` that the unit tests of resource mappings use."""


class ModuleDouble:
    """``params`` (the defaults of ``spec``, then the given values), check and diff mode, loop flag, warnings."""

    def __init__(self, spec=None, check_mode=False, diff=True, loop=False, **params):
        self.params = dict((key, value.get("default")) for key, value in (spec or {}).items())
        self.params.update(params)
        self.check_mode = check_mode
        self._diff = diff
        self.filefleet_loop = loop
        self.warnings = []

    def warn(self, message):
        self.warnings.append(message)
