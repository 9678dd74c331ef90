#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The tcpclose CLI against the real module, over generic netlink: stats
# (text, JSON, --host, --nonzero, --hist, --prometheus), flows and their
# filters on an F5 case, watch, config get/set, reset, -n NETNS, and the
# errors (module not loaded, no privilege, a value the kernel rejects,
# bad arguments).  Text output is compared with selftests/golden/cli-*;
# TCPCLOSE_GOLDEN_UPDATE=1 rewrites those files instead.  TCPCLOSE_CLI
# runs another build of the tool (one with -fsanitize=address, say).
source "$(dirname "$0")/lib.sh"

CLI=${TCPCLOSE_CLI:-$TOP/tools/tcpclose}
GOLDEN=$TOP/selftests/golden
PARAMS=/sys/module/tcpclose/parameters
NOBODY=(setpriv --reuid=65534 --regid=65534 --clear-groups)
NOT_LOADED="tcpclose: module not loaded (try: modprobe tcpclose)"
FLOWS_HEADER="Fam  Vantage  A-Address:Port  B-Address:Port  State-A  State-B  Init  Closer  Verdict  Stalled  Anomalies  Age"
TMP=$(mktemp -d)
RMEM_MAX=$(sysctl -n net.core.rmem_max)

cli_cleanup()
{
	sysctl -qw net.core.rmem_max="$RMEM_MAX"
	rm -rf "$TMP"
	tcpclose_cleanup
}
trap cli_cleanup EXIT

ktap_print_header
if [ ! -x "$CLI" ]; then
	ktap_skip_all "tools/tcpclose not built (run: make)"
	exit "$KSFT_SKIP"
fi
ktap_set_plan 35

# run ARGS...: the CLI's stdout in $out, stderr in $err, status in $rc.
run()
{
	"$CLI" "$@" >"$TMP/out" 2>"$TMP/err"
	rc=$?
	out=$(<"$TMP/out") err=$(<"$TMP/err")
}

# check_golden DESC FILE TEXT: TEXT is selftests/golden/FILE.
check_golden()
{
	if [ "${TCPCLOSE_GOLDEN_UPDATE:-0}" = 1 ]; then
		printf '%s\n' "$3" >"$GOLDEN/$2"
		ktap_test_pass "$1 (golden file rewritten)"
	elif [ "$3" = "$(cat "$GOLDEN/$2")" ]; then
		ktap_test_pass "$1"
	else
		diff -u "$GOLDEN/$2" - <<<"$3" | sed 's/^/# /'
		ktap_test_fail "$1"
	fi
}

# Data lines of flows' text output, the Age column made constant.
flow_lines()
{
	tail -n +2 | sed -E 's/[0-9][0-9a-z.]*$/AGE/'
}

# json_equals_proc JSON PROC_TEXT: same names, order and values.
json_equals_proc()
{
	"$PY" -c '
import json, sys
got = list(json.loads(sys.argv[1]).items())
want = [(l.split()[0], int(l.split()[1])) for l in sys.argv[2].splitlines()]
sys.exit(got != want)' "$1" "$2"
}

# stable_equal CMD PROC_CMD: CMD's JSON equals PROC_CMD's counters, read
# between two equal reads of CMD (a few tries, in case something moved).
stable_equal()
{
	local a b p

	for _ in 1 2 3 4 5; do
		a=$(eval "$1") p=$(eval "$2") b=$(eval "$1")
		[ "$a" = "$b" ] && json_equals_proc "$a" "$p" && return 0
		sleep 0.2
	done
	ktap_print_msg "got $a"
	ktap_print_msg "want $p"
	return 1
}

# Strict check of the Prometheus text format, and of its values against
# /proc counters: prom_valid EXIT_STATUS METRICS_FILE PROC_FILE
prom_valid()
{
	[ "$1" = 0 ] || { ktap_print_msg "exit status $1"; return 1; }
	"$PY" - "$2" "$3" <<-'EOF'
	import re, sys
	NAME = re.compile(r"[a-zA-Z_:][a-zA-Z0-9_:]*")
	LNAME = re.compile(r"[a-zA-Z_][a-zA-Z0-9_]*")
	errors = []
	def err(n, msg):
	    errors.append("line %d: %s" % (n, msg))
	def labels(s, i, n):
	    # s[i] == "{": parse up to the closing brace
	    out, i = {}, i + 1
	    while s[i] != "}":
	        m = LNAME.match(s, i)
	        if not m or s[m.end():m.end() + 2] != '="':
	            raise ValueError("bad label at %r" % s[i:])
	        name, i, val = m.group(), m.end() + 2, ""
	        while s[i] != '"':
	            if s[i] == "\\":
	                if s[i + 1] not in '\\"n':
	                    raise ValueError("bad escape")
	                val += "\n" if s[i + 1] == "n" else s[i + 1]
	                i += 2
	            else:
	                val += s[i]
	                i += 1
	        i += 1
	        if name in out:
	            raise ValueError("duplicate label " + name)
	        out[name] = val
	        if s[i] == ",":
	            i += 1
	    return out, i + 1
	types, helps, done, series, samples = {}, {}, set(), set(), []
	current = None
	for n, line in enumerate(open(sys.argv[1]).read().splitlines(), 1):
	    if not line.strip():
	        continue
	    if line.startswith("#"):
	        f = line.split(None, 3)
	        if len(f) >= 3 and f[1] in ("HELP", "TYPE"):
	            if not NAME.fullmatch(f[2]):
	                err(n, "bad metric name " + f[2])
	            table = helps if f[1] == "HELP" else types
	            if f[2] in table:
	                err(n, "second %s for %s" % (f[1], f[2]))
	            if f[2] in done or f[2] == current:
	                err(n, "%s after samples of %s" % (f[1], f[2]))
	            if f[1] == "TYPE" and (len(f) < 4 or f[3] not in
	                    ("counter", "gauge", "histogram", "summary", "untyped")):
	                err(n, "bad type")
	            table[f[2]] = f[3] if len(f) > 3 else ""
	        continue
	    m = NAME.match(line)
	    if not m:
	        err(n, "bad sample")
	        continue
	    name, i = m.group(), m.end()
	    lab = {}
	    try:
	        if i < len(line) and line[i] == "{":
	            lab, i = labels(line, i, n)
	        rest = line[i:].split()
	        if line[i] != " " or len(rest) not in (1, 2):
	            raise ValueError("bad value part")
	        value = float(rest[0])
	    except (ValueError, IndexError) as e:
	        err(n, "%s: %s" % (line, e))
	        continue
	    fam = name
	    for suf in ("_bucket", "_sum", "_count"):
	        base = name[:-len(suf)]
	        if name.endswith(suf) and types.get(base) == "histogram":
	            fam = base
	    if fam not in types or fam not in helps:
	        err(n, "no TYPE or HELP before " + name)
	    if not fam.startswith("tcpclose_"):
	        err(n, "no tcpclose_ prefix: " + name)
	    if fam != current:
	        if fam in done:
	            err(n, "samples of %s not together" % fam)
	        if current:
	            done.add(current)
	        current = fam
	    key = (name, tuple(sorted(lab.items())))
	    if key in series:
	        err(n, "duplicate series " + line)
	    series.add(key)
	    t = types.get(fam)
	    if t == "counter" and (not name.endswith("_total") or value < 0):
	        err(n, "counter not named *_total or negative: " + line)
	    if t != "counter" and name.endswith("_total"):
	        err(n, "non-counter named *_total: " + line)
	    samples.append((n, fam, name, lab, value))
	# histograms: ascending le, cumulative, +Inf last and equal to _count
	hists = {}
	for n, fam, name, lab, value in samples:
	    if types.get(fam) != "histogram":
	        continue
	    rest = tuple(sorted((k, v) for k, v in lab.items() if k != "le"))
	    h = hists.setdefault((fam, rest), {"b": [], "sum": None, "count": None})
	    if name == fam + "_bucket":
	        h["b"].append((float(lab["le"]), value, n))
	    elif name == fam + "_sum":
	        h["sum"] = value
	    elif name == fam + "_count":
	        h["count"] = value
	    else:
	        err(n, "stray histogram sample " + name)
	for (fam, rest), h in hists.items():
	    b = h["b"]
	    if not b or b[-1][0] != float("inf"):
	        err(0, "%s %s: no +Inf bucket last" % (fam, rest))
	        continue
	    for (le0, v0, _), (le1, v1, n) in zip(b, b[1:]):
	        if le1 <= le0 or v1 < v0:
	            err(n, "%s %s: le not ascending or count not cumulative" % (fam, rest))
	    if h["sum"] is None or h["count"] != b[-1][1]:
	        err(0, "%s %s: _sum missing or _count != +Inf bucket" % (fam, rest))
	# values equal the /proc counters
	values = {s[2]: s[4] for s in samples}
	for l in open(sys.argv[2]):
	    c, v = l.split()
	    names = ["tcpclose_" + c, "tcpclose_" + c + "_total"]
	    got = [values[x] for x in names if x in values]
	    if got != [float(v)]:
	        err(0, "%s: %s, /proc says %s" % (c, got, v))
	for e in errors[:20]:
	    print("# " + e)
	sys.exit(1 if errors else 0)
	EOF
}

# --- without the module ----------------------------------------------------

mod_unload
bad=
for cmd in stats flows watch config reset "config set fin_timeout 30"; do
	# shellcheck disable=SC2086
	run $cmd
	[ "$rc:$out:$err" = "1::$NOT_LOADED" ] || bad+="$cmd ($rc: $err); "
done
check_eq "module not loaded: each command exits 1 with the hint" "$bad" ""

require_module close_wait_alarm=1 time_wait=1 max_flows=4096
dmesg_mark

# --- stats -----------------------------------------------------------------

run config
check_golden "config: every parameter, aligned" cli-config.txt "$out"
run -j config
check "config -j equals sysfs" "$PY" -c '
import json, os, sys
got = json.loads(sys.argv[1])
want = {p: open(os.path.join(sys.argv[2], p)).read().strip()
	for p in os.listdir(sys.argv[2])}
want = {k: v if k == "fin_timeout_action" else int(v) for k, v in want.items()}
sys.exit(got != want)' "$out" "$PARAMS"

setup_ns Q A B
check_golden "stats of a new netns: every counter, aligned" cli-stats.txt \
	"$("$CLI" -n "$Q" stats)"
link_ns "$A" "$B" 1
exchange "$A" "$B" 10.0.1.2 2
slowwait 10 sh -c "[ \$(ip netns exec $A awk '\$1 == \"state_time_wait\" { print \$2 }' /proc/net/tcpclose) = 0 ]"
check_eq "stats names are /proc/net/tcpclose's, in order" \
	"$("$CLI" -n "$A" stats | awk '{ print $1 }')" \
	"$(snapshot "$A" | awk '{ print $1 }')"
check "-n NETNS stats -j equals /proc/net/tcpclose of a quiet netns" \
	stable_equal "'$CLI' -n '$A' -j stats" "snapshot '$A'"
check "stats --host -j equals /proc/tcpclose" \
	stable_equal "'$CLI' stats --host -j" "cat /proc/tcpclose"
check_eq "stats --nonzero leaves out exactly the zero counters" \
	"$("$CLI" -n "$A" stats --nonzero | awk '{ print $1 }')" \
	"$(snapshot "$A" | awk '$2 != 0 { print $1 }')"
check_eq "-n NETNS sees the netns's 2 connections" \
	"$("$CLI" -n "$A" -j stats | "$PY" -c 'import json,sys; print(json.load(sys.stdin)["seg_syn"])')" 2

"$CLI" -n "$A" stats --prometheus >"$TMP/prom"
rc=$?
snapshot "$A" >"$TMP/proc"
check "stats --prometheus: strict format, histograms, values of /proc" \
	prom_valid "$rc" "$TMP/prom" "$TMP/proc"
if command -v promtool >/dev/null; then
	check "stats --prometheus: promtool check metrics" \
		sh -c "promtool check metrics <'$TMP/prom'"
else
	ktap_test_skip "stats --prometheus: promtool check metrics (no promtool)"
fi

run -n "$A" stats --hist
check "stats --hist: bpftrace hist() layout" "$PY" -c '
import re, sys
lines = sys.argv[1].split("\n")
heads = [l for l in lines if l.startswith("@")]
ok = heads == ["@fin_wait1_ms:", "@fin_wait2_ms:", "@time_wait_ms:", "@close_wait_ms:", "@last_ack_ms:"]
row = re.compile(r"\[(0|\d+[KMG]?), (\d+[KMG]?|\.\.\.)\) {1,}\d+ \|[@ ]{52}\|$")
for l in lines:
    ok &= l == "" or l.startswith("@") or bool(row.match(l)) and len(l.split("|")[0]) == 25
ok &= any(row.match(l) and "@" * 52 in l for l in lines)
sys.exit(not ok)' "$out"
run -n "$A" -j stats --hist
check "stats --hist -j: 5 states, 32 buckets, count = their sum" "$PY" -c '
import json, sys
h = json.loads(sys.argv[1])
ok = list(h) == ["fin_wait1", "fin_wait2", "time_wait", "close_wait", "last_ack"]
for v in h.values():
    ok &= len(v["buckets"]) == 32 and sum(v["buckets"]) == v["count"]
ok &= h["time_wait"]["count"] == 2 and h["time_wait"]["sum_ms"] >= 1000
sys.exit(not ok)' "$out"

# --- flows on an F5 case: the client closes, the server never does ---------

setup_ns C S
link_ns "$C" "$S" 2
# The servers' hold and fin_timeout (60 s by default) outlast the checks
# below, which take longer than a minute on the debug kernel: scaled.
[ "$(scaled 60)" = 60 ] || "$CLI" config set fin_timeout "$(scaled 60)"
bg ip netns exec "$S" "$TCPX" server -p 5001 -H "$(scaled 60)" >/dev/null
f5_servers=("${BG_PIDS[-1]}")
bg ip netns exec "$S" "$TCPX" server -6 -p 5002 -H "$(scaled 60)" >/dev/null
f5_servers+=("${BG_PIDS[-1]}")
wait_listen "$S" 5001
wait_listen "$S" 5002
ip netns exec "$C" "$TCPX" client -b 40001 -p 5001 10.0.2.2
ip netns exec "$C" "$TCPX" client -b 40002 -p 5002 fd00:2::2
# close_wait_alarm=1: both servers soon stuck in CLOSE_WAIT
slowwait 10 sh -c "[ \$('$CLI' -n $S flows stuck | wc -l) = 3 ]"

run -n "$S" flows
check_golden "flows: both F5 flows, aligned, IPv6 in brackets" cli-flows.txt \
	"$(head -n 1 <<<"$out"; flow_lines <<<"$out")"
# Column widths follow the rows shown: compare with spaces squeezed.
all=$(flow_lines <<<"$out" | tr -s ' ')
bad=
for f in "state fin-wait-2" "state fin_wait2" "state FIN_WAIT2" \
	 "state fin-wait2" "state close-wait" stuck "verdict open" \
	 "addr 10.0.2.0/24 port 5001" "addr fd00:2::1" "port 5002 stuck"; do
	# shellcheck disable=SC2086
	got=$("$CLI" -n "$S" flows $f | flow_lines | tr -s ' ')
	want=$all
	case $f in *5001) want=$(grep '^ipv4' <<<"$all") ;; esac
	case $f in *fd00*|*5002*) want=$(grep '^ipv6' <<<"$all") ;; esac
	[ "$got" = "$want" ] || bad+="[$f] "
done
check_eq "flows with filters that match" "$bad" ""
bad=
for f in "state time-wait" "verdict reset-closing" "port 80" \
	 "addr 192.168.0.0/16" "state established" "verdict open port 9"; do
	# shellcheck disable=SC2086
	run -n "$S" flows $f
	[ "$rc:$out" = "0:$FLOWS_HEADER" ] || bad+="[$f] "
done
check_eq "flows with filters that match nothing: the header only" "$bad" ""
run -n "$S" -j flows
check "flows -j: both flows, endpoints, states, stuck, verdict" "$PY" -c '
import json, sys
f = json.loads(sys.argv[1])
ok = [x["family"] for x in f] == ["ipv4", "ipv6"]
for x in f:
    a, b = x["a"], x["b"]
    ok &= (a["state"], b["state"], a["local"], b["local"]) == ("fin_wait2", "close_wait", False, True)
    ok &= b["stuck"] and not a["stuck"] and x["verdict"] == "none"
    ok &= x["initiator"] == x["active_closer"] == "a" and x["anomalies"] == []
    ok &= a["port"] in (40001, 40002) and b["port"] in (5001, 5002)
    ok &= a["fins"] == 1 and b["fins"] == 0 and x["age_ms"] >= b["state_ms"]
ok &= f[0]["a"]["addr"] == "10.0.2.1" and f[1]["b"]["addr"] == "fd00:2::2"
sys.exit(not ok)' "$out"

bad=
for f in "state bogus" "port 70000" "port" "addr 10.0.0.0/33" "addr ::1/129" \
	 "stuck stuck" "verdict maybe" "frob"; do
	# shellcheck disable=SC2086
	run flows $f
	[ "$rc" = 2 ] && [ -z "$out" ] && grep -q '^Usage: tcpclose' <<<"$err" ||
		bad+="[$f: $rc] "
done
check_eq "flows with a bad filter: usage, exit 2" "$bad" ""

# The F5 flows end when fin_timeout expires: two events, the server blamed.
bg "$CLI" -n "$S" watch -j --count 2 --timeout 30 >"$TMP/f5.json"
watcher=${BG_PIDS[-1]}
wait_watcher "$S" "$watcher"
"$CLI" config set fin_timeout 1
wait "$watcher"
rc=$?
check "watch -j: F5 flows end in timeout_fin_wait2, server stalled" "$PY" -c '
import json, sys
ev = [json.loads(l) for l in open(sys.argv[1])]
ok = len(ev) == 2 and sys.argv[2] == "0"
for e in ev:
    ok &= e["event"] == "flow_end" and e["verdict"] == "timeout_fin_wait2"
    ok &= e["stalled"] == "b" and e["b"]["port"] in (5001, 5002)
    ok &= isinstance(e["time_ms"], int)
sys.exit(not ok)' "$TMP/f5.json" "$rc"
kill "${f5_servers[@]}"

# --- watch -----------------------------------------------------------------

setup_ns WC WS
link_ns "$WC" "$WS" 3
bg ip netns exec "$WC" "$CLI" watch -j --count 1 --timeout 60 >"$TMP/w.json"
jw=${BG_PIDS[-1]}
bg ip netns exec "$WS" "$CLI" watch --count 1 --timeout 60 >"$TMP/w.txt"
tw=${BG_PIDS[-1]}
wait_watcher "$WC" "$jw"
wait_watcher "$WS" "$tw"
bg ip netns exec "$WS" "$TCPX" server -n 0
wait_listen "$WS" 5001
ip netns exec "$WC" "$TCPX" client -b 41001 10.0.3.2
wait "$jw"
jrc=$?
wait "$tw"
trc=$?
check "watch -j --count 1: the flow-end event of the client's close" "$PY" -c '
import json, sys
ev = [json.loads(l) for l in open(sys.argv[1])]
e = ev[0] if len(ev) == 1 else {}
ok = sys.argv[2] == "0" and e.get("event") == "flow_end"
ok = ok and e["verdict"] == "close_normal" and e["active_closer"] == "a"
ok = ok and (e["a"]["addr"], e["a"]["port"], e["b"]["port"]) == ("10.0.3.1", 41001, 5001)
ok = ok and e["a"]["local"] and not e["b"]["local"] and e["family"] == "ipv4"
sys.exit(not ok)' "$TMP/w.json" "$jrc"
line=$(cat "$TMP/w.txt")
check "watch --count 1: one text line with a timestamp (exit $trc)" \
	grep -qE '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}\.[0-9]{3} flow-end ipv4 host 10\.0\.3\.1:41001 10\.0\.3\.2:5001 [A-Z-]+/[A-Z-]+ verdict=close-normal initiator=A closer=A stalled=- anomalies=- age=[0-9.a-z]+$' \
	"$TMP/w.txt"
[ "$trc" = 0 ] || ktap_print_msg "watch exited $trc: $line"

# A watcher that stops reading overruns its receive buffer: it says so on
# stderr and goes on.  Unprivileged, so that rmem_max caps its buffer.
sysctl -qw net.core.rmem_max=4096
ip netns exec "$WC" "${NOBODY[@]}" "$CLI" watch --timeout 60 >"$TMP/o.txt" 2>"$TMP/o.err" &
ow=$!
BG_PIDS+=("$ow")
wait_watcher "$WC" "$ow"
kill -STOP "$ow"
ip netns exec "$WC" "$TCPX" client -n 30 10.0.3.2
kill -CONT "$ow"
slowwait 10 grep -q . "$TMP/o.err"
n=$(wc -l <"$TMP/o.txt")
ip netns exec "$WC" "$TCPX" client -b 41002 10.0.3.2
slowwait 10 grep -q ':41002 ' "$TMP/o.txt"
kill -TERM "$ow"
wait "$ow"
rc=$?
check_eq "watch: overrun reported, events go on, SIGTERM exits 0" \
	"$(cat "$TMP/o.err") $((n < 31)) $(grep -c ':41002 ' "$TMP/o.txt") $rc" \
	"tcpclose: watch: events lost (receive buffer overrun) 1 1 0"
sysctl -qw net.core.rmem_max="$RMEM_MAX"

# The same as root, with the smallest --buffer-size (SO_RCVBUFFORCE).
"$CLI" -n "$WC" watch --buffer-size 4096 --timeout 60 >"$TMP/b.txt" 2>"$TMP/b.err" &
bw=$!
BG_PIDS+=("$bw")
wait_watcher "$WC" "$bw"
kill -STOP "$bw"
ip netns exec "$WC" "$TCPX" client -n 30 10.0.3.2
kill -CONT "$bw"
slowwait 10 grep -q . "$TMP/b.err"
kill -TERM "$bw"
wait "$bw"
rc=$?
check_eq "watch --buffer-size 4096 as root: overrun reported, exit 0" \
	"$(cat "$TMP/b.err") $rc $(($(wc -l <"$TMP/b.txt") < 30))" \
	"tcpclose: watch: events lost (receive buffer overrun) 0 1"

# --- config set, reset and errors ------------------------------------------

run config set fin_timeout 30 time_wait 2 fin_timeout_action reset
check_eq "config set of 3 parameters reaches sysfs" \
	"$rc:$out$err:$(cat $PARAMS/fin_timeout $PARAMS/time_wait $PARAMS/fin_timeout_action | xargs)" \
	"0::30 2 reset"
"$CLI" config set fin_timeout_action observe
run config set fin_timeout 0
check_eq "config set fin_timeout 0: the kernel's range, exit 1, unchanged" \
	"$rc:$err:$(cat $PARAMS/fin_timeout)" \
	"1:tcpclose: config set: fin_timeout: integer out of range (valid: 1..86400):30"
run config set time_wait 5 max_flows 0 fin_timeout 10
check_eq "config set with one bad value changes nothing" \
	"$rc:$err:$(cat $PARAMS/time_wait $PARAMS/fin_timeout | xargs)" \
	"1:tcpclose: config set: max_flows: integer out of range (valid: 1..67108864):2 30"
run config set fin_timeout_action 2
check_eq "config set fin_timeout_action 2: the kernel's range" \
	"$rc:$err" "1:tcpclose: config set: fin_timeout_action: integer out of range (valid: 0..1)"
bad=
for a in "config set fin_timeout abc" "config set fin_timeout -1" \
	 "config set fin_timeout 4294967296" "config set nosuch 1" \
	 "config set fin_timeout" "config set" "config get nosuch" \
	 "config set fin_timeout 1 fin_timeout 2" "config frob" \
	 "stats --prometheus -j" "stats extra" "reset extra" \
	 "watch --count 0" "watch --timeout x" "bogus" "--bogus"; do
	# shellcheck disable=SC2086
	run $a
	[ "$rc" = 2 ] && [ -z "$out" ] && grep -q '^Usage: tcpclose' <<<"$err" ||
		bad+="[$a: $rc] "
done
check_eq "bad arguments: usage on stderr, exit 2, nothing changed" \
	"$bad$(cat $PARAMS/fin_timeout)" 30

out=$("${NOBODY[@]}" "$CLI" config set fin_timeout 10 2>&1)
rc=$?
check_eq "config set as nobody: permission denied, exit 1, unchanged" \
	"$rc:$out:$(cat $PARAMS/fin_timeout)" \
	"1:tcpclose: config set: permission denied (needs CAP_NET_ADMIN):30"
out=$("${NOBODY[@]}" "$CLI" reset 2>&1)
rc=$?
check_eq "reset as nobody: permission denied, exit 1" "$rc:$out" \
	"1:tcpclose: reset: permission denied (needs CAP_NET_ADMIN)"
check "stats as nobody works" sh -c "${NOBODY[*]} '$CLI' stats >/dev/null"

"$CLI" -n "$A" reset
rc=$?
check_eq "reset zeroes a netns's counters, /proc too" \
	"$rc $(counter "$A" seg_total) $(counter "$A" flows_created) $("$CLI" -n "$A" -j stats --hist | "$PY" -c 'import json,sys; print(json.load(sys.stdin)["time_wait"]["count"])')" \
	"0 0 0 0"
before=$(host_counter verdict_timeout_fin_wait2)
"$CLI" reset --host
check_eq "reset --host zeroes the host-wide totals" \
	"$((before >= 2)) $?:$(host_counter verdict_timeout_fin_wait2)" "1 0:0"

run version
check "version: tool, module and family versions" grep -qx \
	"tcpclose [^ ]* (module $(cat /sys/module/tcpclose/version), netlink family version 1)" \
	"$TMP/out"
check "no kernel warnings" dmesg_clean
ktap_finished
