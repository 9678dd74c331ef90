#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Shared by every tcpclose selftest; sourced, never run.
#
# It builds on the kernel's own selftest helpers, extracted at build time
# from linux-source-6.12 into build/linux (make kselftest-headers):
#   net/lib.sh                setup_ns, cleanup_all_ns, busywait, slowwait
#   kselftest/ktap_helpers.sh ktap_* output, KSFT_* exit codes

TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
KSFT_DIR=$TOP/build/linux/tools/testing/selftests
BUILD=$TOP/build
TCPX=$BUILD/selftests/tcpx
PY=/usr/bin/python3
PORT=5001

if [ ! -r "$KSFT_DIR/net/lib.sh" ] || [ ! -r "$KSFT_DIR/kselftest/ktap_helpers.sh" ]; then
	echo "TAP version 13"
	echo "1..0 # SKIP kselftest helpers missing (run: make kselftest-headers)"
	exit 4
fi
# shellcheck source=/dev/null
source "$KSFT_DIR/net/lib.sh"
# shellcheck source=/dev/null
source "$KSFT_DIR/kselftest/ktap_helpers.sh"

# slow_kernel: the tests run on the debug kernel (make check-debug sets
# TCPCLOSE_TIMEOUT_SCALE), several times slower than on Debian's.
slow_kernel()
{
	[ "${TCPCLOSE_TIMEOUT_SCALE:-1}" -gt 1 ] 2>/dev/null
}

# There, every bounded wait of net/lib.sh (slowwait, busywait and the
# rest, all through loopy_wait) lasts TCPCLOSE_TIMEOUT_SCALE times longer.
if slow_kernel; then
	eval "ksft_$(declare -f loopy_wait)"
	loopy_wait()
	{
		local sleep_cmd=$1 timeout_ms=$2

		shift 2
		ksft_loopy_wait "$sleep_cmd" \
			$((timeout_ms * TCPCLOSE_TIMEOUT_SCALE)) "$@"
	}
fi

# scaled SECONDS: a hold or a delay a test chooses (how long a peer keeps
# a connection open, how long traffic runs), stretched the same way, so
# that what must happen within it still does on the debug kernel.
scaled()
{
	echo $(($1 * ${TCPCLOSE_TIMEOUT_SCALE:-1}))
}

# kasan_kernel: this kernel has KASAN (make check-debug's debug kernel),
# which keeps freed objects in its quarantine and pads slab objects with
# redzones: a test of slab sizes must know.
kasan_kernel()
{
	grep -qw kasan_quarantine_remove_cache /proc/kallsyms
}

BG_PIDS=()
MOD_LOADED_HERE=0
DMESG_MARK=0

# --- cleanup ---------------------------------------------------------------

# bg_stop: kill what bg() started, wait for it, forget it.
bg_stop()
{
	local pid

	for pid in "${BG_PIDS[@]}"; do
		kill "$pid" 2>/dev/null
	done
	wait 2>/dev/null
	BG_PIDS=()
}

tcpclose_cleanup()
{
	bg_stop
	cleanup_all_ns >/dev/null 2>&1
	[ "$MOD_LOADED_HERE" = 1 ] && mod_unload
	return 0
}
trap tcpclose_cleanup EXIT

# Run "$@" in the background; killed by the cleanup trap.
bg()
{
	"$@" &
	BG_PIDS+=($!)
}

# --- the module ------------------------------------------------------------

# The module built for the running kernel (make modules-all), or $TCPCLOSE_KO.
tcpclose_ko()
{
	local ko=${TCPCLOSE_KO:-$BUILD/modules/$(uname -r)/module/tcpclose.ko}

	[ -r "$ko" ] || return 1
	echo "$ko"
}

mod_loaded()
{
	[ -d /sys/module/tcpclose ]
}

# mod_load [PARAM=VALUE...]: insmod the module; returns insmod's status.
mod_load()
{
	local ko

	ko=$(tcpclose_ko) || return 1
	insmod "$ko" "$@" || return 1
	MOD_LOADED_HERE=1
}

mod_unload()
{
	mod_loaded || return 0
	rmmod tcpclose && MOD_LOADED_HERE=0
}

# Load the module for a test, or skip the whole test if it is not built.
require_module()
{
	if ! tcpclose_ko >/dev/null; then
		ktap_skip_all "tcpclose.ko not built for $(uname -r) (run: make modules-all)"
		exit "$KSFT_SKIP"
	fi
	mod_unload
	mod_load "$@" || ktap_exit_fail_msg "insmod failed"
}

# --- counters --------------------------------------------------------------

# counter NS NAME: one counter of netns NS ("-" for the initial netns).
counter()
{
	local ns=$1 name=$2

	if [ "$ns" = - ]; then
		awk -v n="$name" '$1 == n { print $2 }' /proc/net/tcpclose
	else
		ip netns exec "$ns" awk -v n="$name" '$1 == n { print $2 }' \
			/proc/net/tcpclose
	fi
}

host_counter()
{
	awk -v n="$1" '$1 == n { print $2 }' /proc/tcpclose
}

# netstat NS NAME: one TcpExt counter of netns NS (/proc/net/netstat).
netstat()
{
	ip netns exec "$1" awk -v n="$2" '
		/^TcpExt:/ && !h { for (i = 2; i <= NF; i++) k[i] = $i; h = 1; next }
		/^TcpExt:/ { for (i = 2; i <= NF; i++) if (k[i] == n) print $i }
	' /proc/net/netstat
}

# wait_watcher NS PID: until PID's netlink socket in NS joined a group.
wait_watcher()
{
	slowwait 10 sh -c "ip netns exec $1 awk '\$2 == 16 && \$3 == $2 && \$4 != \"00000000\" { f = 1 } END { exit !f }' /proc/net/netlink"
}

# --- assertions ------------------------------------------------------------

# check DESC CMD...: one KTAP result, pass when CMD succeeds.
check()
{
	local desc=$1

	shift
	if "$@"; then
		ktap_test_pass "$desc"
	else
		ktap_test_fail "$desc"
	fi
}

# check_eq DESC GOT WANT
check_eq()
{
	if [ "$2" = "$3" ]; then
		ktap_test_pass "$1"
	else
		ktap_print_msg "$1: got '$2', want '$3'"
		ktap_test_fail "$1"
	fi
}

# Remember where the kernel log is now; dmesg_clean looks only past it.
dmesg_mark()
{
	DMESG_MARK=$(dmesg | wc -l)
}

dmesg_clean()
{
	local bad

	bad=$(dmesg | tail -n +"$((DMESG_MARK + 1))" |
	      grep -E 'WARNING:|BUG:|Oops|Call Trace|KASAN|UBSAN|lockdep|unreferenced object|RCU stall' |
	      head -3)
	[ -z "$bad" ] && return 0
	ktap_print_msg "kernel log: $bad"
	return 1
}

# --- topology --------------------------------------------------------------

# link_ns A B IDX: a veth named vethIDX on both sides, between netns A
# (10.0.IDX.1, fd00:IDX::1) and B (10.0.IDX.2, fd00:IDX::2), /24 and /64.
link_ns()
{
	local a=$1 b=$2 idx=$3 dev=veth$3

	ip link add "$dev" netns "$a" type veth peer name "$dev" netns "$b" ||
		return 1
	ip -n "$a" addr add "10.0.$idx.1/24" dev "$dev"
	ip -n "$b" addr add "10.0.$idx.2/24" dev "$dev"
	ip -n "$a" addr add "fd00:$idx::1/64" dev "$dev" nodad
	ip -n "$b" addr add "fd00:$idx::2/64" dev "$dev" nodad
	ip -n "$a" link set "$dev" up
	ip -n "$b" link set "$dev" up
}

# route_via NS IDX: default routes of NS through the .1 / ::1 end of link IDX.
route_via()
{
	ip -n "$1" route add default via "10.0.$2.1"
	ip -n "$1" -6 route add default via "fd00:$2::1"
}

# topology_crs: netns $C -- $R -- $S (client, router, server), forwarding
# on in R: R 10.0.1.1 / fd00:1::1 towards C 10.0.1.2 / fd00:1::2 (veth1),
# R 10.0.2.1 / fd00:2::1 towards S 10.0.2.2 / fd00:2::2 (veth2).
topology_crs()
{
	setup_ns C R S || return 1
	link_ns "$R" "$C" 1
	link_ns "$R" "$S" 2
	route_via "$C" 1
	route_via "$S" 2
	ip netns exec "$R" sysctl -qw net.ipv4.ip_forward=1 \
		net.ipv6.conf.all.forwarding=1
}

# exchange CLIENT_NS SERVER_NS ADDRESS [COUNT]: COUNT tcpx connections
# (default 1), each one request and one response, then wait until the
# server side has no connection left in LAST_ACK.
exchange()
{
	local c=$1 s=$2 addr=$3 count=${4:-1} six= pid

	case $addr in *:*) six=-6 ;; esac
	ip netns exec "$s" "$TCPX" server $six -n "$count" &
	pid=$!
	wait_listen "$s" "$PORT" || { kill $pid; return 1; }
	ip netns exec "$c" "$TCPX" client -n "$count" "$addr" || { kill $pid; return 1; }
	wait $pid || return 1
	wait_no_sockets "$s" last-ack
}

# snapshot NS: the netns's counters as "name value" lines.
snapshot()
{
	if [ "$1" = - ]; then
		cat /proc/net/tcpclose
	else
		ip netns exec "$1" cat /proc/net/tcpclose
	fi
}

# delta BEFORE AFTER NAME: how much counter NAME grew between two snapshots.
delta()
{
	local a b

	a=$(awk -v n="$3" '$1 == n { print $2 }' <<<"$1")
	b=$(awk -v n="$3" '$1 == n { print $2 }' <<<"$2")
	echo $((b - a))
}

# deltas BEFORE AFTER NAME...: "name=delta" for each NAME, space-separated.
deltas()
{
	local before=$1 after=$2 n out=

	shift 2
	for n in "$@"; do
		out+="$n=$(delta "$before" "$after" "$n") "
	done
	echo "${out% }"
}

# wait_listen NS PORT: until something listens on PORT in NS.
wait_listen()
{
	slowwait 10 sh -c "ip netns exec $1 ss -Hltn 'sport = :$2' | grep -q ."
}

# wait_no_sockets NS STATE: until no TCP socket is left in STATE in NS.
wait_no_sockets()
{
	slowwait 10 sh -c "! ip netns exec $1 ss -Htan state $2 | grep -q ."
}
