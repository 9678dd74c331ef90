#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The forward vantage: client -- router -- server.  The router counts each
# segment of the flow once, at FORWARD, and nothing at its host hooks.
source "$(dirname "$0")/lib.sh"

ktap_print_header
ktap_set_plan 8
require_module

topology_crs

for addr in 10.0.2.2 fd00:2::2; do
	fam=ipv4
	[[ $addr == *:* ]] && fam=ipv6
	r0=$(snapshot "$R") c0=$(snapshot "$C")
	exchange "$C" "$S" "$addr" || ktap_print_msg "$fam exchange failed"
	r1=$(snapshot "$R") c1=$(snapshot "$C")
	ktap_print_msg "$fam router: $(deltas "$r0" "$r1" seg_total seg_in \
		seg_out seg_forward seg_syn seg_synack seg_fin seg_data)"
	check_eq "$fam router: seg_syn 1 seg_synack 1 seg_fin 2 seg_data 2" \
		"$(deltas "$r0" "$r1" seg_syn seg_synack seg_fin seg_data)" \
		"seg_syn=1 seg_synack=1 seg_fin=2 seg_data=2"
	check_eq "$fam router: every segment at FORWARD, none at the host hooks" \
		"$(deltas "$r0" "$r1" seg_in seg_out)" "seg_in=0 seg_out=0"
	check_eq "$fam router: forwarded as many as the client sent and got" \
		"$(delta "$r0" "$r1" seg_forward)" "$(delta "$c0" "$c1" seg_total)"
	check_eq "$fam client: nothing at FORWARD" \
		"$(delta "$c0" "$c1" seg_forward)" 0
done
ktap_finished
