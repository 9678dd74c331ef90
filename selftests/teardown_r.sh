#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The connection-management cases of the catalogue (R1-R6), each on its
# own client -- router -- server topology, in IPv4 and IPv6, all in
# parallel, with selftests/teardown/lib.sh (topologies, the router's nft
# ground truth counters, one "tcpclose watch -j" per vantage, one bpftrace
# session) and selftests/teardown/check.py (six results per instance: the
# case happened as designed; at the client, the router and the server the
# flows (verdict, stalled side, active closer, anomalies) and every
# counter's exact delta; at the client and the server the mirrored state
# sequence of the local endpoint against the kernel's).  The expectations,
# and what Linux really does in each case, are in check.py.
#
#   R1          simultaneous open: the client and the server bind their
#               ports and connect() to each other, from one thread of
#               rpeer.py; the router delays both ways by 300 ms (on the
#               debug kernel 700 ms towards the server, 50 back), and the
#               server connects once the router counted the client's SYN,
#               so that the SYNs cross; once both are connected the delay
#               is lifted, and the client closes first
#   R2          old duplicate SYN: the router drops the client's SYNs
#               while a SYN of the same tuple with another ISN (rpeer.py, as
#               an Ethernet frame on the client's link: the client's hooks
#               do not see it, like a segment already in the network)
#               reaches the server; the client resets the SYN-ACK that
#               answers it, and that RST lifts the drop: the client's next
#               SYN opens the connection
#   R3          half-open, the peer crashed: the server aborts
#               (SO_LINGER {1, 0}) and the router drops its RST; once the
#               server's mirror let go of the flow, the client sends data,
#               which the server's kernel answers with an RST without ACK
#   R4          half-open discovered by the active side: the client aborts
#               and the router drops its RST; the client connects again
#               from the same port (a new ISN); the server's old socket
#               answers the SYN with a challenge ACK, the client (in
#               SYN_SENT) resets it, and its next SYN opens a connection
#   R5          RST in TIME_WAIT: after a close by the client, two RSTs
#               from the server's address (rpeer.py, on the server's link:
#               the server's hooks do not see them) reach the client's
#               TIME_WAIT: one out of the window (ignored), one exact (RFC
#               1337 assassination: Linux drops the TIME_WAIT)
#   R5-rfc1337  the same with net.ipv4.tcp_rfc1337 = 1 at the client:
#               Linux keeps its TIME_WAIT
#   R6-client   SYN on a tuple in TIME_WAIT, at the client: it closed
#               first, then connects again from its port (Linux takes over
#               its own TIME_WAIT for a bound port, with timestamps)
#   R6-server   the TIME_WAIT at the server: it closed first, the client
#               connects again from its port and the server's TIME_WAIT
#               accepts the SYN (RFC 6191, a newer timestamp)
#
# TCPCLOSE_TR_CASES="R2 R5": only these cases.  TCPCLOSE_TD_KEEP=DIR keeps
# what was collected (teardown/lib.sh).
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/oracle/lib.sh"
source "$(dirname "$0")/teardown/lib.sh"

TD_CASES=(R1 R2 R3 R4 R5 R5-rfc1337 R6-client R6-server)
[ -n "${TCPCLOSE_TR_CASES:-}" ] && read -ra TD_CASES <<<"$TCPCLOSE_TR_CASES"
TD_FAMILIES=(ipv4 ipv6)
# The mirror's TIME_WAIT must outlast what R5 and R6 do in it (an
# injection, a new connection: a second or two under TCG and load).
TD_PARAMS=(time_wait="$(scaled 8)")
# Every ACK leaves at once: under TCG a delayed ACK (up to 200 ms for a
# FIN in interactive mode) can lose to the peer's retransmission timer,
# and a retransmitted FIN would move counters no case is about.
TD_ROUTE_OPTS="quickack 1"
RPEER=$TOP/selftests/teardown_r/rpeer.py

C2S='iifname "veth1"'
S2C='iifname "veth2"'
CKEY='tcp sport . tcp dport'
RSTACK='tcp flags & (rst|ack) == rst|ack'
SYN='tcp flags & (syn|ack) == syn'

# A sleep that forks nothing (under TCG a process costs 50-250 ms): a read
# on a pipe nobody writes to.
exec {NAPFD}<> <(:)
nap()
{
	read -rt "$1" -u "$NAPFD"
}

# fastwait SECS CMD...: until CMD (a function or a builtin) succeeds,
# checked every 20 ms at first, then less and less often, up to every
# 200 ms (many shells polling often take the CPU under TCG); 1 if it did
# not within SECS s (scaled, as lib.sh's waits are).
fastwait()
{
	local end=$((SECONDS + $(scaled "$1"))) naps=(0.02 0.02 0.05 0.05 0.1 0.1) n=0

	shift
	until "$@"; do
		[ "$SECONDS" -ge "$end" ] && return 1
		nap "${naps[n++]:-0.2}"
	done
	return 0
}

# cnt_ge PID NAME N: tcpclose counter NAME of the netns of PID is N or more.
cnt_ge()
{
	local k v

	while read -r k v; do
		[ "$k" = "$2" ] && { [ "$v" -ge "$3" ]; return; }
	done <"/proc/$1/net/tcpclose"
	return 1
}

# no_flows PID: the mirror of the netns of PID tracks no flow.
no_flows()
{
	[ -z "$(td_gauges "$1")" ]
}

# flow_gone NS PORT: the mirror of netns NS holds no flow of PORT, not
# even a closed one (those linger a second, module/gc.c).
flow_gone()
{
	! "$TD_CLI" -n "$1" flows port "$2" -j | grep -q '"family"'
}

# socket PID LPORT RPORT STATE: a TCP socket LPORT -> RPORT in STATE (as
# /proc/net/tcp writes it: 06 TIME_WAIT) in the netns of PID.
socket()
{
	local f l r st _ want

	printf -v want ':%04X :%04X %s' "$2" "$3" "$4"
	for f in "/proc/$1/net/tcp" "/proc/$1/net/tcp6"; do
		while read -r _ l r st _; do
			[ ":${l##*:} :${r##*:} $st" = "$want" ] && return 0
		done <"$f"
	done
	return 1
}

no_socket()
{
	! socket "$@"
}

# caddr I: the client's address of instance I.
caddr()
{
	[ -n "${TD_SIX[$1]}" ] && echo fd00:1::2 || echo 10.0.1.2
}

# note I TEXT: a line of what the case saw, in I.client (check.py shows it).
note()
{
	echo "$2" >>"$TD_WORK/$1.client"
}

# step I WHAT CMD...: CMD, a step of the case; if it fails, that is noted
# and the case fails.
step()
{
	local i=$1 what=$2 t0=$SECONDS

	shift 2
	"$@" && return 0
	note "$i" "failed after $((SECONDS - t0)) s: $what"
	return 1
}

# expect I WHAT GOT WANT: what the case saw; a mismatch fails the case.
expect()
{
	note "$1" "$2: $3"
	[ "$3" = "$4" ] && return 0
	note "$1" "$2: want $4"
	return 1
}

# peer I c|s NAME ARGS...: rpeer.py ARGS in the client's or the server's
# netns of I, started at setup: a job of the one rpeer.py hub (a python
# process takes seconds to start under TCG); its output is appended to
# I.client or I.server, its exit status written to I.NAME.rc (peer_wait).
peer()
{
	local i=$1 ns=${TD_C[$1]} out=client name=$3 spool=$TD_WORK/spool

	[ "$2" = s ] && ns=${TD_S[$1]} out=server
	shift 3
	if [ -z "${HUB_PID:-}" ]; then
		mkdir -p "$spool"
		"$PY" "$RPEER" hub "$spool" >"$TD_WORK/hub.log" 2>&1 &
		HUB_PID=$!
		BG_PIDS+=("$HUB_PID")
	fi
	printf '%s\n' "$ns" "$TD_WORK/$i.$out" "$TD_WORK/$i.$name.rc" "$@" end \
		>"$spool/$i.$name"
}

# peer_wait I NAME: until rpeer.py NAME of I ended; its status.
peer_wait()
{
	local rc

	fastwait 300 test -e "$TD_WORK/$1.$2.rc" || return 1
	read -r rc <"$TD_WORK/$1.$2.rc"
	return "$rc"
}

# injector I c|s: rpeer.py inject on the client's link as the client, or
# on the server's link as the server (peer); it waits for its commands in
# I.inj/.
injector()
{
	local i=$1 d=$TD_WORK/$1.inj iface mac src dst sp dp

	mkdir -p "$d"
	if [ "$2" = c ]; then
		iface=veth1 src=$(caddr "$i") dst=${TD_ADDR[i]}
		sp=${TD_CPORT[i]} dp=${TD_SPORT[i]}
	else
		iface=veth2 src=${TD_ADDR[i]} dst=$(caddr "$i")
		sp=${TD_SPORT[i]} dp=${TD_CPORT[i]}
	fi
	read -r _ _ mac _ < <(ip -n "${TD_R[i]}" -br link show dev "$iface")
	[ -n "$mac" ] || return 1
	peer "$i" "$2" inj inject "$d" "$iface" "$mac" "$src" "$dst" "$sp" "$dp"
}

# inject I N WORDS...: command N of the injector of I; until it was sent.
inject()
{
	local d=$TD_WORK/$1.inj n=$2

	shift 2
	echo "$*" >"$d/.cmd.$n" && mv "$d/.cmd.$n" "$d/cmd.$n"
	[ "$*" = quit ] && return 0
	fastwait 30 test -e "$d/done.$n"
}

# --- R1 ----------------------------------------------------------------------

setup_r1()
{
	local i=$1 r=${TD_R[$1]} d1 d2

	mkdir -p "$TD_WORK/$i.sim"
	# 300 ms each way.  On the debug kernel (slow_kernel) the
	# client's SYN waits 700 ms on the way to the server, the server's
	# 50 ms on the way back: the SYN-ACK is back within the SYN's 1 s
	# retransmission timeout, however slow the router.
	d1=300ms d2=300ms
	slow_kernel && d1=50ms d2=700ms
	td_nft "$i" && tc -n "$r" qdisc add dev veth1 root netem delay "$d1" &&
		tc -n "$r" qdisc add dev veth2 root netem delay "$d2" || return 1
	peer "$i" c sim simopen "$TD_WORK/$i.sim" "${TD_CPORT[i]}" \
		"${TD_S[i]}" "${TD_ADDR[i]}" "${TD_SPORT[i]}" "$(caddr "$i")"
}

case_r1()
{
	local i=$1 d=$TD_WORK/$1.sim rc

	: >"$d/start"
	step "$i" "the peers ready" fastwait 300 test -e "$d/ready" || return 1
	# Both connect()s in one thread (rpeer.py): the client's SYN, and the
	# server's once the router counted the client's; each reaches the
	# other end while it is in SYN_SENT.  Two processes could not: on
	# the debug kernel the server's connect() came up to seconds after
	# the client's, whose SYN had been refused meanwhile.
	echo "${TD_WR[i]}" >"$d/go.tmp" && mv "$d/go.tmp" "$d/go"
	step "$i" "both connected" fastwait 60 test -e "$d/connected" || return 1
	tc -n "${TD_R[i]}" qdisc del dev veth1 root
	tc -n "${TD_R[i]}" qdisc del dev veth2 root
	: >"$d/go2"
	peer_wait "$i" sim
	rc=$?
	expect "$i" "both connect()ed to each other, the client closed first" \
		"$rc / $(tr '\n' ' ' <"$TD_WORK/$i.client")" \
		"0 / first: pong second: ping second: EOF "
}

# --- R2 ----------------------------------------------------------------------

setup_r2()
{
	local i=$1 x

	# The stale SYN's ISN; the client's own SYNs are dropped until its
	# RST (to the SYN-ACK that answers the stale one) went through.
	x=$(( (RANDOM << 17 | RANDOM << 2 | RANDOM & 3) & 0xffffffff ))
	echo "$x" >"$TD_WORK/$i.isn"
	injector "$i" c &&
	td_nft "$i" "$C2S tcp flags & rst == rst add @once { $CKEY }" \
		"$C2S $SYN tcp sequence != $x $CKEY != @once $(td_drop "$i")"
}

case_r2()
{
	local i=$1 spid cpid

	td_server "$i" -w 500 &
	spid=$!
	step "$i" "the server listens" td_wait_listen "$i" || return 1
	step "$i" "the injector ready" \
		fastwait 300 test -e "$TD_WORK/$i.inj/ready" || return 1
	td_client "$i" &
	cpid=$!
	# The client is in SYN_SENT (its SYN left it, dropped at the router):
	# the old duplicate goes out; the client's RST reaches the router.
	step "$i" "the client's SYN" \
		fastwait 30 cnt_ge "${TD_WC[i]}" seg_syn 1 || return 1
	step "$i" "the stale SYN sent" \
		inject "$i" 1 S "$(cat "$TD_WORK/$i.isn")" || return 1
	step "$i" "the client's RST at the router" \
		fastwait 30 cnt_ge "${TD_WR[i]}" seg_rst 1 || return 1
	inject "$i" 2 quit
	step "$i" "the client" wait $cpid || return 1
	step "$i" "the server" wait $spid || return 1
	step "$i" "the injector" peer_wait "$i" inj
}

# --- R3 ----------------------------------------------------------------------

setup_r3()
{
	local i=$1

	mkdir -p "$TD_WORK/$i.c"
	td_nft "$i" "$S2C $RSTACK $(td_drop "$i")" || return 1
	peer "$i" s srv abortserver "${TD_SPORT[i]}" "${TD_FAM[i]#ipv}"
	peer "$i" c cli dataclient "$TD_WORK/$i.c" "${TD_ADDR[i]}" \
		"${TD_SPORT[i]}" "${TD_CPORT[i]}"
}

case_r3()
{
	local i=$1 d=$TD_WORK/$1.c rc1 rc2 out

	step "$i" "the server listens" \
		fastwait 300 td_listening "$i" || return 1
	: >"$d/start"
	step "$i" "the client connected" fastwait 300 test -e "$d/ready" ||
		return 1
	peer_wait "$i" srv
	rc1=$?
	# The server's mirror let go of its aborted flow: the client's data
	# then finds no flow, as it finds no socket.
	step "$i" "the server's flow ended" \
		fastwait 30 no_flows "${TD_WS[i]}" || return 1
	nap 1
	step "$i" "the server's flow freed" \
		fastwait 30 flow_gone "${TD_S[i]}" "${TD_SPORT[i]}" || return 1
	: >"$d/go"
	peer_wait "$i" cli
	rc2=$?
	out=$(cat "$TD_WORK/$i.server" "$TD_WORK/$i.client" | tr '\n' ' ')
	expect "$i" "the server aborted unseen, the client's data was reset" \
		"$rc1 $rc2 / $out" "0 0 / server: aborted read: ECONNRESET "
}

# --- R4 ----------------------------------------------------------------------

setup_r4()
{
	local i=$1

	mkdir -p "$TD_WORK/$i.c"
	td_nft "$i" "$C2S $RSTACK $(td_drop "$i")" || return 1
	peer "$i" s srv holdserver "${TD_SPORT[i]}" "${TD_FAM[i]#ipv}"
	peer "$i" c cli reconnect "$TD_WORK/$i.c" "${TD_ADDR[i]}" \
		"${TD_SPORT[i]}" "${TD_CPORT[i]}"
}

case_r4()
{
	local i=$1 rc1 rc2

	step "$i" "the server listens" \
		fastwait 300 td_listening "$i" || return 1
	: >"$TD_WORK/$i.c/start"
	peer_wait "$i" cli
	rc1=$?
	peer_wait "$i" srv
	rc2=$?
	expect "$i" "the client aborted unseen and connected again" \
		"$rc1 $rc2 / $(cat "$TD_WORK/$i.client" "$TD_WORK/$i.server" | tr '\n' ' ')" \
		"0 0 / second: pong first: ECONNRESET second: EOF "
}

# --- R5 ----------------------------------------------------------------------

setup_r5()
{
	injector "$1" s && td_nft "$1"
}

setup_r5_rfc1337()
{
	td_sysctl "${TD_C[$1]}" net.ipv4.tcp_rfc1337=1 && setup_r5 "$1"
}

# tw_state I: the client's TIME_WAIT for the tuple of I, kept or gone.
tw_state()
{
	socket "${TD_WC[$1]}" "${TD_CPORT[$1]}" "${TD_SPORT[$1]}" 06 &&
		echo kept || echo gone
}

case_r5()
{
	local i=$1 want=gone spid

	[ "${TD_CASE[i]}" = R5-rfc1337 ] && want=kept
	td_server "$i" -w 500 &
	spid=$!
	step "$i" "the server listens" td_wait_listen "$i" || return 1
	step "$i" "the injector ready" \
		fastwait 300 test -e "$TD_WORK/$i.inj/ready" || return 1
	step "$i" "the client" td_client "$i" || return 1
	step "$i" "the server" wait $spid || return 1
	step "$i" "the client's TIME_WAIT" \
		fastwait 30 socket "${TD_WC[i]}" "${TD_CPORT[i]}" "${TD_SPORT[i]}" 06 ||
		return 1
	step "$i" "the server's socket closed" \
		fastwait 30 td_kernel_settled "${TD_WS[i]}" || return 1
	# Out of the window (RCV.NXT - 1000): Linux ignores it.
	step "$i" "the RST out of the window sent" inject "$i" 1 R fin-999 ||
		return 1
	step "$i" "the client saw it" \
		fastwait 30 cnt_ge "${TD_WC[i]}" seg_rst 1 || return 1
	nap 0.3
	expect "$i" "an RST out of the window: the client's TIME_WAIT is" \
		"$(tw_state "$i")" kept || return 1
	# Exact: RCV.NXT, the server's FIN + 1.
	step "$i" "the exact RST sent" inject "$i" 2 R fin+1 || return 1
	inject "$i" 3 quit
	step "$i" "the client saw it" \
		fastwait 30 cnt_ge "${TD_WC[i]}" seg_rst 2 || return 1
	if [ "$want" = gone ]; then
		fastwait 10 no_socket "${TD_WC[i]}" "${TD_CPORT[i]}" "${TD_SPORT[i]}" 06
	else
		nap 0.3
	fi
	expect "$i" "the exact RST: the client's TIME_WAIT is" "$(tw_state "$i")" \
		"$want" || return 1
	step "$i" "the injector" peer_wait "$i" inj
}

case_r5_rfc1337()
{
	case_r5 "$1"
}

# --- R6 ----------------------------------------------------------------------

setup_r6_client()
{
	td_nft "$1"
}

setup_r6_server()
{
	td_nft "$1"
}

case_r6_client()
{
	local i=$1 spid

	td_server "$i" -n 2 -w 500 &
	spid=$!
	step "$i" "the server listens" td_wait_listen "$i" || return 1
	step "$i" "the first client" td_client "$i" || return 1
	step "$i" "the client's TIME_WAIT" \
		fastwait 30 socket "${TD_WC[i]}" "${TD_CPORT[i]}" "${TD_SPORT[i]}" 06 ||
		return 1
	step "$i" "the server's socket closed" \
		fastwait 30 td_kernel_settled "${TD_WS[i]}" || return 1
	step "$i" "the second client" td_client "$i" || return 1
	step "$i" "the server" wait $spid
}

case_r6_server()
{
	local i=$1 spid

	td_server "$i" -n 2 -f &
	spid=$!
	step "$i" "the server listens" td_wait_listen "$i" || return 1
	step "$i" "the first client" td_client "$i" -E -w 500 || return 1
	step "$i" "the server's TIME_WAIT" \
		fastwait 30 socket "${TD_WS[i]}" "${TD_SPORT[i]}" "${TD_CPORT[i]}" 06 ||
		return 1
	step "$i" "the client's socket closed" \
		fastwait 30 td_kernel_settled "${TD_WC[i]}" || return 1
	step "$i" "the second client" td_client "$i" -E -w 500 || return 1
	step "$i" "the server" wait $spid
}

td_main "${TD_CASES[*]}"
