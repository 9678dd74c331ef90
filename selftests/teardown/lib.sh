#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The teardown cases of the catalogue (../shared/scenarios.md), each
# checked at three vantages: the client host, the router (forward) and the
# server host.  Sourced by teardown_f.sh and teardown_n.sh, after
# ../lib.sh and ../oracle/lib.sh; never run.
#
# Every instance (one case in one IP family) gets its own client -- router
# -- server topology, so that the counters of each netns count that
# instance alone and the cases can run in parallel.  In each router an nft
# table "td" (td_nft) counts what each end sent (ground truth, before any
# drop) and what went through (after the drops), and holds the case's
# loss rules.  A "tcpclose watch -j" runs in each of the three netns from
# before the case until its flows are gone; counters are read from
# /proc/PID/net/tcpclose of that process.  One bpftrace session (the
# oracle) records the kernel's and the mirror's states of every local
# endpoint.  check.py then compares everything with the expectations of
# each case.
#
# Files of instance I in $TD_WORK: I.{c,r,s}.{before,after} (counters),
# I.{c,r,s}.watch (events), I.{c,r,s}.flows (flows -j at the end), I.nft
# (the router's nft counters), I.client, I.server (tcpx outputs), I.rc.

TD_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
TD_CLI=$TOP/tools/tcpclose
TD_WORK=
TD_N=0
declare -a TD_CASE TD_FAM TD_C TD_R TD_S TD_CPORT TD_SPORT TD_ADDR TD_SIX
declare -a TD_WC TD_WR TD_WS TD_OPEN TD_NSC TD_NSS TD_LOG

# td_instance CASE FAMILY: a new instance (its number in TD_N), on its own
# topology, made by td_build: R 10.0.1.1 / fd00:1::1 on veth1 towards C
# 10.0.1.2 / fd00:1::2, R 10.0.2.1 / fd00:2::1 on veth2 towards S
# 10.0.2.2 / fd00:2::2, as lib.sh's topology_crs.  The client binds port
# 7000+I, the server listens on 6000+I.
td_instance()
{
	local i sfx

	TD_N=$((TD_N + 1))
	i=$TD_N
	sfx=$(mktemp -u XXXXXX)
	TD_CASE[i]=$1 TD_FAM[i]=$2
	TD_C[i]=td${i}c-$sfx TD_R[i]=td${i}r-$sfx TD_S[i]=td${i}s-$sfx
	TD_CPORT[i]=$((7000 + i)) TD_SPORT[i]=$((6000 + i))
	if [ "$2" = ipv6 ]; then
		TD_ADDR[i]=fd00:2::2 TD_SIX[i]=-6
	else
		TD_ADDR[i]=10.0.2.2 TD_SIX[i]=
	fi
}

# td_build: the topologies of every instance, in few commands: under TCG
# each costs 0.1 to 0.5 s, more while bpftrace attaches.  One batch makes
# every netns and veth pair, one more per netns sets it up.  The hosts'
# default routes get the options in TD_ROUTE_OPTS (teardown_r.sh:
# "quickack 1").
td_build()
{
	local i c r s

	for ((i = 1; i <= TD_N; i++)); do
		NS_LIST+=("${TD_C[i]}" "${TD_R[i]}" "${TD_S[i]}")
	done
	for ((i = 1; i <= TD_N; i++)); do
		c=${TD_C[i]} r=${TD_R[i]} s=${TD_S[i]}
		echo "netns add $c"
		echo "netns add $r"
		echo "netns add $s"
		echo "link add veth1 netns $r type veth peer name veth1 netns $c"
		echo "link add veth2 netns $r type veth peer name veth2 netns $s"
	done | ip -b - || return 1
	for ((i = 1; i <= TD_N; i++)); do
		c=${TD_C[i]} r=${TD_R[i]} s=${TD_S[i]}
		ip -n "$r" -b - <<-EOF || return 1
		link set lo up
		addr add 10.0.1.1/24 dev veth1
		addr add fd00:1::1/64 dev veth1 nodad
		addr add 10.0.2.1/24 dev veth2
		addr add fd00:2::1/64 dev veth2 nodad
		link set veth1 up
		link set veth2 up
		EOF
		ip -n "$c" -b - <<-EOF || return 1
		link set lo up
		addr add 10.0.1.2/24 dev veth1
		addr add fd00:1::2/64 dev veth1 nodad
		link set veth1 up
		route add default via 10.0.1.1 ${TD_ROUTE_OPTS:-}
		route add ::/0 via fd00:1::1 ${TD_ROUTE_OPTS:-}
		EOF
		ip -n "$s" -b - <<-EOF || return 1
		link set lo up
		addr add 10.0.2.2/24 dev veth2
		addr add fd00:2::2/64 dev veth2 nodad
		link set veth2 up
		route add default via 10.0.2.1 ${TD_ROUTE_OPTS:-}
		route add ::/0 via fd00:2::1 ${TD_ROUTE_OPTS:-}
		EOF
	done
}

# td_in NS CMD...: CMD in netns NS.  Unlike "ip netns exec", nsenter
# enters the network namespace only (no mount namespace, no /sys remount):
# enough for sysctl, nft and ss, and cheaper.
td_in()
{
	local ns=$1

	shift
	nsenter --net="/run/netns/$ns" "$@"
}

# td_sysctl NS NAME=VALUE...
td_sysctl()
{
	local ns=$1

	shift
	td_in "$ns" sysctl -qw "$@"
}

# The router's counters: what each end sent (_in, before the case's drop
# rules) and what went through (_out).  c_synack and s_syn: a simultaneous
# open (R1).  c_ack_sfin: the client's pure ACKs
# once a server FIN reached the router (the ACKs of that FIN and of its
# retransmissions), s_ack_cfin the same the other way.  d_drop: what the
# case's rules dropped.
TD_NFT_COUNTERS="c_syn c_synack c_rst c_fin c_ack_sfin s_syn s_synack s_rst s_fin s_ack_cfin"

# td_nft I RULE...: forwarding on in the router of I (every setup_CASE
# calls td_nft once), and its table: ground truth counters, then the
# case's RULEs (nft rule text for chain "c"; they may use the sets cfin
# and sfin (a client / server FIN reached the router), once (a one-shot
# drop), gone (a side that vanished) and lifted (its drops are over), all
# keyed by client port . server port, oldfin (client port . server port .
# sequence number), and the counter d_drop; td_drop I is the action of a
# drop rule), then the counters of what went through.  With TD_LOG[I] set
# (before td_nft), FINs and dropped segments are logged to the kernel log
# with the prefix "tdI " and their sequence numbers (the kernel log holds
# 128 KiB: only where a case checks them).
td_nft()
{
	local i=$1 n rules='' counters='' r

	shift
	for n in $TD_NFT_COUNTERS; do
		counters+="counter ${n}_in { }"$'\n'"counter ${n}_out { }"$'\n'
	done
	for r in "$@"; do
		rules+="$r"$'\n'
	done
	# shellcheck disable=SC2016
	td_in "${TD_R[i]}" sh -c 'sysctl -qw net.ipv4.ip_forward=1 \
		net.ipv6.conf.all.forwarding=1 && nft -f -' <<-EOF
	table inet td {
	$counters
	counter d_drop { }
	set cfin { type inet_service . inet_service; flags dynamic; }
	set sfin { type inet_service . inet_service; flags dynamic; }
	set once { type inet_service . inet_service; flags dynamic; }
	set gone { type inet_service . inet_service; flags dynamic; }
	set lifted { type inet_service . inet_service; flags dynamic; }
	set oldfin { typeof tcp dport . tcp sport . tcp sequence; flags dynamic; }
	chain c {
		type filter hook forward priority 0; policy accept;
		meta l4proto != tcp accept
		$(td_nft_count "$i" in)
		$(td_nft_log "$i")
		iifname "veth1" tcp flags & fin == fin add @cfin { tcp sport . tcp dport }
		iifname "veth2" tcp flags & fin == fin add @sfin { tcp dport . tcp sport }
		$rules
		$(td_nft_count "$i" out)
	}
	}
	EOF
}

# With TD_LOG[I] set, the FINs are logged, with their sequence numbers.
td_nft_log()
{
	[ -n "${TD_LOG[$1]:-}" ] || return 0
	cat <<-EOF
	iifname "veth1" tcp flags & fin == fin log prefix "td$1 cfin " flags tcp sequence
	iifname "veth2" tcp flags & fin == fin log prefix "td$1 sfin " flags tcp sequence
	EOF
}

# td_drop I: the action of a drop rule of I (logged with TD_LOG[I]).
td_drop()
{
	[ -n "${TD_LOG[$1]:-}" ] && printf 'log prefix "td%s drop " flags tcp sequence ' "$1"
	echo "counter name d_drop drop"
}

# The counting rules, for _in or _out.
td_nft_count()
{
	local sfx=$2 pure='tcp flags & (fin|syn|rst|ack) == ack'

	cat <<-EOF
	iifname "veth1" tcp flags & (syn|ack) == syn counter name c_syn_$sfx
	iifname "veth1" tcp flags & (syn|ack) == syn|ack counter name c_synack_$sfx
	iifname "veth1" tcp flags & rst == rst counter name c_rst_$sfx
	iifname "veth1" tcp flags & fin == fin counter name c_fin_$sfx
	iifname "veth1" $pure tcp sport . tcp dport @sfin tcp sport . tcp dport != @lifted counter name c_ack_sfin_$sfx
	iifname "veth2" tcp flags & (syn|ack) == syn counter name s_syn_$sfx
	iifname "veth2" tcp flags & (syn|ack) == syn|ack counter name s_synack_$sfx
	iifname "veth2" tcp flags & rst == rst counter name s_rst_$sfx
	iifname "veth2" tcp flags & fin == fin counter name s_fin_$sfx
	iifname "veth2" $pure tcp dport . tcp sport @cfin tcp dport . tcp sport != @lifted counter name s_ack_cfin_$sfx
	EOF
}

# td_nft_get I COUNTER: packets of one of the router's counters.
td_nft_get()
{
	td_in "${TD_R[$1]}" nft list counter inet td "$2" |
		awk '$1 == "packets" { print $2 }'
}

# td_nft_ge I COUNTER N: the counter reached N.
td_nft_ge()
{
	local v

	v=$(td_nft_get "$1" "$2")
	[ "${v:-0}" -ge "$3" ]
}

# --- watch and counters -----------------------------------------------------

# td_watch_start I: "tcpclose watch -j" in the three netns of I.
td_watch_start()
{
	local i=$1 v ns

	for v in c r s; do
		case $v in
		c) ns=${TD_C[i]} ;;
		r) ns=${TD_R[i]} ;;
		s) ns=${TD_S[i]} ;;
		esac
		"$TD_CLI" -n "$ns" watch -j >"$TD_WORK/$i.$v.watch" 2>&1 &
		BG_PIDS+=($!)
		case $v in
		c) TD_WC[i]=$! ;;
		r) TD_WR[i]=$! ;;
		s) TD_WS[i]=$! ;;
		esac
	done
}

# td_netlink PID FIELD: FIELD (4 Groups, 5 Rmem) of PID's own netlink
# socket, from /proc/PID/net/netlink (the netns of PID).  In bash alone:
# this is polled, and every process costs under TCG.
td_netlink()
{
	local f

	while read -r -a f; do
		[ "${f[1]}" = 16 ] && [ "${f[2]}" = "$1" ] && echo "${f[$(($2 - 1))]}"
	done <"/proc/$1/net/netlink" 2>/dev/null
}

# td_watching: every watch process has joined the events group.
td_watching()
{
	local i pid g

	for ((i = 1; i <= TD_N; i++)); do
		for pid in "${TD_WC[i]}" "${TD_WR[i]}" "${TD_WS[i]}"; do
			g=$(td_netlink "$pid" 4)
			[ -n "$g" ] && [ "$g" != 00000000 ] || return 1
		done
	done
}

# td_drained I: the watch processes of I have read every queued event.
td_drained()
{
	local pid

	for pid in "${TD_WC[$1]}" "${TD_WR[$1]}" "${TD_WS[$1]}"; do
		[ "$(td_netlink "$pid" 5)" = 0 ] || return 1
	done
}

# td_counters PID: the counters of the netns of PID.
td_counters()
{
	echo "$(<"/proc/$1/net/tcpclose")"
}

# td_snapshot I TAG: counters of the three vantages into I.{c,r,s}.TAG.
td_snapshot()
{
	td_counters "${TD_WC[$1]}" >"$TD_WORK/$1.c.$2"
	td_counters "${TD_WR[$1]}" >"$TD_WORK/$1.r.$2"
	td_counters "${TD_WS[$1]}" >"$TD_WORK/$1.s.$2"
}

# The gauges that are not zero, "name=value ...", of the netns of PID (in
# bash alone: this is polled, and every process costs under TCG).
td_gauges()
{
	local k v out=

	while read -r k v; do
		case $k in
		flows_active | state_* | close_wait_stuck)
			[ "$v" != 0 ] && out+=" $k=$v" ;;
		esac
	done <"/proc/$1/net/tcpclose"
	echo "${out# }"
}

# td_settled I: the mirror of each vantage has let go of every flow of I
# (or holds only those TD_OPEN[I] names: "r:GAUGES s:GAUGES", GAUGES as
# td_gauges prints them, with commas), and the kernel has no socket left
# in the client or the server netns but TIME_WAIT (unless TD_OPEN is set).
td_settled()
{
	local i=$1 v pid want w

	for v in c r s; do
		case $v in
		c) pid=${TD_WC[i]} ;;
		r) pid=${TD_WR[i]} ;;
		s) pid=${TD_WS[i]} ;;
		esac
		want=
		for w in ${TD_OPEN[i]:-}; do
			[ "${w%%:*}" = "$v" ] && want=${w#*:} && want=${want//,/ }
		done
		[ "$(td_gauges "$pid")" = "$want" ] || return 1
	done
	[ -n "${TD_OPEN[i]:-}" ] && return 0
	td_kernel_settled "${TD_WC[i]}" && td_kernel_settled "${TD_WS[i]}"
}

# td_kernel_settled PID: no TCP socket in the netns of PID but listeners
# (0A) and TIME_WAIT (06).
td_kernel_settled()
{
	local f st _

	for f in "/proc/$1/net/tcp" "/proc/$1/net/tcp6"; do
		while read -r _ _ _ st _; do
			case $st in
			st | 06 | 0A) ;;
			*) return 1 ;;
			esac
		done <"$f"
	done
}

# td_collect I: after the case: the counters, the router's nft counters,
# the flows still tracked, and the events (once the watches drained).
td_collect()
{
	local i=$1 v ns

	td_snapshot "$i" after
	td_in "${TD_R[i]}" nft -j list counters table inet td >"$TD_WORK/$i.nft"
	# The flows still tracked: only a case that leaves some open has any.
	for v in c r s; do
		case $v in
		c) ns=${TD_C[i]} ;;
		r) ns=${TD_R[i]} ;;
		s) ns=${TD_S[i]} ;;
		esac
		if [ -n "${TD_OPEN[i]:-}" ]; then
			"$TD_CLI" -n "$ns" flows -j >"$TD_WORK/$i.$v.flows" 2>&1
		else
			echo '[]' >"$TD_WORK/$i.$v.flows"
		fi
	done
	slowwait 10 td_drained "$i" ||
		ktap_print_msg "instance $i: a watch did not drain its events"
	kill "${TD_WC[i]}" "${TD_WR[i]}" "${TD_WS[i]}" 2>/dev/null
}

# --- running the cases ------------------------------------------------------

# td_server I OPTS...: tcpx server of instance I (run it in the
# background); output in I.server, its pid in I.spid (td_server_kill).
td_server()
{
	local i=$1 pid

	shift
	# nsenter execs tcpx: $! is the server itself.
	# shellcheck disable=SC2086,SC2046
	nsenter --net="/run/netns/${TD_S[i]}" $(td_rt) "$TCPX" server ${TD_SIX[i]} \
		-p "${TD_SPORT[i]}" "$@" >>"$TD_WORK/$i.server" 2>&1 &
	pid=$!
	echo "$pid" >"$TD_WORK/$i.spid"
	wait "$pid"
}

# td_server_kill I: the server process exits: the kernel closes its socket
# as close() would.
td_server_kill()
{
	local pid

	pid=$(cat "$TD_WORK/$1.spid" 2>/dev/null) && kill "$pid" 2>/dev/null
}

# td_client I OPTS...: tcpx client of instance I; output in I.client.
td_client()
{
	local i=$1

	shift
	# shellcheck disable=SC2046
	td_in "${TD_C[i]}" $(td_rt) "$TCPX" client -p "${TD_SPORT[i]}" \
		-b "${TD_CPORT[i]}" "$@" "${TD_ADDR[i]}" >>"$TD_WORK/$i.client" 2>&1
}

# td_rt: with TD_RT=1 (TD_RT=1 td_server ...), the program runs at
# real-time priority (the timing-sensitive cases).
td_rt()
{
	[ "${TD_RT:-0}" = 1 ] && echo chrt -f 20
}

# td_wait_listen I: until the server of I listens.
td_wait_listen()
{
	slowwait 10 td_listening "$1"
}

td_listening()
{
	local f p laddr st _

	printf -v p ':%04X' "${TD_SPORT[$1]}"
	for f in "/proc/${TD_WS[$1]}/net/tcp" "/proc/${TD_WS[$1]}/net/tcp6"; do
		while read -r _ laddr _ st _; do
			[ "$st" = 0A ] && [ "${laddr: -5}" = "$p" ] && return 0
		done <"$f"
	done
	return 1
}

# td_run I: the case function of instance I ("case_" + its case, lower
# case, "-" as "_"), with its status in I.rc.
td_run()
{
	local i=$1 fn rc

	fn=case_$(td_fn "${TD_CASE[i]}")
	"$fn" "$i"
	rc=$?
	echo "$rc" >"$TD_WORK/$i.rc"
}

# td_settle_all [TIMEOUT]: until every instance settled.
td_settle_all()
{
	local i t0=$SECONDS times=

	for ((i = 1; i <= TD_N; i++)); do
		slowwait "${1:-30}" td_settled "$i" ||
			ktap_print_msg "instance $i (${TD_CASE[i]} ${TD_FAM[i]}) did not settle: client '$(td_gauges "${TD_WC[i]}")' router '$(td_gauges "${TD_WR[i]}")' server '$(td_gauges "${TD_WS[i]}")'"
		times+=" ${TD_CASE[i]}/${TD_FAM[i]}:$((SECONDS - t0))"
	done
	ktap_print_msg "settled (s after the cases):$times"
}

# td_inode PID: the inode of the netns of PID.
td_inode()
{
	stat -L -c %i "/proc/$1/ns/net"
}

# td_manifest: one line per instance for check.py.
td_manifest()
{
	local i

	for ((i = 1; i <= TD_N; i++)); do
		echo "$i ${TD_CASE[i]} ${TD_FAM[i]} ${TD_CPORT[i]} ${TD_SPORT[i]}" \
			"${TD_NSC[i]} ${TD_NSS[i]}"
	done
}

# td_check: check.py's results over every instance (td_main), as KTAP.
td_check()
{
	local line kind text

	while IFS= read -r line; do
		kind=${line%%|*} text=${line#*|}
		case $kind in
		PASS) ktap_test_pass "$text" ;;
		FAIL) ktap_test_fail "$text" ;;
		MSG) ktap_print_msg "$text" ;;
		*) ktap_print_msg "$line" ;;
		esac
	done <"$TD_WORK/results"
}

# td_phases PHASE...: the phases, one a line, each cut into phases of at
# most TCPCLOSE_TD_PHASE_CASES cases if that is set (make check-debug: on
# the debug kernel a dozen instances at once take the cases out of the
# timing they are designed for).
td_phases()
{
	local ph per cs j

	for ph in "$@"; do
		read -ra cs <<<"$ph"
		per=${TCPCLOSE_TD_PHASE_CASES:-0}
		[ "$per" -gt 0 ] 2>/dev/null || per=${#cs[@]}
		for ((j = 0; j < ${#cs[@]}; j += per)); do
			echo "${cs[*]:j:per}"
		done
	done
}

# td_main PHASE...: the whole test.  The caller sets TD_CASES (case
# names), TD_FAMILIES, TD_PARAMS (module parameters) and defines, for each
# case, setup_CASE I (nft rules, sysctls: before the watches start) and
# case_CASE I (the case itself; 0 when its programs did what they should),
# with CASE in lower case and "-" as "_".  Each PHASE is a list of case
# names whose instances run in parallel; the phases run one after the
# other (td_phases).  Six results per instance (check.py).
td_main()
{
	local i c fam ph start start0 rtc0 pids misses misses0 t_collect t_compare
	local t_phase
	local args=() phases

	ktap_print_header
	if ! command -v bpftrace >/dev/null; then
		ktap_skip_all "bpftrace not installed"
		exit "$KSFT_SKIP"
	fi
	# shellcheck disable=SC2153
	ktap_set_plan $((${#TD_CASES[@]} * ${#TD_FAMILIES[@]} * 6))
	require_module "${TD_PARAMS[@]}"
	if ! oracle_has_mirror; then
		ktap_skip_all "the module has no tcpclose tracepoints"
		exit "$KSFT_SKIP"
	fi
	start=$SECONDS
	rtc0=$(td_rtc)
	dmesg_mark
	TD_WORK=$(mktemp -d /tmp/teardown.XXXXXX)
	# The one bpftrace session: it attaches while the instances are made.
	oracle_start "$TD_WORK/events"
	sysctl -qw net.netfilter.nf_log_all_netns=1
	for c in "${TD_CASES[@]}"; do
		for fam in "${TD_FAMILIES[@]}"; do
			td_instance "$c" "$fam"
		done
	done
	td_build || ktap_exit_fail_msg "the topologies could not be made"
	for ((i = 1; i <= TD_N; i++)); do
		"setup_$(td_fn "${TD_CASE[i]}")" "$i" ||
			ktap_exit_fail_msg "instance $i (${TD_CASE[i]} ${TD_FAM[i]}): setup failed"
		td_watch_start "$i"
	done
	slowwait 60 td_watching || ktap_print_msg "not every watch joined the events group"
	# The watches are in their netns now: its inode, for the oracle.
	for ((i = 1; i <= TD_N; i++)); do
		TD_NSC[i]=$(td_inode "${TD_WC[i]}")
		TD_NSS[i]=$(td_inode "${TD_WS[i]}")
		args+=(--netns "${TD_NSC[i]}" --netns "${TD_NSS[i]}")
	done
	ktap_print_msg "$TD_N instances made in $((SECONDS - start)) s"
	start0=$start
	if ! oracle_wait; then
		ktap_print_msg "bpftrace could not attach: $(head -3 "$TD_WORK/events.err")"
		exit "$KSFT_SKIP"
	fi
	ktap_print_msg "bpftrace attached in $((SECONDS - start)) s"
	for ((i = 1; i <= TD_N; i++)); do
		td_snapshot "$i" before
	done
	# Misses before the cases (while attaching, making the instances)
	# cost nothing: no connection of the cases was open.
	misses0=$(oracle_misses)
	start=$SECONDS
	mapfile -t phases < <(td_phases "$@")
	for ph in "${phases[@]}"; do
		t_phase=$SECONDS
		pids=()
		for ((i = 1; i <= TD_N; i++)); do
			[[ " $ph " == *" ${TD_CASE[i]} "* ]] || continue
			td_run "$i" &
			pids+=($!)
			# Staggered, so that the closes and the timers of the
			# instances do not all fall together: the oracle misses
			# events when a BPF program interrupts itself.
			sleep 0.2
		done
		wait "${pids[@]}"
		# Printed as it goes: a test killed by its timeout still
		# tells which phase it was in.
		ktap_print_msg "phase $ph: $((SECONDS - t_phase)) s"
	done
	ktap_print_msg "cases ran in $((SECONDS - start)) s"
	td_settle_all 30
	ktap_print_msg "cases settled after $((SECONDS - start)) s"
	td_clock_check "$rtc0" "$start0"
	misses=$(($(oracle_misses) - misses0))
	pids=()
	for ((i = 1; i <= TD_N; i++)); do
		td_collect "$i" &
		pids+=($!)
	done
	wait "${pids[@]}"
	t_collect=$SECONDS
	oracle_stop 0.5
	ktap_print_msg "oracle: BPF programs missed $misses runs during the cases ($misses0 before)"
	# The oracle lost events (a softirq's BPF programs are skipped while
	# another runs on that CPU): its record is incomplete and would judge
	# the mirror against truncated kernel sequences.  As oracle.sh does:
	# run again, from scratch, before any result is printed (three runs
	# in all at most).
	[ "${misses:-0}" -gt 0 ] &&
		td_again "oracle: the record is incomplete; running the test again"
	oracle_compare --all "${args[@]}" >"$TD_WORK/compare" 2>"$TD_WORK/compare.err"
	ktap_print_msg "oracle: $(grep '^summary' "$TD_WORK/compare")"
	t_compare=$SECONDS
	td_manifest >"$TD_WORK/manifest"
	# This run's kernel log only: a first run (see below) logged the
	# same prefixes.
	dmesg | tail -n +"$((DMESG_MARK + 1))" >"$TD_WORK/dmesg"
	"$PY" "$TD_DIR/check.py" "$TD_WORK" >"$TD_WORK/results" 2>&1
	# A case that did not happen as designed (the timing a case needs,
	# lost under TCG on a loaded host: the FINs of N3 did not cross, say)
	# runs again from scratch, as for the oracle; the results given up
	# are printed.  One that fails in the last run is a failure.
	if grep -q '^FAIL|.*: as designed: ' "$TD_WORK/results" &&
	   [ "${TCPCLOSE_TD_RETRY:-0}" -lt 2 ]; then
		grep -E '^(FAIL|MSG)\|' "$TD_WORK/results" | grep -E 'as designed' |
			while IFS= read -r line; do ktap_print_msg "  ${line#*|}"; done
		td_again "not as designed (above): running the test again"
	fi
	td_check
	ktap_print_msg "after the cases: collected at $((t_collect - start)) s, compared at $((t_compare - start)) s, checked at $((SECONDS - start)) s"
	ktap_finished
}

# td_again WHY: while runs are left (three in all), say WHY and run the
# test again from scratch, keeping this run's kernel log for
# TCPCLOSE_TD_KEEP.
td_again()
{
	[ "${TCPCLOSE_TD_RETRY:-0}" -lt 2 ] || return 0
	ktap_print_msg "$1"
	dmesg | tail -n +"$((DMESG_MARK + 1))" >"$TD_WORK/dmesg"
	TD_RETRYING=1
	td_cleanup
	trap - EXIT
	TCPCLOSE_TD_RETRY=$((${TCPCLOSE_TD_RETRY:-0} + 1)) exec "$0"
}

# td_rtc: seconds of the RTC (QEMU's follows the host's clock), or nothing.
td_rtc()
{
	cat /sys/class/rtc/rtc0/since_epoch 2>/dev/null
}

# td_clock_check RTC0 SECONDS0: warn if the guest's clock ran apart from
# the RTC since then.  Under TCG on a loaded host the kernel may calibrate
# its TSC from the PIT, wrongly ("tsc: Using PIT calibration value"): the
# guest's clock, and every TCP timer, then runs several times too fast
# while the test's own steps do not, and the cases cannot happen as
# designed.
td_clock_check()
{
	local rtc guest=$((SECONDS - $2))

	rtc=$(td_rtc) || return 0
	[ -n "$1" ] && [ -n "$rtc" ] || return 0
	rtc=$((rtc - $1))
	[ "$rtc" -ge 10 ] || return 0
	if [ $((guest * 4)) -gt $((rtc * 5)) ] || [ $((guest * 5)) -lt $((rtc * 4)) ]; then
		ktap_print_msg "warning: the guest's clock ran $guest s while the RTC ran $rtc s; $(dmesg | grep -m1 -o 'tsc: Detected.*') : timings are off"
	fi
}

# td_fn CASE: CASE as a function name suffix.
td_fn()
{
	local f=${1,,}

	echo "${f//-/_}"
}

# td_cleanup: the namespaces in one go (ip -b), then lib.sh's cleanup.
td_cleanup()
{
	local pid ns

	for pid in "${BG_PIDS[@]}" $(cat "$TD_WORK"/*.spid 2>/dev/null); do
		kill "$pid" 2>/dev/null
	done
	wait 2>/dev/null
	for ns in "${NS_LIST[@]}"; do
		echo "netns delete $ns"
	done | ip -b - 2>/dev/null
	NS_LIST=()
	if [ -n "$TD_WORK" ] && [ -n "${TCPCLOSE_TD_KEEP:-}" ]; then
		local keep=$TCPCLOSE_TD_KEEP

		[[ $keep == /* ]] || keep=$TOP/$keep
		# A run given up for another (td_main) in a subdirectory.
		[ -n "${TD_RETRYING:-}" ] && keep=$keep/run$((${TCPCLOSE_TD_RETRY:-0} + 1))
		mkdir -p "$keep" && cp -r "$TD_WORK"/. "$keep"
	fi
	[ -n "$TD_WORK" ] && rm -rf "$TD_WORK"
	tcpclose_cleanup
}
trap td_cleanup EXIT
