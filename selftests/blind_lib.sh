#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Shared by blind_rst.sh and inject.sh (after lib.sh); sourced, never run.
# Both drive blind.py in the client's netns A against server netns B, with
# $BLIND_DIR holding blind.py's files, B's "tcpclose watch -j" output
# (events) and blind.py's own log (blind.log).

CLI=${TCPCLOSE_CLI:-$TOP/tools/tcpclose}

# blind_setup: netns A (client) and B (server) on link 1, $BLIND_DIR, and
# the cleanup trap.
blind_setup()
{
	setup_ns A B || ktap_exit_fail_msg "setup_ns failed"
	link_ns "$A" "$B" 1
	BLIND_DIR=$(mktemp -d)
	tmp=$BLIND_DIR
	trap 'rm -rf "$tmp"; tcpclose_cleanup' EXIT
}

# blind_start NS TIMEOUT JOB...: B's watcher, then blind.py in NS (A).
blind_start()
{
	local ns=$1 timeout=$2

	shift 2
	bg "$CLI" -n "$B" watch -j >"$BLIND_DIR/events" 2>&1
	wait_watcher "$B" "${BG_PIDS[-1]}" ||
		ktap_print_msg "watch did not join the events group"
	bg ip netns exec "$ns" "$PY" "$TOP/selftests/blind.py" "$BLIND_DIR" \
		veth1 "$PORT" "$timeout" "$@" >"$BLIND_DIR/blind.log" 2>&1
}

# job_ready N SECS: until blind.py listens for job N.
job_ready()
{
	slowwait "$2" test -e "$BLIND_DIR/$1.ready" ||
		ktap_print_msg "blind.py not ready for job $1: $(tr '\n' ' ' <"$BLIND_DIR/blind.log")"
}

# job_done N: until job N's report is written; print it as diagnostics.
job_done()
{
	local line

	slowwait 30 test -e "$BLIND_DIR/$1.out" ||
		ktap_print_msg "blind.py job $1 wrote no report: $(tr '\n' ' ' <"$BLIND_DIR/blind.log")"
	[ -e "$BLIND_DIR/$1.out" ] || return 1
	while read -r line; do
		ktap_print_msg "  $line"
	done <"$BLIND_DIR/$1.out"
}

# report N KEY: KEY's value on the "result" line of job N's report.
report()
{
	awk -v k="$2" '$1 == "result" {
		for (i = 2; i <= NF; i++) { split($i, kv, "="); if (kv[1] == k) print kv[2] }
	}' "$BLIND_DIR/$1.out" 2>/dev/null
}

# cport N: the client's port in job N.
cport()
{
	sed -n 's/^conn cport=\([0-9]*\) .*/\1/p' "$BLIND_DIR/$1.out" 2>/dev/null
}

# events KIND PORT: B's watch -j events of KIND (flow_end, anomaly) for
# the flow of client port PORT, one JSON object a line.
events()
{
	grep "\"event\":\"$1\"" "$BLIND_DIR/events" | grep -F "\"port\":$2,"
}

# flow_end PORT: the verdicts of the flow-end events of client port PORT.
flow_end()
{
	events flow_end "$1" | grep -o '"verdict":"[a-z_]*"' | cut -d'"' -f4 |
		tr '\n' ' ' | sed 's/ $//'
}

# wait_flow_end PORT: until B's watcher printed the flow's end.
wait_flow_end()
{
	slowwait 15 sh -c "grep '\"event\":\"flow_end\"' '$BLIND_DIR/events' | grep -qF '\"port\":$1,'"
}
