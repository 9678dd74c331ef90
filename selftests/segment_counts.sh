#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The exact segment counts of one known connection between two netns over
# veth, over IPv4 and IPv6, at the client and at the server.  tcpx makes
# exactly: SYN, SYN-ACK, one data segment each way, one FIN each way, and
# pure ACKs.  Each netns sees every segment once (in or out), so each must
# count: seg_syn 1, seg_synack 1, seg_fin 2, seg_rst 0, seg_data 2.  The
# totals per direction and the pure ACKs are checked against nft counters
# at the same hooks (the oracle).
source "$(dirname "$0")/lib.sh"

ktap_print_header
ktap_set_plan 16
require_module

setup_ns C S
link_ns "$C" "$S" 1

# nft counters: all TCP per direction, and the control classes.  tcpx's
# data segments all carry PSH, its control segments none, so
# pure ACKs = total - syn - synack - fin - rst - psh.
oracle_setup()
{
	ip netns exec "$1" nft -f - <<-'NFT'
	table inet oracle {
		counter in_total {}
		counter out_total {}
		counter ctl {}
		chain cnt {
			tcp flags & (syn | ack) == syn counter name ctl
			tcp flags & (syn | ack) == syn | ack counter name ctl
			tcp flags & fin == fin counter name ctl
			tcp flags & rst == rst counter name ctl
			tcp flags & psh == psh counter name ctl
		}
		chain in {
			type filter hook input priority 0;
			meta l4proto tcp counter name in_total jump cnt
		}
		chain out {
			type filter hook output priority 0;
			meta l4proto tcp counter name out_total jump cnt
		}
	}
	NFT
}

# oracle NS NAME: packets of named counter NAME.
oracle()
{
	ip netns exec "$1" nft list counter inet oracle "$2" |
		awk '/packets/ { print $2 }'
}

oracle_reset()
{
	ip netns exec "$1" nft reset counters table inet oracle >/dev/null
}

oracle_setup "$C"
oracle_setup "$S"

for addr in 10.0.1.2 fd00:1::2; do
	fam=ipv4
	[[ $addr == *:* ]] && fam=ipv6
	oracle_reset "$C"
	oracle_reset "$S"
	bc=$(snapshot "$C")
	bs=$(snapshot "$S")
	exchange "$C" "$S" "$addr" || ktap_print_msg "$fam exchange failed"
	ac=$(snapshot "$C")
	as=$(snapshot "$S")
	for side in client server; do
		ns=$C before=$bc after=$ac
		[ $side = server ] && ns=$S before=$bs after=$as
		d() { delta "$before" "$after" "$1"; }
		ktap_print_msg "$fam $side: $(deltas "$before" "$after" \
			seg_total seg_in seg_out seg_syn seg_synack seg_fin \
			seg_rst seg_pure_ack seg_data bad_header fragment seg_forward)"
		check_eq "$fam $side: handshake seg_syn 1 seg_synack 1" \
			"$(d seg_syn) $(d seg_synack)" "1 1"
		check_eq "$fam $side: teardown seg_fin 2 seg_rst 0" \
			"$(d seg_fin) $(d seg_rst)" "2 0"
		check_eq "$fam $side: seg_data 2, nothing forwarded or malformed" \
			"$(d seg_data) $(d seg_forward) $(d bad_header) $(d fragment)" \
			"2 0 0 0"
		in=$(oracle "$ns" in_total) out=$(oracle "$ns" out_total)
		pure=$((in + out - $(oracle "$ns" ctl)))
		check_eq "$fam $side: seg_in seg_out seg_pure_ack match nft" \
			"$(d seg_in) $(d seg_out) $(d seg_pure_ack)" "$in $out $pure"
	done
done
ktap_finished
