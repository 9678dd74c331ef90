#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Shared by the stress tests (stress_*.sh), after lib.sh; sourced, never run.

CLI=${TCPCLOSE_CLI:-$TOP/tools/tcpclose}
CRR=$BUILD/selftests/bench/crr
PARAMS=/sys/module/tcpclose/parameters
RMMOD_BUSY=0

# require_stress_tools: skip the test without the CLI, crr or jq.
require_stress_tools()
{
	local t

	for t in "$CLI" "$CRR" "$TCPX" "$(command -v jq)"; do
		[ -x "$t" ] && continue
		ktap_skip_all "${t:-jq} missing (run: make all selftests-bin)"
		exit "$KSFT_SKIP"
	done
}

# mod_unload_busy: rmmod, again while the module is in use.  A netlink
# dump holds a reference on the module until it ends (the family's
# .module), and kmod's rmmod then fails at once ("Module tcpclose is in
# use") instead of waiting: those tries are counted in RMMOD_BUSY.  Any
# other failure, or still in use after 10 s, fails.
mod_unload_busy()
{
	local i out

	for ((i = 1; i <= 200; i++)); do
		mod_loaded || return 0
		if out=$(rmmod tcpclose 2>&1); then
			MOD_LOADED_HERE=0
			return 0
		fi
		case $out in
		*"in use"*|*"Resource temporarily unavailable"*)
			RMMOD_BUSY=$((RMMOD_BUSY + 1))
			sleep 0.05
			;;
		*)
			ktap_print_msg "rmmod: $out"
			return 1
			;;
		esac
	done
	ktap_print_msg "rmmod: still in use after 200 tries: $out"
	return 1
}

# slab_gone: no tcpclose cache left.  On 6.1 (and 6.12 for some configs)
# the flow cache is merged with another of its size and SLUB leaves the
# alias's /sys/kernel/slab link behind after rmmod: only a cache of its
# own (a slabinfo line, a directory) would be left over.
slab_gone()
{
	if grep '^tcpclose' /proc/slabinfo; then
		return 1
	fi
	[ ! -d /sys/kernel/slab/tcpclose_flow ] ||
		[ -L /sys/kernel/slab/tcpclose_flow ]
}

# kmemleak_clean: on a kernel with kmemleak, fail on a leak of tcpclose's
# (../kmemleak-scan); a skip without kmemleak.
kmemleak_clean()
{
	"$TOP/selftests/kmemleak-scan"
	case $? in
	0) ktap_test_pass "no kmemleak report from tcpclose" ;;
	4) ktap_test_skip "no kmemleak report from tcpclose (no kmemleak here)" ;;
	*) ktap_test_fail "no kmemleak report from tcpclose" ;;
	esac
}

# wide_ports NS: ephemeral ports 1024..65000 in NS, and room for 100 000
# TIME_WAIT sockets: past tcp_max_tw_buckets (a few thousand in the test
# VM) Linux drops TIME_WAITs, a fast connect/close loop then reuses a port
# at once, and the old flow's last segments meet the new SYN.
wide_ports()
{
	ip netns exec "$1" sysctl -qw net.ipv4.ip_local_port_range="1024 65000" \
		net.ipv4.tcp_max_tw_buckets=100000
}

# Background loops run until the file $STOP exists (stop_loops), so that
# each ends after a whole round and its records are complete.  $STOP lives
# in the test's scratch directory $tmp; the EXIT trap stops the loops,
# runs lib.sh's cleanup and removes $tmp.
tmp=$(mktemp -d)
STOP=$tmp/stop

stress_cleanup()
{
	touch "$STOP"
	tcpclose_cleanup
	rm -rf "$tmp"
}
trap stress_cleanup EXIT

# stop_loops PID...: stop the loops and wait for them.
stop_loops()
{
	touch "$STOP"
	wait "$@" 2>/dev/null
}

# Under TCG the guest's vCPUs share one host thread: the background
# loops run niced, so that what the test times (insmod, the churn of
# stress_dump.sh) is not starved by them.
LOWEST=(nice -n 19)

# niced N FUNCTION ARGS...: FUNCTION at nice N; meant for "niced ... &",
# where it renices only the background subshell.
niced()
{
	local n=$1

	shift
	renice -n "$n" -p "$BASHPID" >/dev/null
	"$@"
}

# crr_loop NS ADDR OUT: crr clients of 3 s each, one after the other,
# until stopped, at the lowest priority; each appends "N conn/s (N in S s,
# F failed)" to OUT.
crr_loop()
{
	while [ ! -e "$STOP" ]; do
		"${LOWEST[@]}" ip netns exec "$1" "$CRR" client "$2" "$PORT" 3 \
			>>"$3" 2>&1
	done
}

# crr_sum OUT: "connections failed" over OUT's lines.
crr_sum()
{
	awk '{ gsub(/[(]/, ""); n += $3; f += $7 } END { print n + 0, f + 0 }' "$1"
}

# json_valid FILE: FILE is a stream of one or more JSON values.
json_valid()
{
	[ -s "$1" ] && jq -e -s 'length > 0' "$1" >/dev/null 2>&1
}

# The end of every stress test: unload, no cache left, clean kernel log.
stress_end()
{
	check "rmmod at the end" mod_unload_busy
	check "no tcpclose slab cache left" slab_gone
	kmemleak_clean
	check "no kernel warning, BUG, KASAN, lockdep or leak report" dmesg_clean
}
STRESS_END_TESTS=4
