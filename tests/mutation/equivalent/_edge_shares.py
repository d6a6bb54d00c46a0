# -*- coding: utf-8 -*-
# Copyright: filefleet.office contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Equivalent mutants of plugins/module_utils/_edge_shares.py (see README.md; measured in docs/mutation/edge.md).

Not here: ``xǁShareDirectoryǁshares__mutmut_13`` (``isinstance(found, list) or True``), listed as equivalent in
docs/mutation/edge.md, is not: a share list answered with a CTERA scalar (``<val>5</val>`` decodes to the int 5)
makes the mutant raise TypeError where the original reads "no shares"."""

ENTRIES = (
    ("_edge_shares.x_ace_from_obj", (26, 35),
     "rsplit('#') with no or another maxsplit: only the last part ([-1]) is kept, the same for any maxsplit >= 1"),
    ("_edge_shares.x_nfs_to_obj", (23, 25), "the default of get('noRootSquash') None instead of False, inside bool()"),
    ("_edge_shares.x_valid_netmask", (6,), "'XX' around the bit string: the test looks for '01', which X's cannot make"),
    ("_edge_shares.x_validate_nfs_clients", (7, 24),
     "an empty address or netmask checked as 'XXXX': as invalid as '', and the messages show the option's own value"),
)
