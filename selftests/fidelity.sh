#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The randomized fidelity run, small (make check; `make fidelity` is the
# long one, fidelity/README): fidelity/gen runs 1000 connections between
# the client and the server of client -- router -- server, a seeded random
# mix of teardowns (who closes first, half-close both ways, aborts with
# SO_LINGER {1, 0}, close with unread data, data to an orphan, a
# simultaneous close, a server that never closes, a server and a client
# that vanish behind an nft drop, a refused SYN), IPv4 and IPv6 at random,
# under netem loss (3 %), delay with jitter and reordering at the router.
# One bpftrace session (the kernel oracle, fidelity/kernel.bt on fentry)
# records the kernel's and the mirror's states; fidelity/compare.py
# compares every local endpoint's mirrored state sequence with the
# kernel's.  The agreement (transitions agreed / compared) must be at
# least 99 % overall, 98.5 % in each family.
#
# What is left is explained class by class in Documentation/fidelity.rst
# (the FIN that arrived out of order, the orphan that resets data carrying
# a FIN, the FIN queued behind unsent data, Linux's adaptive orphan
# FIN_WAIT2 timer); the summary names the class of every disagreement.
#
# TCPCLOSE_FIDELITY_N, _LOSS, _SEED (default 1: the same mix every time),
# _MIN change the run; TCPCLOSE_FIDELITY_KEEP=DIR keeps everything in DIR
# (relative: to the repository).
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/oracle/lib.sh"
source "$(dirname "$0")/fidelity/lib.sh"

FID_N=${TCPCLOSE_FIDELITY_N:-1000}
FID_LOSS=${TCPCLOSE_FIDELITY_LOSS:-3}
FID_SEED=${TCPCLOSE_FIDELITY_SEED:-1}
FID_MIN=${TCPCLOSE_FIDELITY_MIN:-99}
# Each family alone has half the transitions (~3900), and the classes the
# mirror cannot see (Documentation/fidelity.rst) fall unevenly between them
# from run to run: 98.5 % there, the issue's 99 % overall.
FID_MIN_FAMILY=${TCPCLOSE_FIDELITY_MIN_FAMILY:-98.5}

ktap_print_header
if ! command -v bpftrace >/dev/null; then
	ktap_skip_all "bpftrace not installed"
	exit "$KSFT_SKIP"
fi
ktap_set_plan 6
require_module
if [ ! -d "$(oracle_mirror_events)" ]; then
	ktap_skip_all "the module has no tcpclose tracepoints"
	exit "$KSFT_SKIP"
fi

start=$SECONDS
fid_main
rc=$?
if [ $rc = 4 ]; then
	ktap_print_msg "$FID_WHY"
	exit "$KSFT_SKIP"
fi
[ $rc = 0 ] || ktap_exit_fail_msg "fidelity: $FID_WHY"
ktap_print_msg "seed $FID_SEED_USED, $FID_N connections, loss $FID_LOSS %: bpftrace attached in $FID_ATTACH s, connections $FID_GEN_SECS s, settled in $FID_SETTLE_SECS s, compared in $FID_CMP_SECS s"
while read -r line; do
	ktap_print_msg "$line"
done <"$FID_WORK/summary"

# 1. gen ran every connection, with every case and both families.
done_n=$(awk '$1 == "summary" { sub("done=", "", $3); print $3 }' "$FID_WORK/client")
kinds=$(awk '$1 == "conn" { print $3 }' "$FID_WORK/client" | sort -u | wc -l)
fams=$(awk '$1 == "conn" { print $4 }' "$FID_WORK/client" | sort -u | tr '\n' ' ')
check_eq "gen: every connection ran, every case, both families" \
	"$done_n $kinds $fams" "$FID_N 14 ipv4 ipv6 "

# 2. The peers did vanish: the router's drop rules (fidelity/lib.sh
# fid_nft) dropped segments of vsrv (from the server) and vcli (from the
# client) flows.
drops=$(awk '/ drop$/ { for (i = 1; i < NF; i++) if ($i == "packets")
	printf "%s", ($(i + 1) > 0 ? "y" : "n") }' "$FID_WORK/nft")
check_eq "vanishing peers: the router dropped segments from a server and from a client" \
	"$drops" yy

# 3. The oracle's perf buffers did not overflow (its recursion misses are
# made up by the twin programs: see fidelity/kernel.bt).
lost=$(cat "$FID_WORK/events" "$FID_WORK/events.err" | grep -c '^Lost')
check_eq "oracle: bpftrace lost no event" "$lost" 0

# 4-6. The agreement, in each family and overall.
atleast()
{
	awk -v a="$1" -v m="${2:-$FID_MIN}" 'BEGIN { exit !(a != "" && a + 0 >= m + 0) }'
}
for fam in ipv4 ipv6; do
	pct=$(awk -v f="$fam" '$2 == "family" && $3 == f { print $9 }' "$FID_WORK/summary")
	check "$fam: mirror = kernel for ${pct:-?} of the transitions (>= $FID_MIN_FAMILY %)" \
		atleast "${pct%\%}" "$FID_MIN_FAMILY"
done
# fidelity: transitions T agreed A agreement P%
read -r trans pct < <(awk '$2 == "transitions" { print $3, $7 }' "$FID_WORK/summary")
desc="mirror = kernel for ${pct:-?} of ${trans:-?} transitions of $FID_N connections (>= $FID_MIN %)"
if atleast "${pct%\%}"; then
	ktap_test_pass "$desc"
else
	# the disagreements, for the log
	grep -E '^(disagreement|  (client|server) endpoint|    (kernel|mirror):)' \
		"$FID_WORK/compare" | head -60 | while read -r line; do
		ktap_print_msg "$line"
	done
	ktap_test_fail "$desc"
fi

if [ -n "${TCPCLOSE_FIDELITY_KEEP:-}" ]; then
	keep=$TCPCLOSE_FIDELITY_KEEP
	[[ $keep == /* ]] || keep=$TOP/$keep
	mkdir -p "$keep" && cp -r "$FID_WORK"/. "$keep"
fi
rm -rf "$FID_WORK"
ktap_print_msg "fidelity.sh took $((SECONDS - start)) s"
ktap_finished
