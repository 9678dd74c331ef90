#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The parameters through sysfs and insmod: good values stick, bad ones fail
# with EINVAL and leave the old value.  fin_timeout in detail, then every
# other parameter.
source "$(dirname "$0")/lib.sh"

P=/sys/module/tcpclose/parameters/fin_timeout
GOOD="1 30 86400 00042"
BAD=("0" "-1" "abc" "86401" "" "30abc" "4294967296" "1.5" "0x10" " ")

ktap_print_header
TIMEOUTS="time_wait fin_wait1_timeout last_ack_timeout syn_timeout close_wait_alarm"

ktap_set_plan $((2 + 4 + ${#BAD[@]} + 3 + 5 + 1 + 2))
require_module

check_eq "fin_timeout mode is 0644" "$(stat -c %a $P)" 644
check_eq "fin_timeout starts at 60" "$(cat $P)" 60

for v in $GOOD; do
	echo "$v" >$P
	check_eq "write '$v' is read back as $((10#$v))" "$(cat $P)" "$((10#$v))"
done

echo 45 >$P
for v in "${BAD[@]}"; do
	err=$( { echo "$v" >$P; } 2>&1)
	if [[ $err == *"Invalid argument"* ]] && [ "$(cat $P)" = 45 ]; then
		ktap_test_pass "write '$v' fails with EINVAL and keeps 45"
	else
		ktap_print_msg "write '$v': '$err', value now $(cat $P)"
		ktap_test_fail "write '$v' fails with EINVAL and keeps 45"
	fi
done

mod_unload
check "insmod fin_timeout=0 is refused" sh -c "! insmod $(tcpclose_ko) fin_timeout=0 2>/dev/null"
check "insmod fin_timeout=86401 is refused" sh -c "! insmod $(tcpclose_ko) fin_timeout=86401 2>/dev/null"
mod_load fin_timeout=30
check_eq "insmod fin_timeout=30 is honoured" "$(cat $P)" 30

# bounded NAME GOOD BAD...: GOOD sticks, each BAD fails and keeps GOOD.
bounded()
{
	local f=/sys/module/tcpclose/parameters/$1 good=$2 v

	shift 2
	echo "$good" >"$f" || return 1
	for v in "$@"; do
		{ echo "$v" >"$f"; } 2>/dev/null && return 1
		[ "$(cat "$f")" = "$good" ] || return 1
	done
	[ "$(stat -c %a "$f")" = 644 ]
}
for p in $TIMEOUTS; do
	check "$p: 1..86400, 0 / 86401 / abc / -5 refused" \
		bounded "$p" 7 0 86401 abc -5
done
check "max_flows: 1..67108864, 0 / 67108865 / x refused" \
	bounded max_flows 1000 0 67108865 x
A=/sys/module/tcpclose/parameters/fin_timeout_action
check_eq "fin_timeout_action: observe by default, reset accepted" \
	"$(cat $A) $(echo reset >$A && cat $A)" "observe reset"
{ echo drop >$A; } 2>/dev/null
rc=$?
check_eq "fin_timeout_action: 'drop' refused, value kept" "$rc $(cat $A)" "1 reset"
ktap_finished
