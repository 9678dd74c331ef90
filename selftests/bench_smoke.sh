#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make bench, reduced: one round of each section with short runs and small
# tables (bench.sh --smoke), then report.py over its output.  Asserts that
# every section produced figures and that the memory figures add up; no
# timing is asserted (Documentation/performance.rst).
source "$(dirname "$0")/lib.sh"

OUTJ=$(mktemp /tmp/bench-smoke.XXXXXX.json)
RESJ=$(mktemp /tmp/bench-res.XXXXXX.json)

ktap_print_header
if ! tcpclose_ko >/dev/null; then
	ktap_skip_all "tcpclose.ko not built for $(uname -r) (run: make modules-all)"
	exit "$KSFT_SKIP"
fi
ktap_set_plan 9
mod_unload
dmesg_mark

check "bench.sh --smoke runs every section" \
	"$TOP/selftests/bench/bench.sh" --smoke -o "$OUTJ"

# jq_py EXPR: EXPR over the bench output (d) and the report (r), in Python.
jq_py()
{
	"$PY" -c "import json, sys
d = json.load(open('$OUTJ'))
try:
    r = list(json.load(open('$RESJ')).values())[0]
except Exception:
    r = {}
sys.exit(0 if ($1) else 1)"
}

check "churn: a positive rate for base, module and conntrack" \
	jq_py 'all(d["churn_" + c][0] > 0 for c in ("base", "mod", "ct"))'
check "bulk: a positive rate for base, module and conntrack" \
	jq_py 'all(d["bulk_" + c][0] > 0 for c in ("base", "mod", "ct"))'
check "memory: the slab holds every tracked flow, at each size" \
	jq_py 'd["memory_flows"] == [1000, 10000] and all(o >= f for o, f in zip(d["memory_slab_objects"], d["memory_flows"]))'
# A KASAN kernel (make check-debug) pads every slab object with its
# redzones (256 bytes there): the bound is for Debian's kernels.
if kasan_kernel; then
	check "flow entry smaller than nf_conn (KASAN kernel: no 128-byte bound)" \
		jq_py 'd["flow_entry_bytes"][0] < d["nf_conn_bytes"][0]'
else
	check "flow entry is at most 128 bytes, and smaller than nf_conn" \
		jq_py 'd["flow_entry_bytes"][0] <= 128 and d["flow_entry_bytes"][0] < d["nf_conn_bytes"][0]'
fi
check "scale: a hook duration for each table size" \
	jq_py 'all(d["scale_hook_ns_%d" % n][0] > 0 for n in d["scale_sizes"])'
check "report.py writes the eight keys" \
	sh -c "'$PY' '$TOP/selftests/bench/report.py' -o '$RESJ' --insns 1 '$OUTJ' >/dev/null &&
	       '$PY' -c \"import json; r = list(json.load(open('$RESJ')).values())[0]; \
	       assert sorted(r) == sorted(['churn_ratio_module', 'churn_ratio_conntrack', \
	       'bulk_ratio_module', 'bulk_ratio_conntrack', 'flow_entry_bytes', \
	       'mem_mb_1m_flows', 'scale_ratio_1m_vs_1k', 'insns_per_packet'])\""
# On 6.1 the flow cache is merged with another of its size, and SLUB
# leaves the alias's /sys/kernel/slab link behind after rmmod: only a cache
# of its own (a directory) would be a leak.
check "no tcpclose slab cache left after bench.sh" \
	sh -c '! grep -q "^tcpclose_flow " /proc/slabinfo &&
	       { [ ! -d /sys/kernel/slab/tcpclose_flow ] ||
		 [ -L /sys/kernel/slab/tcpclose_flow ]; }'
check "no kernel warning" dmesg_clean
rm -f "$OUTJ" "$RESJ"
ktap_finished
