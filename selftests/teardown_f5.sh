#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# F5 of the catalogue, the passive side that "runs away" after ACKing the
# client's FIN, at the three vantages, in IPv4 and IPv6, as teardown_f.sh
# checks the other failure cases (see its header and teardown/check.py).
# The module's fin_timeout is 3 s, close_wait_alarm 2 s.  The server holds
# its socket HOLD s after EOF, then closes.
#
#   F5          the client close()s: an orphan, which Linux's own
#               tcp_fin_timeout (3 s in the client netns) ends; the
#               server's late FIN gets an RST from the client's kernel
#   F5-held     the client shutdown(SHUT_WR)s and keeps its descriptor,
#               reading: Linux has no timer for that FIN_WAIT_2, the
#               mirror's fin_timeout ends it (the oracle's one known
#               disagreement, asserted as such); the late FIN takes the
#               kernel's socket to TIME_WAIT
#   F5-drop     the client close()s; once the server's ACK of the client's
#               FIN went through, the router drops everything from the
#               server (whose late FIN is retransmitted until its orphan
#               gives up, tcp_orphan_retries=2); the client's and the
#               router's mirrors keep the server's side in CLOSE_WAIT
#
# In the middle of each case (the client's FIN_WAIT_2 timed out, the server
# still holding), the gauges: close_wait_stuck at every vantage that saw the
# server's ACK.  fin_timeout_action=reset is tested in mirror.sh and
# oracle.sh (a module-wide parameter: not in the same run).
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/oracle/lib.sh"
source "$(dirname "$0")/teardown/lib.sh"

TD_CASES=(F5 F5-held F5-drop)
TD_FAMILIES=(ipv4 ipv6)
# s: past fin_timeout (3) and close_wait_alarm (2), with margin for the
# gauges to be read in between under TCG (scaled: the debug kernel)
HOLD=$(scaled 20)
TD_PARAMS=(fin_timeout=3 close_wait_alarm=2 time_wait=3 last_ack_timeout=6)

S2C='iifname "veth2"'
SKEY='tcp dport . tcp sport'	# client port . server port, from the server
PURE='tcp flags & (fin|syn|rst|ack) == ack'

# td_gauge_is PID NAME VALUE: the gauge NAME of the netns of PID.
td_gauge_is()
{
	local k v

	while read -r k v; do
		[ "$k" = "$2" ] && { [ "$v" = "$3" ]; return; }
	done <"/proc/$1/net/tcpclose"
	return 1
}

# f5_mid I PIDS...: once the client's FIN_WAIT_2 timed out at the
# vantages of PIDS (verdict_timeout_fin_wait2 and close_wait_stuck, both
# after the alarm), the gauges of the three vantages into I.{c,r,s}.mid.
f5_mid()
{
	local i=$1 pid

	shift
	for pid in "$@"; do
		slowwait 20 td_gauge_is "$pid" close_wait_stuck 1 || return 1
	done
	td_snapshot "$i" mid
}

setup_f5()
{
	td_sysctl "${TD_C[$1]}" net.ipv4.tcp_fin_timeout=3
	td_nft "$1"
}

case_f5()
{
	td_server "$1" -H "$HOLD" &
	td_wait_listen "$1" || return 1
	td_client "$1" || return 1
	f5_mid "$1" "${TD_WC[$1]}" "${TD_WR[$1]}" "${TD_WS[$1]}" || return 1
	wait $!
}

setup_f5_held()
{
	setup_f5 "$1"
}

case_f5_held()
{
	local cpid

	td_server "$1" -H "$HOLD" &
	td_wait_listen "$1" || return 1
	td_client "$1" -m shutdown -t $((HOLD + 20)) &
	cpid=$!
	f5_mid "$1" "${TD_WC[$1]}" "${TD_WR[$1]}" "${TD_WS[$1]}" || return 1
	wait $cpid || return 1
	wait
}

setup_f5_drop()
{
	td_sysctl "${TD_C[$1]}" net.ipv4.tcp_fin_timeout=3
	td_sysctl "${TD_S[$1]}" net.ipv4.tcp_orphan_retries=2
	td_nft "$1" "$S2C $SKEY @gone $(td_drop "$1")" \
		"$S2C $PURE $SKEY @cfin add @gone { $SKEY }"
	# The client's and the router's mirrors keep the server's side in
	# CLOSE_WAIT: nothing of the server reaches them again.
	TD_OPEN[$1]="c:state_close_wait=1,close_wait_stuck=1 r:state_close_wait=1,close_wait_stuck=1"
}

case_f5_drop()
{
	case_f5 "$1"
}

td_main "${TD_CASES[*]}"
