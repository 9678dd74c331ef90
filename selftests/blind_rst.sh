#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Blind RSTs (scenario A2, RFC 5961 §3), over IPv4 and IPv6, against a live
# connection from client A to server B.  blind.py, in A's netns, follows the
# connection on A's link and forges RSTs "from the client" below A's stack
# while the client holds the connection:
#
#  forged   12 RSTs at offsets from the server's RCV.NXT: 5 in its window
#           (1, 100, W/4, W/2, W - 2^scale - 1), 7 outside (-1000, -1,
#           W + 1, W + 1000, 2^20, 2^30, 2^31).  B answers every in-window
#           one with a challenge ACK (rate limits off in B) and ignores the
#           rest; the connection lives on and closes normally.  At B:
#           rst_in_window 5, rst_out_of_window 7, rst_exact 0,
#           challenge_ack 5, rst_after_challenge 0, rst_forged_suspect 12
#           (the client went on sending), verdict close_normal; Linux's own
#           TcpExtTCPChallengeACK grows by 5.
#  genuine  the client aborts (SO_LINGER 0) while an nft rule in A's output
#           drops its RST, so B still has the connection.  One in-window RST
#           "from the client" makes B send a challenge ACK, which the
#           client's kernel answers with an RST at B's RCV.NXT: the reset
#           is real.  At B: challenge_ack 1, rst_after_challenge 1, verdict
#           reset_established, and the server reads ECONNRESET.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/blind_lib.sh"

HOLD_MS=10000	# the client holds its connection while the RSTs come

ktap_print_header
ktap_set_plan 27
if [ ! -x "$CLI" ] || ! command -v nft >/dev/null; then
	ktap_skip_all "needs the CLI (make cli) and nft"
	exit "$KSFT_SKIP"
fi
require_module

blind_setup
ip netns exec "$B" sysctl -qw net.ipv4.tcp_invalid_ratelimit=0 \
	net.ipv4.tcp_challenge_ack_limit=2147483647
dmesg_mark

RSTS="rst_in_window rst_out_of_window rst_exact challenge_ack rst_after_challenge rst_forged_suspect"

# case_forged FAMILY JOB SERVER_ADDRESS
case_forged()
{
	local fam=$1 n=$2 sa=$3 six='' spid crc src b0 b1 c0 c1 port

	[ "$fam" = 6 ] && six=-6
	ip netns exec "$B" "$TCPX" server $six >"$tmp/server$n" 2>&1 &
	spid=$!
	wait_listen "$B" "$PORT"
	b0=$(snapshot "$B")
	c0=$(netstat "$B" TCPChallengeACK)
	ip netns exec "$A" "$TCPX" client -w "$HOLD_MS" "$sa" >"$tmp/client$n" 2>&1
	crc=$?
	wait $spid
	src=$?
	job_done "$n"
	port=$(cport "$n")
	wait_flow_end "${port:-none}"
	wait_no_sockets "$B" last-ack
	b1=$(snapshot "$B")
	c1=$(netstat "$B" TCPChallengeACK)

	check_eq "ipv$fam forged: 5 in-window and 7 out-of-window RSTs while the client held on" \
		"$(report "$n" in) $(report "$n" out) $(report "$n" client_quiet)" "5 7 1"
	check_eq "ipv$fam forged: B answered each in-window RST with a challenge ACK, nothing else" \
		"$(report "$n" challenges) $(report "$n" unexpected)" "5 0"
	check_eq "ipv$fam forged: Linux's TcpExtTCPChallengeACK at B" "$((c1 - c0))" 5
	ktap_print_msg "ipv$fam forged: client: $(tr '\n' ' ' <"$tmp/client$n") server: $(tr '\n' ' ' <"$tmp/server$n")"
	check_eq "ipv$fam forged: the connection survived (client and server exit)" \
		"$crc $src" "0 0"
	check_eq "ipv$fam forged: each RST classified at B" \
		"$(deltas "$b0" "$b1" rst_in_window rst_out_of_window rst_exact)" \
		"rst_in_window=5 rst_out_of_window=7 rst_exact=0"
	check_eq "ipv$fam forged: the challenge ACKs seen at B, no reset after them" \
		"$(deltas "$b0" "$b1" challenge_ack rst_after_challenge)" \
		"challenge_ack=5 rst_after_challenge=0"
	check_eq "ipv$fam forged: every RST suspect once the client sent again" \
		"$(deltas "$b0" "$b1" rst_forged_suspect)" "rst_forged_suspect=12"
	check_eq "ipv$fam forged: verdict close_normal (flow-end event, counters)" \
		"$(flow_end "$port") $(deltas "$b0" "$b1" verdict_close_normal verdict_reset_established)" \
		"close_normal verdict_close_normal=1 verdict_reset_established=0"
}

# case_genuine FAMILY JOB SERVER_ADDRESS
case_genuine()
{
	local fam=$1 n=$2 sa=$3 six='' spid crc src b0 b1 c0 c1 port drops

	[ "$fam" = 6 ] && six=-6
	# The client's own RST never leaves A; B's hooks see nothing of it.
	ip netns exec "$A" nft -f - <<-EOF || ktap_print_msg "ipv$fam genuine: nft failed"
		table inet blind_rst {
			chain out {
				type filter hook output priority 0; policy accept;
				tcp dport $PORT tcp flags & rst == rst counter drop
			}
		}
	EOF
	ip netns exec "$B" "$TCPX" server $six -w 0 >"$tmp/server$n" 2>&1 &
	spid=$!
	wait_listen "$B" "$PORT"
	b0=$(snapshot "$B")
	c0=$(netstat "$B" TCPChallengeACK)
	ip netns exec "$A" "$TCPX" client -m linger0 -w 500 "$sa" >"$tmp/client$n" 2>&1
	crc=$?
	drops=$(ip netns exec "$A" nft list chain inet blind_rst out | sed -n 's/.*counter packets \([0-9]*\) .*/\1/p')
	ip netns exec "$A" nft delete table inet blind_rst
	touch "$tmp/$n.go"
	job_done "$n"
	port=$(cport "$n")
	wait $spid
	src=$?
	wait_flow_end "${port:-none}"
	b1=$(snapshot "$B")
	c1=$(netstat "$B" TCPChallengeACK)

	check_eq "ipv$fam genuine: the client aborted, its RST dropped in A (client exit, drops)" \
		"$crc ${drops:-none}" "0 1"
	check_eq "ipv$fam genuine: B's challenge ACK drew the client kernel's RST at RCV.NXT" \
		"$(report "$n" challenges) $(report "$n" client_rst) $(report "$n" exact) $(report "$n" unexpected)" \
		"1 1 1 0"
	check_eq "ipv$fam genuine: Linux's TcpExtTCPChallengeACK at B" "$((c1 - c0))" 1
	check_eq "ipv$fam genuine: at B" \
		"$(deltas "$b0" "$b1" $RSTS)" \
		"rst_in_window=1 rst_out_of_window=0 rst_exact=1 challenge_ack=1 rst_after_challenge=1 rst_forged_suspect=0"
	check_eq "ipv$fam genuine: verdict reset_established (event, counters, server)" \
		"$(flow_end "$port") $(deltas "$b0" "$b1" verdict_reset_established verdict_close_normal) $src $(cat "$tmp/server$n")" \
		"reset_established verdict_reset_established=1 verdict_close_normal=0 0 server read: ECONNRESET"
}

# One python for all four jobs: each start costs seconds under TCG.
blind_start "$A" "$(scaled 60)" rst,4,10.0.1.1,10.0.1.2 reset,4,10.0.1.1,10.0.1.2 \
	rst,6,fd00:1::1,fd00:1::2 reset,6,fd00:1::1,fd00:1::2

n=0
for fam in 4 6; do
	sa=10.0.1.2
	[ $fam = 6 ] && sa=fd00:1::2
	job_ready $n 90
	case_forged $fam $n $sa
	n=$((n + 1))
	job_ready $n 30
	case_genuine $fam $n $sa
	n=$((n + 1))
done
check "no kernel warning" dmesg_clean
ktap_finished
