#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Host-side test of the tcpclose command line tool, against a fake /proc and
# /sys tree in a temporary directory. Needs no module and changes nothing
# outside that directory. Prints KTAP; exits non-zero if a test fails.
#
#   TCPCLOSE=path/to/tcpclose ./test-cli.sh

# "A && B || fail" is the idiom here: fail when any step fails.
# shellcheck disable=SC2015

set -u

here=$(cd "$(dirname "$0")" && pwd)
bin=${TCPCLOSE:-$here/tcpclose}
python=${PYTHON:-/usr/bin/python3}

tmp=$(mktemp -d "${TMPDIR:-/tmp}/tcpclose-test.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT
chmod 755 "$tmp"
proc=$tmp/proc
sys=$tmp/sys
mod=$sys/module/tcpclose
netfile=$proc/self/net/tcpclose
hostfile=$proc/tcpclose
fin=$mod/parameters/fin_timeout

# A fresh fake tree for each test. Counters are deliberately not in sorted
# order, include a name the tool cannot know and the largest u64.
make_tree()
{
	rm -rf "$proc" "$sys"
	mkdir -p "$proc/self/net" "$mod/parameters"
	printf '%s\n' 'seg_total 123' 'seg_in 61' 'seg_out 62' 'seg_rst 0' \
		'future_counter 7' 'bad_header 18446744073709551615' >"$netfile"
	printf '%s\n' 'seg_total 5000' 'seg_in 2500' 'seg_fin 0' >"$hostfile"
	echo 60 >"$fin"
	echo 9.8.7-test >"$mod/version"
}

# Run the tool: stdout in $tmp/out, stderr in $tmp/err, status in $rc.
run()
{
	TCPCLOSE_PROC_ROOT=$proc TCPCLOSE_SYSFS_ROOT=$sys \
		"$bin" "$@" >"$tmp/out" 2>"$tmp/err"
	rc=$?
}

fail()
{
	echo "# $*"
	echo "# exit status: $rc"
	sed 's/^/# stdout: /' "$tmp/out"
	sed 's/^/# stderr: /' "$tmp/err"
	return 1
}

expect_rc()
{
	[[ $rc == "$1" ]] || fail "expected exit status $1"
}

expect_out()
{
	[[ $(<"$tmp/out") == "$1" ]] || fail "expected stdout: $1"
}

expect_err()
{
	[[ $(<"$tmp/err") == "$1" ]] || fail "expected stderr: $1"
}

expect_err_has()
{
	grep -qF -- "$1" "$tmp/err" || fail "expected in stderr: $1"
}

expect_no_out()
{
	[[ ! -s $tmp/out ]] || fail "expected no stdout"
}

expect_no_err()
{
	[[ ! -s $tmp/err ]] || fail "expected no stderr"
}

expect_usage_error()
{
	expect_rc 2 && expect_no_out && expect_err_has "Usage: tcpclose"
}

# stdout must be the counters of $1, in file order, in aligned columns.
expect_counters_text()
{
	local widths

	[[ $(awk '{ print $1, $2 }' "$tmp/out") == $(<"$1") ]] ||
		fail "text does not match $1" || return
	# Values are right-aligned: all lines have the same length.
	widths=$(awk '{ print length($0) }' "$tmp/out" | sort -u | wc -l)
	[[ $widths == 1 ]] || fail "columns not aligned"
}

# stdout must be valid JSON (json.tool) and the object of $1's counters, in
# order, with numbers as JSON integers.
expect_counters_json()
{
	"$python" -m json.tool <"$tmp/out" >/dev/null ||
		fail "json.tool rejects the output" || return
	[[ $(wc -l <"$tmp/out") == 1 ]] || fail "JSON is not one line" ||
		return
	"$python" - "$1" "$tmp/out" <<-'EOF' || fail "JSON does not match $1"
		import json, sys
		want = [(n, int(v)) for n, v in
			(l.split() for l in open(sys.argv[1]) if l.strip())]
		got = json.load(open(sys.argv[2]))
		assert list(got.items()) == want, got
		assert all(type(v) is int for v in got.values()), got
	EOF
}

need_python()
{
	[[ -x $python ]] || skip "no $python"
}

skip()
{
	skip_reason=$1
	return 77
}

# --- tests: each is a function; the comment after the name describes it ---

t_stats_text() # stats prints the netns counters as aligned text, file order
{
	run stats && expect_rc 0 && expect_no_err &&
		expect_counters_text "$netfile"
}

t_stats_default() # no command runs stats
{
	local want

	run stats && want=$(<"$tmp/out") && [[ $want == seg_total* ]] && run &&
		expect_rc 0 && expect_out "$want" && expect_no_err
}

t_stats_columns() # text: names padded to the longest, values right-aligned
{
	printf '%s\n' 'a 1' 'longer_name 12345' 'b 0' >"$netfile"
	run stats && expect_rc 0 &&
		expect_out "$(printf '%-11s  %5s\n' a 1 longer_name 12345 b 0)"
}

t_stats_json() # stats -j is one JSON object matching the file
{
	need_python || return
	run stats -j && expect_rc 0 && expect_no_err &&
		expect_counters_json "$netfile"
}

t_json_global() # -j and --json work before and after the command
{
	local want

	run stats -j && want=$(<"$tmp/out") &&
		[[ $want == '{"seg_total":123,'* ]] || fail "not JSON" || return
	run -j stats && expect_out "$want" &&
		run --json && expect_out "$want" &&
		run stats --json && expect_out "$want"
}

t_stats_host() # stats --host reads the host-wide counters
{
	need_python || return
	run stats --host && expect_rc 0 && expect_counters_text "$hostfile" &&
		run -j stats --host && expect_counters_json "$hostfile"
}

t_stats_nonzero() # stats --nonzero leaves out zero counters
{
	run stats --nonzero && expect_rc 0 &&
		! grep -q seg_rst "$tmp/out" && grep -q '^seg_total ' "$tmp/out" ||
		fail "seg_rst shown or seg_total missing"
}

t_stats_empty() # no counters: no text, and {} in JSON
{
	: >"$netfile"
	run stats && expect_rc 0 && expect_no_out &&
		run -j stats && expect_out '{}'
}

t_stats_malformed() # a malformed counters file fails without output
{
	printf 'seg_total 1\nseg_in x\n' >"$netfile"
	run stats && expect_rc 1 && expect_no_out &&
		expect_err_has "cannot read counters from $netfile"
}

t_stats_missing_file() # a missing counters file names the file
{
	rm "$netfile"
	run stats && expect_rc 1 &&
		expect_err "tcpclose: cannot read counters from $netfile: No such file or directory"
}

t_stats_extra_arg() # stats with an argument is a usage error
{
	run stats foo && expect_usage_error &&
		expect_err_has "Usage: tcpclose [OPTIONS] stats"
}

t_host_before_command() # command options are not global options
{
	run --host stats && expect_usage_error &&
		expect_err_has "unrecognized option '--host'"
}

t_config_text() # config lists all parameters, sorted, aligned
{
	printf 'hello world\n' >"$mod/parameters/banner"
	run config && expect_rc 0 && expect_no_err &&
		expect_out $'banner       hello world\nfin_timeout  60'
}

t_config_get() # config get NAME prints that parameter only
{
	printf 'x\n' >"$mod/parameters/banner"
	run config get fin_timeout && expect_rc 0 &&
		expect_out 'fin_timeout  60'
}

t_config_json() # config -j: integers are numbers, other values strings
{
	need_python || return
	printf 'a"b\\c\td\n' >"$mod/parameters/banner"
	run -j config && expect_rc 0 || return
	"$python" -m json.tool <"$tmp/out" >/dev/null ||
		fail "json.tool rejects the output" || return
	"$python" - "$tmp/out" <<-'EOF' || fail "wrong JSON"
		import json, sys
		got = json.load(open(sys.argv[1]))
		assert got == {"banner": 'a"b\\c\td', "fin_timeout": 60}, got
	EOF
}

t_json_invalid_utf8() # bytes that are not UTF-8 become U+FFFD in JSON
{
	need_python || return
	printf 'ok\xe2\x82\xac\xff\x01end' >"$mod/parameters/banner"
	run config get banner -j && expect_rc 0 || return
	"$python" - "$tmp/out" <<-'EOF' || fail "wrong JSON"
		import json, sys
		got = json.load(open(sys.argv[1], encoding="utf-8"))
		assert got == {"banner": "ok\u20ac\ufffd\x01end"}, got
	EOF
}

t_config_get_unknown() # config get of an unknown parameter exits 2
{
	run config get nosuch && expect_rc 2 && expect_no_out &&
		expect_err "tcpclose: unknown parameter 'nosuch' (see: tcpclose config)"
}

t_config_set() # config set fin_timeout 30 writes 30
{
	run config set fin_timeout 30 && expect_rc 0 && expect_no_out &&
		expect_no_err && [[ $(<"$fin") == 30 ]] ||
		fail "fin_timeout is $(<"$fin")"
}

t_config_set_decimal() # a leading zero is decimal, not octal
{
	run config set fin_timeout 030 && expect_rc 0 &&
		[[ $(<"$fin") == 30 ]] || fail "fin_timeout is $(<"$fin")"
}

# config set fin_timeout VALUE must fail with exit 1 and change nothing.
bad_fin_timeout()
{
	local range="expected an integer in 1..86400 (seconds)"

	run config set fin_timeout "$1" && expect_rc 1 && expect_no_out &&
		expect_err "tcpclose: invalid value '$1' for fin_timeout: $range" &&
		{ [[ $(<"$fin") == 60 ]] || fail "fin_timeout changed"; }
}

t_config_set_zero() # config set fin_timeout 0 is rejected
{
	bad_fin_timeout 0
}

t_config_set_abc() # config set fin_timeout abc is rejected
{
	bad_fin_timeout abc
}

t_config_set_too_big() # config set fin_timeout 86401 is rejected
{
	bad_fin_timeout 86401
}

t_config_set_negative() # config set fin_timeout -1 is rejected
{
	bad_fin_timeout -1
}

t_config_set_junk() # empty, spaces, hex, overflow are rejected
{
	local v

	for v in '' ' 30' '30 ' 0x1e 1e3 +30 99999999999999999999; do
		bad_fin_timeout "$v" || return
	done
}

t_config_set_limits() # 1 and 86400 are accepted
{
	run config set fin_timeout 1 && expect_rc 0 &&
		[[ $(<"$fin") == 1 ]] && run config set fin_timeout 86400 &&
		expect_rc 0 && [[ $(<"$fin") == 86400 ]] ||
		fail "fin_timeout is $(<"$fin")"
}

t_config_set_unknown() # config set nosuch 1 exits 2
{
	run config set nosuch 1 && expect_rc 2 && expect_no_out &&
		expect_err "tcpclose: unknown parameter 'nosuch' (see: tcpclose config)"
}

t_config_set_path() # a parameter name is never a path
{
	run config set ../version 1 && expect_rc 2 &&
		[[ $(<"$mod/version") == 9.8.7-test ]] || fail "version changed"
}

t_config_set_args() # config set needs exactly NAME VALUE
{
	run config set fin_timeout && expect_usage_error &&
		expect_err_has "Usage: tcpclose [OPTIONS] config" &&
		run config set fin_timeout 1 2 && expect_usage_error &&
		run config frob && expect_usage_error &&
		[[ $(<"$fin") == 60 ]] || fail "fin_timeout changed"
}

t_config_set_unprivileged() # non-root gets a permission message
{
	local msg

	[[ $EUID == 0 ]] || skip "not root" || return
	command -v setpriv >/dev/null || skip "no setpriv" || return
	TCPCLOSE_PROC_ROOT=$proc TCPCLOSE_SYSFS_ROOT=$sys \
		setpriv --reuid=65534 --regid=65534 --clear-groups \
		--inh-caps=-all --bounding-set=-all \
		"$bin" config set fin_timeout 30 >"$tmp/out" 2>"$tmp/err"
	rc=$?
	if grep -q 'Permission denied\|cannot execute\|setpriv:' "$tmp/err" &&
	   ! grep -q '^tcpclose:' "$tmp/err"; then
		skip "cannot run $bin as nobody"
		return
	fi
	msg="needs root (CAP_SYS_ADMIN/CAP_NET_ADMIN)"
	expect_rc 1 &&
		expect_err "tcpclose: permission denied: setting fin_timeout $msg" &&
		{ [[ $(<"$fin") == 60 ]] || fail "fin_timeout changed"; }
}

t_not_loaded() # no module: stats and config fail with a hint
{
	local msg="tcpclose: module not loaded (try: modprobe tcpclose)"

	rm -rf "$mod"
	run stats && expect_rc 1 && expect_no_out && expect_err "$msg" &&
		run config && expect_rc 1 && expect_err "$msg" &&
		run config set fin_timeout 30 && expect_rc 1 &&
		expect_err "$msg" && run -j stats --host && expect_rc 1 &&
		expect_no_out
}

t_unknown_command() # an unknown command exits 2 with the usage
{
	run bogus && expect_usage_error &&
		expect_err_has "tcpclose: unknown command 'bogus'" &&
		expect_err_has "Commands:"
}

t_unknown_option() # unknown options exit 2 with the usage
{
	run --bogus && expect_usage_error &&
		expect_err_has "unrecognized option '--bogus'" &&
		run -x stats && expect_usage_error &&
		expect_err_has "unrecognized option '-x'" &&
		run stats --bogus && expect_usage_error &&
		expect_err_has "Usage: tcpclose [OPTIONS] stats"
}

t_missing_argument() # -n without a name exits 2
{
	run -n && expect_usage_error &&
		expect_err_has "option '-n' needs an argument" &&
		run stats --netns && expect_usage_error
}

t_version() # version shows the tool and module versions
{
	run version && expect_rc 0 && expect_no_err &&
		grep -qx 'tcpclose [^ ]* (module 9\.8\.7-test)' "$tmp/out" ||
		fail "unexpected version line"
}

t_version_option() # -V and --version print the same as version
{
	local want

	run version && want=$(<"$tmp/out") && run -V && expect_rc 0 &&
		expect_out "$want" && run --version && expect_out "$want"
}

t_version_json() # version -j is a JSON object
{
	need_python || return
	run -j version && expect_rc 0 || return
	"$python" - "$tmp/out" <<-'EOF' || fail "wrong JSON"
		import json, sys
		got = json.load(open(sys.argv[1]))
		assert got["module_loaded"] is True, got
		assert got["module_version"] == "9.8.7-test", got
		assert isinstance(got["version"], str) and got["version"], got
	EOF
}

t_version_not_loaded() # version works without the module
{
	rm -rf "$mod"
	run version && expect_rc 0 &&
		grep -qx 'tcpclose [^ ]* (module not loaded)' "$tmp/out" ||
		fail "unexpected version line"
}

t_help() # help prints the usage and every command to stdout
{
	local c

	run help && expect_rc 0 && expect_no_err || return
	for c in stats config version help; do
		grep -q "^  $c " "$tmp/out" || fail "command $c not listed" ||
			return
	done
	grep -q '^Usage: tcpclose' "$tmp/out" || fail "no usage"
}

t_help_command() # help COMMAND, COMMAND -h and -h COMMAND agree
{
	local want

	run help config && expect_rc 0 &&
		grep -q '^Usage: tcpclose \[OPTIONS\] config' "$tmp/out" ||
		fail "no config usage" || return
	want=$(<"$tmp/out")
	run config -h && expect_out "$want" &&
		run -h config && expect_out "$want" &&
		run config --help && expect_out "$want"
}

t_help_unknown() # help for an unknown command exits 2
{
	run help bogus && expect_usage_error &&
		expect_err_has "unknown command 'bogus'"
}

t_netns_unknown() # -n with an unknown netns exits 1
{
	local ns=tcpclose-test-nosuch-$$

	[[ ! -e /run/netns/$ns ]] || skip "/run/netns/$ns exists" || return
	run -n "$ns" stats && expect_rc 1 && expect_no_out &&
		expect_err "tcpclose: cannot enter netns '$ns': No such file or directory" &&
		run stats --netns "$ns" && expect_rc 1
}

t_netns_path() # -n takes a name, never a path
{
	run -n ../etc stats && expect_rc 1 &&
		expect_err "tcpclose: cannot enter netns '../etc': Invalid argument"
}

t_write_error() # a write error is reported, exit 1
{
	[[ -w /dev/full ]] || skip "no /dev/full" || return
	TCPCLOSE_PROC_ROOT=$proc TCPCLOSE_SYSFS_ROOT=$sys \
		"$bin" stats >/dev/full 2>"$tmp/err"
	rc=$?
	: >"$tmp/out"
	expect_rc 1 &&
		expect_err "tcpclose: write error: No space left on device"
}

t_epipe() # a reader that goes away gets no error messages
{
	local status

	awk 'BEGIN { for (i = 0; i < 200000; i++) print "counter_" i, i }' \
		>"$netfile"
	: >"$tmp/out"
	TCPCLOSE_PROC_ROOT=$proc TCPCLOSE_SYSFS_ROOT=$sys \
		"$bin" stats 2>"$tmp/err" | head -n 1 >/dev/null
	rc=0
	expect_no_err || return
	# With SIGPIPE ignored, as some parents do: EPIPE, silently.
	(
		trap '' PIPE
		TCPCLOSE_PROC_ROOT=$proc TCPCLOSE_SYSFS_ROOT=$sys \
			"$bin" stats 2>"$tmp/err"
		echo $? >"$tmp/status"
	) | head -n 1 >/dev/null
	status=$(<"$tmp/status")
	rc=$status
	expect_no_err && [[ $status == 1 ]] || fail "exit status $status"
}

# --- runner ---

mapfile -t tests < <(grep -o '^t_[a-z0-9_]*() # .*' "$0")

if [[ ! -x $bin ]]; then
	echo "Bail out! $bin not built (run: make -C $here)"
	exit 1
fi

echo "TAP version 13"
echo "1..${#tests[@]}"
n=0
failed=0
for t in "${tests[@]}"; do
	name=${t%%()*}
	desc=${t#*() # }
	n=$((n + 1))
	rc=0
	skip_reason=
	: >"$tmp/out"
	: >"$tmp/err"
	make_tree
	"$name" >"$tmp/log" 2>&1
	status=$?
	cat "$tmp/log"
	if ((status == 0)); then
		echo "ok $n - $desc"
	elif ((status == 77)); then
		echo "ok $n - $desc # SKIP $skip_reason"
	else
		echo "not ok $n - $desc"
		failed=$((failed + 1))
	fi
done

echo "# $((n - failed)) passed, $failed failed"
((failed == 0))
