#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Ten readers at once (niced, each pausing 0.2 s between reads) while
# CONNS connections (default 20 000, tcpx, one after the other) open and
# close between two netns:
#   1-6   flow dumps over netlink (CLI, JSON): three in the client netns,
#         three in the server's, two of them with a filter;
#   7-10  /proc/net/tcpclose of the client and of the server, /proc/tcpclose
#         twice.
# Every dump must end with status 0 and be a JSON array whose flows all
# have the server port at one end, no longer than CONNS; the one warning
# allowed is the documented one of a dump restarted too often
# (NLM_F_DUMP_INTR), counted.  Every /proc read must have one "name value"
# line per counter with flows_created = flows_active + flows_ended.
# Afterwards each side must count exactly CONNS flows created, CONNS SYNs
# and CONNS close_normal verdicts (counters are exact once quiescent:
# Documentation/counters.rst), none active.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/stress_lib.sh"

CONNS=${CONNS:-20000}

ktap_print_header
require_stress_tools
ktap_set_plan $((8 + STRESS_END_TESTS))
# time_wait=5: the flows of closed connections leave the tables after 5 s,
# not 60, so the dumps stay small enough for TCG (a few hundred flows).
require_module time_wait=5
dmesg_mark

# flow_reader K NS FILTER...: flow dumps of NS until stopped; one line per
# dump in $tmp/r.K: "ok LENGTH", "warn LENGTH MESSAGE", "rc=N MESSAGE" or
# "bad".
flow_reader()
{
	local k=$1 ns=$2 rc n log=$tmp/r.$1

	shift 2
	while [ ! -e "$STOP" ]; do
		"$CLI" -n "$ns" -j flows "$@" >"$tmp/o.$k" 2>"$tmp/e.$k"
		rc=$?
		if [ "$rc" != 0 ]; then
			echo "rc=$rc $(head -n 1 "$tmp/e.$k")" >>"$log"
			sleep 0.2
			continue
		fi
		if ! n=$(jq -e --argjson max "$CONNS" --argjson port "$PORT" '
			if type == "array" and length <= $max and
			   all(.[]; .a.port == $port or .b.port == $port)
			then length else false end' "$tmp/o.$k" 2>/dev/null); then
			echo "bad" >>"$log"
		elif [ -s "$tmp/e.$k" ]; then
			echo "warn $n $(head -n 1 "$tmp/e.$k")" >>"$log"
		else
			echo "ok $n" >>"$log"
		fi
		sleep 0.2
	done
}

# proc_reader K FILE [NS]: reads of FILE (in NS) until stopped; "ok" or
# "bad" per read in $tmp/r.K.
proc_reader()
{
	local k=$1 file=$2 ns=${3:-} log=$tmp/r.$1 pre=()

	[ -n "$ns" ] && pre=(ip netns exec "$ns")
	while [ ! -e "$STOP" ]; do
		if "${pre[@]}" awk -v want="$NCOUNTERS" '
			NF != 2 || $2 !~ /^[0-9]+$/ { bad = 1 }
			{ v[$1] = $2 }
			END { exit bad || NR != want ||
			      v["flows_created"] != v["flows_active"] + v["flows_ended"] }
			' "$file"; then
			echo ok >>"$log"
		else
			echo bad >>"$log"
		fi
		sleep 0.2
	done
}

setup_ns A B
link_ns "$A" "$B" 1
wide_ports "$A"
NCOUNTERS=$(wc -l </proc/tcpclose)
readers=()
niced 10 flow_reader 1 "$A" &
readers+=($!)
niced 10 flow_reader 2 "$A" verdict close-normal &
readers+=($!)
niced 10 flow_reader 3 "$A" &
readers+=($!)
niced 10 flow_reader 4 "$B" &
readers+=($!)
niced 10 flow_reader 5 "$B" port "$PORT" &
readers+=($!)
niced 10 flow_reader 6 "$B" &
readers+=($!)
niced 10 proc_reader 7 /proc/net/tcpclose "$A" &
readers+=($!)
niced 10 proc_reader 8 /proc/net/tcpclose "$B" &
readers+=($!)
niced 10 proc_reader 9 /proc/tcpclose &
readers+=($!)
niced 10 proc_reader 10 /proc/tcpclose &
readers+=($!)

start=$(date +%s%N)
ip netns exec "$B" "$TCPX" server -n "$CONNS" &
server=$!
BG_PIDS+=("$server")
wait_listen "$B" "$PORT"
ip netns exec "$A" "$TCPX" client -n "$CONNS" 10.0.1.2
client_rc=$?
wait "$server"
server_rc=$?
took=$(( ($(date +%s%N) - start) / 1000000 ))
stop_loops "${readers[@]}"
ktap_print_msg "$CONNS connections in $took ms ($((CONNS * 1000 / (took + 1))) /s)"
check "the $CONNS connections all went through" \
	test "$client_rc" = 0 -a "$server_rc" = 0

total=0 bad=0 none=0 warned=0 peak=0
for k in $(seq 10); do
	n=$(grep -c . "$tmp/r.$k")
	ok=$(grep -c -e '^ok' -e '^warn' "$tmp/r.$k")
	total=$((total + n))
	[ "$ok" -gt 0 ] || none=$((none + 1))
	bad=$((bad + n - ok))
	warned=$((warned + $(grep -c '^warn' "$tmp/r.$k")))
	p=$(awk '$1 == "ok" || $1 == "warn" { if ($2 > m) m = $2 } END { print m + 0 }' "$tmp/r.$k")
	[ "$p" -gt "$peak" ] && peak=$p
	ktap_print_msg "reader $k: $n reads, $ok complete and valid"
	grep -v -e '^ok' "$tmp/r.$k" | sort | uniq -c | head -3 | sed 's/^/#   /'
done
ktap_print_msg "$total reads in all, largest dump $peak flows, $warned with the NLM_F_DUMP_INTR warning"
check_eq "every read complete and valid" "$bad" 0
check_eq "every reader completed reads" "$none" 0
check "the dumps saw flows" test "$peak" -gt 0

# quiet: no flow left active at either side.
quiet()
{
	[ "$(counter "$A" flows_active)" = 0 ] &&
		[ "$(counter "$B" flows_active)" = 0 ]
}
check "no flow left active" slowwait 20 quiet
for side in A B; do
	ns=${!side}
	ktap_print_msg "$side: $(snapshot "$ns" | awk '$1 ~ /^verdict_|^rst_|^fin_retrans|^syn_on|^half_open|^old_dup/ && $2 != 0 { printf "%s=%s ", $1, $2 }')"
	got="$(counter "$ns" flows_created) $(counter "$ns" seg_syn) $(counter "$ns" verdict_close_normal) $(counter "$ns" flows_ended)"
	check_eq "$side counted $CONNS flows, SYNs, close_normal verdicts, ended flows" \
		"$got" "$CONNS $CONNS $CONNS $CONNS"
done
check_eq "nothing untracked or evicted" \
	"$(counter "$A" flows_untracked)$(counter "$B" flows_untracked)$(counter "$A" verdict_evicted)$(counter "$B" verdict_evicted)" 0000
stress_end
ktap_finished
