#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Malformed TCP headers crafted with scapy (truncated, data offset past the
# end, data offset below 5), over IPv4 and IPv6: counted in bad_header at
# the sender (LOCAL_OUT) and at the receiver (LOCAL_IN), classified as
# nothing else, and delivered byte for byte (a raw socket past LOCAL_IN
# reads them).  An IPv4 fragment is counted in fragment.
source "$(dirname "$0")/lib.sh"

ktap_print_header
ktap_set_plan 9
require_module

setup_ns A B
link_ns "$A" "$B" 1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"; tcpclose_cleanup' EXIT

for fam in 4 6; do
	src=10.0.1.1 dst=10.0.1.2
	[ $fam = 6 ] && src=fd00:1::1 dst=fd00:1::2
	rm -f "$tmp/recv.ready"
	# The receiver waits 30 s (scaled) for the segments after it started:
	# the sender's python start takes that long on the debug kernel.
	(cd "$tmp" && ip netns exec "$B" "$PY" "$TOP/selftests/craft.py" recv $fam 3 "$(scaled 30)" \
		>"$tmp/recv$fam") &
	rpid=$!
	# A python start costs seconds under TCG, many on a loaded host: the
	# segments are sent only once the receiver's raw socket exists.
	slowwait 90 test -e "$tmp/recv.ready" ||
		ktap_print_msg "ipv$fam: the receiver did not start within 90 s"
	a0=$(snapshot "$A") b0=$(snapshot "$B")
	ip netns exec "$A" "$PY" "$TOP/selftests/craft.py" send $src $dst >"$tmp/sent$fam"
	wait $rpid
	a1=$(snapshot "$A") b1=$(snapshot "$B")
	ktap_print_msg "ipv$fam sender: $(deltas "$a0" "$a1" seg_total seg_out bad_header)"
	ktap_print_msg "ipv$fam receiver: $(deltas "$b0" "$b1" seg_total seg_in bad_header)"
	check_eq "ipv$fam: sender counts 3 bad_header at LOCAL_OUT" \
		"$(deltas "$a0" "$a1" seg_out bad_header)" "seg_out=3 bad_header=3"
	check_eq "ipv$fam: receiver counts 3 bad_header at LOCAL_IN" \
		"$(deltas "$b0" "$b1" seg_in bad_header)" "seg_in=3 bad_header=3"
	classes="seg_syn seg_synack seg_fin seg_rst seg_pure_ack seg_data"
	zero="seg_syn=0 seg_synack=0 seg_fin=0 seg_rst=0 seg_pure_ack=0 seg_data=0"
	check_eq "ipv$fam: malformed segments are in no class" \
		"$(deltas "$a0" "$a1" $classes) $(deltas "$b0" "$b1" $classes)" \
		"$zero $zero"
	check_eq "ipv$fam: all 3 delivered to the receiver unchanged" \
		"$(cut -d' ' -f2 "$tmp/sent$fam")" "$(cat "$tmp/recv$fam")"
done

a0=$(snapshot "$A")
ip netns exec "$A" "$PY" -c '
from scapy.all import IP, TCP
from scapy.supersocket import L3RawSocket
L3RawSocket().send(IP(src="10.0.1.1", dst="10.0.1.2", flags="MF") / TCP())'
a1=$(snapshot "$A")
check_eq "ipv4 first fragment: counted in fragment, not parsed" \
	"$(deltas "$a0" "$a1" seg_out fragment bad_header seg_syn)" \
	"seg_out=1 fragment=1 bad_header=0 seg_syn=0"
ktap_finished
