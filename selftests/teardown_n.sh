#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The normal closes of the catalogue (N1-N4), each on its own client --
# router -- server topology, in IPv4 and IPv6, checked at the three
# vantages as teardown_f.sh checks the failure cases (see its header and
# selftests/teardown/check.py): the close happened as designed (the
# router's counts, the kernel's state sequences), the flow and every
# counter's exact delta at the client, the router and the server, and the
# mirrored states of both local endpoints equal the kernel's (one bpftrace
# session).
#
#   N1  the client closes; the server closes 500 ms after EOF (its ACK of
#       the client's FIN goes alone: four segments)
#   N2  the server closes at EOF: its FIN carries the ACK of the client's
#       (three segments; the client goes FIN_WAIT_1 -> TIME_WAIT)
#   N3  both shutdown(SHUT_WR) at one instant, with 50 ms netem delay each
#       way at the router: the FINs cross (simultaneous close)
#   N4  the server closes first
#
# N2 needs the server to close() within its delayed ACK (40 ms) of the
# client's FIN, N3 both ends to shutdown() within the 50 ms delay: they
# run at real-time priority, each family after the other cases.
#
# TCPCLOSE_TD_KEEP=DIR keeps what was collected (counters, events, router
# counters, kernel log, the oracle's record and comparison) in DIR, from
# the repository if relative.  If the oracle missed events during the
# cases, the test runs once more from scratch, as oracle.sh does.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/oracle/lib.sh"
source "$(dirname "$0")/teardown/lib.sh"

TD_CASES=(N1 N2 N3 N4)
TD_FAMILIES=(ipv4 ipv6)
TD_PARAMS=(time_wait=3)

setup_n1()
{
	td_nft "$1"
}

case_n1()
{
	td_server "$1" -w 500 &
	td_wait_listen "$1" || return 1
	td_client "$1" || return 1
	wait $!
}

setup_n2()
{
	td_nft "$1"
}

case_n2()
{
	TD_RT=1 td_server "$1" &
	td_wait_listen "$1" || return 1
	td_client "$1" || return 1
	wait $!
}

setup_n3()
{
	td_nft "$1"
	tc -n "${TD_R[$1]}" qdisc add dev veth1 root netem delay 50ms &&
	tc -n "${TD_R[$1]}" qdisc add dev veth2 root netem delay 50ms
}

case_n3()
{
	TD_RT=1 td_server "$1" -S &
	td_wait_listen "$1" || return 1
	TD_RT=1 td_client "$1" -S || return 1
	wait $!
}

setup_n4()
{
	td_nft "$1"
}

case_n4()
{
	td_server "$1" -f &
	td_wait_listen "$1" || return 1
	td_client "$1" -E -w 500 || return 1
	wait $!
}

td_main "N1 N4" "N2" "N3"
