#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The demo, inside the test VM (see selftests/demo).
source "$(dirname "$0")/lib.sh"

CLI=$TOP/tools/tcpclose
P=/sys/module/tcpclose/parameters/fin_timeout

say()
{
	printf '\n== %s\n' "$*"
}

# side_by_side BEFORE AFTER: "name before after +delta" for each counter.
side_by_side()
{
	paste -d' ' <(echo "$1") <(echo "$2") |
		awk '{ printf "  %-14s %8d %8d %+8d\n", $1, $2, $4, $4 - $2 }'
}

say "kernel $(uname -r); loading $(tcpclose_ko)"
mod_unload
mod_load || exit 1
grep -m1 'tcpclose' /proc/modules

setup_ns client server
link_ns "$client" "$server" 1
say "netns $client (10.0.1.1) <-> $server (10.0.1.2) over veth"

before=$(cat /proc/tcpclose)
say "10 connections over IPv4 and 10 over IPv6: request, response, close"
exchange "$client" "$server" 10.0.1.2 10
exchange "$client" "$server" fd00:1::2 10
after=$(cat /proc/tcpclose)

say "/proc/tcpclose (host-wide)   before    after    delta"
echo "  (host-wide adds up every netns: each segment is counted once as it"
echo "  leaves the client's netns and once as it enters the server's)"
side_by_side "$before" "$after"
say "tcpclose -n $client stats    (the client's netns only)"
"$CLI" -n "$client" stats

say "fin_timeout through sysfs"
echo "  $P = $(cat $P)"
echo "  # echo 30 > $P"
echo 30 >$P
echo "  $P = $(cat $P)"
echo "  # echo 0 > $P"
{ echo 0 >$P; } 2>&1 | sed "s/^/  /"
echo "  $P = $(cat $P)   (0 is out of range 1..86400: EINVAL, value kept)"
say "tcpclose config"
"$CLI" config

# --- teardown scenarios, client -- router -- server -------------------------
T=/sys/kernel/tracing
setup_ns C R S
link_ns "$R" "$C" 2	# R 10.0.2.1, C 10.0.2.2
link_ns "$R" "$S" 3	# R 10.0.3.1, S 10.0.3.2
route_via "$C" 2
route_via "$S" 3
ip netns exec "$R" sysctl -qw net.ipv4.ip_forward=1
# 50 ms each way between router and server: simultaneous FINs cross.
ip netns exec "$R" tc qdisc add dev veth3 root netem delay 50ms
ip netns exec "$S" tc qdisc add dev veth3 root netem delay 50ms
echo 1 >$T/events/tcpclose/enable
echo 2 >/sys/module/tcpclose/parameters/fin_timeout
echo 1 >/sys/module/tcpclose/parameters/time_wait
declare -A NSNAME
for ns in C R S; do
	NSNAME[$(ip netns exec "${!ns}" stat -L -c %i /proc/self/ns/net)]=$ns
done

# states NS: the local endpoint's mirrored states at netns NS, in order.
states()
{
	local ino

	ino=$(ip netns exec "$1" stat -L -c %i /proc/self/ns/net)
	grep "state_change: netns=$ino .* local " $T/trace |
		awk '{ printf "%s%s", sep, $NF; sep = " > " }'
}

# verdicts: "client: V  router: V  server: V" from the verdict events.
verdicts()
{
	grep ' verdict: ' $T/trace | sed -E 's/.*netns=([0-9]+) .*verdict=([a-z_0-9]+) stalled=([0-9]).*/\1 \2 \3/' |
		while read -r ino v st; do
			case $st in 0) st=" (stalled: client)" ;; 1) st=" (stalled: server)" ;; *) st= ;; esac
			printf '%s: %s%s   ' "${NSNAME[$ino]}" "$v" "$st"
		done | sed 's/C:/client:/; s/R:/router:/; s/S:/server:/'
	echo
}

# scenario TITLE SERVER_OPTS CLIENT_OPTS [SETTLE]
scenario()
{
	local pid

	say "$1"
	echo >$T/trace
	ip netns exec "$S" "$TCPX" server $2 >/dev/null &
	pid=$!
	wait_listen "$S" "$PORT"
	ip netns exec "$C" "$TCPX" client $3 10.0.3.2 >/dev/null
	wait $pid
	sleep "${4:-2}"
	echo "  client, mirrored at the client:  $(states "$C")"
	echo "  server, mirrored at the server:  $(states "$S")"
	echo "  verdicts:  $(verdicts)"
}

scenario "N1: the client closes; the server closes 300 ms after EOF" "-w 300" ""
scenario "N3: both shutdown(SHUT_WR) at the same instant; the FINs cross" "-S" "-S"
scenario "F5: the server never closes (held 5 s); fin_timeout=2" "-H 5" "" 1
echo 0 >$T/events/tcpclose/enable

# --- the CLI over netlink: flows, live, and watch ----------------------------
say "F5 again, live: tcpclose -n $R flows   (the router's view)"
ip netns exec "$S" "$TCPX" server -H 5 >/dev/null &
pid=$!
wait_listen "$S" "$PORT"
ip netns exec "$C" "$TCPX" client 10.0.3.2 >/dev/null &
sleep 1
echo "  1 s in: the client waits in FIN_WAIT_2 for a FIN that will not come"
"$CLI" -n "$R" flows | sed 's/^/  /'
sleep 2.5
echo
echo "  3.5 s in: fin_timeout (2 s) has ended it; the server holds on"
echo "  # tcpclose -n $R flows stuck"
"$CLI" -n "$R" flows stuck | sed 's/^/  /'
wait
say "tcpclose -n $S watch   (the server's events, while N1 and an abort play)"
"$CLI" -n "$S" watch --count 3 --timeout 20 | sed 's/^/  /' &
wpid=$!
sleep 1
ip netns exec "$S" "$TCPX" server -w 300 >/dev/null &
pid=$!
wait_listen "$S" "$PORT"
ip netns exec "$C" "$TCPX" client 10.0.3.2 >/dev/null
wait $pid
ip netns exec "$S" "$TCPX" server >/dev/null 2>&1 &
pid=$!
wait_listen "$S" "$PORT"
ip netns exec "$C" "$TCPX" client -m linger0 10.0.3.2 >/dev/null
wait $pid $wpid
