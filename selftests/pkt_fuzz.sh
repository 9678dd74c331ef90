#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Packet fuzzing through the three vantages of client -- router -- server:
# about 100 000 malformed TCP/IP and ICMP packets (pkt_fuzz.py: bad data
# offsets, bad or looping TCP options, IP header and length lies, IPv4
# options, fragments, every flag combination, IPv6 extension header chains,
# ICMP and ICMPv6 errors quoting bogus TCP headers...), IPv4 and IPv6, sent
# by pkt_fuzz_io on five sockets: from the client's link through the
# router to the server, from the client's own stack (its LOCAL_OUT), and
# straight to the router's, the server's and the client's LOCAL_IN.  Some
# segments carry the tuple of two connections held open.
#
# The same packets are sent twice, in a fresh topology each time: module
# unloaded, then loaded.  nft counts, at every hook, what reached it
# (priority 0) and what left it (priority INT_MAX, after tcpclose).
# Asserted:
#   - pkt_fuzz.py's model of the kernel is right: the nft counts of each
#     hook, per DSCP-tagged category, are what it predicts (without the
#     module, then with it);
#   - nothing dropped or changed: the server's veth receives the very
#     packets the model predicts, byte for byte (TTL and checksum aside;
#     IPv4 options the router rewrites are only counted), the same set
#     with and without the module, and every hook lets through what
#     reached it;
#   - everything counted: at each netns, seg_in / seg_out / seg_forward
#     equal nft's TCP count at that hook, and bad_header, fragment, the
#     seg_* classes and the PTB counters equal the model's, exactly;
#   - no kernel splat; a normal connection afterwards is counted and
#     closes cleanly; rmmod is clean.
# PKT_FUZZ_SEED and PKT_FUZZ_COUNT change the packet set (pkt_fuzz.py
# writes it into build/selftests/pkt_fuzz at build time, another set into
# build/selftests/pkt_fuzz-SEED-COUNT; here only if missing or stale,
# which under TCG takes minutes).
source "$(dirname "$0")/lib.sh"

IO=$BUILD/selftests/pkt_fuzz_io
SEED=${PKT_FUZZ_SEED:-1}
COUNT=${PKT_FUZZ_COUNT:-100000}
# Another set has a directory of its own (make check-debug builds one on
# the host): the repository is shared read-write with the VM, and make
# check's set must not be overwritten.
DATA=$BUILD/selftests/pkt_fuzz
[ "$SEED $COUNT" = "1 100000" ] || DATA=$DATA-$SEED-$COUNT
COUNTERS="seg_total seg_in seg_out seg_forward bad_header fragment seg_syn seg_synack seg_fin seg_rst seg_pure_ack seg_data"

MARKS=
mark() { MARKS+="$1 $SECONDS, "; }

ktap_print_header
if [ ! -x "$IO" ] || ! command -v nft >/dev/null; then
	ktap_skip_all "needs $IO (make selftests-bin) and nft"
	exit "$KSFT_SKIP"
fi
ktap_set_plan 18
require_module
t_start=$(date +%s)
tmp=$(mktemp -d)
backlog=$(sysctl -n net.core.netdev_max_backlog)
trap 'sysctl -qw net.core.netdev_max_backlog=$backlog; rm -rf "$tmp"; tcpclose_cleanup' EXIT
# A router's input queue overflowing would drop packets before any hook.
sysctl -qw net.core.netdev_max_backlog=100000
dmesg_mark

# The packets: as built at build time if pkt_fuzz.py's stamp still
# matches (a python start alone costs seconds under TCG), else built now.
stamp="seed=$SEED count=$COUNT sha=$(sha256sum "$TOP/selftests/pkt_fuzz.py" | cut -c1-16)"
if [ "$(cat "$DATA/stamp" 2>/dev/null)" != "$stamp" ]; then
	ktap_print_msg "building the packets ($stamp)"
	"$PY" "$TOP/selftests/pkt_fuzz.py" gen --seed "$SEED" --count "$COUNT" \
		"$DATA" >"$tmp/gen" 2>&1 || { cat "$tmp/gen"; ktap_exit_fail_msg "pkt_fuzz.py failed"; }
fi
exp() { awk -v k="$1" '$1 == k { print $2; f = 1 } END { if (!f) print 0 }' "$DATA/expected"; }
ktap_print_msg "$stamp: $(exp sent.total) packets: fwd $(exp sent.fwd) cout $(exp sent.cout) rin $(exp sent.rin) sin $(exp sent.sin) cin $(exp sent.cin)"

# setup: topology_crs with fixed MACs (the frames are prebuilt), static
# neighbours, no reverse path filter, room for the fragments.
setup()
{
	local ns

	topology_crs || return 1
	mark topology
	ip -n "$C" link set veth1 address 02:00:00:00:01:02 &&
	ip -n "$R" link set veth1 address 02:00:00:00:01:01 &&
	ip -n "$R" link set veth2 address 02:00:00:00:02:01 &&
	ip -n "$S" link set veth2 address 02:00:00:00:02:02 || return 1
	ip -n "$C" -batch - <<-EOF
	neigh replace 10.0.1.1 lladdr 02:00:00:00:01:01 dev veth1 nud permanent
	neigh replace fd00:1::1 lladdr 02:00:00:00:01:01 dev veth1 nud permanent
	EOF
	ip -n "$R" -batch - <<-EOF
	neigh replace 10.0.1.2 lladdr 02:00:00:00:01:02 dev veth1 nud permanent
	neigh replace fd00:1::2 lladdr 02:00:00:00:01:02 dev veth1 nud permanent
	neigh replace 10.0.2.2 lladdr 02:00:00:00:02:02 dev veth2 nud permanent
	neigh replace fd00:2::2 lladdr 02:00:00:00:02:02 dev veth2 nud permanent
	EOF
	ip -n "$S" -batch - <<-EOF
	neigh replace 10.0.2.1 lladdr 02:00:00:00:02:01 dev veth2 nud permanent
	neigh replace fd00:2::1 lladdr 02:00:00:00:02:01 dev veth2 nud permanent
	EOF
	for ns in "$C" "$R" "$S"; do
		ip netns exec "$ns" sh -c '
			for f in /proc/sys/net/ipv4/conf/*/rp_filter; do echo 0 >$f; done
			sysctl -qw net.ipv4.ipfrag_high_thresh=268435456 \
				net.ipv6.ip6frag_high_thresh=268435456
			sysctl -qw net.ipv4.ipfrag_max_dist=0' 2>/dev/null
	done
}

# nft_table: per hook, what reached it (priority 0: all tagged packets,
# per DSCP, TCP, TCP fragments; nft's own transport protocol stops at an
# IPv6 AH header, where tcpclose goes on, hence the second TCP rule) and what left it (INT_MAX, after
# tcpclose's NF_IP_PRI_LAST hook, registered earlier); and a drop of
# everything the stacks answer (RSTs, ICMP errors), before any count.
nft_table()
{
	local h hn

	echo "table inet fz {"
	for h in in out fwd; do
		echo "set c4_$h { type inet_proto; flags dynamic; counter; size 256; }"
		echo "set c6_$h { type inet_service; flags dynamic; counter; size 256; }"
		for c in all tcp frag4 frag6 post_all post_tcp; do
			echo "counter ${h}_$c { }"
		done
	done
	cat <<-EOF
	chain drop_out {
		type filter hook output priority -300; policy accept;
		meta mark != 0x7a1 meta l4proto tcp drop
		meta mark != 0x7a1 meta l4proto icmp drop
		meta mark != 0x7a1 meta l4proto ipv6-icmp icmpv6 type != { nd-neighbor-solicit, nd-neighbor-advert, nd-router-solicit, nd-router-advert } drop
	}
	EOF
	for h in in out fwd; do
		case $h in in) hn=input ;; out) hn=output ;; fwd) hn=forward ;; esac
		cat <<-EOF
		chain ${h}_pre {
			type filter hook $hn priority 0; policy accept;
			ip dscp != 0 update @c4_$h { @nh,8,8 }
			ip6 dscp != 0 update @c6_$h { @nh,0,16 }
			ip dscp != 0 counter name ${h}_all
			ip6 dscp != 0 counter name ${h}_all
			meta l4proto tcp counter name ${h}_tcp
			meta l4proto ah counter name ${h}_tcp
			meta l4proto tcp ip frag-off & 0x3fff != 0 counter name ${h}_frag4
			meta l4proto tcp exthdr frag exists counter name ${h}_frag6
		}
		chain ${h}_post {
			type filter hook $hn priority 2147483647; policy accept;
			ip dscp != 0 counter name ${h}_post_all
			ip6 dscp != 0 counter name ${h}_post_all
			meta l4proto tcp counter name ${h}_post_tcp
			meta l4proto ah counter name ${h}_post_tcp
		}
		EOF
	done
	echo "}"
}

# nft_counts NS LABEL: "LABEL.nft.HOOK.KEY VALUE" lines of NS's table.  The
# sets are keyed by the IPv4 TOS byte or the IPv6 header's first 16 bits
# (nft 1.0.6 mis-shifts "ip6 dscp" as a set key): the DSCP is taken here.
nft_counts()
{
	ip netns exec "$1" nft -n list table inet fz | awk -v p="$2" '
		$1 == "counter" && $3 == "{" { name = $2; next }
		name != "" && $1 == "packets" {
			h = name; sub(/_.*/, "", h); k = name; sub(/^[a-z]*_/, "", k)
			print p ".nft." h "." k, $2; name = ""; next
		}
		$1 == "set" { set = $2; next }
		$1 == "}" { set = "" }
		set != "" {
			for (i = 2; i < NF; i++) {
				if ($i != "counter" || $(i + 1) != "packets")
					continue
				key = $(i - 1); sub(/^\{/, "", key)
				v = $(i + 2); sub(/,$/, "", v)
				split(set, a, "_")
				d = a[1] == "c4" ? int(key / 4) : int(key / 64) % 64
				cat[p ".nft." a[2] ".cat" substr(a[1], 2) "." d] += v
			}
		}
		END { for (k in cat) print k, cat[k] }' | LC_ALL=C sort
}

# module_counts NS LABEL BEFORE: the counters' deltas since BEFORE (ptb:
# the three PTB counters summed).
module_counts()
{
	snapshot "$1" | B=$3 awk -v p="$2" -v list="$COUNTERS ptb" '
		BEGIN {
			n = split(ENVIRON["B"], l, "\n")
			for (i = 1; i <= n; i++) { split(l[i], f, " "); b[f[1]] = f[2] }
		}
		{ d[$1] = $2 - b[$1] }
		END {
			d["ptb"] = d["icmp_ptb"] + d["icmp_ptb_suspect"] + d["icmp_ptb_untracked"]
			n = split(list, k, " ")
			for (i = 1; i <= n; i++) print p "." k[i], d[k[i]] + 0
		}'
}

# compare GOT REGEX: GOT's keys matching REGEX against expected, missing
# ones 0.  Prints the mismatches, fails if any.
compare()
{
	awk -v re="$2" '
		$1 !~ re { next }
		FNR == NR { want[$1] = $2; keys[$1] = 1; next }
		{ got[$1] = $2; keys[$1] = 1 }
		END {
			for (k in keys)
				if (want[k] + 0 != got[k] + 0) {
					printf "%s: got %d, want %d\n", k, got[k], want[k]
					bad++
				}
			exit bad > 0
		}' "$DATA/expected" "$1"
}

# wait_quiet: until the server's and router's hooks count nothing new
# for a second (the sends are processed as they are made: this is short).
wait_quiet()
{
	local a b

	quiet_count() {
		ip netns exec "$S" nft list counter inet fz in_all
		ip netns exec "$R" nft list counter inet fz fwd_all
	}
	b=$(quiet_count)
	for _ in $(seq 30); do
		sleep 1
		a=$b
		b=$(quiet_count)
		[ "$a" = "$b" ] && return 0
	done
	return 1
}

# fuzz_run TAG: a fresh topology with two connections held open, the
# packets sent; leaves $tmp/TAG.{send,cap,rx,nft,mod} and the netns up.
fuzz_run()
{
	local tag=$1 ns c0 r0 s0 cpid t0 t1 t2 t3

	t0=$(date +%s)
	setup || return 1
	mark setup
	bg ip netns exec "$S" "$TCPX" server -6 -n 2
	wait_listen "$S" "$PORT" || return 1
	bg ip netns exec "$C" "$TCPX" client -b 40000 -w 600000 10.0.2.2
	bg ip netns exec "$C" "$TCPX" client -b 40001 -w 600000 fd00:2::2
	slowwait 20 sh -c "[ \$(ip netns exec $C ss -Htn state established | wc -l) -ge 2 ]" ||
		ktap_print_msg "$tag: the two held connections are not up"
	mark flows
	for ns in "$C" "$R" "$S"; do
		nft_table | ip netns exec "$ns" nft -f - || return 1
	done
	t1=$(date +%s)
	mark nft
	c0=$(snapshot "$C" 2>/dev/null) r0=$(snapshot "$R" 2>/dev/null)
	s0=$(snapshot "$S" 2>/dev/null)
	rm -f "$tmp/cap.ready"
	ip netns exec "$S" "$IO" cap veth2 "$tmp/$tag.rawcap" "$tmp/cap.ready" \
		>"$tmp/$tag.cap" &
	cpid=$!
	slowwait 30 test -e "$tmp/cap.ready"
	t2=$(date +%s)
	"$IO" send "$DATA/frames.bin" "$C" "$R" >"$tmp/$tag.send" 2>&1
	wait_quiet || ktap_print_msg "$tag: the hooks did not go quiet"
	t3=$(date +%s)
	mark sent
	kill -TERM $cpid
	wait $cpid
	LC_ALL=C sort "$tmp/$tag.rawcap" >"$tmp/$tag.rx"
	mark sorted
	ktap_print_msg "$tag: $(tr '\n' ' ' <"$tmp/$tag.send")$(cat "$tmp/$tag.cap")"
	ktap_print_msg "$tag: setup $((t1 - t0)) s, sending until quiet $((t3 - t2)) s, at $SECONDS s"
	for ns in C R S; do
		nft_counts "${!ns}" "$ns"
	done >"$tmp/$tag.nft"
	if mod_loaded; then
		module_counts "$C" C "$c0"
		module_counts "$R" R "$r0"
		module_counts "$S" S "$s0"
	fi >"$tmp/$tag.mod"
	mark counted
}

# The server's veth received what the model says: all of it, and beyond
# it only the router's rewrites of IPv4 options.
rx_check()
{
	local missing extra

	missing=$(LC_ALL=C comm -23 "$DATA/rx" "$tmp/$1.rx" | wc -l)
	extra=$(LC_ALL=C comm -13 "$DATA/rx" "$tmp/$1.rx" | wc -l)
	ktap_print_msg "$1: server veth received $(wc -l <"$tmp/$1.rx"), want $(exp rx.total); missing $missing, other $extra (IPv4 options the router rewrote: $(exp rx.rewritten))"
	[ "$missing" = 0 ] && [ "$extra" = "$(exp rx.rewritten)" ] &&
		grep -q "dropped 0$" "$tmp/$1.cap"
}

# stop_run: end the held connections and the topology.
stop_run()
{
	bg_stop
	cleanup_all_ns >/dev/null 2>&1
}

sent_all()
{
	grep -q "^sent $(exp sent.total) errors 0 " "$tmp/$1.send"
}

# 1. Without the module: the model of the kernel, and the reference.
mod_unload
fuzz_run unloaded || ktap_exit_fail_msg "unloaded run: setup failed"
check "unloaded: every packet sent" sent_all unloaded
check "unloaded: each hook saw what the model says (nft, per category)" \
	compare "$tmp/unloaded.nft" '^[CRS]\.nft\.[a-z]*\.(all|tcp|frag4|frag6|cat[46]\.)'
check "unloaded: the server received the packets, unchanged" rx_check unloaded
stop_run

mark checked
# 2. With the module.
mod_load || ktap_exit_fail_msg "insmod failed"
fuzz_run loaded || ktap_exit_fail_msg "loaded run: setup failed"
check "loaded: every packet sent" sent_all loaded
check "loaded: each hook saw what the model says (nft, per category)" \
	compare "$tmp/loaded.nft" '^[CRS]\.nft\.[a-z]*\.(all|tcp|frag4|frag6|cat[46]\.)'
check "loaded: the server received the packets, unchanged" rx_check loaded
check_eq "loaded: the server received the same bytes as without the module" \
	"$(md5sum <"$tmp/loaded.rx")" "$(md5sum <"$tmp/unloaded.rx")"
check_eq "loaded: every hook saw the same as without the module" \
	"$(md5sum <"$tmp/loaded.nft")" "$(md5sum <"$tmp/unloaded.nft")"
# what left each hook (after tcpclose) = what reached it
passed=$(awk '{ split($1, a, "."); k = a[1] "." a[3] }
	a[4] == "all" { pre[k] = $2 } a[4] == "tcp" { tpre[k] = $2 }
	a[4] == "post_all" { post[k] = $2 } a[4] == "post_tcp" { tpost[k] = $2 }
	END { for (k in pre) if (pre[k] != post[k] || tpre[k] != tpost[k])
		printf "%s: %d/%d reached, %d/%d left ", k, pre[k], tpre[k], post[k], tpost[k] }' \
	"$tmp/loaded.nft")
check_eq "loaded: every hook let through all it got (nothing dropped)" "$passed" ""
for ns in C R S; do
	ktap_print_msg "$ns: $(grep "^$ns\." "$tmp/loaded.mod" | sed "s/^$ns\.//" | tr '\n' ' ')"
	got=$(awk -v ns="$ns" '
		$1 == ns ".seg_in" { m["in"] = $2 } $1 == ns ".seg_out" { m["out"] = $2 }
		$1 == ns ".seg_forward" { m["fwd"] = $2 }
		$1 == ns ".nft.in.tcp" { n["in"] = $2 } $1 == ns ".nft.out.tcp" { n["out"] = $2 }
		$1 == ns ".nft.fwd.tcp" { n["fwd"] = $2 }
		END { printf "in %d/%d out %d/%d fwd %d/%d", m["in"], n["in"],
			m["out"], n["out"], m["fwd"], n["fwd"] }' \
		"$tmp/loaded.mod" "$tmp/loaded.nft")
	want=$(echo "$got" | awk '{ for (i = 2; i <= NF; i += 2) { split($i, a, "/"); $i = a[2] "/" a[2] } print }')
	check_eq "$ns: seg_in/out/forward equal nft's TCP count at each hook" "$got" "$want"
	check "$ns: bad_header, fragment, classes and PTBs as the model says" \
		compare "$tmp/loaded.mod" "^$ns\\.[a-z_]*\$"
done

# 3. The module still works: a normal connection on another port through
# the same topology (the held connections stay mute: their answers are
# still dropped).
for ns in "$C" "$S"; do
	ip netns exec "$ns" nft insert rule inet fz drop_out tcp dport 5002 accept
	ip netns exec "$ns" nft insert rule inet fz drop_out tcp sport 5002 accept
done
r0=$(snapshot "$R")
ip netns exec "$S" "$TCPX" server -p 5002 -n 1 &
spid=$!
wait_listen "$S" 5002
ip netns exec "$C" "$TCPX" client -p 5002 10.0.2.2 >/dev/null ||
	ktap_print_msg "the final exchange failed"
wait $spid
wait_no_sockets "$S" last-ack
r1=$(snapshot "$R")
check_eq "afterwards: a normal connection is counted and closes cleanly" \
	"$(deltas "$r0" "$r1" seg_syn seg_fin verdict_close_normal)" \
	"seg_syn=1 seg_fin=2 verdict_close_normal=1"
mark checked
stop_run
check "rmmod is clean" mod_unload
check "no kernel splat" dmesg_clean
mark end
ktap_print_msg "marks (s): $MARKS"
ktap_print_msg "duration $(($(date +%s) - t_start)) s"
ktap_finished
