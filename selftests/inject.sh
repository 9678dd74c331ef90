#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Blind data injection (scenario A3, RFC 5961 §5), over IPv4 and IPv6, into
# a live connection from client A to server B.  blind.py, in A's netns,
# follows the connection on A's link and, while the client holds it, forges
# six data segments "from the client" below A's stack, in this order:
#
#   out     seq after B's right window edge (W + 1), valid ACK
#   unsent  seq = B's RCV.NXT, ACK = B's SND.NXT + 1000
#   out     seq RCV.NXT + 2^30
#   unsent  ACK = B's SND.NXT + 2^20 (the fourth: hijack_suspect now)
#   out     seq W + 1000
#   out     ending 65535 << scale + 1000 bytes before RCV.NXT
#
# B's kernel answers each "out" one with a duplicate ACK and drops the
# "unsent" ones silently (tcp_ack(): ACK of unsent data).  At B:
# data_out_of_window 4, ack_unsent 2, hijack_suspect 1 (once per flow), no
# RST or challenge counted; "tcpclose flows -j" while the connection is
# open shows hijack_suspect among the flow's anomalies, "watch -j" one
# anomaly event hijack_suspect.  The server (socat and a shell recording
# every byte it reads) got only the request, and the connection ends in
# close_normal.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/blind_lib.sh"

HOLD_MS=$(( $(scaled 10) * 1000 ))	# the client holds its connection while the data comes

ktap_print_header
ktap_set_plan 19
if [ ! -x "$CLI" ] || ! command -v socat >/dev/null; then
	ktap_skip_all "needs the CLI (make cli) and socat"
	exit "$KSFT_SKIP"
fi
require_module

blind_setup
ip netns exec "$B" sysctl -qw net.ipv4.tcp_invalid_ratelimit=0
dmesg_mark

# The server application: the request line, then "pong", then everything
# else until EOF; every byte it reads goes to file $1.
cat >"$tmp/recv.sh" <<'EOS'
IFS= read -r line
printf '%s\n' "$line" >"$1"
printf 'pong\n'
cat >>"$1"
EOS

NOT_ATTACKS="rst_in_window rst_out_of_window rst_exact challenge_ack rst_after_challenge rst_forged_suspect"

# case_inject FAMILY JOB SERVER_ADDRESS
case_inject()
{
	local fam=$1 n=$2 sa=$3 listen=TCP-LISTEN spid cpid crc src b0 b1 bm
	local port flow anomalies open=closed

	[ "$fam" = 6 ] && listen=TCP6-LISTEN
	ip netns exec "$B" socat "$listen:$PORT,reuseaddr" \
		SYSTEM:"sh $tmp/recv.sh $tmp/rx$n" >"$tmp/server$n" 2>&1 &
	spid=$!
	wait_listen "$B" "$PORT"
	b0=$(snapshot "$B")
	ip netns exec "$A" "$TCPX" client -w "$HOLD_MS" "$sa" >"$tmp/client$n" 2>&1 &
	cpid=$!
	job_done "$n"
	port=$(cport "$n")
	# The flow while the connection is still open.
	kill -0 $cpid 2>/dev/null && open=open
	flow=$("$CLI" -n "$B" flows -j | sed 's/},{"family"/}\n{"family"/g' |
	       grep -F "\"port\":${port:-none}," | sed 's/^\[//; s/\]$//')
	bm=$(snapshot "$B")
	kill -0 $cpid 2>/dev/null || open=closed
	anomalies=$(grep -o '"anomalies":\[[^]]*\]' <<<"$flow")
	ktap_print_msg "ipv$fam: the flow while open: $flow"
	wait $cpid
	crc=$?
	wait $spid
	src=$?
	wait_flow_end "${port:-none}"
	wait_no_sockets "$B" last-ack
	b1=$(snapshot "$B")

	check_eq "ipv$fam: 4 out-of-window and 2 ack-unsent data segments while the client held on" \
		"$(report "$n" out) $(report "$n" unsent) $(report "$n" client_quiet)" "4 2 1"
	check_eq "ipv$fam: B's kernel sent a duplicate ACK for each out-of-window one, nothing else" \
		"$(report "$n" dupacks) $(report "$n" unexpected)" "4 0"
	check_eq "ipv$fam: each forged segment classified at B" \
		"$(deltas "$b0" "$b1" data_out_of_window ack_unsent)" \
		"data_out_of_window=4 ack_unsent=2"
	check_eq "ipv$fam: the flow suspected of a hijack once (at the attack's end, and after)" \
		"$(deltas "$b0" "$bm" hijack_suspect) $(deltas "$b0" "$b1" hijack_suspect)" \
		"hijack_suspect=1 hijack_suspect=1"
	check_eq "ipv$fam: nothing counted as an RST or a challenge" \
		"$(deltas "$b0" "$b1" $NOT_ATTACKS)" \
		"rst_in_window=0 rst_out_of_window=0 rst_exact=0 challenge_ack=0 rst_after_challenge=0 rst_forged_suspect=0"
	check_eq "ipv$fam: flows -j of the open connection: data_out_of_window, ack_unsent, hijack_suspect" \
		"$open $(grep -c '"data_out_of_window"' <<<"$anomalies") $(grep -c '"ack_unsent"' <<<"$anomalies") $(grep -c '"hijack_suspect"' <<<"$anomalies")" \
		"open 1 1 1"
	ktap_print_msg "ipv$fam: anomaly events: $(events anomaly "${port:-none}" |
		grep -o '"anomaly":"[a-z_]*"' | cut -d'"' -f4 | tr '\n' ' ')"
	check_eq "ipv$fam: watch -j: one anomaly event hijack_suspect" \
		"$(events anomaly "${port:-none}" | grep -c '"anomaly":"hijack_suspect"')" 1
	check_eq "ipv$fam: the server read the request only" \
		"$(od -An -c "$tmp/rx$n" 2>&1 | tr -s ' \n' ' ')" " p i n g \\n "
	ktap_print_msg "ipv$fam: client: $(tr '\n' ' ' <"$tmp/client$n") server: $(tr '\n' ' ' <"$tmp/server$n")"
	check_eq "ipv$fam: closed normally (client, server exit; flow-end event, counters)" \
		"$crc $src $(flow_end "${port:-none}") $(deltas "$b0" "$b1" verdict_close_normal verdict_reset_established)" \
		"0 0 close_normal verdict_close_normal=1 verdict_reset_established=0"
}

# One python for both jobs: each start costs seconds under TCG.
blind_start "$A" "$(scaled 60)" inject,4,10.0.1.1,10.0.1.2 inject,6,fd00:1::1,fd00:1::2

n=0
for fam in 4 6; do
	sa=10.0.1.2
	[ $fam = 6 ] && sa=fd00:1::2
	job_ready $n 90
	case_inject $fam $n $sa
	n=$((n + 1))
done
check "no kernel warning" dmesg_clean
ktap_finished
