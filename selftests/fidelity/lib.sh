#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The fidelity run's shell side; sourced after selftests/lib.sh and
# selftests/oracle/lib.sh by ../fidelity.sh and ./guest, inside the test
# VM, never run.  fid_main does it all (README):
#   1. one bpftrace session (the kernel oracle: oracle/kernel.bt and
#      mirror.bt) attaches while the topology is set up:
#      client -- router -- server, netem loss, delay with jitter and
#      reordering on both router links, the nft rules of the vanishing
#      peers, short kernel retry budgets and tcpclose timeouts;
#   2. gen (fidelity/gen.c) runs FID_N connections with a seeded random
#      mix of teardowns;
#   3. it waits until every kernel socket is gone or in TIME_WAIT and
#      every mirrored endpoint that has a timer has left its state;
#   4. fidelity/compare.py compares every local endpoint's mirrored state
#      sequence with the kernel's and prints the summary and the
#      disagreements with their histories.
# Everything is left in $FID_WORK: events (bpftrace), client and server
# (gen's logs), compare (the report), summary (its last lines), misses.

# The FID_* results of fid_main are read by its callers.
# shellcheck disable=SC2034
FID_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
FID_GEN=${FID_GEN:-$BUILD/selftests/fidelity/gen}

# Parameters (the callers set them before fid_main).
FID_N=${FID_N:-1000}		# connections
FID_LOSS=${FID_LOSS:-3}		# netem loss, %, each router link
FID_DELAY=${FID_DELAY:-10}	# netem delay, ms
FID_JITTER=${FID_JITTER:-5}	# netem jitter, ms (reorders)
FID_REORDER=${FID_REORDER:-5}	# netem reorder, % sent at once
FID_SEED=${FID_SEED:-}		# gen's seed (empty: from the clock)
FID_CONC=${FID_CONC:-64}	# connections at a time
FID_RATE=${FID_RATE:-0}		# connections started per second (0: no limit)
FID_FIN_TIMEOUT=${FID_FIN_TIMEOUT:-4}	# s: tcpclose fin_timeout = tcp_fin_timeout
FID_TIMER=${FID_TIMER:-12}	# s: fin_wait1_timeout, last_ack_timeout
FID_ORPHAN_RETRIES=${FID_ORPHAN_RETRIES:-3}
FID_MIN=${FID_MIN:-99}		# %: the least agreement that passes
FID_MIX=${FID_MIX:-}		# gen -m KIND=WEIGHT,... (empty: gen's default)
FID_LIST=${FID_LIST:-100}	# disagreements printed with their history
FID_BASE=5000			# gen's server ports: BASE .. BASE+3
FID_CPORT=10000			# the client's n-th connection: port CPORT + n

# The session's program (replaces oracle/lib.sh's): ./kernel.bt, the
# oracle's kernel.bt on fentry/fexit (it says why: the kprobe version
# loses hundreds of events per thousand connections under TCG), or with
# FID_KPROBES=1 oracle/kernel.bt itself and extra.bt; then
# oracle/mirror.bt with only the local endpoints' state changes (the
# comparison uses nothing else, and every event costs), unless
# FID_ALL_VANTAGES=1 (every vantage, for the histories).
oracle_program()
{
	if [ "${FID_KPROBES:-0}" = 1 ]; then
		cat "$ORACLE_DIR/kernel.bt" "$FID_DIR/extra.bt"
	else
		# the section between TWIN BEGIN and TWIN END twice, COPY a, b
		awk '
		/^\/\/ TWIN BEGIN/ { twin = 1; next }
		/^\/\/ TWIN END/ {
			for (c = 1; c <= 2; c++) {
				s = sec
				gsub(/@COPY@/, c == 1 ? "a" : "b", s)
				printf "%s", s
			}
			twin = 0
			next
		}
		twin { sec = sec $0 "\n"; next }
		{ print }' "$FID_DIR/kernel.bt"
	fi
	if oracle_has_mirror; then
		if [ "${FID_ALL_VANTAGES:-0}" = 1 ]; then
			cat "$ORACLE_DIR/mirror.bt"
		else
			sed 's|^tracepoint:tcpclose:state_change$|&\n/args->local/|' \
				"$ORACLE_DIR/mirror.bt"
		fi
	fi
}

# fid_prog_misses: "TYPE:TAG:MISSES" of each BPF program of the session
# with recursion misses (kprobe programs are type 2, tracepoints 5).
fid_prog_misses()
{
	local f

	[ -n "$ORACLE_PID" ] || return 0
	for f in /proc/"$ORACLE_PID"/fdinfo/*; do
		awk '$1 == "prog_type:" { t = $2 } $1 == "prog_tag:" { g = $2 }
		     $1 == "recursion_misses:" && $2 > 0 { print t ":" g ":" $2 }' "$f"
	done 2>/dev/null | sort | uniq -c
}

# fid_mod_param NAME VALUE
fid_mod_param()
{
	local f=/sys/module/tcpclose/parameters/$1

	[ -w "$f" ] && echo "$2" >"$f"
}

# fid_setup: the topology and its knobs (after oracle_start).
fid_setup()
{
	local ns dev

	topology_crs || return 1
	for ns in "$C" "$S"; do
		ip netns exec "$ns" sysctl -qw \
			net.ipv4.tcp_fin_timeout="$FID_FIN_TIMEOUT" \
			net.ipv4.tcp_orphan_retries="$FID_ORPHAN_RETRIES" \
			net.core.somaxconn=4096 \
			net.ipv4.tcp_max_syn_backlog=4096 \
			net.ipv4.tcp_max_tw_buckets=262144 || return 1
	done
	# Loss, delay with jitter (which reorders) and reordering, each way.
	for dev in veth1 veth2; do
		tc -n "$R" qdisc add dev "$dev" root netem limit 10000 \
			delay "${FID_DELAY}ms" "${FID_JITTER}ms" \
			reorder "${FID_REORDER}%" loss "${FID_LOSS}%" || return 1
	done
	fid_nft || return 1
	fid_mod_param fin_timeout "$FID_FIN_TIMEOUT" &&
	fid_mod_param fin_wait1_timeout "$FID_TIMER" &&
	fid_mod_param last_ack_timeout "$FID_TIMER" &&
	fid_mod_param syn_timeout 30 &&
	fid_mod_param fin_timeout_action observe
}

# fid_nft: the vanishing peers, in the router's forward path, before its
# netem.  Keyed by the client's port (one per connection, both families).
#   BASE+1 (vsrv): once the client's FIN went through, the server's next
#     segment goes through too (normally the ACK of that FIN), then
#     nothing more from the server.
#   BASE+2 (vcli): the same with the roles swapped: after the client's
#     FIN and the server's next segment, nothing more from the client.
fid_nft()
{
	local vs=$((FID_BASE + 1)) vc=$((FID_BASE + 2))

	ip netns exec "$R" nft -f - <<-EOF
	table inet fidelity {
		set sfin { type inet_service; flags dynamic; size 65536; }
		set sgone { type inet_service; flags dynamic; size 65536; }
		set cfin { type inet_service; flags dynamic; size 65536; }
		set cgone { type inet_service; flags dynamic; size 65536; }
		chain vanish {
			type filter hook forward priority 0; policy accept;
			tcp sport $vs tcp dport @sgone counter drop
			tcp sport $vs tcp dport @sfin add @sgone { tcp dport }
			tcp dport $vs tcp flags & fin == fin add @sfin { tcp sport }
			tcp dport $vc tcp sport @cgone counter drop
			tcp sport $vc tcp dport @cfin add @cgone { tcp dport }
			tcp dport $vc tcp flags & fin == fin add @cfin { tcp sport }
		}
	}
	EOF
}

# fid_gauges NS: the mirror's endpoints in a state with a timer.
fid_gauges()
{
	ip netns exec "$1" awk '
		$1 ~ /^state_(syn_sent|syn_recv|fin_wait1|fin_wait2|closing|last_ack)$/ { n += $2 }
		END { print n + 0 }' /proc/net/tcpclose
}

# fid_settled: no kernel socket left but listeners and TIME_WAIT, and no
# mirrored endpoint left waiting on a timer, in the client and the server.
fid_settled()
{
	local ns

	for ns in "$C" "$S"; do
		ip netns exec "$ns" ss -Htan state connected exclude time-wait |
			grep -q . && return 1
		[ "$(fid_gauges "$ns")" = 0 ] || return 1
	done
	return 0
}

# fid_main: the whole run; 0 if it ran (whatever the agreement), 1 if
# not (FID_WHY says why), 4 if bpftrace cannot run.
fid_main()
{
	local t0 spid cmd args=()

	FID_WORK=${FID_WORK:-$(mktemp -d /tmp/fidelity.XXXXXX)}
	mkdir -p "$FID_WORK"
	if [ ! -x "$FID_GEN" ] || [ "$FID_DIR/gen.c" -nt "$FID_GEN" ]; then
		make -s -C "$FID_DIR" >"$FID_WORK/make.log" 2>&1 || {
			FID_WHY="gen does not build: $(head -3 "$FID_WORK/make.log")"
			return 1
		}
	fi
	t0=$SECONDS
	# bpftrace drops what overflows its perf buffers ("Lost N events")
	# when its reader falls behind, which it does under TCG: 32 MiB per
	# CPU (the default is 256 KiB; 8 MiB still lost 13113 events of 10 000
	# connections on 6.1), and the reader at real-time priority.
	export BPFTRACE_PERF_RB_PAGES=${BPFTRACE_PERF_RB_PAGES:-8192}
	# kernel.bt's maps hold up to one key per mini-socket (default 4096).
	export BPFTRACE_MAP_KEYS_MAX=${BPFTRACE_MAP_KEYS_MAX:-262144}
	oracle_start "$FID_WORK/events" || { FID_WHY="no bpftrace"; return 4; }
	fid_setup || { FID_WHY="setup failed"; return 1; }
	NS_C=$(netns_inode "$C")
	NS_S=$(netns_inode "$S")
	echo "client $NS_C server $NS_S" >"$FID_WORK/netns"
	if ! oracle_wait 200; then
		FID_WHY="bpftrace did not attach: $(head -3 "$FID_WORK/events.err")"
		return 4
	fi
	FID_ATTACH=$((SECONDS - t0))
	chrt -a -f -p 10 "$ORACLE_PID" >/dev/null 2>&1

	t0=$SECONDS
	ip netns exec "$S" "$FID_GEN" server -p "$FID_BASE" \
		>"$FID_WORK/server" 2>&1 &
	spid=$!
	BG_PIDS+=("$spid")
	if ! slowwait 20 sh -c "ip netns exec $S ss -Hltn 'sport = :$((FID_BASE + 2))' | grep -q ."; then
		FID_WHY="gen server does not listen: $(head -3 "$FID_WORK/server")"
		return 1
	fi
	[ -n "$FID_SEED" ] && args+=(-s "$FID_SEED")
	[ -n "$FID_MIX" ] && args+=(-m "$FID_MIX")
	cmd=("$FID_GEN" client -4 10.0.2.2 -6 fd00:2::2 -p "$FID_BASE"
	     -P "$FID_CPORT" -n "$FID_N" -c "$FID_CONC" -r "$FID_RATE"
	     -H $((FID_FIN_TIMEOUT * 1000 + 9000)) "${args[@]}")
	ip netns exec "$C" "${cmd[@]}" >"$FID_WORK/client" 2>&1
	FID_GEN_RC=$?
	FID_SEED_USED=$(awk '$1 == "seed" { print $2; exit }' "$FID_WORK/client")
	FID_GEN_SECS=$((SECONDS - t0))

	# The servers of the held and vanishing cases close a few seconds
	# later; the kernel then retransmits, and the mirror's timers run.
	t0=$SECONDS
	slowwait $((FID_TIMER * 2 + FID_FIN_TIMEOUT + 30)) fid_settled
	FID_SETTLED=$?
	FID_SETTLE_SECS=$((SECONDS - t0))
	kill -TERM "$spid" 2>/dev/null
	wait "$spid" 2>/dev/null
	ip netns exec "$R" nft list table inet fidelity >"$FID_WORK/nft" 2>&1
	FID_MISSES=$(oracle_misses)
	fid_prog_misses >"$FID_WORK/prog_misses"
	oracle_stop 1
	echo "$FID_MISSES" >"$FID_WORK/misses"

	t0=$SECONDS
	"$ORACLE_PY" "$FID_DIR/compare.py" --netns-client "$NS_C" \
		--netns-server "$NS_S" --client-log "$FID_WORK/client" \
		--server-log "$FID_WORK/server" --min "$FID_MIN" \
		--loss "$FID_LOSS" --misses "$FID_MISSES" --list "$FID_LIST" \
		"$FID_WORK/events" >"$FID_WORK/compare" 2>"$FID_WORK/compare.err"
	FID_CMP_RC=$?
	FID_CMP_SECS=$((SECONDS - t0))
	grep '^fidelity:' "$FID_WORK/compare" >"$FID_WORK/summary"
	return 0
}
