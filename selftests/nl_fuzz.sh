#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Fuzz the generic netlink family with build/selftests/nl_fuzz (nl_fuzz.c)
# while TCP traffic runs over lo in the initial namespace and in a fresh
# one: as root in each (valid config-sets allowed: nl_fuzz predicts the
# configuration they leave), then as nobody without any capability in each
# (every admin request must fail with EPERM, nothing may change).  Then the
# family must still answer (tools/tcpclose), the module unload, no slab
# cache stay behind and the kernel log hold no splat.
#
# TCPCLOSE_FUZZ_SEED (default 1) and TCPCLOSE_FUZZ_COUNT (messages of each
# of the four runs, default 100000) change the run.
source "$(dirname "$0")/lib.sh"

FUZZ=$BUILD/selftests/nl_fuzz
CLI=$TOP/tools/tcpclose
PARAMS=/sys/module/tcpclose/parameters
NOBODY=(setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all
	--bounding-set=-all)
SEED=${TCPCLOSE_FUZZ_SEED:-1}
COUNT=${TCPCLOSE_FUZZ_COUNT:-100000}
TMP=$(mktemp -d)
chmod 755 "$TMP"
RMEM_MAX=$(sysctl -n net.core.rmem_max)
TRAFFIC=()

fuzz_cleanup()
{
	local pid

	for pid in "${TRAFFIC[@]}"; do
		kill -- "-$pid" 2>/dev/null
	done
	sysctl -qw net.core.rmem_max="$RMEM_MAX"
	tcpclose_cleanup
	rm -rf "$TMP"
}
trap fuzz_cleanup EXIT

ktap_print_header
if [ ! -x "$FUZZ" ]; then
	ktap_skip_all "nl_fuzz not built (run: make selftests-bin)"
	exit "$KSFT_SKIP"
fi
if [ ! -x "$CLI" ]; then
	ktap_skip_all "tools/tcpclose not built (run: make)"
	exit "$KSFT_SKIP"
fi
ktap_set_plan 22
require_module
dmesg_mark
# Room for a batch's answers on nobody's socket too (root forces it).
sysctl -qw net.core.rmem_max=8388608

# params: the parameters as "name=value" in nl_fuzz's order.
params()
{
	local n

	for n in fin_timeout time_wait fin_wait1_timeout last_ack_timeout \
		 syn_timeout close_wait_alarm max_flows fin_timeout_action \
		 syn_flood_threshold; do
		printf ' %s=%s' "$n" "$(cat "$PARAMS/$n")"
	done
	echo
}

# traffic NS: over lo in NS ("-": initial), a tcpx server for the bursts
# (port 5001) and one with a client that makes a connection a second
# (port 5002): flows come and go during the runs.  Each in a process group
# of its own, for the teardown.
traffic()
{
	local pre=() p

	[ "$1" != - ] && pre=(ip netns exec "$1")
	for p in "$PORT" $((PORT + 1)); do
		bg setsid "${pre[@]}" "$TCPX" server -p "$p" -n 0
		TRAFFIC+=($!)
		slowwait 10 sh -c "${pre[*]} ss -Hltn 'sport = :$p' | grep -q ." ||
			return 1
	done
	bg setsid "${pre[@]}" sh -c "while :; do
		'$TCPX' client -p $((PORT + 1)) -n 0 -w 1000 127.0.0.1 >/dev/null 2>&1
		sleep 1
	done"
	TRAFFIC+=($!)
}

# burst: 200 connections in each namespace, flows for the dumps (they
# stay time_wait seconds, unless the root runs change it).
burst()
{
	timeout 60 "$TCPX" client -n 200 127.0.0.1 >/dev/null 2>&1
	timeout 60 ip netns exec "$F" "$TCPX" client -n 200 127.0.0.1 \
		>/dev/null 2>&1
}

# field NAME FILE: a value of the "nl_fuzz:" summary line.
field()
{
	sed -n "s/^nl_fuzz:.* $1=\([0-9.]*\).*/\1/p" "$2"
}

# fuzz LABEL NS [-u] ARGS...: one nl_fuzz run; output in $TMP/LABEL,
# its figures as KTAP diagnostics, its status in $rc.
fuzz()
{
	local label=$1 ns=$2 pre=() t0 ms

	shift 2
	[ "$ns" != - ] && pre=(ip netns exec "$ns")
	[ "$1" = -u ] && pre+=("${NOBODY[@]}")
	t0=$(date +%s%N)
	"${pre[@]}" "$FUZZ" "$@" >"$TMP/$label" 2>&1
	rc=$?
	ms=$((($(date +%s%N) - t0) / 1000000))
	sed -n "s/^# /# $label: /p; /^nl_fuzz: setup\|^nl_fuzz: -/p" "$TMP/$label"
	ktap_print_msg "$label: exit $rc in $ms ms (with the process start)"
}

setup_ns F || ktap_exit_fail_msg "setup_ns failed"
traffic - || ktap_exit_fail_msg "no tcpx server in the initial namespace"
traffic "$F" || ktap_exit_fail_msg "no tcpx server in $F"
before=$(params)
ktap_print_msg "parameters before: $before"

# --- the netlink get is the sysfs snapshot -----------------------------------
fuzz get - -n 0
check_eq "config-get answers the sysfs parameters" \
	"$(sed -n 's/^config-start://p' "$TMP/get")" "$before"

# --- as root ---------------------------------------------------------------------
burst
dumps=0
i=0
for ns in - "$F"; do
	i=$((i + 1))
	where=initial
	[ "$ns" != - ] && where=fresh
	fuzz "root-$where" "$ns" -s "$SEED$i" -n "$COUNT"
	out=$TMP/root-$where
	check_eq "root, $where netns: $COUNT messages, no mismatch with the oracle" \
		"$rc $(field sent "$out") $(field mismatches "$out")" "0 $COUNT 0"
	check_eq "root, $where netns: the parameters are those of the accepted writes" \
		"$(params)" "$(sed -n 's/^config-end://p' "$out")"
	check "root, $where netns: some config-set accepted" \
		test "$(field cfg_writes "$out")" -gt 0
	dumps=$((dumps + $(field dump_msgs "$out")))
done
check "flow dumps had content ($dumps flow messages)" test "$dumps" -gt 0

# The CLI still works, and puts the parameters back.
# shellcheck disable=SC2046
"$CLI" config set $(tr '=' ' ' <<<"$before") >/dev/null
check_eq "tools/tcpclose config set puts the parameters back" \
	"$?$(params)" "0$before"

# --- as nobody, without any capability ---------------------------------------------
burst
i=2
for ns in - "$F"; do
	i=$((i + 1))
	where=initial
	[ "$ns" != - ] && where=fresh
	fuzz "nobody-$where" "$ns" -u -s "$SEED$i" -n "$COUNT"
	out=$TMP/nobody-$where
	check_eq "nobody, $where netns: $COUNT messages, no mismatch, counters not reset" \
		"$rc $(field sent "$out") $(field mismatches "$out")" \
		"0 $COUNT 0"
	check "nobody, $where netns: admin requests refused with EPERM ($(field eperm "$out"))" \
		test "$(field eperm "$out")" -gt 0 -a \
		"$(field eperm "$out")" -ge "$(field perm_expected "$out")"
	check_eq "nobody, $where netns: parameters unchanged" "$(params)" "$before"
done

# --- the family still answers -------------------------------------------------------
check "tools/tcpclose stats and stats --host" \
	sh -c "'$CLI' stats >/dev/null && '$CLI' stats --host >/dev/null"
check "tools/tcpclose flows in the fresh netns lists flows" \
	sh -c "[ \$('$CLI' -n '$F' flows | wc -l) -gt 1 ]"
check "tools/tcpclose config as nobody" \
	sh -c "${NOBODY[*]} '$CLI' config >/dev/null"
fuzz after - -n 200 -s "$SEED"
check_eq "a short fuzz run after all that: no mismatch" "$rc" 0

# --- teardown ---------------------------------------------------------------------------
for pid in "${TRAFFIC[@]}"; do
	kill -- "-$pid" 2>/dev/null
done
wait 2>/dev/null
# shellcheck disable=SC2034  # lib.sh's: nothing left to kill
BG_PIDS=()
cleanup_all_ns >/dev/null 2>&1
check "rmmod" mod_unload
check "no tcpclose slab cache left" \
	sh -c '! grep -q "^tcpclose_flow " /proc/slabinfo &&
	       { [ ! -d /sys/kernel/slab/tcpclose_flow ] ||
		 [ -L /sys/kernel/slab/tcpclose_flow ]; }'
check "no kernel warning" dmesg_clean
ktap_print_msg "nl_fuzz.sh took ${SECONDS} s"
ktap_finished
