#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# CYCLES (default 100) insmod/rmmod cycles while, the whole time:
#   - connections churn in three pairs of netns (crr, IPv4);
#   - a reader dumps flows, stats, host stats and config over netlink
#     (CLI, JSON) and reads /proc/tcpclose, round-robin over the netns;
#   - a "tcpclose watch" runs in each client netns, restarted every 2 s;
#   - a writer sets parameters through sysfs and netlink (config set).
# Readers and writers racing with rmmod get errors ("module not loaded",
# a missing file): those are expected and counted, anything else (another
# error, a crash, invalid JSON) fails.  rmmod is retried while a dump holds
# the module ("in use"): see mod_unload_busy.
#
# Then, module loaded: the router netns of a client - router - server
# topology is deleted while HOLD connections through it are established;
# its flows must end as evicted, the host gauge must lose them, and the
# client's and server's counters must not move.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/stress_lib.sh"

CYCLES=${CYCLES:-100}
HOLD=4
WATCH_S=$(scaled 2)	# each watch run

ktap_print_header
if ! tcpclose_ko >/dev/null; then
	ktap_skip_all "tcpclose.ko not built for $(uname -r) (run: make modules-all)"
	exit "$KSFT_SKIP"
fi
require_stress_tools
ktap_set_plan $((17 + STRESS_END_TESTS))
mod_unload_busy
dmesg_mark

# --- the background -----------------------------------------------------------

# note FILE RC STDERR_FILE WHAT: one line per try: "ok WHAT", or the exit
# status and the first line of stderr.
note()
{
	if [ "$2" = 0 ]; then
		echo "ok $4" >>"$1"
	else
		echo "rc=$2 $(head -n 1 "$3")" >>"$1"
	fi
}

# dump_loop: netlink reads round-robin over the client netns; each output
# that came with status 0 must be valid JSON ("badjson" otherwise).
dump_loop()
{
	local i=0 ns cmd rc log=$tmp/dump.log

	while [ ! -e "$STOP" ]; do
		ns=${CLIENTS[i % 3]}
		i=$((i + 1))
		for cmd in flows stats "stats --host" config; do
			# shellcheck disable=SC2086
			"$CLI" -n "$ns" -j $cmd >"$tmp/d.out" 2>"$tmp/d.err"
			rc=$?
			if [ "$rc" = 0 ] && ! json_valid "$tmp/d.out"; then
				echo "badjson $cmd" >>"$log"
				continue
			fi
			note "$log" "$rc" "$tmp/d.err" "$cmd"
		done
		if cat /proc/tcpclose >"$tmp/p.out" 2>"$tmp/p.err"; then
			awk 'NF != 2 || $2 !~ /^[0-9]+$/ { bad = 1 }
			     END { exit bad || NR == 0 }' "$tmp/p.out" ||
				{ echo "badproc" >>"$log"; continue; }
			echo "ok proc" >>"$log"
		else
			echo "rc=proc $(sed 's/.*: //' "$tmp/p.err")" >>"$log"
		fi
	done
}

# watch_loop NS: watch -j for 2 s at a time (scaled: the debug kernel), events
# to $tmp/watch.NS.json.
watch_loop()
{
	local rc

	while [ ! -e "$STOP" ]; do
		"$CLI" -n "$1" -j watch --timeout "$WATCH_S" >>"$tmp/watch.$1.json" \
			2>"$tmp/watch.$1.err"
		rc=$?
		note "$tmp/watch.log" "$rc" "$tmp/watch.$1.err" watch
		[ "$rc" = 0 ] || sleep 0.2
	done
}

# param_loop: sysfs writes and netlink config sets of valid values.
param_loop()
{
	local rc log=$tmp/param.log

	while [ ! -e "$STOP" ]; do
		if echo $((RANDOM % 60 + 30)) >"$PARAMS/fin_timeout" &&
		   echo $((RANDOM % 300 + 100)) >"$PARAMS/close_wait_alarm" &&
		   echo observe >"$PARAMS/fin_timeout_action"; then
			echo "ok sysfs" >>"$log"
		else
			echo "rc=sysfs" >>"$log"
		fi 2>/dev/null
		"$CLI" config set time_wait $((RANDOM % 50 + 10)) \
			syn_flood_threshold $((RANDOM % 1000 + 1000)) \
			2>"$tmp/c.err"
		rc=$?
		note "$log" "$rc" "$tmp/c.err" netlink
		sleep 0.1
	done
}

# summary LOG: "N ok, M errors" and each distinct error with its count.
summary()
{
	awk '$1 == "ok" { ok++; next } { e[$0]++; n++ }
	     END { printf "%d ok, %d errors", ok, n
		   for (m in e) printf "; %d x %s", e[m], m; print "" }' "$1"
}

# expected_only LOG: no error but a missing module or file.  A request
# racing with rmmod may also find the family gone (ENOENT) or, for a dump,
# the module going away (netlink_dump_start's try_module_get fails:
# EPROTONOSUPPORT).
expected_only()
{
	local bad

	bad=$(grep -v -E -e '^ok ' -e '^rc=1 tcpclose: module not loaded \(try: modprobe tcpclose\)$' \
		-e '^rc=1 tcpclose: [a-z -]+: (Protocol not supported|No such file or directory)$' \
		-e '^rc=proc No such file or directory$' -e '^rc=sysfs$' "$1")
	[ -z "$bad" ] && return 0
	ktap_print_msg "unexpected: $(head -n 3 <<<"$bad" | tr '\n' ';')"
	return 1
}

# succeeded LOG WHAT...: each WHAT went through at least once.
succeeded()
{
	local log=$1 w

	shift
	for w in "$@"; do
		grep -q -x "ok $w" "$log" || return 1
	done
}

setup_ns A1 B1 A2 B2 A3 B3
CLIENTS=("$A1" "$A2" "$A3")
SERVERS=("$B1" "$B2" "$B3")
LOOPS=()
for i in 0 1 2; do
	link_ns "${CLIENTS[i]}" "${SERVERS[i]}" $((11 + i))
	wide_ports "${CLIENTS[i]}"
	bg "${LOWEST[@]}" ip netns exec "${SERVERS[i]}" "$CRR" server "$PORT"
	wait_listen "${SERVERS[i]}" "$PORT"
	crr_loop "${CLIENTS[i]}" "10.0.$((11 + i)).2" "$tmp/crr.$i" &
	LOOPS+=($!)
	niced 10 watch_loop "${CLIENTS[i]}" &
	LOOPS+=($!)
done
niced 10 dump_loop &
LOOPS+=($!)
niced 10 param_loop &
LOOPS+=($!)

# --- the cycles ---------------------------------------------------------------

# Times in microseconds from EPOCHREALTIME: no fork (a fork costs 100-300
# ms under TCG on a loaded host).

loads=0 unloads=0 ins_ms=0 ins_max=0 rm_ms=0 rm_max=0
start=${EPOCHREALTIME/./}
for c in $(seq "$CYCLES"); do
	t=${EPOCHREALTIME/./}
	if mod_load; then
		loads=$((loads + 1))
	else
		ktap_print_msg "cycle $c: insmod failed"
	fi
	t=$(( (${EPOCHREALTIME/./} - t) / 1000 ))
	ins_ms=$((ins_ms + t))
	[ "$t" -gt "$ins_max" ] && ins_max=$t
	sleep "0.$((RANDOM % 4))"
	t=${EPOCHREALTIME/./}
	if mod_unload_busy; then
		unloads=$((unloads + 1))
	else
		ktap_print_msg "cycle $c: rmmod failed"
	fi
	t=$(( (${EPOCHREALTIME/./} - t) / 1000 ))
	rm_ms=$((rm_ms + t))
	[ "$t" -gt "$rm_max" ] && rm_max=$t
	sleep 0.1
	[ $((c % 10)) = 0 ] &&
		ktap_print_msg "cycle $c: $(( (${EPOCHREALTIME/./} - start) / 1000 )) ms"
done
took=$(( (${EPOCHREALTIME/./} - start) / 1000 ))
ktap_print_msg "$CYCLES cycles in $took ms ($((took / CYCLES)) ms each), rmmod found the module in use $RMMOD_BUSY times"
ktap_print_msg "insmod: $((ins_ms / CYCLES)) ms on average, at most $ins_max; rmmod: $((rm_ms / CYCLES)) ms, at most $rm_max"
check_eq "every insmod of $CYCLES succeeded" "$loads" "$CYCLES"
check_eq "every rmmod of $CYCLES succeeded" "$unloads" "$CYCLES"

mod_load
tracked()
{
	local ns

	for ns in "${CLIENTS[@]}" "${SERVERS[@]}"; do
		[ "$(counter "$ns" flows_created)" -gt 0 ] || return 1
	done
}
# The churn's clients run at the lowest priority: on the debug kernel,
# with the readers and writers still going, a pair makes a connection
# every 10 s on average, and one pair went 30 s without one (2026-11-23).
check "after the cycles, a load tracks the churn in all six netns" \
	slowwait 60 tracked
stop_loops "${LOOPS[@]}"

for i in 0 1 2; do
	read -r n f < <(crr_sum "$tmp/crr.$i")
	ktap_print_msg "churn $((i + 1)): $n connections, $f failed"
	check "churn $((i + 1)): connections made, none failed" \
		test "$n" -gt 0 -a "$f" = 0
done

ktap_print_msg "dumps: $(summary "$tmp/dump.log")"
check "dumps: no error but a missing module, every output valid" \
	expected_only "$tmp/dump.log"
check "dumps: flows, stats, host stats, config and /proc read while loaded" \
	succeeded "$tmp/dump.log" flows stats "stats --host" config proc
ktap_print_msg "watch: $(summary "$tmp/watch.log")"
check "watch: each run ended by its timeout, or found no module" \
	expected_only "$tmp/watch.log"
events=0 bad=0
for ns in "${CLIENTS[@]}"; do
	n=$(wc -l <"$tmp/watch.$ns.json")
	events=$((events + n))
	[ "$n" -gt 0 ] && json_valid "$tmp/watch.$ns.json" || bad=$((bad + 1))
done
ktap_print_msg "watch: $events events"
check_eq "watch: events in each netns, all valid JSON" "$bad" 0
ktap_print_msg "parameters: $(summary "$tmp/param.log")"
check "parameters: sysfs and netlink writes went through" \
	succeeded "$tmp/param.log" sysfs netlink
check "parameters: no error but a missing module" \
	expected_only "$tmp/param.log"

# --- a netns deleted under live flows -----------------------------------------

topology_crs
bg ip netns exec "$S" "$TCPX" server -n 0
wait_listen "$S" "$PORT"
for i in $(seq "$HOLD"); do
	# Established, one request each (the server answers one at a time).
	bg ip netns exec "$C" bash -c \
		'exec 3<>/dev/tcp/10.0.2.2/'"$PORT"' && printf "ping\n" >&3 && exec sleep 600'
done
held()
{
	[ "$(counter "$R" flows_active)" = "$HOLD" ] &&
		[ "$(counter "$R" state_established)" -ge "$HOLD" ]
}
check "$HOLD established flows tracked at the router" slowwait 10 held
sleep 1	# delayed ACKs

# host_sum: the host gauge flows_active equals the sum over live netns.
host_sum()
{
	local ns sum

	sum=$(counter - flows_active)
	for ns in "${CLIENTS[@]}" "${SERVERS[@]}" "$C" "$S" "$@"; do
		sum=$((sum + $(counter "$ns" flows_active)))
	done
	[ "$(host_counter flows_active)" = "$sum" ]
}
slowwait 5 host_sum "$R" || ktap_print_msg "host flows_active is not the sum over the netns before the deletion"
h0=$(cat /proc/tcpclose) c0=$(snapshot "$C") s0=$(snapshot "$S")
ip netns del "$R"
evicted()
{
	[ "$(host_counter verdict_evicted)" -ge \
	  $(( $(awk '$1 == "verdict_evicted" { print $2 }' <<<"$h0") + HOLD )) ]
}
slowwait 30 evicted
h1=$(cat /proc/tcpclose)
check_eq "deleting the router's netns evicts its $HOLD flows" \
	"$(delta "$h0" "$h1" verdict_evicted)" "$HOLD"
check "host flows_active is the sum over the remaining netns" \
	slowwait 5 host_sum
check_eq "the client's counters did not move" "$(snapshot "$C")" "$c0"
check_eq "the server's counters did not move" "$(snapshot "$S")" "$s0"

bg_stop
stress_end
ktap_finished
