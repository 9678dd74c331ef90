#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The failure cases of the four-way close (F1, F2, F3, F4, F6 of the
# catalogue; F5 is in oracle.sh and flows.sh), each on its own client --
# router -- server topology, in IPv4 and IPv6, all in parallel.  Losses
# are nft rules in the router (selftests/teardown/lib.sh, td_nft).  Each
# instance gives six results (selftests/teardown/check.py): the case
# happened as designed (the router's ground truth counters, the sequence
# numbers of what it dropped, the kernel's state sequences); at the
# client, the router and the server, the flows (verdict, stalled side,
# active closer, anomalies, FINs seen of each end, states at the verdict)
# from "tcpclose watch -j" and every counter's exact delta; at the client
# and the server, the mirrored state sequence of the local endpoint equals
# the kernel's (the oracle, one bpftrace session for the whole test).
#
#   F1      the client's first FIN dropped once
#   F1-all  every FIN of the client dropped: the client gives up in
#           FIN_WAIT_1 (tcp_orphan_retries=2); timeout_fin_wait1 at the
#           client only, the router and the server never see a FIN
#   F2      every pure ACK of the server once the client's FIN passed (its
#           ACK of that FIN and of the retransmissions) dropped; the
#           server closes once it ACKed a retransmission
#   F3      the server's first FIN dropped once
#   F4      the client's ACK of the server's FIN dropped once
#   F6      everything from the client dropped once its FIN passed (the
#           client vanishes in FIN_WAIT_2); the server's LAST_ACK gives up
#           (tcp_orphan_retries=2): timeout_last_ack at the router and the
#           server, a normal close at the client
#   F6-syn  as F6 (the server's LAST_ACK lasting), then, after the
#           server's second retransmission, the client connects again
#           from the same port, taking over its TIME_WAIT socket; that
#           SYN lifts the drop and reaches the server in LAST_ACK
#
# TCPCLOSE_TD_KEEP=DIR keeps what was collected (counters, events, router
# counters, kernel log, the oracle's record and comparison) in DIR, from
# the repository if relative.  If the oracle missed events during the
# cases, the test runs once more from scratch, as oracle.sh does.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/oracle/lib.sh"
source "$(dirname "$0")/teardown/lib.sh"

TD_CASES=(F1 F1-all F2 F3 F4 F6 F6-syn)
TD_FAMILIES=(ipv4 ipv6)
# The mirror's timeouts end in seconds, yet leave a margin over what the
# cases wait for, under TCG and load: F2's FIN_WAIT_1 lasts until the
# script saw two ACKs dropped and killed the server, F6-syn's LAST_ACK until
# it saw two retransmissions and started the new client; F6-syn's client
# TIME_WAIT (in the router's and the server's mirror) must outlast the
# server's retransmission gaps (up to 3.3 s) until then.  Scaled: on the
# debug kernel F2 and F6-syn took longer than 10 s to get there.
TD_PARAMS=(time_wait="$(scaled 5)" fin_wait1_timeout="$(scaled 10)"
	   last_ack_timeout="$(scaled 10)")

C2S='iifname "veth1"'
S2C='iifname "veth2"'
CKEY='tcp sport . tcp dport'	# client port . server port, from the client
SKEY='tcp dport . tcp sport'	# the same, from the server
FIN='tcp flags & fin == fin'
PURE='tcp flags & (fin|syn|rst|ack) == ack'

setup_f1()
{
	TD_LOG[$1]=1
	td_nft "$1" "$C2S $FIN $CKEY != @once add @once { $CKEY } $(td_drop "$1")"
}

case_f1()
{
	td_server "$1" -w 300 &
	td_wait_listen "$1" || return 1
	td_client "$1" || return 1
	wait $!
}

setup_f1_all()
{
	td_sysctl "${TD_C[$1]}" net.ipv4.tcp_orphan_retries=2
	# The server is killed at cleanup: its orphaned FIN then gives up soon.
	td_sysctl "${TD_S[$1]}" net.ipv4.tcp_orphan_retries=2
	td_nft "$1" "$C2S $FIN $(td_drop "$1")"
	# The server and the router never see the FIN: their flow stays open.
	TD_OPEN[$1]="r:flows_active=1,state_established=2 s:flows_active=1,state_established=2"
}

case_f1_all()
{
	# The server waits for an EOF that never comes (killed at cleanup).
	td_server "$1" -w 300 &
	td_wait_listen "$1" || return 1
	td_client "$1"
}

setup_f2()
{
	TD_LOG[$1]=1
	td_nft "$1" "$S2C $PURE $SKEY @cfin $(td_drop "$1")"
}

case_f2()
{
	local cpid rc

	# The server holds its socket after EOF, and closes (exits) once it
	# answered a retransmitted FIN: its second ACK dropped.
	td_server "$1" -H 30 &
	td_wait_listen "$1" || return 1
	td_client "$1" &
	cpid=$!
	slowwait 20 td_nft_ge "$1" s_ack_cfin_in 2 || return 1
	td_server_kill "$1"
	wait $cpid
	rc=$?
	wait
	return $rc
}

setup_f3()
{
	TD_LOG[$1]=1
	td_nft "$1" "$S2C $FIN $SKEY != @once add @once { $SKEY } $(td_drop "$1")"
}

case_f3()
{
	case_f1 "$1"
}

setup_f4()
{
	TD_LOG[$1]=1
	td_nft "$1" "$C2S $PURE $CKEY @sfin $CKEY != @once add @once { $CKEY } $(td_drop "$1")"
}

case_f4()
{
	case_f1 "$1"
}

# Everything from the client, once its FIN went through, until lifted.
gone_rules()
{
	td_nft "$1" "$C2S $CKEY @gone $CKEY != @lifted $(td_drop "$1")" \
		"$C2S $FIN $CKEY != @lifted add @gone { $CKEY }"
}

setup_f6()
{
	# The server's orphaned LAST_ACK gives up after ~1.4-3 s.
	td_sysctl "${TD_S[$1]}" net.ipv4.tcp_orphan_retries=2
	gone_rules "$1"
}

case_f6()
{
	case_f1 "$1"
}

setup_f6_syn()
{
	local syn='tcp flags & (syn|ack) == syn'

	# The client's new SYN lifts the drop, atomically: the kernel kills
	# the TIME_WAIT socket it reuses when it sends that SYN.  A
	# retransmission of the old FIN that would cross that SYN (and make
	# the new socket answer with an RST that ends the server's LAST_ACK
	# before the SYN reaches it) is dropped: the server's FINs before the
	# lift are remembered by sequence number in @oldfin.
	td_nft "$1" "$S2C $FIN $SKEY != @lifted add @oldfin { tcp dport . tcp sport . tcp sequence }" \
		"$C2S $syn $CKEY @gone add @lifted { $CKEY }" \
		"$S2C $FIN tcp dport . tcp sport . tcp sequence @oldfin $SKEY @lifted $(td_drop "$1")" \
		"$C2S $CKEY @gone $CKEY != @lifted $(td_drop "$1")" \
		"$C2S $FIN $CKEY != @lifted add @gone { $CKEY }"
}

case_f6_syn()
{
	local i=$1 spid

	td_server "$i" -n 2 -w 300 &
	spid=$!
	td_wait_listen "$i" || return 1
	td_client "$i" || return 1
	# The server's FIN and two retransmissions: it is in LAST_ACK (for
	# about 100 s: tcp_orphan_retries is 8 there).
	slowwait 20 td_nft_ge "$i" s_fin_in 3 || return 1
	# Connect again from the same port: bind() and connect() take over
	# the TIME_WAIT socket of the tuple at once (timestamps are on).
	td_client "$i" || return 1
	wait $spid
}

td_main "${TD_CASES[*]}"
