#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The kernel oracle: for every local endpoint of the teardown scenarios
# (client -- router -- server, IPv4 and IPv6), the mirror's state sequence
# (tcpclose:state_change, local=1) must equal the kernel's own socket state
# sequence (sock:inet_sock_set_state, tcp_time_wait and the timewait
# mini-socket), normalised as in oracle/README.  One bpftrace session
# records the whole test.  Each result also checks that the kernel did
# what the scenario is about (e.g. N2 really is a three-segment close), so
# a scenario that degenerated cannot pass unnoticed.
#
# Scenarios (ids of the teardown scenario catalogue), under fin_timeout=2:
#   n1         client close(); server close()s 500 ms after EOF
#   n2         server close()s at EOF: its FIN ACKs the client's
#   n3         both shutdown(SHUT_WR) at one instant; 50 ms netem delay
#              each way, so the FINs cross (simultaneous close)
#   n4         the server closes first
#   linger0    client SO_LINGER {1, 0} close(): RST
#   unread     client close()s with unread data: RST
#   f5-orphan  client close(); the server holds its socket HOLD s
#   f5-held    client shutdown(SHUT_WR), keeps its fd and reads; the
#              server holds its socket HOLD s
# n1..f5-held run in parallel with fin_timeout_action=observe, then
# f5-orphan and f5-held again with fin_timeout_action=reset.
#
# Known divergence, asserted as such: f5-held under observe.  Linux's
# tcp_fin_timeout covers orphans only, so the kernel socket stays in
# FIN_WAIT2 until the server's FIN (then TIME_WAIT), while the mirror
# declares the client CLOSED after fin_timeout (timeout_fin_wait2).
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/oracle/lib.sh"

HOLD=6			# s the F5 servers keep their socket
FIN_TIMEOUT=2		# s: the mirror's fin_timeout, the client's tcp_fin_timeout
OBSERVE=(n1 n2 n3 n4 linger0 unread f5-orphan f5-held)
RESET=(f5-orphan f5-held)
FAMILIES=(ipv4 ipv6)

declare -A SRV CLI EXP_C EXP_S
SRV[n1]="-w 500";	CLI[n1]=""
SRV[n2]="";		CLI[n2]=""
SRV[n3]="-S";		CLI[n3]="-S"
SRV[n4]="-f";		CLI[n4]="-E -w 500"
SRV[linger0]="-w 0";	CLI[linger0]="-m linger0"
SRV[unread]="-x 100";	CLI[unread]="-m unread"
SRV[f5-orphan]="-H $HOLD"; CLI[f5-orphan]=""
SRV[f5-held]="-H $HOLD"; CLI[f5-held]="-m shutdown -t 20"

# Timing-sensitive scenarios: N2 needs the server to close() before its
# delayed ACK (>= 40 ms) fires, N3 both shutdown()s within the 50 ms
# one-way delay.  Under TCG with everything else running, a process can
# take longer than that to wake up: these run at real-time priority and
# start LATE_START s after the others, once the crowd of handshakes and
# closes is over.
declare -A RT_SRV RT_CLI
RT_SRV[n2]=1
RT_SRV[n3]=1; RT_CLI[n3]=1
LATE=" n2 n3 "
LATE_START=2

# The kernel's normalised sequences each scenario must produce (extended
# regular expressions over comma-separated state names).
OPEN_C="SYN_SENT,ESTABLISHED"
OPEN_S="LISTEN,SYN_RECV,ESTABLISHED"
EXP_C[n1]="$OPEN_C,FIN_WAIT1,FIN_WAIT2,TIME_WAIT"
EXP_S[n1]="$OPEN_S,CLOSE_WAIT,LAST_ACK,CLOSED"
EXP_C[n2]="$OPEN_C,FIN_WAIT1,TIME_WAIT"
EXP_S[n2]="$OPEN_S,CLOSE_WAIT,LAST_ACK,CLOSED"
EXP_C[n3]="$OPEN_C,FIN_WAIT1,CLOSING,TIME_WAIT"
EXP_S[n3]="$OPEN_S,FIN_WAIT1,CLOSING,TIME_WAIT"
EXP_C[n4]="$OPEN_C,CLOSE_WAIT,LAST_ACK,CLOSED"
EXP_S[n4]="$OPEN_S,FIN_WAIT1,FIN_WAIT2,TIME_WAIT"
EXP_C[linger0]="$OPEN_C,CLOSED"
EXP_S[linger0]="$OPEN_S,CLOSED"
EXP_C[unread]="$OPEN_C,CLOSED"
EXP_S[unread]="$OPEN_S,CLOSED"
# The orphan's FIN_WAIT2 mini-socket dies after tcp_fin_timeout (or when
# the module's reset aborts it: tcp_abort() only unhashes a timewait
# socket, no RST); the server's late FIN is answered by an RST.
EXP_C[f5-orphan]="$OPEN_C,FIN_WAIT1,FIN_WAIT2,CLOSED"
EXP_S[f5-orphan]="$OPEN_S,CLOSE_WAIT,LAST_ACK,CLOSED"
EXP_C[f5-held]="$OPEN_C,FIN_WAIT1,FIN_WAIT2,TIME_WAIT"
EXP_S[f5-held]="$OPEN_S,CLOSE_WAIT,LAST_ACK,CLOSED"
# ... and under fin_timeout_action=reset: tcp_abort, RST to the server.
EXP_C[f5-held/reset]="$OPEN_C,FIN_WAIT1,FIN_WAIT2,CLOSED"
EXP_S[f5-held/reset]="$OPEN_S,CLOSE_WAIT,CLOSED"

ktap_print_header
if ! command -v bpftrace >/dev/null; then
	ktap_skip_all "bpftrace not installed"
	exit "$KSFT_SKIP"
fi
ktap_set_plan $(( (${#OBSERVE[@]} + ${#RESET[@]}) * ${#FAMILIES[@]} + ${#FAMILIES[@]} ))
require_module

# Module parameters, when the module has them.
mod_param()
{
	local f=/sys/module/tcpclose/parameters/$1

	[ -w "$f" ] && echo "$2" >"$f"
}

WORK=$(mktemp -d /tmp/oracle.XXXXXX)
start=$SECONDS
# The one bpftrace session: it attaches while the topology is set up.
oracle_start "$WORK/events"

topology_crs
# 50 ms each way: N3's FINs cross.
tc -n "$R" qdisc add dev veth1 root netem delay 50ms
tc -n "$R" qdisc add dev veth2 root netem delay 50ms
# The orphaned F5 client leaves its FIN_WAIT2 mini-socket after 2 s.
ip netns exec "$C" sysctl -qw net.ipv4.tcp_fin_timeout=$FIN_TIMEOUT
# TCPCLOSE_ORACLE_NFTLOG=1: log every forwarded TCP segment to the kernel
# log (kept with TCPCLOSE_ORACLE_KEEP), to look into a divergence.
if [ "${TCPCLOSE_ORACLE_NFTLOG:-0}" = 1 ]; then
	sysctl -qw net.netfilter.nf_log_all_netns=1
	ip netns exec "$R" nft add table inet oracle_log
	ip netns exec "$R" nft add chain inet oracle_log segs \
		'{ type filter hook forward priority 0; }'
	ip netns exec "$R" nft add rule inet oracle_log segs meta l4proto tcp \
		log prefix '"oracle: "' flags tcp sequence,options
fi
NS_C=$(netns_inode "$C")
NS_S=$(netns_inode "$S")

have_mirror=$ORACLE_MIRROR
[ "$have_mirror" = 1 ] ||
	ktap_print_msg "the module has no tcpclose tracepoints: kernel sequences only"
mod_param fin_timeout "$FIN_TIMEOUT" ||
	ktap_print_msg "the module has no fin_timeout parameter"
have_reset=0
if mod_param fin_timeout_action observe; then
	have_reset=1
else
	ktap_print_msg "the module has no fin_timeout_action: no reset scenarios"
fi

if ! oracle_wait; then
	ktap_print_msg "bpftrace could not attach: $(head -3 "$WORK/events.err")"
	exit "$KSFT_SKIP"
fi
ktap_print_msg "bpftrace attached in $((SECONDS - start)) s"

# --- the scenarios ---------------------------------------------------------

N=0
declare -a R_SCEN R_FAM R_ACT R_SPORT R_CPORT R_SRV_RC R_CLI_RC

# run_phase ACTION SCENARIO...: every scenario over both families at once,
# each on its own ports, with fin_timeout_action=ACTION.
run_phase()
{
	local action=$1 scen fam i first=$((N + 1)) addr six late rt
	local -A spids cpids

	shift
	mod_param fin_timeout_action "$action"
	for scen in "$@"; do
		for fam in "${FAMILIES[@]}"; do
			N=$((N + 1))
			R_SCEN[N]=$scen R_FAM[N]=$fam R_ACT[N]=$action
			R_SPORT[N]=$((6000 + N)) R_CPORT[N]=$((7000 + N))
			six=
			[ "$fam" = ipv6 ] && six=-6
			rt=()
			[ -n "${RT_SRV[$scen]:-}" ] && rt=(chrt -f 20)
			# shellcheck disable=SC2086
			ip netns exec "$S" "${rt[@]}" "$TCPX" server $six \
				-p "${R_SPORT[N]}" ${SRV[$scen]} \
				>"$WORK/$N.server" 2>&1 &
			spids[$N]=$!
		done
	done
	slowwait 20 all_listening "$first" "$N" ||
		ktap_print_msg "not every server listens"
	for late in 0 1; do
		if [ $late = 1 ]; then
			for scen in "$@"; do
				[[ $LATE == *" $scen "* ]] && break
			done
			[[ $LATE == *" $scen "* ]] || break
			sleep "$LATE_START"
		fi
		for ((i = first; i <= N; i++)); do
			scen=${R_SCEN[i]}
			[[ $LATE == *" $scen "* ]] || [ $late = 0 ] || continue
			[[ $LATE == *" $scen "* ]] && [ $late = 0 ] && continue
			addr=10.0.2.2
			[ "${R_FAM[i]}" = ipv6 ] && addr=fd00:2::2
			rt=()
			[ -n "${RT_CLI[$scen]:-}" ] && rt=(chrt -f 20)
			# shellcheck disable=SC2086
			ip netns exec "$C" "${rt[@]}" "$TCPX" client \
				-p "${R_SPORT[i]}" -b "${R_CPORT[i]}" \
				${CLI[$scen]} "$addr" >"$WORK/$i.client" 2>&1 &
			cpids[$i]=$!
		done
	done
	for ((i = first; i <= N; i++)); do
		wait "${cpids[$i]}"
		R_CLI_RC[i]=$?
		wait "${spids[$i]}"
		R_SRV_RC[i]=$?
	done
	# Let the last segments land: no socket of the phase left but in
	# TIME_WAIT (LAST_ACK, CLOSING, FIN_WAIT_1 wait for an ACK).
	slowwait 30 settled "$S"
	slowwait 30 settled "$C"
}

# settled NS: no TCP socket in NS but listeners and TIME_WAIT.
settled()
{
	! ip netns exec "$1" ss -Htan state connected exclude time-wait |
		grep -q .
}

# all_listening FIRST LAST: every server of runs FIRST..LAST listens.
all_listening()
{
	local ports i

	ports=$(ip netns exec "$S" ss -Hltn | awk '{ n = split($4, a, ":"); print a[n] }')
	for ((i = $1; i <= $2; i++)); do
		grep -qx "${R_SPORT[i]}" <<<"$ports" || return 1
	done
}

start=$SECONDS
# Misses while bpftrace attached and the servers started cost nothing: no
# connection of the scenarios was open yet.
misses0=$(oracle_misses)
run_phase observe "${OBSERVE[@]}"
if [ "$have_reset" = 1 ]; then
	run_phase reset "${RESET[@]}"
	mod_param fin_timeout_action observe
fi
ktap_print_msg "scenarios took $((SECONDS - start)) s"
sleep 1
misses=$(($(oracle_misses) - misses0))
oracle_stop 0
# The oracle lost events (a softirq's BPF programs are skipped while
# another runs on that CPU): its record is incomplete, so the comparison
# would judge the mirror against a truncated kernel sequence.  Observe
# again, from scratch, before any result is printed, and say so: up to
# four runs in all (under TCG with both kernels' VMs on the host, one in
# two or three runs misses some; a CI rehearsal once used its three runs
# on two misses and one undesigned N2).  Four fit in the test's timeout:
# a run takes about 90 s.
# observe_again WHY: while runs are left, say WHY and run this test again.
observe_again()
{
	[ "${TCPCLOSE_ORACLE_RETRY:-0}" -lt 3 ] || return 0
	ktap_print_msg "oracle: $1; observing again"
	tcpclose_cleanup
	trap - EXIT
	TCPCLOSE_ORACLE_RETRY=$((${TCPCLOSE_ORACLE_RETRY:-0} + 1)) exec "$0" "${ARGS[@]}"
}
ARGS=("$@")
[ "${misses:-0}" -gt 0 ] &&
	observe_again "BPF programs missed $misses runs: the record is incomplete"
oracle_compare --all --netns "$NS_C" --netns "$NS_S" >"$WORK/compare" 2>"$WORK/compare.err"

# --- the results -----------------------------------------------------------

# conns NS LPORT RPORT: the comparator's lines for one local endpoint (one
# per socket life: more than one means a second kernel socket or mirror
# life on the tuple).
conns()
{
	awk -v n="$1" -v l="$2" -v r="$3" \
		'$1 == "conn" && $2 == n && $4 == l && $6 == r' "$WORK/compare"
}

# field LINE NAME: kernel= or mirror= of a conn line.
field()
{
	sed -n "s/.* $2=\([^ ]*\).*/\1/p" <<<"$1"
}

# undesigned: the scenarios whose kernel sequences are not the ones they
# were made for (a timing lost on a loaded TCG host: N2's server closing
# after its delayed ACK, say).
undesigned()
{
	local i scen act exp_c exp_s kc ks

	for ((i = 1; i <= N; i++)); do
		scen=${R_SCEN[i]} act=${R_ACT[i]}
		exp_c=${EXP_C[$scen/$act]:-${EXP_C[$scen]}}
		exp_s=${EXP_S[$scen/$act]:-${EXP_S[$scen]}}
		kc=$(field "$(conns "$NS_C" "${R_CPORT[i]}" "${R_SPORT[i]}" | head -1)" kernel)
		ks=$(field "$(conns "$NS_S" "${R_SPORT[i]}" "${R_CPORT[i]}" | head -1)" kernel)
		[[ $kc =~ ^($exp_c)$ ]] && [[ $ks =~ ^($exp_s)$ ]] ||
			echo "$scen/${R_FAM[i]}/$act"
	done
}

# As for misses: a record where a scenario did not happen as designed is
# not judged while runs are left.
bad=$(undesigned | tr '\n' ' ')
[ -n "$bad" ] && observe_again "not as designed: $bad"

for ((i = 1; i <= N; i++)); do
	scen=${R_SCEN[i]} fam=${R_FAM[i]} act=${R_ACT[i]}
	desc="$scen $fam fin_timeout_action=$act"
	ok=1
	exp_c=${EXP_C[$scen/$act]:-${EXP_C[$scen]}}
	exp_s=${EXP_S[$scen/$act]:-${EXP_S[$scen]}}
	call=$(conns "$NS_C" "${R_CPORT[i]}" "${R_SPORT[i]}")
	sall=$(conns "$NS_S" "${R_SPORT[i]}" "${R_CPORT[i]}")
	c=$(head -1 <<<"$call") s=$(head -1 <<<"$sall")
	if [ "$(grep -c . <<<"$call")" -gt 1 ] || [ "$(grep -c . <<<"$sall")" -gt 1 ]; then
		while read -r line; do
			ktap_print_msg "$desc: also $line"
		done < <(tail -n +2 <<<"$call"; tail -n +2 <<<"$sall")
		ok=0
	fi
	kc=$(field "$c" kernel) mc=$(field "$c" mirror)
	ks=$(field "$s" kernel) ms=$(field "$s" mirror)
	ktap_print_msg "$desc: client kernel $kc"
	ktap_print_msg "$desc: server kernel $ks"
	if [ "${R_CLI_RC[i]}" != 0 ] || [ "${R_SRV_RC[i]}" != 0 ]; then
		ktap_print_msg "$desc: tcpx client $(cat "$WORK/$i.client") (${R_CLI_RC[i]}), server $(cat "$WORK/$i.server") (${R_SRV_RC[i]})"
		ok=0
	fi
	# The scenario happened as designed.
	if ! [[ $kc =~ ^($exp_c)$ ]]; then
		ktap_print_msg "$desc: client kernel sequence: want $exp_c"
		ok=0
	fi
	if ! [[ $ks =~ ^($exp_s)$ ]]; then
		ktap_print_msg "$desc: server kernel sequence: want $exp_s"
		ok=0
	fi
	if [ "$have_mirror" = 0 ]; then
		if [ $ok = 1 ]; then
			ktap_test_skip "$desc: mirror = kernel (no tcpclose tracepoints)"
		else
			ktap_test_fail "$desc: kernel sequences as designed"
		fi
		continue
	fi
	ktap_print_msg "$desc: client mirror $mc"
	ktap_print_msg "$desc: server mirror $ms"
	if [ "$scen/$act" = f5-held/observe ]; then
		# The known divergence: the mirror's client times out of
		# FIN_WAIT2 into CLOSED while the kernel socket stays in
		# FIN_WAIT2 (and enters TIME_WAIT on the server's late FIN).
		want="${kc%,FIN_WAIT2,TIME_WAIT},FIN_WAIT2,CLOSED"
		if [ "${mc:0:${#want}}" != "$want" ]; then
			ktap_print_msg "$desc: client mirror: want $want (FIN_WAIT2 timeout)"
			ok=0
		fi
		v=$(awk -v n="$NS_C" -v p="${R_CPORT[i]}" \
			'$1 == "verdict" && $2 == n && $3 == "host" && $5 == p' \
			"$WORK/compare" | head -1)
		if ! [[ $v == *" timeout_fin_wait2 stalled=B "* ]]; then
			ktap_print_msg "$desc: client verdict '$v': want timeout_fin_wait2 stalled=B"
			ok=0
		fi
		what="mirror's client CLOSED at fin_timeout, kernel's FIN_WAIT2 (known), server mirror = kernel"
	else
		if [ "$kc" != "$mc" ] || [ -z "$kc" ]; then
			ktap_print_msg "$desc: client mirror differs from the kernel"
			ok=0
		fi
		what="mirror = kernel"
	fi
	if [ "$ks" != "$ms" ] || [ -z "$ks" ]; then
		ktap_print_msg "$desc: server mirror differs from the kernel"
		ok=0
	fi
	if [ $ok = 1 ]; then
		ktap_test_pass "$desc: $what"
	else
		ktap_test_fail "$desc: $what"
	fi
done

# fin_timeout_action=reset on a held FIN_WAIT2 socket: the application
# gets ECONNABORTED, the server an RST (its socket goes from CLOSE_WAIT
# straight to CLOSED, and it has EPIPE pending).
for ((i = 1; i <= N; i++)); do
	[ "${R_SCEN[i]}/${R_ACT[i]}" = f5-held/reset ] || continue
	desc="f5-held ${R_FAM[i]} fin_timeout_action=reset: client read ECONNABORTED, server got an RST"
	got="$(cat "$WORK/$i.client") / $(cat "$WORK/$i.server")"
	check_eq "$desc" "$got" "client read: ECONNABORTED / server so_error: EPIPE"
done
if [ "$have_reset" = 0 ]; then
	for scen in "${RESET[@]}"; do
		for fam in "${FAMILIES[@]}"; do
			ktap_test_skip "$scen $fam fin_timeout_action=reset (no such parameter)"
		done
	done
	for fam in "${FAMILIES[@]}"; do
		ktap_test_skip "f5-held $fam fin_timeout_action=reset: ECONNABORTED and RST (no such parameter)"
	done
fi

summary=$(grep '^summary' "$WORK/compare")
ktap_print_msg "oracle: BPF programs missed $misses runs"
ktap_print_msg "oracle: $summary"
if [ "$have_mirror" = 1 ]; then
	ktap_print_msg "oracle: transitions compared $(sed -n 's/.* transitions=\([0-9]*\).*/\1/p' <<<"$summary"), agreed $(sed -n 's/.* agreed=\([0-9]*\).*/\1/p' <<<"$summary") (f5-held under observe: 1 known disagreement per family)"
fi
# TCPCLOSE_ORACLE_KEEP=DIR: keep the events, tcpx outputs and comparison.
# A relative DIR is taken from the top of the repository.
if [ -n "${TCPCLOSE_ORACLE_KEEP:-}" ]; then
	keep=$TCPCLOSE_ORACLE_KEEP
	[[ $keep == /* ]] || keep=$TOP/$keep
	mkdir -p "$keep" && cp -r "$WORK"/. "$keep"
	dmesg | grep 'oracle: ' >"$keep/nftlog"
fi
rm -rf "$WORK"
ktap_finished
