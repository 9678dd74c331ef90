#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# fin_timeout through sysfs and insmod: good values stick, bad ones fail
# with EINVAL and leave the old value.
source "$(dirname "$0")/lib.sh"

P=/sys/module/tcpclose/parameters/fin_timeout
GOOD="1 30 86400 00042"
BAD=("0" "-1" "abc" "86401" "" "30abc" "4294967296" "1.5" "0x10" " ")

ktap_print_header
ktap_set_plan $((2 + 4 + ${#BAD[@]} + 3))
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
ktap_finished
