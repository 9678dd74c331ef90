#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The bpftrace tools (tools/bpftrace/*.bt) on the tcpclose tracepoints.
# All four scripts run at once, each in its own bpftrace session (attaching
# costs seconds under TCG: they attach while the topology is set up), over
# ONE workload through client -- router -- server (lib.sh topology_crs),
# with fin_timeout=2:
#   3 normal closes   client ports 7001, 7002 (IPv4), 7003 (IPv6)
#   1 reset           client port 7004: SO_LINGER {1, 0} close(), an RST
#   1 F5              client port 7005: the server holds its socket 4 s
#                     after EOF; the client's FIN_WAIT2 times out
#                     (timeout_fin_wait2, the server stalled), the
#                     server sits in CLOSE_WAIT for 4 s
# Every flow is seen at three vantage points: host at the client, forward
# at the router, host at the server.  Then SIGINT ends the sessions and
# each output is checked: that a script attached is its syntax check.
#
# Variables (passed into the VM as TCPCLOSE_*):
#   TCPCLOSE_BPFTRACE_KEEP=DIR  keep the scripts' outputs and tcpx outputs
#   TCPCLOSE_BPFTRACE_SHOW=1    print the scripts' outputs (always printed
#                               when a check fails)
source "$(dirname "$0")/lib.sh"

BT=$TOP/tools/bpftrace
SCRIPTS=(verdicts dwell stalled anomalies)
# dwell.bt also prints every DWELL_EVERY s ($1).
DWELL_EVERY=3
HOLD=4
declare -A ARGS=([dwell]=$DWELL_EVERY)
declare -A PIDS
TRACEFS=/sys/kernel/tracing

ktap_print_header
if ! command -v bpftrace >/dev/null; then
	ktap_skip_all "bpftrace not installed"
	exit "$KSFT_SKIP"
fi
ktap_set_plan 24
require_module fin_timeout=2
dmesg_mark

WORK=$(mktemp -d /tmp/bpftrace_tools.XXXXXX)
cleanup()
{
	tcpclose_cleanup
	rm -rf "$WORK"
}
trap cleanup EXIT

# --- the scripts themselves --------------------------------------------------

for s in "${SCRIPTS[@]}"; do
	f=$BT/$s.bt
	check "$s.bt: executable, #!/usr/bin/env bpftrace, SPDX GPL-2.0" \
		sh -c "[ -x '$f' ] && [ \"\$(head -1 '$f')\" = '#!/usr/bin/env bpftrace' ] &&
		       sed -n 2p '$f' | grep -q 'SPDX-License-Identifier: GPL-2.0'"
done

missing=
for tp in state_change verdict anomaly; do
	[ -d "$TRACEFS/events/tcpclose/$tp" ] || missing+=" tcpclose:$tp"
done
check_eq "the module has its three tracepoints" "${missing# }" ""

# --- start every session, set up meanwhile ---------------------------------

start=$SECONDS
for s in "${SCRIPTS[@]}"; do
	# -B line: the ready line reaches the file at once.
	# shellcheck disable=SC2086
	bpftrace -B line "$BT/$s.bt" ${ARGS[$s]:-} >"$WORK/$s.out" 2>"$WORK/$s.err" &
	PIDS[$s]=$!
	BG_PIDS+=("$!")
done

topology_crs
ino()
{
	ip netns exec "$1" stat -L -c %i /proc/self/ns/net
}
NS_C=$(ino "$C") NS_R=$(ino "$R") NS_S=$(ino "$S")

# BEGIN prints "Tracing ..." once every probe is attached.
ready()
{
	local s

	for s in "${SCRIPTS[@]}"; do
		grep -q '^Tracing ' "$WORK/$s.out" && continue
		kill -0 "${PIDS[$s]}" 2>/dev/null || continue
		return 1
	done
}
slowwait 150 ready
for s in "${SCRIPTS[@]}"; do
	if grep -q '^Tracing ' "$WORK/$s.out"; then
		ktap_test_pass "$s.bt parses and attaches"
	else
		ktap_print_msg "$s.bt: $(head -3 "$WORK/$s.err")"
		ktap_test_fail "$s.bt parses and attaches"
	fi
done
ktap_print_msg "bpftrace sessions attached in $((SECONDS - start)) s"

# --- the workload ----------------------------------------------------------

# conn NAME PORT SERVER_OPTS CLIENT_OPTS ADDRESS: one tcpx connection,
# server PORT, client port PORT+1000; outputs in $WORK/NAME.{server,client}.
conn()
{
	local name=$1 port=$2 srv=$3 cli=$4 addr=$5 six='' pid rc

	case $addr in *:*) six=-6 ;; esac
	# shellcheck disable=SC2086
	ip netns exec "$S" "$TCPX" server $six -p "$port" $srv \
		>"$WORK/$name.server" 2>&1 &
	pid=$!
	wait_listen "$S" "$port" || { kill "$pid"; return 1; }
	# shellcheck disable=SC2086
	ip netns exec "$C" "$TCPX" client -p "$port" -b $((port + 1000)) $cli \
		"$addr" >"$WORK/$name.client" 2>&1
	rc=$?
	wait "$pid" && [ "$rc" = 0 ]
}

start=$SECONDS
ok=1
conn f5 6005 "-H $HOLD" "" 10.0.2.2 &
f5=$!
conn n1 6001 "" "" 10.0.2.2 || ok=0
conn n2 6002 "" "" 10.0.2.2 || ok=0
conn n3 6003 "" "" fd00:2::2 || ok=0
conn rst 6004 "-w 0" "-m linger0" 10.0.2.2 || ok=0
grep -q '^server read: ECONNRESET' "$WORK/rst.server" || ok=0
wait "$f5" || ok=0
wait_no_sockets "$S" last-ack
sleep 1
if [ $ok = 1 ]; then
	ktap_test_pass "workload: 3 normal closes, 1 reset, 1 held server"
else
	for f in "$WORK"/*.server "$WORK"/*.client; do
		ktap_print_msg "$(basename "$f"): $(cat "$f")"
	done
	ktap_test_fail "workload: 3 normal closes, 1 reset, 1 held server"
fi
ktap_print_msg "workload took $((SECONDS - start)) s"

# --- stop them -------------------------------------------------------------

# bpftrace 0.17 checks for SIGINT only when epoll_wait() fails with EINTR
# or when an event arrives: a SIGINT that lands while it is between two
# epoll_wait() calls (it wakes up every 100 ms) is remembered but not
# acted on until the next event, which may never come.  So a session
# still running 5 s after its SIGINT gets another one.  (Not sooner: a
# SIGINT while bpftrace prints its END output would cut that short.)
stopped()
{
	local s

	for s in "${SCRIPTS[@]}"; do
		kill -0 "${PIDS[$s]}" 2>/dev/null && return 1
	done
	return 0
}
for ((i = 0; i < 6; i++)); do
	for s in "${SCRIPTS[@]}"; do
		kill -0 "${PIDS[$s]}" 2>/dev/null || continue
		[ $i -gt 0 ] && ktap_print_msg "$s.bt: SIGINT again"
		kill -INT "${PIDS[$s]}"
	done
	slowwait 5 stopped && break
done
bad=
for s in "${SCRIPTS[@]}"; do
	if kill -0 "${PIDS[$s]}" 2>/dev/null; then
		bad+=" $s.bt:alive"
		pid=${PIDS[$s]}
		ktap_print_msg "$s.bt: $(grep -E '^(State|SigPnd|ShdPnd|SigBlk|SigIgn|SigCgt)' /proc/"$pid"/status | tr '\n\t' '  ')"
		for t in /proc/"$pid"/task/*; do
			ktap_print_msg "$s.bt: task ${t##*/} $(cat "$t/comm") $(cut -d' ' -f3 "$t/stat") wchan=$(cat "$t/wchan") $(tr '\n' ' ' <"$t/stack")"
		done
		kill -KILL "${PIDS[$s]}"
		wait "${PIDS[$s]}" 2>/dev/null
	else
		wait "${PIDS[$s]}" || bad+=" $s.bt:status=$?"
	fi
done
check_eq "every session ended on SIGINT, status 0" "${bad# }" ""
for s in "${SCRIPTS[@]}"; do
	grep -h 'Lost [0-9]* events' "$WORK/$s.out" "$WORK/$s.err" |
		sed "s/^/$s.bt: /" | while IFS= read -r line; do
			ktap_print_msg "$line"
		done
done

# --- verdicts.bt -----------------------------------------------------------

# vlines NETNS VANTAGE VERDICT: verdicts.bt's lines of one netns.
vlines()
{
	awk -v n="$1" -v v="$2" -v d="$3" \
		'$2 == n && $3 == v && $4 == d' "$WORK/verdicts.out"
}

# flows LINES: "A -> B" of each line, sorted, on one line.
flows()
{
	awk '{ print $8, $9, $10 }' <<<"$1" | sort | paste -sd, -
}

NORMAL="10.0.1.2:7001 -> 10.0.2.2:6001,10.0.1.2:7002 -> 10.0.2.2:6002,[fd00:1::2]:7003 -> [fd00:2::2]:6003"
got=
for nv in "$NS_C host" "$NS_R forward" "$NS_S host"; do
	# shellcheck disable=SC2086
	got+="$(flows "$(vlines $nv close_normal)");"
done
check_eq "verdicts.bt: the 3 close_normal flows at client, router, server" \
	"$got" "$NORMAL;$NORMAL;$NORMAL;"
check_eq "verdicts.bt: 9 close_normal lines in all (3 closes x 3 vantages)" \
	"$(grep -c ' close_normal ' "$WORK/verdicts.out")" 9

# The RST flow: reset_established, with an rst_* bit (0x020 rst_exact,
# 0x040 rst_in_window, 0x080 rst_out_of_window) among its anomalies.
got=
for nv in "$NS_C host" "$NS_R forward" "$NS_S host"; do
	# shellcheck disable=SC2086
	line=$(vlines $nv reset_established | awk '{ print $7, $8, $9, $10 }')
	bits=${line%% *}
	if [ "${line#* }" != "10.0.1.2:7004 -> 10.0.2.2:6004" ]; then
		got+="'$line';"
	elif [[ $bits != 0x* ]] || ! (( bits & 0xe0 )); then
		got+="no rst bit in '$bits';"
	else
		got+="rst;"
	fi
done
check_eq "verdicts.bt: reset_established 7004 -> 6004 with an rst_* bit, at all three" \
	"$got" "rst;rst;rst;"

# The F5 flow: side B (the server, 10.0.2.2) stalled, A (client) closed.
got=
for nv in "$NS_C host" "$NS_R forward" "$NS_S host"; do
	# shellcheck disable=SC2086
	got+="$(vlines $nv timeout_fin_wait2 | awk '{ print $5, $6, $8, $9, $10 }');"
done
F5="B A 10.0.1.2:7005 -> 10.0.2.2:6005"
check_eq "verdicts.bt: timeout_fin_wait2 stalled=B (10.0.2.2:6005) at all three" \
	"$got" "$F5;$F5;$F5;"

# --- dwell.bt --------------------------------------------------------------

# hist_last FILE MAP: "LOW_MS COUNT" per bucket of the last print of MAP.
hist_last()
{
	awk -v m="@$2:" '
	$1 == m { n = 0; inmap = 1; next }
	inmap && /^\[/ { b[++n] = $0; next }
	inmap { inmap = 0 }
	END { for (i = 1; i <= n; i++) print b[i] }' "$1" |
	sed -E 's/^\[([0-9]+)([KMG]?)[^ ]*( [^ ]+\))? +([0-9]+) \|.*/\1 \2 \4/' |
	awk '{ m = $1 } $2 == "K" { m *= 1024 } $2 == "M" { m *= 1048576 }
	     { print m, $NF }'
}

# samples FILE MAP MIN_MS: samples of the last print of MAP at >= MIN_MS.
samples()
{
	hist_last "$1" "$2" | awk -v min="$3" '$1 >= min { n += $2 } END { print n + 0 }'
}

# samples_line FILE STATE: the last @samples[STATE] count.
samples_line()
{
	sed -n "s/^@samples\[$2\]: //p" "$1" | tail -1
}

D=$WORK/dwell.out
got="$(samples "$D" fin_wait2_ms 0) $(samples "$D" close_wait_ms 0)"
check_eq "dwell.bt: @samples agrees with the histograms ($got)" "$got" \
	"$(samples_line "$D" FIN_WAIT2) $(samples_line "$D" CLOSE_WAIT)"
n=$(samples "$D" fin_wait2_ms 1024)
# The F5 client's FIN_WAIT2, ended by fin_timeout=2: at all three.
check "dwell.bt: @fin_wait2_ms has the F5 timeouts >= 1 s ($n, want 3)" [ "$n" -eq 3 ]
n=$(samples "$D" close_wait_ms 2048)
# The held server's CLOSE_WAIT (4 s), at all three.
check "dwell.bt: @close_wait_ms has the held server >= 2 s ($n, want 3)" [ "$n" -eq 3 ]
n=$(grep -cE '^[0-9]{2}:[0-9]{2}:[0-9]{2}$' "$D")
check "dwell.bt: printed every $DWELL_EVERY s and at exit ($n reports)" [ "$n" -ge 2 ]

# --- stalled.bt ------------------------------------------------------------

T=$WORK/stalled.out
check_eq "stalled.bt: @stalled names the held server, once per vantage" \
	"$(grep '^@stalled\[' "$T")" "@stalled[10.0.2.2]: 3"
check_eq "stalled.bt: @stalled_by gives its verdict" \
	"$(grep '^@stalled_by\[' "$T")" "@stalled_by[10.0.2.2, timeout_fin_wait2]: 3"
check "stalled.bt: @anomalies counts the RST between client and server" \
	grep -qE '^@anomalies\[10\.0\.1\.2, 10\.0\.2\.2, rst_(exact|in_window|out_of_window)\]: [1-9]' "$T"

# --- anomalies.bt ----------------------------------------------------------

got=
for nv in "$NS_C host" "$NS_R forward" "$NS_S host"; do
	# shellcheck disable=SC2086
	got+="$(awk -v n="${nv% *}" -v v="${nv#* }" \
		'$2 == n && $3 == v && $4 ~ /^rst_/ && $7 " " $8 " " $9 == "10.0.1.2:7004 -> 10.0.2.2:6004" { print "rst" }' \
		"$WORK/anomalies.out" | sort -u);"
done
check_eq "anomalies.bt: an rst_* line for 7004 -> 6004 at all three" \
	"$got" "rst;rst;rst;"

check "no kernel warnings" dmesg_clean

# TCPCLOSE_BPFTRACE_KEEP=DIR: keep the outputs (a relative DIR is taken
# from the top of the repository, e.g. build/bpftrace).
if [ -n "${TCPCLOSE_BPFTRACE_KEEP:-}" ]; then
	keep=$TCPCLOSE_BPFTRACE_KEEP
	[[ $keep == /* ]] || keep=$TOP/$keep
	mkdir -p "$keep" && cp -r "$WORK"/. "$keep"
fi
# On a failure, or with TCPCLOSE_BPFTRACE_SHOW=1: what each script printed.
if [ "$KTAP_CNT_FAIL" -gt 0 ] || [ "${TCPCLOSE_BPFTRACE_SHOW:-0}" = 1 ]; then
	for s in "${SCRIPTS[@]}"; do
		while IFS= read -r line; do
			ktap_print_msg "$s.bt: $line"
		done < <(cat "$WORK/$s.out" "$WORK/$s.err")
	done
fi
ktap_finished
