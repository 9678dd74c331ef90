#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The kernel oracle's shell side; sourced (after selftests/lib.sh, or
# alone), never run.  One bpftrace session records the kernel's socket
# transitions and, when the module has them, the tcpclose tracepoints;
# compare.py compares them afterwards.  See README.

ORACLE_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ORACLE_PY=${PY:-/usr/bin/python3}
ORACLE_PID=
ORACLE_OUT=
ORACLE_MIRROR=0

# The tracefs directory of the tcpclose events, if the loaded module has them.
oracle_mirror_events()
{
	local d

	for d in /sys/kernel/tracing /sys/kernel/debug/tracing; do
		if [ -d "$d/events/tcpclose/state_change" ]; then
			echo "$d/events/tcpclose"
			return 0
		fi
	done
	return 1
}

# TCPCLOSE_ORACLE_NO_MIRROR=1: leave the tcpclose tracepoints out (kernel
# sequences only).
oracle_has_mirror()
{
	[ "${TCPCLOSE_ORACLE_NO_MIRROR:-0}" != 1 ] && oracle_mirror_events >/dev/null
}

# oracle_program: the bpftrace program for the running kernel and module.
oracle_program()
{
	cat "$ORACLE_DIR/kernel.bt"
	if oracle_has_mirror; then
		cat "$ORACLE_DIR/mirror.bt"
	fi
}

# oracle_start OUT: start the one bpftrace session of a test, writing its
# events to OUT (its errors to OUT.err); oracle_wait then waits until its
# probes are attached (25-55 s under TCG: set up the test meanwhile).
# Load the module first: its tracepoints must exist when bpftrace starts.
# Returns 1 if bpftrace is missing.  The session is killed by
# selftests/lib.sh's cleanup trap, or by oracle_stop.
oracle_start()
{
	local out=$1

	command -v bpftrace >/dev/null || return 1
	ORACLE_OUT=$out
	ORACLE_MIRROR=0
	oracle_has_mirror && ORACLE_MIRROR=1
	oracle_program >"$out.bt"
	# -B line: each event reaches OUT at once (the READY line too).
	bpftrace -B line "$out.bt" >"$out" 2>"$out.err" &
	ORACLE_PID=$!
	if declare -p BG_PIDS >/dev/null 2>&1; then
		BG_PIDS+=("$ORACLE_PID")
	fi
}

# oracle_wait [TIMEOUT]: until the session is attached (0), or 1 if it
# failed or did not attach within TIMEOUT s (default 150).
oracle_wait()
{
	# Scaled, as lib.sh's waits (oracle.sh's session took 254 s to attach
	# on the debug kernel); not through lib.sh's scaled: oracle/run
	# sources this file alone.
	local timeout=$((${1:-150} * ${TCPCLOSE_TIMEOUT_SCALE:-1})) i

	[ -n "$ORACLE_PID" ] || return 1
	for ((i = 0; i < timeout * 10; i++)); do
		grep -q '^READY' "$ORACLE_OUT" && return 0
		kill -0 "$ORACLE_PID" 2>/dev/null || break
		sleep 0.1
	done
	kill "$ORACLE_PID" 2>/dev/null
	wait "$ORACLE_PID" 2>/dev/null
	ORACLE_PID=
	return 1
}

# oracle_misses: how many times the session's BPF programs did not run
# because another BPF program was running on that CPU (a softirq that
# interrupted a program run in process context): events it lost.  From
# recursion_misses in the fdinfo of its programs.
oracle_misses()
{
	[ -n "$ORACLE_PID" ] || { echo 0; return; }
	cat /proc/"$ORACLE_PID"/fdinfo/* 2>/dev/null |
		awk '$1 == "recursion_misses:" { n += $2 } END { print n + 0 }'
}

# oracle_stop [GRACE]: wait GRACE s (default 1) for the last events, then
# end the session (SIGINT: bpftrace drains its buffers and exits).  A
# session still running 60 s (scaled) later is killed, and where it was
# is printed: on the debug kernel one teardown test once hung here, or
# close by, until its timeout.
oracle_stop()
{
	local i limit=$((60 * ${TCPCLOSE_TIMEOUT_SCALE:-1}))

	[ -n "$ORACLE_PID" ] || return 0
	sleep "${1:-1}"
	kill -INT "$ORACLE_PID" 2>/dev/null
	for ((i = 0; i < limit; i++)); do
		kill -0 "$ORACLE_PID" 2>/dev/null || break
		sleep 1
	done
	if kill -0 "$ORACLE_PID" 2>/dev/null; then
		echo "# oracle: bpftrace still running ${limit} s after SIGINT, killed; in the kernel at:"
		sed 's/^/#   /' "/proc/$ORACLE_PID/stack" 2>/dev/null
		kill -KILL "$ORACLE_PID" 2>/dev/null
	fi
	wait "$ORACLE_PID" 2>/dev/null
	ORACLE_PID=
}

# oracle_compare [compare.py OPTIONS]: compare what the session recorded.
# Without the module's tracepoints, only the kernel sequences are printed.
oracle_compare()
{
	local extra=()

	[ "$ORACLE_MIRROR" = 1 ] || extra=(--kernel-only)
	"$ORACLE_PY" "$ORACLE_DIR/compare.py" "${extra[@]}" "$@" "$ORACLE_OUT"
}

# netns_inode NS: the inode number of netns NS, as tcpclose reports it.
netns_inode()
{
	ip netns exec "$1" stat -L -c %i /proc/self/ns/net
}
