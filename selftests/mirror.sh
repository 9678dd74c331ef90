#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The close-state mirror end to end, on client -- router -- server, over
# IPv4 and IPv6: one verdict per flow, the same at the three vantages
# (close_normal, refused, timeout_fin_wait2); close_wait_stuck while the
# server never closes; fin_timeout_action=reset aborting a half-closed
# socket that still holds its descriptor (ECONNABORTED, RST to the peer);
# the counter invariants under churn; gauges back to zero once all is done.
source "$(dirname "$0")/lib.sh"

PARAMS=/sys/module/tcpclose/parameters
VERDICTS="verdict_close_normal verdict_close_simultaneous
verdict_reset_established verdict_reset_closing verdict_refused
verdict_syn_timeout verdict_timeout_fin_wait1 verdict_timeout_fin_wait2
verdict_timeout_last_ack verdict_evicted"

ktap_print_header
ktap_set_plan 19
require_module time_wait=1 fin_timeout=2 close_wait_alarm=1

topology_crs

check "tracepoints tcpclose:state_change and tcpclose:verdict exist" \
	test -d /sys/kernel/tracing/events/tcpclose/state_change -a \
	     -d /sys/kernel/tracing/events/tcpclose/verdict

# snap3: snapshots of C, R and S, one per line group, into variable $1.
snap3()
{
	local -n out=$1

	out=("$(snapshot "$C")" "$(snapshot "$R")" "$(snapshot "$S")")
}

# verdicts3 BEFORE AFTER: the verdict deltas at C, R and S, non-zero only.
verdicts3()
{
	local -n b=$1 a=$2
	local i n d res=

	for i in 0 1 2; do
		for n in $VERDICTS; do
			d=$(delta "${b[$i]}" "${a[$i]}" "$n")
			[ "$d" != 0 ] && res+="${n#verdict_}=$d "
		done
		res+="| "
	done
	echo "$res"
}

# wait_verdict NS NAME BEFORE: until counter NAME of NS grew past BEFORE.
wait_verdict()
{
	slowwait 15 sh -c "[ \$(ip netns exec $1 awk '\$1 == \"$2\" { print \$2 }' /proc/net/tcpclose) -gt $3 ]"
}

for addr in 10.0.2.2 fd00:2::2; do
	fam=ipv4 six=
	[[ $addr == *:* ]] && fam=ipv6 six=6

	snap3 before
	exchange "$C" "$S" "$addr"
	snap3 after
	check_eq "$fam close: close_normal at client, router and server" \
		"$(verdicts3 before after)" \
		"close_normal=1 | close_normal=1 | close_normal=1 | "
	check_eq "$fam close: one flow created at each vantage" \
		"$(delta "${before[0]}" "${after[0]}" flows_created) $(delta "${before[1]}" "${after[1]}" flows_created) $(delta "${before[2]}" "${after[2]}" flows_created)" \
		"1 1 1"

	snap3 before
	ip netns exec "$C" "$TCPX" client -p 5002 "$addr" 2>/dev/null
	slowwait 5 sh -c "[ \$(ip netns exec $S awk '\$1 == \"verdict_refused\" { print \$2 }' /proc/net/tcpclose) -gt $(awk '$1 == "verdict_refused" { print $2 }' <<<"${before[2]}") ]"
	snap3 after
	check_eq "$fam no listener: refused at client, router and server" \
		"$(verdicts3 before after)" "refused=1 | refused=1 | refused=1 | "

	# F5, observe: the server never closes, the orphaned client waits in
	# FIN_WAIT_2 until fin_timeout (2 s) of server silence.
	echo observe >$PARAMS/fin_timeout_action
	snap3 before
	# Held 10 s: long past fin_timeout and close_wait_alarm, even on a
	# slow guest (and 10 s times the debug kernel's scale).
	bg ip netns exec "$S" "$PY" "$TOP/selftests/f5peer.py" hold "$PORT" "$(scaled 10)" $six
	hold=$!
	wait_listen "$S" "$PORT"
	ip netns exec "$C" "$TCPX" client "$addr"
	for i in 0 1 2; do
		ns=$C
		[ $i = 1 ] && ns=$R
		[ $i = 2 ] && ns=$S
		b=$(awk '$1 == "verdict_timeout_fin_wait2" { print $2 }' <<<"${before[$i]}")
		wait_verdict "$ns" verdict_timeout_fin_wait2 "$b"
	done
	slowwait 5 sh -c "[ \$(ip netns exec $S awk '\$1 == \"close_wait_stuck\" { print \$2 }' /proc/net/tcpclose) = 1 ]"
	snap3 after
	stuck=$(awk '$1 == "close_wait_stuck" { print $2 }' <<<"${after[2]}")
	check_eq "$fam F5 observe: timeout_fin_wait2 at client, router and server" \
		"$(verdicts3 before after)" \
		"timeout_fin_wait2=1 | timeout_fin_wait2=1 | timeout_fin_wait2=1 | "
	wait "$hold"
	wait_no_sockets "$S" last-ack
	check_eq "$fam F5 observe: server stuck in CLOSE_WAIT, then released by its close" \
		"$stuck $(counter "$S" close_wait_stuck)" "1 0"

	# F5, reset: a half-closed client that keeps its descriptor.
	echo reset >$PARAMS/fin_timeout_action
	snap3 before
	bg ip netns exec "$S" "$PY" "$TOP/selftests/f5peer.py" hold "$PORT" "$(scaled 8)" $six
	hold=$!
	wait_listen "$S" "$PORT"
	got=$(ip netns exec "$C" "$PY" "$TOP/selftests/f5peer.py" halfclose "$addr" "$PORT" "$(scaled 15)")
	snap3 after
	check_eq "$fam F5 reset: the half-closed application gets ECONNABORTED" "$got" ECONNABORTED
	check_eq "$fam F5 reset: client verdict timeout_fin_wait2, one fin_timeout_resets" \
		"$(deltas "${before[0]}" "${after[0]}" verdict_timeout_fin_wait2 fin_timeout_resets)" \
		"verdict_timeout_fin_wait2=1 fin_timeout_resets=1"
	slowwait 5 sh -c "[ \$(ip netns exec $S awk '\$1 == \"seg_rst\" { print \$2 }' /proc/net/tcpclose) -gt $(awk '$1 == "seg_rst" { print $2 }' <<<"${before[2]}") ]"
	check "$fam F5 reset: the server receives the RST" test $? = 0
	kill "$hold" 2>/dev/null
	wait "$hold" 2>/dev/null
	echo observe >$PARAMS/fin_timeout_action
done

# invariants NS: created = active + ended, ended = sum of verdicts.
invariants()
{
	awk '{ v[$1] = $2 }
	     END {
		for (k in v) if (k ~ /^verdict_/) s += v[k]
		exit !(v["flows_created"] == v["flows_active"] + v["flows_ended"] &&
		       v["flows_ended"] == s)
	     }'
}
bg ip netns exec "$S" "$TCPX" server -n 0
wait_listen "$S" "$PORT"
bg ip netns exec "$C" "$TCPX" client -n 30 10.0.2.2
churner=$!
bad=0 reads=0
while kill -0 "$churner" 2>/dev/null || [ $reads -lt 30 ]; do
	for ns in "$C" "$R" "$S"; do
		snapshot "$ns" | invariants || bad=$((bad + 1))
		reads=$((reads + 1))
	done
done
cat /proc/tcpclose | invariants || bad=$((bad + 1))
ktap_print_msg "$reads reads during 30 connections"
check_eq "invariants hold in every read under churn" "$bad" 0

# undrained: the non-zero gauges of C, R and S.
undrained()
{
	local ns

	for ns in "$C" "$R" "$S"; do
		snapshot "$ns" | awk '$1 ~ /^state_|^flows_active$|^close_wait_stuck$/ && $2 != 0 { printf "%s=%s ", $1, $2 }'
	done
}
drained()
{
	[ -z "$(undrained)" ]
}
# time_wait (1 s) and a GC pass (0.5 s), with room for a slow guest.
slowwait 10 drained
check_eq "all gauges back to zero once every flow is done" "$(undrained)" ""
ktap_finished
