#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The demo, inside the test VM (see selftests/demo).
source "$(dirname "$0")/lib.sh"

CLI=$TOP/tools/tcpclose
P=/sys/module/tcpclose/parameters/fin_timeout

say()
{
	printf '\n== %s\n' "$*"
}

# side_by_side BEFORE AFTER: "name before after +delta" for each counter.
side_by_side()
{
	paste -d' ' <(echo "$1") <(echo "$2") |
		awk '{ printf "  %-14s %8d %8d %+8d\n", $1, $2, $4, $4 - $2 }'
}

say "kernel $(uname -r); loading $(tcpclose_ko)"
mod_unload
mod_load || exit 1
grep -m1 'tcpclose' /proc/modules

setup_ns client server
link_ns "$client" "$server" 1
say "netns $client (10.0.1.1) <-> $server (10.0.1.2) over veth"

before=$(cat /proc/tcpclose)
say "10 connections over IPv4 and 10 over IPv6: request, response, close"
exchange "$client" "$server" 10.0.1.2 10
exchange "$client" "$server" fd00:1::2 10
after=$(cat /proc/tcpclose)

say "/proc/tcpclose (host-wide)   before    after    delta"
echo "  (host-wide adds up every netns: each segment is counted once as it"
echo "  leaves the client's netns and once as it enters the server's)"
side_by_side "$before" "$after"
say "tcpclose -n $client stats    (the client's netns only)"
"$CLI" -n "$client" stats

say "fin_timeout through sysfs"
echo "  $P = $(cat $P)"
echo "  # echo 30 > $P"
echo 30 >$P
echo "  $P = $(cat $P)"
echo "  # echo 0 > $P"
{ echo 0 >$P; } 2>&1 | sed "s/^/  /"
echo "  $P = $(cat $P)   (0 is out of range 1..86400: EINVAL, value kept)"
say "tcpclose config"
"$CLI" config
