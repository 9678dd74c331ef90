#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Every module parameter rewritten ROUNDS times (default 8) while
# connections churn (crr, one pair of netns) and a reader polls config and
# counters over netlink: each round, for each parameter, a valid value
# through sysfs (read back at once), invalid ones through sysfs (out of
# range, not decimal, empty), another valid value through netlink "config
# set" (read back through sysfs), then an invalid set (in turn: too low,
# too high, or a set of two where one is bad: all or nothing); each
# invalid write must fail and leave every value alone; the round ends
# with "config" (netlink, JSON) equal to what was last written.  Values are random within the range, the bounds
# included; the last round keeps max_flows at 65536 or more, so that the
# traffic is still tracked at the end.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/stress_lib.sh"

ROUNDS=${ROUNDS:-8}

# name min max
RANGES="fin_timeout 1 86400
time_wait 1 86400
fin_wait1_timeout 1 86400
last_ack_timeout 1 86400
syn_timeout 1 86400
close_wait_alarm 1 86400
max_flows 1 67108864
syn_flood_threshold 1 10000000"
ACTIONS=(observe reset)
declare -A WANT

ktap_print_header
require_stress_tools
ktap_set_plan $((10 + STRESS_END_TESTS))
require_module
dmesg_mark
touch "$tmp/fail" "$tmp/reader"

# rand MIN MAX [FLOOR]: the bounds one time in four each, else uniform;
# never under FLOOR.
rand()
{
	local v

	case $((RANDOM % 4)) in
	0) v=$1 ;;
	1) v=$2 ;;
	*) v=$(( $1 + ((RANDOM << 15 | RANDOM) % ($2 - $1 + 1)) )) ;;
	esac
	[ -n "$3" ] && [ "$v" -lt "$3" ] && v=$3
	echo "$v"
}

# fail_note WHAT: one line in $tmp/fail for the summary.
fail_note()
{
	echo "$*" >>"$tmp/fail"
}

# other_action: the action that is not the current one.
other_action()
{
	[ "${WANT[fin_timeout_action]}" = observe ] && echo reset || echo observe
}

sysfs_get()
{
	local v

	read -r v <"$PARAMS/$1" && echo "$v"
}

# set_sysfs NAME VALUE: must succeed and read back.
set_sysfs()
{
	if ! echo "$2" >"$PARAMS/$1"; then
		fail_note "sysfs $1=$2 refused"
	elif [ "$(sysfs_get "$1")" != "$2" ]; then
		fail_note "sysfs $1=$2 reads back $(sysfs_get "$1")"
	fi
	WANT[$1]=$2
	writes=$((writes + 1))
}

# set_netlink NAME VALUE: must succeed and read back through sysfs.
set_netlink()
{
	if ! "$CLI" config set "$1" "$2"; then
		fail_note "netlink $1=$2 refused"
	elif [ "$(sysfs_get "$1")" != "$2" ]; then
		fail_note "netlink $1=$2 reads back $(sysfs_get "$1") in sysfs"
	fi
	WANT[$1]=$2
	writes=$((writes + 1))
}

# bad_sysfs NAME VALUE: must fail, the value unchanged.
bad_sysfs()
{
	if printf '%s\n' "$2" >"$PARAMS/$1" 2>/dev/null; then
		fail_note "sysfs $1='$2' accepted"
	elif [ "$(sysfs_get "$1")" != "${WANT[$1]}" ]; then
		fail_note "sysfs $1='$2' refused but changed it to $(sysfs_get "$1")"
	fi
	rejected=$((rejected + 1))
}

# bad_netlink NAME VALUE [NAME VALUE]: must fail (status 1, the kernel's
# refusal), every value unchanged.
bad_netlink()
{
	local rc

	"$CLI" config set "$@" 2>"$tmp/nl.err"
	rc=$?
	if [ "$rc" != 1 ]; then
		fail_note "netlink set $* gave status $rc: $(head -n 1 "$tmp/nl.err")"
	fi
	while [ $# -ge 2 ]; do
		[ "$(sysfs_get "$1")" = "${WANT[$1]}" ] ||
			fail_note "netlink set refused but $1 is $(sysfs_get "$1"), not ${WANT[$1]}"
		shift 2
	done
	rejected=$((rejected + 1))
}

# config_matches: "config" over netlink equals WANT for every parameter.
config_matches()
{
	local json n v

	json=$("$CLI" -j config) || { fail_note "config get failed"; return; }
	while read -r n v; do
		[ "$v" = "${WANT[$n]}" ] ||
			fail_note "round $r: config $n is $v, last written ${WANT[$n]}"
	done < <(jq -r 'to_entries[] | "\(.key) \(.value)"' <<<"$json")
}

# reader: config and stats over netlink, /proc, until stopped.
reader()
{
	while [ ! -e "$STOP" ]; do
		"$CLI" -j config >/dev/null && "$CLI" -n "$B" -j stats >/dev/null &&
			cat /proc/net/tcpclose >/dev/null ||
			echo "reader failed" >>"$tmp/reader"
		sleep 0.5
	done
}

setup_ns A B
link_ns "$A" "$B" 1
wide_ports "$A"
bg "${LOWEST[@]}" ip netns exec "$B" "$CRR" server "$PORT"
wait_listen "$B" "$PORT"
crr_loop "$A" 10.0.1.2 "$tmp/crr" &
loops=($!)
niced 10 reader &
loops+=($!)
slowwait 10 sh -c "[ \$(ip netns exec $B awk '\$1 == \"flows_created\" { print \$2 }' /proc/net/tcpclose) -gt 0 ]"
check "traffic tracked before the writes" test $? = 0

for n in $(cut -d' ' -f1 <<<"$RANGES"); do
	WANT[$n]=$(sysfs_get "$n")
done
WANT[fin_timeout_action]=$(sysfs_get fin_timeout_action)
writes=0 rejected=0
start=$(date +%s%N)
for r in $(seq "$ROUNDS"); do
	floor=
	[ "$r" = "$ROUNDS" ] && floor=65536
	while read -r n lo hi; do
		f=
		[ "$n" = max_flows ] && f=$floor
		set_sysfs "$n" "$(rand "$lo" "$hi" "$f")"
		bad_sysfs "$n" 0
		bad_sysfs "$n" $((hi + 1))
		case $((r % 4)) in
		0) bad_sysfs "$n" -1 ;;
		1) bad_sysfs "$n" abc ;;
		2) bad_sysfs "$n" 1.5; bad_sysfs "$n" 4294967296 ;;
		3) bad_sysfs "$n" 0x10; bad_sysfs "$n" "" ;;
		esac
		set_netlink "$n" "$(rand "$lo" "$hi" "$f")"
		# One refused netlink set per parameter and round, in turn: too
		# low, too high, and all or nothing (a good value next to a bad
		# one is not applied).
		case $((r % 4)) in
		0) bad_netlink "$n" 0 ;;
		1) bad_netlink "$n" $((hi + 1)) ;;
		2) bad_netlink "$n" "$(rand "$lo" "$hi" "$f")" fin_timeout_action 2 ;;
		3) bad_netlink fin_timeout_action "$(other_action)" "$n" 0 ;;
		esac
	done <<<"$RANGES"
	set_sysfs fin_timeout_action "${ACTIONS[RANDOM % 2]}"
	bad_sysfs fin_timeout_action maybe
	bad_sysfs fin_timeout_action 1
	bad_sysfs fin_timeout_action ""
	a=${ACTIONS[RANDOM % 2]}
	"$CLI" config set fin_timeout_action "$a" || fail_note "netlink fin_timeout_action=$a refused"
	WANT[fin_timeout_action]=$a
	writes=$((writes + 1))
	bad_netlink fin_timeout_action 2
	config_matches
done
took=$(( ($(date +%s%N) - start) / 1000000 ))
ktap_print_msg "$ROUNDS rounds in $took ms: $writes valid writes, $rejected invalid ones"
for n in "${!WANT[@]}"; do
	final+="$n=${WANT[$n]} "
done
ktap_print_msg "final: $final"

ktap_print_msg "failures: $(sort "$tmp/fail" 2>/dev/null | head -5 | tr '\n' ';')"
check "every valid write applied and read back" \
	sh -c "! grep -q -e 'refused\$' -e 'reads back' '$tmp/fail'"
check "every invalid write rejected" \
	sh -c "! grep -q -e 'accepted\$' -e 'gave status' '$tmp/fail'"
check "no rejected write changed a value" \
	sh -c "! grep -q 'refused but' '$tmp/fail'"
check "config over netlink was the last written after each round" \
	sh -c "! grep -q '^round ' '$tmp/fail'"
ok=0
for n in "${!WANT[@]}"; do
	[ "$(sysfs_get "$n")" = "${WANT[$n]}" ] && ok=$((ok + 1))
done
check_eq "every final value in sysfs is the last written" "$ok" "${#WANT[@]}"

before=$(counter "$B" flows_created)
slowwait 10 sh -c "[ \$(ip netns exec $B awk '\$1 == \"flows_created\" { print \$2 }' /proc/net/tcpclose) -gt $before ]"
check "traffic still tracked after the writes" test $? = 0
stop_loops "${loops[@]}"
read -r n f < <(crr_sum "$tmp/crr")
ktap_print_msg "churn: $n connections, $f failed"
check "churn went on: connections made" test "$n" -gt 0
check_eq "the reader never failed" "$(wc -l <"$tmp/reader")" 0
untracked=$(counter "$B" flows_untracked)
ktap_print_msg "flows_untracked at the server: $untracked (max_flows as low as 1 at times)"
check "flows_created = flows_active + flows_ended at the server" \
	sh -c "ip netns exec $B awk '{ v[\$1] = \$2 } END { exit v[\"flows_created\"] != v[\"flows_active\"] + v[\"flows_ended\"] }' /proc/net/tcpclose"
stress_end
ktap_finished
