#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# bench.sh - tcpclose's benchmarks, run as root inside one test VM boot
# (make bench runs it once per kernel; Documentation/performance.rst).
#
#   bench.sh [--smoke] -o FILE
#
# Sections, each alternating its configurations A B C A B C ... in this one
# boot, ROUNDS times:
#   churn   TCP_CRR connections/s between two netns over veth (crr):
#           no module / tcpclose / nf_conntrack (nft "ct state" rules)
#   bulk    iperf3 throughput between the same netns, same three configs
#   memory  a router netns's table filled with spoofed SYNs (spray) to
#           each size in SIZES: slab objects and MemAvailable deltas
#   scale   the hook's own duration (ftrace function_graph) for segments of
#           1 k busy flows in router netns holding 1 k, 100 k and 1 M
#           flows (hot), and of any flow of the table (cold)
# FILE gets the raw figures as JSON; selftests/bench/report.py turns the
# files of all kernels into the table and build/bench/results.json.
# --smoke: one round, short runs and small tables, for make check.
#
# make bench boots the VM with --icount: the guest's clock then counts its
# instructions, so every rate and duration here measures work done, the
# same from run to run whatever else the host does.

TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
# shellcheck source=../lib.sh
source "$TOP/selftests/lib.sh"

BIN=$BUILD/selftests/bench
ROUNDS=5
SECS=1		# of guest time: with vm/run --icount, 10^9 instructions
SIZES="1000 100000 1000000"
PROBES=10000
OUT=

usage()
{
	echo "usage: bench.sh [--smoke] -o FILE" >&2
	exit 2
}

while [ $# -gt 0 ]; do
	case $1 in
	--smoke) ROUNDS=1 SECS=1 SIZES="1000 10000" PROBES=1000; shift ;;
	-o) [ $# -ge 2 ] || usage; OUT=$2; shift 2 ;;
	*) usage ;;
	esac
done
[ -n "$OUT" ] || usage
for t in crr spray; do
	[ -x "$BIN/$t" ] || { echo "bench: $BIN/$t missing (make selftests-bin)" >&2; exit 1; }
done
tcpclose_ko >/dev/null || { echo "bench: tcpclose.ko not built for $(uname -r)" >&2; exit 1; }
mod_unload

JSON=()		# "key": value fragments of the output object

# emit KEY VALUE...: a JSON array of numbers under KEY.
emit()
{
	local key=$1 IFS=,

	shift
	JSON+=("\"$key\": [$*]")
}

# --- churn and bulk: netns A (client) -- B (server) ------------------------

ct_rules()
{
	local ns

	for ns in "$A" "$B"; do
		ip netns exec "$ns" nft -f - <<-EOF || return 1
		table inet bench {
			chain in { type filter hook input priority 0; ct state established,related accept; }
			chain out { type filter hook output priority 0; ct state established,related accept; }
		}
		EOF
	done
}

ct_flush()
{
	ip netns exec "$A" nft delete table inet bench
	ip netns exec "$B" nft delete table inet bench
}

# config_on / config_off NAME: base (nothing), mod (tcpclose), ct (conntrack).
config_on()
{
	case $1 in
	mod) mod_load ;;
	ct) ct_rules ;;
	esac
}

config_off()
{
	case $1 in
	mod) mod_unload ;;
	ct) ct_flush ;;
	esac
}

crr_run()
{
	ip netns exec "$A" "$BIN/crr" client 10.0.1.2 7000 "$SECS" | awk '{ print $1 }'
}

bulk_run()
{
	ip netns exec "$A" iperf3 -c 10.0.1.2 -p 7001 -t "$SECS" -f m |
		awk '/receiver/ { print $(NF - 2) }'
}

# alternate SECTION RUNFN: ROUNDS rounds of base mod ct; emits SECTION_*.
# Each configuration first runs once unmeasured: the measured run sees a
# steady state (tcpclose's table already holds the TIME_WAIT flows of a
# run and has grown to hold them, as on a host that has run for a while).
alternate()
{
	local section=$1 run=$2 round cfg v
	local -A res=()

	for round in $(seq "$ROUNDS"); do
		for cfg in base mod ct; do
			config_on $cfg || { echo "bench: $cfg setup failed" >&2; exit 1; }
			$run >/dev/null
			v=$($run)
			config_off $cfg
			[ -n "$v" ] || { echo "bench: $section $cfg run failed" >&2; exit 1; }
			echo "# $section round $round $cfg $v"
			res[$cfg]+="$v "
		done
	done
	for cfg in base mod ct; do
		# shellcheck disable=SC2086 # word splitting wanted
		emit "${section}_$cfg" ${res[$cfg]}
	done
}

section_churn_bulk()
{
	setup_ns A B || exit 1
	link_ns "$A" "$B" 1
	ip netns exec "$A" sysctl -qw net.ipv4.tcp_tw_reuse=1 \
		net.ipv4.ip_local_port_range="1024 65000"
	bg ip netns exec "$B" "$BIN/crr" server 7000
	bg ip netns exec "$B" iperf3 -s -p 7001 >/dev/null 2>&1
	wait_listen "$B" 7000 && wait_listen "$B" 7001 || exit 1
	alternate churn crr_run
	alternate bulk bulk_run
	cleanup_all_ns
}

# --- memory and scale: sender S -- routers R<n>, SYNs dropped by a dummy ----

# router N IDX: netns R$IDX routing 10.200.0.0/16 to a dummy device, fed
# by S over veth$IDX; prints the MAC that S sends to.
router()
{
	local r=$1 idx=$2

	link_ns "$S" "$r" "$idx" || return 1
	ip -n "$r" link add d0 type dummy
	ip -n "$r" link set d0 up
	ip -n "$r" route add 10.200.0.0/16 dev d0
	ip netns exec "$r" sysctl -qw net.ipv4.ip_forward=1 \
		net.ipv4.conf.all.rp_filter=0 net.ipv4.conf.default.rp_filter=0 \
		"net.ipv4.conf.veth$idx.rp_filter=0"
	ip -n "$r" -br link show "veth$idx" | awk '{ print $3 }'
}

mem_avail_kb()
{
	awk '$1 == "MemAvailable:" { print $2 }' /proc/meminfo
}

# What kernel allocations hold, in kB: unreclaimable slab, vmalloc, percpu.
mem_kernel_kb()
{
	awk '$1 ~ /^(SUnreclaim|VmallocUsed|Percpu):$/ { s += $2 } END { print s }' \
		/proc/meminfo
}

# slab CACHE FIELD: FIELD (objects, slab_size) of a slab cache.  Through
# /sys/kernel/slab, which also finds a cache merged with others of its
# size (6.1 merges tcpclose_flow's; its objects then count theirs too).
slab()
{
	local f=/sys/kernel/slab/$1/$2

	if [ -r "$f" ]; then
		cut -d' ' -f1 "$f"
	else
		awk -v c="$1" -v n="$([ "$2" = objects ] && echo 2 || echo 4)" \
			'$1 == c { print $n }' /proc/slabinfo
	fi
}

# fill NS IDX MAC N: spray SYNs of flows 0..N-1 until NS tracks N flows.
fill()
{
	local ns=$1 idx=$2 mac=$3 n=$4 try

	for try in 1 2 3; do
		ip netns exec "$S" "$BIN/spray" "veth$idx" "$mac" "$n" >/dev/null || return 1
		[ "$(counter "$ns" flows_active)" -ge "$n" ] && return 0
	done
	echo "bench: $ns holds $(counter "$ns" flows_active) flows, not $n" >&2
	return 1
}

section_memory()
{
	local size base kbase now objs mac
	local -a flows=() slab=() delta=() kdelta=()

	modprobe nf_conntrack
	emit nf_conn_bytes "$(slab nf_conntrack slab_size)"
	sysctl -qw net.core.netdev_max_backlog=100000
	setup_ns S || exit 1
	mod_load max_flows=4000000 syn_timeout=86400 || exit 1
	base=$(mem_avail_kb)
	sleep 1
	base=$(( ( base + $(mem_avail_kb) ) / 2 ))
	kbase=$(mem_kernel_kb)
	setup_ns RM || exit 1
	mac=$(router "$RM" 9) || exit 1
	for size in $SIZES; do
		fill "$RM" 9 "$mac" "$size" || exit 1
		sleep 1
		now=$(mem_avail_kb)
		objs=$(slab tcpclose_flow objects)
		kdelta+=("$(( $(mem_kernel_kb) - kbase ))")
		echo "# memory $size flows: $objs objects, MemAvailable -$(( (base - now) / 1024 )) MiB, kernel +$(( kdelta[-1] / 1024 )) MiB"
		flows+=("$(counter "$RM" flows_active)")
		slab+=("$objs")
		delta+=("$(( base - now ))")
	done
	emit flow_entry_bytes "$(slab tcpclose_flow slab_size)"
	emit memory_flows "${flows[@]}"
	emit memory_slab_objects "${slab[@]}"
	emit memory_avail_delta_kb "${delta[@]}"
	emit memory_kernel_delta_kb "${kdelta[@]}"
}

# --- scale -----------------------------------------------------------------

TRACE=/sys/kernel/tracing

trace_setup()	# trace_setup FUNCTION: function_graph on FUNCTION alone
{
	mountpoint -q $TRACE || mount -t tracefs nodev $TRACE || return 1
	echo 0 > $TRACE/tracing_on
	echo "$1" > $TRACE/set_ftrace_filter || return 1
	echo 16384 > $TRACE/buffer_size_kb
	echo function_graph > $TRACE/current_tracer
	echo 0 > $TRACE/options/funcgraph-irqs
}

# probe IDX MAC N: PROBES traced lookups, each of a random flow among
# flows 0..N-1, through veth IDX; prints the median traced duration in ns
# (a median: a host preempting the emulator stretches a few calls a lot).
probe()
{
	echo > $TRACE/trace
	echo 1 > $TRACE/tracing_on
	ip netns exec "$S" "$BIN/spray" "veth$1" "$2" "$3" -r "$PROBES" >/dev/null
	echo 0 > $TRACE/tracing_on
	sed -n 's/.* \([0-9.]*\) us .*/\1/p' $TRACE/trace | sort -n |
		awk '{ v[n++] = $1 } END { if (n) printf "%d\n", v[int(n / 2)] * 1000 }'
}

section_scale()
{
	local -a names=() idx=() macs=() sizes=()
	local -A res=() cold=()
	local i n round v c cal=

	# The largest table is the memory section's; smaller ones beside it.
	n=0
	for i in $SIZES; do
		if [ "$i" = "${SIZES##* }" ]; then
			names+=("$RM") idx+=(9) macs+=("$(ip -n "$RM" -br link show veth9 | awk '{ print $3 }')")
		else
			setup_ns "RS$n" || exit 1
			eval "names+=(\"\$RS$n\")"
			idx+=("$((10 + n))")
			macs+=("$(router "${names[-1]}" "$((10 + n))")") || exit 1
			fill "${names[-1]}" "$((10 + n))" "${macs[-1]}" "$i" || exit 1
		fi
		sizes+=("$i")
		n=$((n + 1))
	done
	# The tracer's own cost: a traced call that does nothing.
	trace_setup tcpclose_seg_classify || exit 1
	for round in $(seq "$ROUNDS"); do
		cal+="$(probe "${idx[0]}" "${macs[0]}" "${sizes[0]}") "
	done
	# Hot: the same 1 k flows in every table, the others idle, as when a
	# few connections are busy.  Cold: any flow of the table, each probe
	# likely a cache miss: the worst case.
	trace_setup tcpclose_hook_ipv4 || exit 1
	for round in $(seq "$ROUNDS"); do
		for i in "${!sizes[@]}"; do
			v=$(probe "${idx[$i]}" "${macs[$i]}" "${sizes[0]}")
			c=$(probe "${idx[$i]}" "${macs[$i]}" "${sizes[$i]}")
			echo "# scale round $round ${sizes[$i]} flows: hot ${v} ns, cold ${c} ns"
			res[$i]+="$v "
			cold[$i]+="$c "
		done
	done
	echo nop > $TRACE/current_tracer
	# shellcheck disable=SC2086 # word splitting wanted
	emit scale_trace_ns $cal
	emit scale_sizes "${sizes[@]}"
	for i in "${!sizes[@]}"; do
		# shellcheck disable=SC2086
		emit "scale_hook_ns_${sizes[$i]}" ${res[$i]}
		# shellcheck disable=SC2086
		emit "scale_cold_ns_${sizes[$i]}" ${cold[$i]}
	done
}

section_churn_bulk
section_memory
section_scale
mod_unload
{
	printf '{"release": "%s", "rounds": %d, "seconds": %d' "$(uname -r)" "$ROUNDS" "$SECS"
	printf ',\n %s' "${JSON[@]}"
	printf '}\n'
} > "$OUT"
echo "# bench: wrote $OUT"
