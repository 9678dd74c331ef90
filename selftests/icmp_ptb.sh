#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# ICMP "packet too big" errors about a live connection (scenario A4), over
# IPv4 and IPv6: the server's netns sends four PTBs quoting the client's
# segments (ptb.py): one valid, one with an MTU below the floor (IPv4 552,
# IPv6 1280), one quoting a sequence number the client never sent, one
# quoting a tuple that is not tracked.  At the client (LOCAL_IN) and at the
# server (LOCAL_OUT): icmp_ptb 1, icmp_ptb_suspect 2, icmp_ptb_untracked 1.
# Linux's own verdicts agree: the client's kernel counts the out-of-window
# one (TcpExtOutOfWindowIcmps) and lowers the route's MTU for the in-window
# ones (to 552, its floor, for IPv4; to 1280 for IPv6, where the one below
# 1280 is ignored): the PTBs were delivered, not dropped.  The connection
# then ends normally.
source "$(dirname "$0")/lib.sh"

HOLD_MS=12000	# the client holds its connection while the PTBs come

ktap_print_header
ktap_set_plan 12
require_module

setup_ns A B
link_ns "$A" "$B" 1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"; tcpclose_cleanup' EXIT

PTB="icmp_ptb icmp_ptb_suspect icmp_ptb_untracked"
WANT="icmp_ptb=1 icmp_ptb_suspect=2 icmp_ptb_untracked=1"

for fam in 4 6; do
	ca=10.0.1.1 sa=10.0.1.2 six= mtu=552
	[ $fam = 6 ] && ca=fd00:1::1 sa=fd00:1::2 six=-6 mtu=1280
	rm -f "$tmp/ptb.ready"
	(cd "$tmp" && ip netns exec "$B" "$PY" "$TOP/selftests/ptb.py" \
		$fam "$ca" "$sa" "$PORT" "$(scaled 120)" >"$tmp/ptb$fam" 2>&1) &
	ppid=$!
	# A python start costs seconds under TCG: its raw socket first.
	slowwait 90 test -e "$tmp/ptb.ready" ||
		ktap_print_msg "ipv$fam: ptb.py did not start within 90 s"
	ip netns exec "$B" "$TCPX" server $six &
	spid=$!
	wait_listen "$B" "$PORT"
	a0=$(snapshot "$A") b0=$(snapshot "$B")
	o0=$(netstat "$A" OutOfWindowIcmps)
	ip netns exec "$A" "$TCPX" client -w "$HOLD_MS" "$sa" >"$tmp/client$fam" 2>&1 &
	cpid=$!
	wait $ppid
	prc=$?
	ktap_print_msg "ipv$fam ptb.py: $(tr '\n' ' ' <"$tmp/ptb$fam")"
	o1=$(netstat "$A" OutOfWindowIcmps)
	route=$(ip -n "$A" route get "$sa" | tr '\n' ' ')
	wait $cpid
	crc=$?
	wait $spid
	a1=$(snapshot "$A") b1=$(snapshot "$B")
	check_eq "ipv$fam: the four PTBs sent" "$prc" 0
	check_eq "ipv$fam: at the client (LOCAL_IN)" "$(deltas "$a0" "$a1" $PTB)" "$WANT"
	check_eq "ipv$fam: at the server (LOCAL_OUT)" "$(deltas "$b0" "$b1" $PTB)" "$WANT"
	check_eq "ipv$fam: Linux ignored the out-of-window one (OutOfWindowIcmps)" \
		"$((o1 - o0))" 1
	ktap_print_msg "ipv$fam: client's route: $route"
	check "ipv$fam: Linux applied the in-window ones (route mtu $mtu)" \
		grep -Eq " mtu (lock )?$mtu " <<<"$route "
	ktap_print_msg "ipv$fam: client: $(tr '\n' ' ' <"$tmp/client$fam") (exit $crc)"
	check_eq "ipv$fam: the connection then closed normally (client exit, verdict)" \
		"$crc $(deltas "$a0" "$a1" verdict_close_normal verdict_reset_established)" \
		"0 verdict_close_normal=1 verdict_reset_established=0"
done
ktap_finished
