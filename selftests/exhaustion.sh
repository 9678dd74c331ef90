#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Flow table exhaustion (scenario A5): at least SYNS (default 200 000)
# spoofed SYNs against max_flows=MAX_FLOWS (default 50 000).
#
# Netns A (attacker and clients) and B (server) are joined by two links:
# veth1 carries the flood (hping3 --rand-source --flood from A to B's
# 10.0.1.2:5001), veth2 the real connections (A 10.0.2.1 to B 10.0.2.2:5001,
# the same listener: socat, one echo child per connection).  B's default
# route points to A, so its SYN-ACKs to the spoofed sources leave on veth1
# and die in A.  Both links have static neighbours and no IPv6: every
# packet on them is one of the test's TCP segments.  syn_timeout and
# time_wait are an hour: nothing expires, every flow leaves the table by
# eviction.  Both netns track the flood (A at LOCAL_OUT, B at LOCAL_IN)
# and share the one max_flows.
#
#   before   ENDED short connections (they end close_normal and sit in
#            TIME_WAIT in both tables), and HELD connections opened and
#            held (established);
#   flood    until SYNS were sent; once the table is full, DURING more
#            connections are opened and held; flows_active (host, A, B)
#            and the slab's objects are sampled every second;
#   after    the held connections close.
#
# Asserted, at A and B: flows_active never above max_flows, the slab never
# above max_flows plus a slack (below); no established flow evicted,
# embryonic ones evicted, each ended flow of before evicted; nothing left
# untracked; every held connection tracked through its teardown, ending
# close_normal, still in the table at the end with the ended flows of
# before gone; no eviction once the flood is over.  And no packet lost: A's
# veth1 sent what hping3 counted, B's veth1 received it all, and B's TCP
# (TcpInSegs) got every segment both links brought except those whose
# random source B's routing refused as martian (rt_cache in_martian_src:
# 0/8, 127/8, multicast, broadcast: 4 to 9 % of hping3's random
# addresses; no SNMP counter has them), and tcpclose's seg_in at B equals
# TcpInSegs.
#
# The slab: the objects SLUB counts as in use are the flows in the tables,
# the flows unlinked and waiting for an RCU grace period before their
# kmem_cache_free, and the free objects cached in each CPU's own slab and
# partial slabs (cpu_partial 120 objects: 8 slabs of 32 flows of 128
# bytes, so 2 CPUs x 9 x 32 = 576 at most).  While the flood runs,
# evictions run at about twice the SYN rate (two tables), and RCU invokes
# its callbacks 10 at a time until 10 000 are queued on a CPU (rcutree's
# blimit and qhimark): a second of evictions may wait there under TCG.
# So: during the flood, objects <= max_flows + RCU_SLACK (default 5000,
# 10 %); two seconds after it, objects <= the flows tracked + CPU_SLACK
# (default 1024): every evicted flow was freed.  The cache may be merged
# with others of its size (/sys/kernel/slab/tcpclose_flow is then a link;
# on 6.12 with kernfs_node_cache): their objects before the flood are
# taken out.
source "$(dirname "$0")/lib.sh"

CLI=${TCPCLOSE_CLI:-$TOP/tools/tcpclose}
SYNS=${SYNS:-200000}
MAX_FLOWS=${MAX_FLOWS:-50000}
# The flood stops there even if short of SYNS (scaled: the debug kernel).
FLOOD_LIMIT_S=${FLOOD_LIMIT_S:-$(scaled 150)}
RCU_SLACK=${RCU_SLACK:-5000}
CPU_SLACK=${CPU_SLACK:-1024}
ENDED=20
HELD=4
DURING=4
REAL=$((HELD + DURING))

ktap_print_header
ktap_set_plan 19
if [ ! -x "$CLI" ] || ! command -v hping3 >/dev/null || ! command -v socat >/dev/null; then
	ktap_skip_all "needs the CLI (make cli), hping3 and socat"
	exit "$KSFT_SKIP"
fi
require_module max_flows="$MAX_FLOWS" syn_timeout=3600 time_wait=3600

setup_ns A B
link_ns "$A" "$B" 1
link_ns "$A" "$B" 2
ip -n "$B" route add default via 10.0.1.1
for ns in "$A" "$B"; do
	ip netns exec "$ns" sysctl -qw net.ipv6.conf.veth1.disable_ipv6=1 \
		net.ipv6.conf.veth2.disable_ipv6=1
done
for i in 1 2; do
	ip -n "$A" neigh replace "10.0.$i.2" dev "veth$i" nud permanent \
		lladdr "$(ip netns exec "$B" cat "/sys/class/net/veth$i/address")"
	ip -n "$B" neigh replace "10.0.$i.1" dev "veth$i" nud permanent \
		lladdr "$(ip netns exec "$A" cat "/sys/class/net/veth$i/address")"
done
# B's requests are gone 3 s after their SYN (one SYN-ACK retransmission):
# after the flood, no late SYN-ACK starts a new flow that would evict.
ip netns exec "$B" sysctl -qw net.ipv4.tcp_synack_retries=1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"; tcpclose_cleanup' EXIT
dmesg_mark

bg ip netns exec "$B" socat TCP-LISTEN:"$PORT",reuseaddr,fork,backlog=128 PIPE
server=${BG_PIDS[-1]}
wait_listen "$B" "$PORT"

# val SNAPSHOT NAME: one counter of a snapshot.
val()
{
	awk -v n="$2" '$1 == n { print $2 }' <<<"$1"
}

# both NAME BEFORE_A AFTER_A BEFORE_B AFTER_B: "A=x B=y", the deltas.
both()
{
	echo "A=$(delta "$2" "$3" "$1") B=$(delta "$4" "$5" "$1")"
}

# link_stat NS DEV rx|tx: the device's packet count.
link_stat()
{
	ip netns exec "$1" cat "/sys/class/net/$2/statistics/$3_packets"
}

# martians: the packets refused for their source address, all CPUs (the
# counter is global, but only B receives such packets here).
martians()
{
	local line col=0 i n=0 v

	{
		read -r -a line
		for i in "${!line[@]}"; do
			[ "${line[$i]}" = in_martian_src ] && col=$i
		done
		while read -r -a line; do
			v=${line[$col]}
			n=$((n + 16#$v))
		done
	} </proc/net/stat/rt_cache
	echo "$n"
}

# tcp_mib NS NAME: one Tcp counter of netns NS (/proc/net/snmp).
tcp_mib()
{
	ip netns exec "$1" awk -v n="$2" '
		/^Tcp:/ && !h { for (i = 2; i <= NF; i++) k[i] = $i; h = 1; next }
		/^Tcp:/ { for (i = 2; i <= NF; i++) if (k[i] == n) print $i }
	' /proc/net/snmp
}

# A KASAN kernel keeps what is freed in its quarantine for a while,
# counted in use by SLUB: shrinking the cache first empties the quarantine
# of this cache.
KASAN=
kasan_kernel && KASAN=1

# slab_objects: objects of tcpclose_flow's cache in use (of the cache it
# was merged into, if it was).
slab_objects()
{
	[ -n "$KASAN" ] && echo 1 >/sys/kernel/slab/tcpclose_flow/shrink 2>/dev/null
	if [ -r /sys/kernel/slab/tcpclose_flow/objects ]; then
		cut -d' ' -f1 /sys/kernel/slab/tcpclose_flow/objects
	else
		awk '$1 == "tcpclose_flow" { print $2 }' /proc/slabinfo
	fi
}

# hold N: real connection N from A, held open until release N.
hold()
{
	mkfifo "$tmp/hold$1.fifo"
	ip netns exec "$A" bash -c '
		exec 3<>"/dev/tcp/$1/$2" || exit 1
		printf "ping\n" >&3
		read -r line <&3 && [ "$line" = ping ] || exit 2
		touch "$3.up"
		read -r _ <"$3.fifo"
		exec 3>&-
	' hold 10.0.2.2 "$PORT" "$tmp/hold$1" &
	holders+=($!)
}

# release N: holder N closes its connection.
release()
{
	timeout 10 sh -c "echo go >$tmp/hold$1.fifo"
}

# real_flows NS: the real connections' flows at NS, as "total
# close_normal" (close_normal, from the handshake on: the client 10.0.2.1
# is the initiator, and it closed first); the others are printed as
# diagnostics.  Side A is whichever end sent the first segment seen,
# normally the client.
real_flows()
{
	"$CLI" -n "$1" -j flows addr 10.0.2.1 port "$PORT" | "$PY" -c '
import json, sys
f = json.load(sys.stdin)
def client(x):
    return "a" if x["a"]["addr"] == "10.0.2.1" else "b"
ok = [x for x in f if x["verdict"] == "close_normal" and not x["picked_up"]
      and x["initiator"] == x["active_closer"] == client(x)]
for x in f:
    if x in ok and client(x) != "a":
        print("# the server is side A: %s" % json.dumps(x), file=sys.stderr)
for x in f:
    if x not in ok:
        print("# other flow: %s" % json.dumps(x), file=sys.stderr)
print(len(f), len(ok))' 2>"$tmp/flows.log"
	sed "s/^/# $1: /" "$tmp/flows.log" >&2
}

# --- before: ended and held connections -------------------------------------

a0=$(snapshot "$A") b0=$(snapshot "$B")
ip netns exec "$A" "$TCPX" client -n "$ENDED" 10.0.2.2 >"$tmp/ended" 2>&1
erc=$?
holders=()
for i in $(seq "$HELD"); do
	hold "$i"
done
slowwait 30 sh -c "[ \$(ls $tmp/*.up 2>/dev/null | wc -l) -ge $HELD ]"
slowwait 15 until_counter_is ">= $(( $(val "$b0" verdict_close_normal) + ENDED ))" \
	counter "$B" verdict_close_normal >/dev/null
slowwait 15 until_counter_is ">= $(( $(val "$a0" verdict_close_normal) + ENDED ))" \
	counter "$A" verdict_close_normal >/dev/null
a1=$(snapshot "$A") b1=$(snapshot "$B")
# state_established counts endpoints: both of each held connection at B.
check_eq "before: $ENDED short connections end close_normal, $HELD held open" \
	"$erc $(both verdict_close_normal "$a0" "$a1" "$b0" "$b1") $(ls "$tmp"/*.up | wc -l) $(counter "$B" state_established)" \
	"0 A=$ENDED B=$ENDED $HELD $((2 * HELD))"

# --- the flood ---------------------------------------------------------------

objects0=$(slab_objects)
active0=$(host_counter flows_active)
other=$((objects0 - active0))	# the merged cache's other objects
tx0=$(link_stat "$A" veth1 tx) rx0=$(link_stat "$B" veth1 rx)
rx20=$(link_stat "$B" veth2 rx) m0=$(martians)
in0=$(tcp_mib "$B" InSegs)
start=$(date +%s%N)
ip netns exec "$A" hping3 --rand-source -S -p "$PORT" --flood 10.0.1.2 \
	>"$tmp/hping3" 2>&1 &
flooder=$!

# Sample every second; stop the flood once SYNS are out (or at the limit);
# open the DURING connections once the table is full.
excess='' samples=0 peak=0 peak_a=0 peak_b=0 peak_objects=0 over=0 slab_over=0 full_at=
deadline=$(( $(date +%s) + FLOOD_LIMIT_S ))
while :; do
	kill -0 "$flooder" 2>/dev/null || break
	sent=$(( $(awk -F'[: ]+' '$2 == "veth1" { print $12 }' "/proc/$flooder/net/dev") - tx0 ))
	# The slab, then the count (while the table fills, the excess printed
	# is a little low: flows keep coming between the two reads).
	objects=$(( $(slab_objects) - other ))
	active=$(host_counter flows_active)
	# Each netns's own, through a process in it (no netns switch).
	active_a=$(awk '$1 == "flows_active" { print $2 }' "/proc/$flooder/net/tcpclose")
	active_b=$(awk '$1 == "flows_active" { print $2 }' "/proc/$server/net/tcpclose")
	samples=$((samples + 1))
	[ "$active" -gt "$peak" ] && peak=$active
	[ "$active_a" -gt "$peak_a" ] && peak_a=$active_a
	[ "$active_b" -gt "$peak_b" ] && peak_b=$active_b
	[ "$objects" -gt "$peak_objects" ] && peak_objects=$objects
	[ "$active" -gt "$MAX_FLOWS" ] && over=$((over + 1))
	[ "$objects" -gt $((MAX_FLOWS + RCU_SLACK)) ] && slab_over=$((slab_over + 1))
	excess+=" $((objects - active))"
	echo "$(date +%s.%N) sent=$sent flows_active=$active A=$active_a B=$active_b objects=$objects" >>"$tmp/samples"
	if [ -z "$full_at" ] && [ "$active" -ge "$MAX_FLOWS" ]; then
		full_at=$sent
		for i in $(seq $((HELD + 1)) "$REAL"); do
			hold "$i"
		done
	fi
	[ "$sent" -ge "$SYNS" ] || [ "$(date +%s)" -ge "$deadline" ] && break
	sleep 1
done
kill -INT "$flooder"
wait "$flooder"
took=$(( ($(date +%s%N) - start) / 1000000 ))	# ms
sleep 1	# segments in flight
hping_sent=$(sed -n 's/^\([0-9]*\) packets transmitted.*/\1/p' "$tmp/hping3")
tx=$(( $(link_stat "$A" veth1 tx) - tx0 )) rx=$(( $(link_stat "$B" veth1 rx) - rx0 ))
rx2=$(( $(link_stat "$B" veth2 rx) - rx20 )) m=$(( $(martians) - m0 ))
insegs=$(( $(tcp_mib "$B" InSegs) - in0 ))
slowwait 30 sh -c "[ \$(ls $tmp/*.up 2>/dev/null | wc -l) -ge $REAL ]"
a2=$(snapshot "$A") b2=$(snapshot "$B")

ktap_print_msg "flood: $tx SYNs in $((took / 1000)) s ($((tx * 1000 / took))/s), hping3 counted ${hping_sent:-?}; table full after $full_at"
ktap_print_msg "B: $(deltas "$b1" "$b2" seg_syn seg_synack flows_created syn_flood_detected), TcpExtSyncookiesSent $(netstat "$B" SyncookiesSent)"
check "flood: at least $SYNS spoofed SYNs sent ($tx; hping3: ${hping_sent:-?}, within one)" \
	test "$tx" -ge "$SYNS" -a "${hping_sent:-0}" -le "$tx" -a "${hping_sent:-0}" -ge $((tx - 1))
check_eq "no packet lost on the link: B's veth1 received what A's sent" "$rx" "$tx"
ktap_print_msg "B: veth1 rx $rx + veth2 rx $rx2 = TcpInSegs $insegs + martian sources $m"
check_eq "no packet lost before TCP: every one in TcpInSegs but the martians" \
	"$((rx + rx2))" "$((insegs + m))"
check_eq "tcpclose saw every segment at LOCAL_IN: B's seg_in = TcpInSegs" \
	"$(delta "$b1" "$b2" seg_in)" "$insegs"

ktap_print_msg "flows_active: host peak $peak in $samples samples (A peak $peak_a, B peak $peak_b, each of its own sample), max_flows $MAX_FLOWS"
check "flows_active never above max_flows, and the table filled" \
	test "$over" = 0 -a "$peak" -ge "$MAX_FLOWS"
size=$(cat /sys/kernel/slab/tcpclose_flow/slab_size 2>/dev/null ||
	awk '$1 == "tcpclose_flow" { print $4 }' /proc/slabinfo)
ktap_print_msg "slab: peak $peak_objects objects x $size B = $((peak_objects * size / 1024)) KiB (cache's other objects: $other)"
# The rhashtable of each netns: 8-byte buckets, the table doubled past
# 3/4 full.
est=0
for ns in "$A" "$B"; do
	n=$(counter "$ns" flows_active) buckets=1
	while [ $((buckets * 3 / 4)) -lt "$n" ]; do buckets=$((buckets * 2)); done
	est=$((est + buckets * 8))
	ktap_print_msg "rhashtable estimate: $n flows, $buckets buckets, $((buckets * 8 / 1024)) KiB"
done
ktap_print_msg "memory estimate: $(( (peak_objects * size + est) / 1024 )) KiB in all"
ktap_print_msg "slab objects beyond flows_active, per sample:$excess"
check "slab objects during the flood never above max_flows + $RCU_SLACK (peak $peak_objects)" \
	test "$slab_over" = 0
sleep 1
settled=$(( $(slab_objects) - other - $(host_counter flows_active) ))
check "slab objects after the flood: the flows tracked + $settled cached free (at most $CPU_SLACK)" \
	test "$settled" -le "$CPU_SLACK"

EVICTED="evicted_ended evicted_embryonic evicted_established"
ktap_print_msg "evictions: A: $(deltas "$a1" "$a2" $EVICTED verdict_evicted flows_untracked)"
ktap_print_msg "evictions: B: $(deltas "$b1" "$b2" $EVICTED verdict_evicted flows_untracked)"
check_eq "no established flow evicted" \
	"$(both evicted_established "$a1" "$a2" "$b1" "$b2")" "A=0 B=0"
check "embryonic flows evicted" \
	test "$(delta "$a1" "$a2" evicted_embryonic)" -gt 0 -a \
	     "$(delta "$b1" "$b2" evicted_embryonic)" -gt 0
check_eq "every ended flow of before evicted" \
	"$(both evicted_ended "$a1" "$a2" "$b1" "$b2")" "A=$ENDED B=$ENDED"
check_eq "flows evicted without a verdict got verdict evicted" \
	"$(( $(delta "$a1" "$a2" verdict_evicted) - $(delta "$a1" "$a2" evicted_embryonic) - $(delta "$a1" "$a2" evicted_established) )) $(( $(delta "$b1" "$b2" verdict_evicted) - $(delta "$b1" "$b2" evicted_embryonic) - $(delta "$b1" "$b2" evicted_established) ))" \
	"0 0"
check_eq "no segment left untracked" \
	"$(both flows_untracked "$a1" "$a2" "$b1" "$b2")" "A=0 B=0"
check_eq "$DURING connections opened during the flood" \
	"$(ls "$tmp"/*.up | wc -l)" "$REAL"

# --- after: the held connections close ---------------------------------------

wait_no_sockets "$B" syn-recv ||
	ktap_print_msg "B still has requests in SYN-RECV"
a3=$(snapshot "$A") b3=$(snapshot "$B")
for i in $(seq "$REAL"); do
	release "$i"
done
hrc=0
for pid in "${holders[@]}"; do
	wait "$pid" || hrc=$((hrc + 1))
done
slowwait 15 until_counter_is ">= $(( $(val "$b3" verdict_close_normal) + REAL ))" \
	counter "$B" verdict_close_normal >/dev/null
slowwait 15 until_counter_is ">= $(( $(val "$a3" verdict_close_normal) + REAL ))" \
	counter "$A" verdict_close_normal >/dev/null
wait_no_sockets "$B" last-ack
a4=$(snapshot "$A") b4=$(snapshot "$B")
VERDICTS="verdict_close_normal verdict_close_simultaneous verdict_reset_established
	verdict_reset_closing verdict_refused verdict_syn_timeout verdict_timeout_fin_wait1
	verdict_timeout_fin_wait2 verdict_timeout_last_ack verdict_evicted"
for ns in A B; do
	if [ $ns = A ]; then d=$(deltas "$a3" "$a4" $VERDICTS $EVICTED); else d=$(deltas "$b3" "$b4" $VERDICTS $EVICTED); fi
	check_eq "after: at $ns, the $REAL held connections end close_normal, nothing else ends or is evicted" \
		"$hrc $d" \
		"0 verdict_close_normal=$REAL verdict_close_simultaneous=0 verdict_reset_established=0 verdict_reset_closing=0 verdict_refused=0 verdict_syn_timeout=0 verdict_timeout_fin_wait1=0 verdict_timeout_fin_wait2=0 verdict_timeout_last_ack=0 verdict_evicted=0 evicted_ended=0 evicted_embryonic=0 evicted_established=0"
done
check_eq "flows of the real connections at A: the $REAL held ones, close_normal; the ended ones gone" \
	"$(real_flows "$A")" "$REAL $REAL"
check_eq "flows of the real connections at B: the $REAL held ones, close_normal; the ended ones gone" \
	"$(real_flows "$B")" "$REAL $REAL"
check "no kernel warning, oops or BUG" dmesg_clean
ktap_finished
