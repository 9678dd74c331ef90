#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The tcpclose CLI against the real module: stats and config, text and
# JSON, -n NETNS, and its errors (module not loaded, bad value, no
# privilege).
source "$(dirname "$0")/lib.sh"

CLI=$TOP/tools/tcpclose
P=/sys/module/tcpclose/parameters/fin_timeout

ktap_print_header
if [ ! -x "$CLI" ]; then
	ktap_skip_all "tools/tcpclose not built (run: make)"
	exit "$KSFT_SKIP"
fi
ktap_set_plan 11
mod_unload

out=$("$CLI" stats 2>&1)
check_eq "module not loaded: exit 1 with a hint" "$?:$out" \
	"1:tcpclose: module not loaded (try: modprobe tcpclose)"
require_module

setup_ns A B
link_ns "$A" "$B" 1
exchange "$A" "$B" 10.0.1.2 2

# json_equals_proc JSON FILE_CONTENT: same names, order and values.
json_equals_proc()
{
	"$PY" -c '
import json, sys
got = list(json.loads(sys.argv[1]).items())
want = [(l.split()[0], int(l.split()[1])) for l in sys.argv[2].splitlines()]
sys.exit(got != want)' "$1" "$2"
}

check_eq "stats lists /proc/net/tcpclose's names in order" \
	"$("$CLI" stats | awk '{ print $1 }')" "$(awk '{ print $1 }' /proc/net/tcpclose)"
check "stats -j equals /proc/net/tcpclose" \
	json_equals_proc "$("$CLI" stats -j)" "$(cat /proc/net/tcpclose)"
check "stats --host -j equals /proc/tcpclose" \
	json_equals_proc "$("$CLI" -j stats --host)" "$(cat /proc/tcpclose)"
check "-n NETNS stats -j equals that netns's /proc/net/tcpclose" \
	json_equals_proc "$("$CLI" -n "$A" -j stats)" "$(snapshot "$A")"
check_eq "-n NETNS sees the netns's 2 connections" \
	"$("$CLI" -n "$A" -j stats | "$PY" -c 'import json,sys; print(json.load(sys.stdin)["seg_syn"])')" 2

"$CLI" config set fin_timeout 30
check_eq "config set fin_timeout 30 reaches sysfs" "$(cat $P)" 30
out=$("$CLI" config set fin_timeout 0 2>&1)
rc=$?
check_eq "config set fin_timeout 0: exit 1, value kept" "$rc $(cat $P)" "1 30"
ktap_print_msg "$out"
check_eq "config -j shows fin_timeout" \
	"$("$CLI" -j config | "$PY" -c 'import json,sys; print(json.load(sys.stdin)["fin_timeout"])')" 30
out=$(setpriv --reuid=65534 --regid=65534 --clear-groups "$CLI" config set fin_timeout 10 2>&1)
rc=$?
ktap_print_msg "$out"
check_eq "config set as nobody: exit 1, value kept" "$rc $(cat $P)" "1 30"
"$CLI" bogus >/dev/null 2>&1
check_eq "an unknown command exits 2" "$?" 2
ktap_finished
