#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# SYN flood (scenario A1), over IPv4 and IPv6: netns A floods a listener of
# netns B (tcpx server, port 5001, backlog 128) with SYNs from random
# spoofed sources for FLOOD_S seconds: hping3 --rand-source --flood for
# IPv4, synflood6.py (scapy template, raw socket) for IPv6.  B's default
# route points back to A, so its SYN-ACKs leave and die in A (no
# forwarding there).  Meanwhile one real connection from A to the same
# listener (tcpx client, source port 41001) opens and closes.
#
# At B, with syn_flood_threshold=200 (SYN_FLOOD_THRESHOLD):
# syn_flood_detected grows by 1, and B's watcher ("tcpclose watch -j")
# gets exactly one syn-flood start and one end event naming B's address
# and port 5001, and one flow-end event: the real connection's,
# close_normal.  flows_half_open is above 0 during
# the flood; synack_retrans is above 0 (Linux retransmits the SYN-ACKs of
# the 128 requests its SYN queue holds; the rest get SYN cookies, which
# tcpclose cannot see: Linux's TcpExtSyncookiesSent is printed for
# context), and the SYN-ACKs tcpclose sees beyond one per SYN are exactly
# those retransmissions.  After the flood, syn_timeout is lowered from 60 to 5: every
# flood flow ends syn_timeout and flows_half_open is back to its value
# before the flood.  No other verdict: the only legitimate flow ends
# close_normal.
#
# B's tcp_synack_retries is 1, so that its requests are gone (about 3 s
# after the last SYN) before the flood flows expire: a SYN-ACK retransmitted
# after that would start a new, picked-up flow.
source "$(dirname "$0")/lib.sh"

CLI=${TCPCLOSE_CLI:-$TOP/tools/tcpclose}
# The debug kernel (selftests/check) sends far fewer SYNs a second (hping3
# about 46): there the threshold is lower and the flood longer.
THRESHOLD=${SYN_FLOOD_THRESHOLD:-200}
FLOOD_S=${FLOOD_S:-5}	# seconds of flood per family
CPORT=41001		# the real connection's source port
PARAMS=/sys/module/tcpclose/parameters

ktap_print_header
ktap_set_plan 19
if [ ! -x "$CLI" ] || ! command -v hping3 >/dev/null; then
	ktap_skip_all "needs the CLI (make cli) and hping3"
	exit "$KSFT_SKIP"
fi
# max_flows well above both netns' flood flows: no eviction here (A5 is
# exhaustion.sh).  syn_timeout 60 while the flood runs (see above).
require_module syn_flood_threshold=$THRESHOLD syn_timeout=60 max_flows=262144

setup_ns A B
link_ns "$A" "$B" 1
route_via "$B" 1
ip netns exec "$B" sysctl -qw net.ipv4.tcp_synack_retries=1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"; tcpclose_cleanup' EXIT
dmesg_mark

bg ip netns exec "$B" "$TCPX" server -6 -n 0
server=${BG_PIDS[-1]}
wait_listen "$B" "$PORT"

# bcount NAME: one counter of B, read through the server's /proc/PID/net
# (no netns switch: quick enough to poll while the flood takes the CPUs).
bcount()
{
	awk -v n="$1" '$1 == n { print $2 }' "/proc/$server/net/tcpclose"
}

VERDICTS="verdict_close_normal verdict_close_simultaneous verdict_reset_established
	verdict_reset_closing verdict_refused verdict_timeout_fin_wait1
	verdict_timeout_fin_wait2 verdict_timeout_last_ack verdict_evicted"

# val SNAPSHOT NAME: one counter of a snapshot.
val()
{
	awk -v n="$2" '$1 == n { print $2 }' <<<"$1"
}

# flood FAMILY ADDRESS: FLOOD_S seconds of spoofed SYNs from A to
# ADDRESS:PORT; prints the number of SYNs sent, or nothing on failure.
flood()
{
	local fam=$1 addr=$2

	if [ "$fam" = 4 ]; then
		ip netns exec "$A" timeout -s INT "$FLOOD_S" hping3 --rand-source \
			-S -p "$PORT" --flood "$addr" >"$tmp/flood4" 2>&1
		sed -n 's/^\([0-9]*\) packets transmitted.*/\1/p' "$tmp/flood4"
	else
		ip netns exec "$A" "$PY" "$TOP/selftests/synflood6.py" "$addr" \
			"$PORT" "$FLOOD_S" "$tmp/ready6" >"$tmp/flood6" 2>&1 &&
			sed -n 's/^sent=\([0-9]*\) .*/\1/p' "$tmp/flood6"
	fi
}

# events FILE FAMILY ADDRESS: what B's watcher saw, as one line of words.
events()
{
	"$PY" - "$@" "$PORT" "$CPORT" "$THRESHOLD" <<'EOF'
import json, sys
path, fam, addr, port, cport, threshold = sys.argv[1:]
port, cport, threshold = int(port), int(cport), int(threshold)
ev = [json.loads(l) for l in open(path) if l.startswith("{")]
floods = [e for e in ev if e["event"] == "syn_flood"]
ends = [e for e in ev if e["event"] == "flow_end"]
other = len(ev) - len(floods) - len(ends)
start = [e for e in floods if e["state"] == "start"]
end = [e for e in floods if e["state"] == "end"]
ours = all(e["family"] == "ipv" + fam and e["addr"] == addr and
           e["port"] == port and e["vantage"] == "host" for e in floods)
out = ["start=%d" % len(start), "end=%d" % len(end), "listener=%s" % ours]
one = len(start) == 1 and len(end) == 1
s, e = (start[0], end[0]) if one else ({}, {})
out.append("start_rate=%s" % (one and s["rate"] >= threshold and s["threshold"] == threshold))
out.append("end_rate=%s" % (one and e["rate"] < threshold // 2 and e["time_ms"] >= s["time_ms"]))
out.append("end_syns=%s" % (one and e["syns"] >= threshold and e["duration_ms"] > 0))
for f in floods:
    print("%s: %s" % (f["state"], json.dumps(f)), file=sys.stderr)
real = [e for e in ends if {e["a"]["port"], e["b"]["port"]} == {cport, port}]
for e in ends:
    print("flow_end: %s" % json.dumps(e), file=sys.stderr)
out.append("flow_end=%d" % len(ends))
out.append("real=%s" % (real[0]["verdict"] if len(real) == 1 else "missing"))
out.append("other=%d" % other)
print(" ".join(out))
EOF
}

# case_flood FAMILY ADDRESS
case_flood()
{
	local fam=$1 addr=$2 wpid fpid crc sent half h0 b0 b1 b2 k0 k1 ev created line during
	local want="start=1 end=1 listener=True start_rate=True end_rate=True end_syns=True"

	"$CLI" -n "$B" watch -j --timeout 300 --buffer-size 16777216 \
		>"$tmp/events$fam" 2>"$tmp/watch$fam" &
	wpid=$!
	wait_watcher "$B" "$wpid" ||
		ktap_print_msg "ipv$fam: watch did not join the events group"
	b0=$(snapshot "$B")
	h0=$(counter "$B" flows_half_open)
	k0="$(netstat "$B" SyncookiesSent) $(netstat "$B" TCPReqQFullDoCookies)"

	rm -f "$tmp/ready6"
	flood "$fam" "$addr" >"$tmp/sent$fam" &
	fpid=$!
	[ "$fam" = 6 ] && { slowwait 90 test -e "$tmp/ready6" ||
		ktap_print_msg "ipv6: synflood6.py did not start within 90 s"; }
	slowwait 20 until_counter_is "> $(val "$b0" syn_flood_detected)" \
		bcount syn_flood_detected >/dev/null ||
		ktap_print_msg "ipv$fam: no flood detected within 20 s"
	half=$(bcount flows_half_open)
	# The real connection, through the flood.
	ip netns exec "$A" "$TCPX" client -b "$CPORT" "$addr" >"$tmp/client$fam" 2>&1
	crc=$?
	kill -0 "$fpid" 2>/dev/null && during=yes || during=no
	wait "$fpid"
	sent=$(cat "$tmp/sent$fam")
	ktap_print_msg "ipv$fam: flood: ${sent:-?} SYNs in $FLOOD_S s ($(tr '\n' ' ' <"$tmp/flood$fam" | tail -c 200))"
	check "ipv$fam: the flood ran (at least 2 x threshold x seconds SYNs sent)" \
		test "${sent:-0}" -ge $((2 * THRESHOLD * FLOOD_S))

	# The end event, then no request left in B's SYN queue.
	slowwait 20 grep -q '"state":"end"' "$tmp/events$fam" ||
		ktap_print_msg "ipv$fam: no syn-flood end event within 20 s"
	wait_no_sockets "$B" syn-recv ||
		ktap_print_msg "ipv$fam: B still has requests in SYN-RECV"
	kill -INT "$wpid"
	wait "$wpid"
	b1=$(snapshot "$B")
	k1="$(netstat "$B" SyncookiesSent) $(netstat "$B" TCPReqQFullDoCookies)"
	ktap_print_msg "ipv$fam: B: TcpExtSyncookiesSent +$(( ${k1% *} - ${k0% *} )), TcpExtTCPReqQFullDoCookies +$(( ${k1#* } - ${k0#* } )), $(deltas "$b0" "$b1" seg_syn seg_synack flows_created flows_untracked synack_retrans), flows_half_open $h0 -> $half during the flood"

	check_eq "ipv$fam: syn_flood_detected +1" \
		"$(delta "$b0" "$b1" syn_flood_detected)" 1
	ev=$(events "$tmp/events$fam" "$fam" "$addr" 2>"$tmp/evlog$fam")
	while read -r line; do ktap_print_msg "ipv$fam: $line"; done <"$tmp/evlog$fam"
	[ -s "$tmp/watch$fam" ] && ktap_print_msg "ipv$fam: watch: $(tr '\n' ' ' <"$tmp/watch$fam")"
	check_eq "ipv$fam: one start and one end event, naming the listener" \
		"$(cut -d' ' -f1-6 <<<"$ev")" "$want"
	check "ipv$fam: flows_half_open above 0 during the flood ($half)" \
		test "$half" -gt "$h0"
	check "ipv$fam: synack_retrans above 0 ($(delta "$b0" "$b1" synack_retrans))" \
		test "$(delta "$b0" "$b1" synack_retrans)" -gt 0
	# B answers each SYN once (a request or a cookie) and retransmits
	# only the requests' SYN-ACKs: the module's SYN-ACKs beyond one per
	# SYN are exactly its synack_retrans.
	check_eq "ipv$fam: seg_synack - seg_syn = synack_retrans" \
		"$(( $(delta "$b0" "$b1" seg_synack) - $(delta "$b0" "$b1" seg_syn) ))" \
		"$(delta "$b0" "$b1" synack_retrans)"
	ktap_print_msg "ipv$fam: client: $(tr '\n' ' ' <"$tmp/client$fam")(exit $crc)"
	check_eq "ipv$fam: the real connection, within the flood: client exit, its flow-end event (the only one)" \
		"$crc during=$during $(cut -d' ' -f7- <<<"$ev")" \
		"0 during=yes flow_end=1 real=close_normal other=0"

	# The flood flows expire: syn_timeout 5.
	echo 5 >"$PARAMS/syn_timeout"
	slowwait 30 until_counter_is "== $h0" counter "$B" flows_half_open >/dev/null
	b2=$(snapshot "$B")
	echo 60 >"$PARAMS/syn_timeout"
	check_eq "ipv$fam: flows_half_open back to $h0 after syn_timeout" \
		"$(counter "$B" flows_half_open)" "$h0"
	created=$(delta "$b0" "$b2" flows_created)
	check_eq "ipv$fam: verdicts: the real one close_normal, every other flow syn_timeout" \
		"$(deltas "$b0" "$b2" $VERDICTS verdict_syn_timeout)" \
		"verdict_close_normal=1 verdict_close_simultaneous=0 verdict_reset_established=0 verdict_reset_closing=0 verdict_refused=0 verdict_timeout_fin_wait1=0 verdict_timeout_fin_wait2=0 verdict_timeout_last_ack=0 verdict_evicted=0 verdict_syn_timeout=$((created - 1))"
}

case_flood 4 10.0.1.2
case_flood 6 fd00:1::2
check "no kernel warning, oops or BUG" dmesg_clean
ktap_finished
