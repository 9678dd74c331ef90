#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The runs of selftests/fuzz/Makefile:
#
#   run.sh fuzz  OUT MOD HERE   the long run and its figures
#   run.sh check OUT MOD HERE   KTAP: seeds, regression inputs, short pass
#
# OUT holds fuzz_fsm, fuzz_fsm_cov, seed/ and seed.manifest (make build).

set -u

mode=$1 out=$2 mod=$3 here=$4
fuzzer=$out/fuzz_fsm
regress=$here/regress

# The verdicts fuzz_fsm's trace shows for one input, space separated.
# Without -detect_leaks=0 libFuzzer runs the input a second time whenever
# its malloc/free tracer saw more mallocs than frees during the first run,
# and it counts every thread's: about one run in 60 printed each verdict
# twice (and a seed failed in CI).
verdicts() {
	TCPCLOSE_FUZZ_TRACE=1 "$fuzzer" -detect_leaks=0 "$1" 2>&1 |
		sed -n 's/.* verdict \([a-z_0-9]*\)$/\1/p' | tr '\n' ' ' |
		sed 's/ $//'
}

# "#N DONE cov: ..." of a libFuzzer log, and its "Done N runs in S".
final_stats() {
	grep -a 'DONE \+cov:' "$1" | tail -n 1 | tr -s ' \t' ' '
}

# Line and branch coverage of fsm.c and segment.c: every corpus input
# replayed once by the coverage build.
coverage() {
	local prof=$out/cov

	rm -rf "$prof" && mkdir -p "$prof"
	LLVM_PROFILE_FILE=$prof/%p.profraw "$out/fuzz_fsm_cov" -runs=0 \
		$FUZZ_FLAGS "$@" >"$prof/replay.log" 2>&1 ||
		{ echo "coverage replay failed: $prof/replay.log"; return 1; }
	"$LLVM_PROFDATA" merge -sparse -o "$prof/all.profdata" \
		"$prof"/*.profraw || return 1
	"$LLVM_COV" report "$out/fuzz_fsm_cov" \
		-instr-profile="$prof/all.profdata" \
		"$mod/fsm.c" "$mod/segment.c" >"$prof/report.txt" || return 1
	# Columns: regions (3), functions (3), lines (3), branches (3).
	awk '$1 ~ /(fsm|segment)\.c$/ {
		n = split($1, p, "/");
		printf "coverage: %s: lines %s (%d/%d) branches %s (%d/%d)\n",
			p[n], $10, $8 - $9, $8, $13, $11 - $12, $11 }' \
		"$prof/report.txt"
	echo "coverage: report in $prof/report.txt"
}

run_fuzz() {
	local corpus=$out/corpus art=$out/artifacts logs=$out/logs
	local per=$((FUZZ_RUNS / FUZZ_JOBS)) i pids= rc=0 t0 t1 runs=0 n

	mkdir -p "$corpus" "$art" && rm -rf "$logs" && mkdir -p "$logs"
	echo "fuzz: $FUZZ_RUNS executions, $FUZZ_JOBS jobs of $per, corpus $corpus"
	t0=$(date +%s.%N)
	for ((i = 0; i < FUZZ_JOBS; i++)); do
		# The first directory gets the new inputs; -reload shares them.
		"$fuzzer" -runs=$per -seed=$((i + 1)) -reload=1 \
			-artifact_prefix="$art/" $FUZZ_FLAGS "$corpus" \
			"$out/seed" "$regress" >"$logs/job$i.log" 2>&1 &
		pids="$pids $!"
	done
	for i in $pids; do
		wait "$i" || rc=1
	done
	t1=$(date +%s.%N)
	for ((i = 0; i < FUZZ_JOBS; i++)); do
		echo "job $i: $(final_stats "$logs/job$i.log")"
		n=$(sed -n 's/^Done \([0-9]*\) runs.*/\1/p' "$logs/job$i.log")
		runs=$((runs + ${n:-0}))
	done
	awk -v r=$runs -v a="$t0" -v b="$t1" 'BEGIN {
		printf "fuzz: %d executions in %.0f s: %.0f exec/s\n",
			r, b - a, r / (b - a) }'
	if [ $rc != 0 ]; then
		echo "fuzz: a job failed: see $logs/ and the inputs in $art/"
		ls -l "$art"
		return 1
	fi
	# The corpus as a whole: libFuzzer's figures after reading it all.
	"$fuzzer" -runs=0 $FUZZ_FLAGS "$corpus" "$out/seed" "$regress" \
		>"$logs/replay.log" 2>&1 || return 1
	echo "corpus: $(grep -a 'INITED' "$logs/replay.log" | tail -n 1 |
		tr -s ' \t' ' ' | sed 's/^#[0-9]* INITED //')"
	echo "corpus: $(ls "$corpus" | wc -l) files, $(du -sk "$corpus" | cut -f1) KiB"
	coverage "$corpus" "$out/seed" "$regress"
}

# KTAP result @1 (0 = ok) with description @2.
n_test=0 n_fail=0
result() {
	n_test=$((n_test + 1))
	if [ "$1" = 0 ]; then
		echo "ok $n_test $2"
	else
		echo "not ok $n_test $2"
		n_fail=$((n_fail + 1))
	fi
}

# found LOG DIR: what a failed pass found, as KTAP diagnostics: the
# report, libFuzzer's seed, and each input it saved, in base64, so that
# a CI log alone is enough to make it a regression input:
#   base64 -d >selftests/fuzz/regress/NAME
found() {
	local f

	grep -a -A 20 'invariant violated\|ERROR:\|ALARM:' "$1" |
		head -n 40 | sed 's/^/# /'
	grep -a 'INFO: Seed:' "$1" | sed 's/^/# /'
	for f in "$2"/*; do
		[ -f "$f" ] || continue
		echo "# input ${f##*/} ($(stat -c %s "$f") bytes), base64:"
		base64 -w 76 "$f" | sed 's/^/#  /'
	done
}

run_check() {
	local name want got f tmp plan log rc art

	plan=$(($(wc -l <"$out/seed.manifest") + 1))
	for f in "$regress"/*; do
		[ "${f##*/}" = README ] || plan=$((plan + 1))
	done
	echo "TAP version 13"
	echo "1..$plan"
	# Each seed once, its flows ending as the catalog says.
	while read -r name want; do
		got=$(verdicts "$out/seed/$name")
		[ "$got" = "$want" ]
		result $? "seed $name: $want"
		[ "$got" = "$want" ] || echo "# got: ${got:-no verdict}"
	done <"$out/seed.manifest"
	for f in "$regress"/*; do
		[ "${f##*/}" = README ] && continue
		log=$("$fuzzer" "$f" 2>&1)
		rc=$?
		result $rc "regress ${f##*/}"
		[ $rc = 0 ] || echo "$log" | tail -n 30 | sed 's/^/# /'
	done
	tmp=$(mktemp -d "$out/check.XXXXXX")
	art=$out/check-artifacts
	rm -rf "$art" && mkdir -p "$art"
	"$fuzzer" -runs="$CHECK_RUNS" -max_total_time="$CHECK_SECS" \
		-seed="$CHECK_SEED" -artifact_prefix="$art/" $FUZZ_FLAGS \
		"$tmp" "$out/seed" "$regress" >"$out/check.log" 2>&1
	rc=$?
	echo "# $(final_stats "$out/check.log")"
	result $rc "fuzz pass: $(sed -n 's/^Done \(.*\)/\1/p' "$out/check.log")"
	[ $rc = 0 ] || found "$out/check.log" "$art"
	rm -rf "$tmp"
	echo "# Totals: pass:$((n_test - n_fail)) fail:$n_fail"
	[ $n_fail = 0 ]
}

case $mode in
fuzz)	run_fuzz ;;
check)	run_check ;;
*)	echo "usage: run.sh fuzz|check OUT MOD HERE" >&2; exit 2 ;;
esac
