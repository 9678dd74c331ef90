#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The format of /proc/tcpclose and /proc/net/tcpclose: one "name value"
# line per counter, unique snake_case names, the same names in the same
# order in both files, read-only, every name documented, and the counter
# invariants holding after traffic.
source "$(dirname "$0")/lib.sh"

DOC=$TOP/Documentation/counters.rst
FILES=(/proc/tcpclose /proc/net/tcpclose)
EXPECTED="seg_total seg_in seg_out seg_forward seg_syn seg_synack seg_fin
seg_rst seg_pure_ack seg_data bad_header fragment"

ktap_print_header
ktap_set_plan $((4 * ${#FILES[@]} + 5))
require_module

setup_ns A B
link_ns "$A" "$B" 1
exchange "$A" "$B" 10.0.1.2 3

well_formed()
{
	awk 'NF != 2 || $1 !~ /^[a-z][a-z0-9_]*$/ || $2 !~ /^[0-9]+$/ { bad = 1 }
	     END { exit bad + (NR == 0) }' "$1"
}

for f in "${FILES[@]}"; do
	check "$f: every line is 'name value'" well_formed "$f"
	check_eq "$f: names are unique" \
		"$(awk '{ print $1 }' "$f" | sort | uniq -d)" ""
	check_eq "$f: mode 0444" "$(stat -c %a "$f")" 444
	check "$f: a write is refused" sh -c "! echo 1 2>/dev/null >$f"
done

check_eq "both files list the same names in the same order" \
	"$(awk '{ print $1 }' /proc/tcpclose)" "$(awk '{ print $1 }' /proc/net/tcpclose)"
missing=
for n in $EXPECTED; do
	grep -q "^$n " /proc/net/tcpclose || missing+=" $n"
done
check_eq "every counter of this release is present" "$missing" ""
undocumented=
for n in $(awk '{ print $1 }' /proc/net/tcpclose); do
	grep -q "^\`\`$n\`\`" "$DOC" || undocumented+=" $n"
done
check_eq "every counter is documented in Documentation/counters.rst" \
	"$undocumented" ""

# invariant FILE: seg_total = seg_in + seg_out + seg_forward
invariant()
{
	awk '{ v[$1] = $2 }
	     END { exit v["seg_total"] != v["seg_in"] + v["seg_out"] + v["seg_forward"] }' "$1"
}
check "netns A: seg_total = seg_in + seg_out + seg_forward" \
	ip netns exec "$A" bash -c "$(declare -f invariant); invariant /proc/net/tcpclose"
check "host: seg_total = seg_in + seg_out + seg_forward" invariant /proc/tcpclose
ktap_finished
