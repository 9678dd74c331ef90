#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""report.py - the table and build/bench/results.json of make bench.

    report.py -o RESULTS --insns N KERNEL.json...

Each KERNEL.json is what selftests/bench/bench.sh wrote inside one VM boot;
N is the host's instructions per packet (make -C selftests/bench insns).
RESULTS gets one object per kernel release with exactly the eight keys of
Documentation/performance.rst; the table goes to stdout.
"""
import argparse
import json
import statistics
import sys

MB = 1e6


def med(values):
    return statistics.median(values)


def ratio(raw, cfg, section):
    return med(raw[f"{section}_{cfg}"]) / med(raw[f"{section}_base"])


def hook_ns(raw, size, kind="hook"):
    """The hook's own median duration at @size flows, less the tracer's:
    for segments of the 1 k busy flows (hook) or of any flow (cold)."""
    return med(raw[f"scale_{kind}_ns_{size}"]) - med(raw["scale_trace_ns"])


def results(raw):
    sizes = raw["scale_sizes"]
    big = str(sizes[-1])
    return {
        "churn_ratio_module": ratio(raw, "mod", "churn"),
        "churn_ratio_conntrack": ratio(raw, "ct", "churn"),
        "bulk_ratio_module": ratio(raw, "mod", "bulk"),
        "bulk_ratio_conntrack": ratio(raw, "ct", "bulk"),
        "flow_entry_bytes": raw["flow_entry_bytes"][0],
        "mem_mb_1m_flows": raw["memory_kernel_delta_kb"][-1] * 1024 / MB
        if raw["memory_flows"][-1] >= 1000000 else None,
        "scale_ratio_1m_vs_1k": hook_ns(raw, big) / hook_ns(raw, sizes[0])
        if int(big) >= 1000000 else None,
    }


def overhead_share(r):
    """tcpclose's churn overhead as a share of conntrack's."""
    ct = 1 - r["churn_ratio_conntrack"]
    return (1 - r["churn_ratio_module"]) / ct if ct > 0 else float("inf")


def fmt(v, spec):
    return "n/a" if v is None else format(v, spec)


def rate_rows(section, unit, goal):
    """The medians of a section's three configurations, and its ratios."""
    def medians(raw, r):
        return " | ".join("{:.0f}".format(med(raw[f"{section}_{c}"]))
                          for c in ("base", "mod", "ct"))
    return [
        (f"{section} {unit} base | module | conntrack", "", medians),
        (f"{section} ratio, module", goal, lambda raw, r:
         fmt(r[f"{section}_ratio_module"], ".3f")),
        (f"{section} ratio, conntrack", "", lambda raw, r:
         fmt(r[f"{section}_ratio_conntrack"], ".3f")),
    ]


def table(raws, res):
    rels = [raw["release"] for raw in raws]
    rows = rate_rows("churn", "conn/s", ">= 0.98") + [
        ("module overhead / conntrack's", "<= 0.33",
         lambda raw, r: fmt(overhead_share(r), ".2f")),
    ] + rate_rows("bulk", "Mbit/s", ">= 0.99") + [
        ("flow entry bytes (nf_conn)", "<= 128", lambda raw, r:
         f"{r['flow_entry_bytes']} ({raw['nf_conn_bytes'][0]})"),
    ]
    for i, n in enumerate(raws[0]["memory_flows"]):
        rows.append((f"MB at {n} flows: MemAvailable | kernel",
                     "<= 160" if n >= 1000000 else "",
                     lambda raw, r, i=i: "{:.1f} | {:.1f}".format(
                         raw["memory_avail_delta_kb"][i] * 1024 / MB,
                         raw["memory_kernel_delta_kb"][i] * 1024 / MB)))
    for n in raws[0]["scale_sizes"]:
        rows.append((f"hook ns at {n} flows, 1 k busy", "",
                     lambda raw, r, n=n: "{:.0f}".format(hook_ns(raw, n))))
    for n in raws[0]["scale_sizes"]:
        rows.append((f"hook ns at {n} flows, any flow", "", lambda raw, r, n=n:
                     "{:.0f}".format(hook_ns(raw, n, "cold"))))
    rows += [
        ("scale ratio 1 M / 1 k", "<= 1.2",
         lambda raw, r: fmt(r["scale_ratio_1m_vs_1k"], ".2f")),
        ("insns per packet (host)", "<= 200",
         lambda raw, r: str(r["insns_per_packet"])),
    ]
    w = max(len(name) for name, _, _ in rows)
    cols = [max(16, len(rel)) for rel in rels]
    print(f"{'':{w}}  {'goal':8}  " +
          "  ".join(f"{rel:{c}}" for rel, c in zip(rels, cols)))
    for name, goal, get in rows:
        cells = [get(raw, res[raw["release"]]) for raw in raws]
        print(f"{name:{w}}  {goal:8}  " +
              "  ".join(f"{cell:{c}}" for cell, c in zip(cells, cols)))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("-o", required=True)
    ap.add_argument("--insns", type=int, required=True)
    ap.add_argument("files", nargs="+")
    args = ap.parse_args()
    raws = [json.load(open(f)) for f in args.files]
    res = {}
    for raw in raws:
        res[raw["release"]] = results(raw)
        res[raw["release"]]["insns_per_packet"] = args.insns
    table(raws, res)
    with open(args.o, "w") as f:
        json.dump(res, f, indent=1, sort_keys=True)
        f.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
