#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The flow table: a connection already established when the module loads
# is picked up and still gets its verdict; with the table full, an
# embryonic flow is evicted before established ones, the eviction is
# counted, and the cap holds.
source "$(dirname "$0")/lib.sh"

PARAMS=/sys/module/tcpclose/parameters

ktap_print_header
ktap_set_plan 5
if ! tcpclose_ko >/dev/null; then
	ktap_skip_all "tcpclose.ko not built for $(uname -r) (run: make modules-all)"
	exit "$KSFT_SKIP"
fi
mod_unload

setup_ns C S
link_ns "$C" "$S" 1
peer()
{
	ip netns exec "$1" "$PY" "$TOP/selftests/f5peer.py" "${@:2}"
}

# Picked up: established before the module loads, closed after.  The
# client closes 5 s after connecting, long after insmod.  The module is
# loaded afresh: its counters start at zero, and no snapshot is taken in
# between (on the debug kernel two snapshots took long enough for the
# client's FIN to be counted before the second one).
bg peer "$S" hold 5001 "$(scaled 8)"
wait_listen "$S" 5001
bg peer "$C" client 10.0.1.2 5001 "$(scaled 5)"
slowwait 10 sh -c "ip netns exec $C ss -Htn state established | grep -q ."
mod_load time_wait=1 || ktap_exit_fail_msg "insmod failed"
c0= s0=
wait "${BG_PIDS[@]}"
wait_no_sockets "$S" last-ack
sleep 0.5
c1=$(snapshot "$C") s1=$(snapshot "$S")
check_eq "picked up at client and server" \
	"$(delta "$c0" "$c1" flows_picked_up) $(delta "$s0" "$s1" flows_picked_up)" "1 1"
check_eq "a picked-up flow still ends close_normal, at both" \
	"$(delta "$c0" "$c1" verdict_close_normal) $(delta "$s0" "$s1" verdict_close_normal)" "1 1"

# Full table: one embryonic flow (its SYNs dropped at the server) and two
# held connections, in 5 flows over both netns.
ip netns exec "$S" nft add table inet t
ip netns exec "$S" nft add chain inet t in '{ type filter hook input priority 0; }'
ip netns exec "$S" nft add rule inet t in tcp dport 5009 drop
ip netns exec "$C" "$TCPX" client -p 5009 10.0.1.2 &
syn=$!
slowwait 10 sh -c "[ \$(ip netns exec $C awk '\$1 == \"state_syn_sent\" { print \$2 }' /proc/net/tcpclose) = 1 ]"
# No more SYNs: its flow stays embryonic (syn_timeout is 135 s).
kill $syn
wait $syn 2>/dev/null
for p in 5001 5002; do
	bg peer "$S" hold $p "$(scaled 20)"
	wait_listen "$S" $p
	bg peer "$C" client 10.0.1.2 $p "$(scaled 20)"
done
slowwait 10 sh -c "[ \$(ip netns exec $C awk '\$1 == \"state_established\" { print \$2 }' /proc/net/tcpclose) = 4 ]"
echo 5 >$PARAMS/max_flows
c0=$(snapshot "$C")
ip netns exec "$S" "$TCPX" server -p 5003 &
srv=$!
wait_listen "$S" 5003
ip netns exec "$C" "$TCPX" client -p 5003 10.0.1.2
wait $srv
c1=$(snapshot "$C")
ktap_print_msg "client: $(deltas "$c0" "$c1" verdict_evicted state_syn_sent state_established flows_created)"
check_eq "full table: the embryonic flow is evicted (verdict_evicted, no SYN_SENT left)" \
	"$(delta "$c0" "$c1" verdict_evicted) $(counter "$C" state_syn_sent)" "1 0"
check_eq "full table: the established flows are kept" \
	"$(counter "$C" state_established)" 4
total=$(( $(counter "$C" flows_active) + $(counter "$S" flows_active) ))
check "full table: flows_active over all netns stays <= max_flows ($total)" \
	test "$total" -le 5
ktap_finished
