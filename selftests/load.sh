#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Load and unload: the files appear and vanish, then CYCLES (default 20)
# insmod/rmmod cycles while connections churn, with no kernel warning.
source "$(dirname "$0")/lib.sh"

CYCLES=${CYCLES:-20}

ktap_print_header
if ! tcpclose_ko >/dev/null; then
	ktap_skip_all "tcpclose.ko not built for $(uname -r) (run: make modules-all)"
	exit "$KSFT_SKIP"
fi
ktap_set_plan 9
mod_unload
dmesg_mark

check "insmod succeeds" mod_load
check "/proc/tcpclose is created" test -r /proc/tcpclose
check "/proc/net/tcpclose is created" test -r /proc/net/tcpclose
check_eq "fin_timeout defaults to 60" \
	"$(cat /sys/module/tcpclose/parameters/fin_timeout)" 60
check "rmmod removes /proc/tcpclose and /proc/net/tcpclose" \
	sh -c 'rmmod tcpclose && [ ! -e /proc/tcpclose ] && [ ! -e /proc/net/tcpclose ]'
MOD_LOADED_HERE=0

setup_ns A B
link_ns "$A" "$B" 1
bg ip netns exec "$B" "$TCPX" server -6 -n 0
wait_listen "$B" "$PORT"
bg ip netns exec "$A" "$TCPX" client -n 0 10.0.1.2
bg ip netns exec "$A" "$TCPX" client -n 0 fd00:1::2

ok=0
for _ in $(seq "$CYCLES"); do
	mod_load && sleep 0.1 && mod_unload && ok=$((ok + 1))
done
check_eq "$CYCLES insmod/rmmod cycles under traffic" "$ok" "$CYCLES"
check "both clients still running after the cycles" \
	kill -0 "${BG_PIDS[1]}" "${BG_PIDS[2]}"

mod_load
slowwait 10 sh -c "[ \$(ip netns exec $A awk '/^seg_syn /{print \$2}' /proc/net/tcpclose) -gt 2 ]"
check "a fresh load counts the ongoing traffic" test $? -eq 0
check "no kernel warning, oops or BUG" dmesg_clean
ktap_finished
