#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Per-netns isolation: traffic in one pair of netns moves only their own
# /proc/net/tcpclose; /proc/tcpclose is the sum of every netns.
source "$(dirname "$0")/lib.sh"

ktap_print_header
ktap_set_plan 7
require_module

setup_ns A B C D
link_ns "$A" "$B" 1
link_ns "$C" "$D" 2

a0=$(snapshot "$A") b0=$(snapshot "$B") c0=$(snapshot "$C") d0=$(snapshot "$D")
exchange "$A" "$B" 10.0.1.2 5
a1=$(snapshot "$A") b1=$(snapshot "$B") c1=$(snapshot "$C") d1=$(snapshot "$D")
check_eq "5 connections A->B: A counts 5 SYN" "$(delta "$a0" "$a1" seg_syn)" 5
check_eq "5 connections A->B: B counts 5 SYN" "$(delta "$b0" "$b1" seg_syn)" 5
check_eq "traffic in A/B leaves C unchanged" "$c1" "$c0"
check_eq "traffic in A/B leaves D unchanged" "$d1" "$d0"

exchange "$C" "$D" fd00:2::2 3
a2=$(snapshot "$A") c2=$(snapshot "$C")
check_eq "3 connections C->D: C counts 3 SYN" "$(delta "$c1" "$c2" seg_syn)" 3
check_eq "traffic in C/D leaves A unchanged" "$a2" "$a1"

sum=0
for ns in - "$A" "$B" "$C" "$D"; do
	sum=$((sum + $(awk '$1 == "seg_total" { print $2 }' <<<"$(snapshot "$ns")")))
done
check_eq "host-wide seg_total is the sum over every netns" \
	"$(host_counter seg_total)" "$sum"
ktap_finished
