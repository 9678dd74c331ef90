#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Host-side test of the tcpclose command line tool: argument parsing, usage
# errors, help, version, the man page and the bash completion.  Needs no
# module: the tool talks to the kernel over generic netlink, and on a host
# without the module every request that passes the parser ends in "module
# not loaded", which tells a bad command line (exit 2, nothing sent) from a
# good one (exit 1).  The selftest selftests/cli.sh covers the rest in the
# test VM.  Prints KTAP; exits non-zero if a test fails.
#
#   TCPCLOSE=path/to/tcpclose ./test-cli.sh

# "A && B || fail" is the idiom here: fail when any step fails.
# shellcheck disable=SC2015

set -u

here=$(cd "$(dirname "$0")" && pwd)
bin=${TCPCLOSE:-$here/tcpclose}
python=${PYTHON:-/usr/bin/python3}
man_page=$here/tcpclose.8
completion=$here/completion/tcpclose.bash
not_loaded="tcpclose: module not loaded (try: modprobe tcpclose)"
commands="stats flows watch config reset version help"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/tcpclose-test.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT

# Run the tool: stdout in $tmp/out, stderr in $tmp/err, status in $rc.
run()
{
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

# Usage error: exit 2, the usage on stderr, nothing on stdout.
expect_usage_error()
{
	expect_rc 2 && expect_no_out && expect_err_has "Usage: tcpclose"
}

# usage_errors ARGS...: each argument is one command line (split on
# spaces) that must be a usage error whose message contains its text
# after a "=>", if any.
usage_errors()
{
	local line args msg

	for line in "$@"; do
		args=${line%% => *}
		msg=
		[[ $line == *" => "* ]] && msg=${line#* => }
		# shellcheck disable=SC2086
		run $args
		expect_usage_error || fail "for: $args" || return
		[[ -z $msg ]] || expect_err_has "$msg" || fail "for: $args" ||
			return
	done
}

# accepted ARGS...: each command line passes the parser and reaches the
# kernel, which has no such family here.
accepted()
{
	local args

	for args in "$@"; do
		# shellcheck disable=SC2086
		run $args
		expect_rc 1 && expect_no_out && expect_err "$not_loaded" ||
			fail "for: $args" || return
	done
}

skip()
{
	skip_reason=$1
	return 77
}

# The module, or generic netlink, would make the "not loaded" answers moot.
need_no_module()
{
	[[ ! -e /sys/module/tcpclose ]] ||
		skip "the tcpclose module is loaded on this host" || return
	run stats
	[[ $(<"$tmp/err") == "$not_loaded" ]] ||
		skip "no generic netlink here: $(<"$tmp/err")"
}

need_python()
{
	[[ -x $python ]] || skip "no $python"
}

# complete WORDS...: the bash completions for the last word, sorted.
complete_words()
{
	bash -c '
		source "$1"; shift
		COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1))
		_tcpclose; printf "%s\n" "${COMPREPLY[@]}"' \
		_ "$completion" tcpclose "$@" 2>&1 | sort
}

# --- tests: each is a function; the comment after the name describes it ---

t_help() # help prints the usage and every command to stdout
{
	local c

	run help && expect_rc 0 && expect_no_err || return
	for c in $commands; do
		grep -q "^  $c " "$tmp/out" || fail "command $c not listed" ||
			return
	done
	grep -q '^Usage: tcpclose' "$tmp/out" || fail "no usage"
}

t_help_command() # help COMMAND, COMMAND -h and -h COMMAND agree
{
	local want c

	for c in $commands; do
		run help "$c" && expect_rc 0 &&
			grep -q "^Usage: tcpclose \[OPTIONS\] $c" "$tmp/out" ||
			fail "no usage of $c" || return
		want=$(<"$tmp/out")
		run "$c" -h && expect_out "$want" && run -h "$c" &&
			expect_out "$want" && run "$c" --help &&
			expect_out "$want" || return
	done
}

t_help_unknown() # help for an unknown command exits 2
{
	usage_errors "help bogus => unknown command 'bogus'" "help stats flows"
}

t_unknown_command() # an unknown command exits 2 with the usage
{
	run bogus && expect_usage_error &&
		expect_err_has "tcpclose: unknown command 'bogus'" &&
		expect_err_has "Commands:"
}

t_unknown_option() # unknown options exit 2 with the usage
{
	usage_errors "--bogus => unrecognized option '--bogus'" \
		"-x stats => unrecognized option '-x'" \
		"stats --bogus => Usage: tcpclose [OPTIONS] stats" \
		"--host stats => unrecognized option '--host'" \
		"flows --host" "reset --nonzero" "watch --hist" \
		"config --count 1"
}

t_missing_argument() # options without their argument exit 2
{
	usage_errors "-n => option '-n' needs an argument" "stats --netns" \
		"watch --count => option '--count' needs an argument" \
		"watch --timeout"
}

t_not_loaded() # without the module every command says so, exit 1
{
	need_no_module || return
	accepted stats "stats --host" flows watch config "config get" reset \
		"reset --host" "config set fin_timeout 30" "-j stats"
}

t_stats_args() # stats: extra words and options that do not mix, exit 2
{
	usage_errors "stats foo => unexpected argument 'foo'" \
		"stats --prometheus -j => do not mix" \
		"-j stats --prometheus" "stats --prometheus --hist" \
		"stats --prometheus --nonzero"
}

t_stats_options() # stats: every option and combination that is allowed
{
	need_no_module || return
	accepted "stats --nonzero" "stats --hist" "stats --hist --nonzero" \
		"stats --hist -j" "stats --prometheus" "stats --host --prometheus" \
		"stats --host --nonzero -j" "--json stats --hist"
}

t_flows_filters() # flows: every filter form is accepted, combined too
{
	need_no_module || return
	accepted "flows state fin-wait-2" "flows state fin_wait2" \
		"flows state FIN_WAIT2" "flows state fin-wait2" \
		"flows state CLOSE-WAIT" "flows state estab" \
		"flows verdict open" "flows verdict reset-closing" \
		"flows verdict RESET_CLOSING" "flows verdict timeout-fin-wait2" \
		"flows stuck" "flows addr 10.0.0.0/8" "flows addr 10.1.2.3" \
		"flows addr fd00::/16" "flows addr [fd00::1]" "flows addr ::/0" \
		"flows port 80" "flows port 0" "flows port 65535" \
		"flows state close-wait stuck port 80 addr 10.0.0.0/8 verdict open"
}

t_flows_bad_filters() # flows: bad filters exit 2 before anything is sent
{
	usage_errors "flows bogus => unknown filter 'bogus'" \
		"flows state => 'state' needs a value" \
		"flows state bogus => invalid state 'bogus'" \
		"flows state fin-wait-3" "flows verdict maybe" \
		"flows port 65536 => invalid port '65536'" "flows port -1" \
		"flows port 0x50" "flows port ''" \
		"flows addr 10.0.0.0/33 => invalid addr '10.0.0.0/33'" \
		"flows addr fd00::/129" "flows addr 10.0.0/8" "flows addr foo" \
		"flows addr 10.0.0.0/" "flows addr 10.0.0.0/-1" \
		"flows stuck stuck => 'stuck' given twice" \
		"flows port 1 port 2 => 'port' given twice"
}

t_watch_args() # watch: --count and --timeout are checked, exit 2
{
	usage_errors "watch --count 0 => invalid --count '0'" \
		"watch --count x" "watch --count -1" \
		"watch --timeout x => invalid --timeout 'x'" \
		"watch --timeout -1" "watch --timeout 1.2345" \
		"watch --timeout .5" "watch --timeout 1." \
		"watch now => unexpected argument 'now'"
}

t_watch_options() # watch: good --count and --timeout pass the parser
{
	need_no_module || return
	accepted "watch --count 1" "watch --timeout 0.5" "watch --timeout 10" \
		"watch -j --count 3 --timeout 1.25" "watch --timeout=2"
}

t_config_args() # config: bad actions, names and values exit 2
{
	usage_errors "config frob => unknown action 'frob'" \
		"config get nosuch => unknown parameter 'nosuch'" \
		"config set => missing NAME and VALUE" \
		"config set fin_timeout => missing a value for fin_timeout" \
		"config set nosuch 1 => unknown parameter 'nosuch'" \
		"config set ../version 1" \
		"config set fin_timeout abc => invalid value 'abc' for fin_timeout" \
		"config set fin_timeout -1" "config set fin_timeout +30" \
		"config set fin_timeout 0x1e" "config set fin_timeout 1e3" \
		"config set fin_timeout 4294967296" \
		"config set fin_timeout_action maybe" \
		"config set fin_timeout 1 time_wait" \
		"config set fin_timeout 1 fin_timeout 2 => fin_timeout given twice"
}

t_config_empty_value() # config: empty and spaced values exit 2
{
	local v

	for v in '' ' 30' '30 '; do
		run config set fin_timeout "$v" && expect_usage_error &&
			expect_err_has "invalid value '$v' for fin_timeout" ||
			return
	done
}

t_config_values() # config: values the kernel range-checks are sent
{
	need_no_module || return
	# 0 and 86401 are out of range: the kernel says so, not the tool.
	accepted "config set fin_timeout 0" "config set fin_timeout 86401" \
		"config set fin_timeout 030" "config set max_flows 4294967295" \
		"config set fin_timeout_action reset" \
		"config set fin_timeout_action OBSERVE" \
		"config set fin_timeout_action 1" \
		"config set fin_timeout 30 time_wait 5 fin_timeout_action reset" \
		"config get fin_timeout max_flows"
}

t_reset_args() # reset takes no argument
{
	usage_errors "reset now => unexpected argument 'now'"
}

t_version() # version works without the module
{
	need_no_module || return
	run version && expect_rc 0 && expect_no_err &&
		grep -qx 'tcpclose [^ ]* (module not loaded)' "$tmp/out" ||
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
	need_python && need_no_module || return
	run -j version && expect_rc 0 || return
	"$python" - "$tmp/out" <<-'EOF' || fail "wrong JSON"
		import json, sys
		got = json.load(open(sys.argv[1]))
		assert got["module_loaded"] is False, got
		assert isinstance(got["version"], str) and got["version"], got
	EOF
}

t_version_args() # version takes no argument
{
	usage_errors "version now => unexpected argument 'now'"
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

t_netns_after_parse() # a bad command line is reported before -n is used
{
	run -n tcpclose-test-nosuch-$$ config set fin_timeout abc &&
		expect_usage_error
}

t_write_error() # a write error is reported, exit 1
{
	[[ -w /dev/full ]] || skip "no /dev/full" || return
	"$bin" help >/dev/full 2>"$tmp/err"
	rc=$?
	: >"$tmp/out"
	expect_rc 1 &&
		expect_err "tcpclose: write error: No space left on device"
}

t_man_renders() # the man page renders without groff warnings
{
	command -v groff >/dev/null || skip "no groff" || return
	groff -man -Tutf8 -ww -z "$man_page" >"$tmp/out" 2>"$tmp/err"
	rc=$?
	expect_rc 0 && expect_no_err
}

t_man_complete() # the man page names every command and option
{
	local word

	command -v groff >/dev/null || skip "no groff" || return
	groff -man -Tascii -P-cbou "$man_page" 2>/dev/null >"$tmp/man"
	for word in $commands --json --netns --help --version --host \
		--nonzero --hist --prometheus --count --timeout state stuck \
		verdict addr port fin_timeout time_wait fin_wait1_timeout \
		last_ack_timeout syn_timeout close_wait_alarm max_flows \
		fin_timeout_action tcpclose_dwell_seconds_bucket \
		tcpclose_seg_in_total tcpclose_flows_active active_closer \
		picked_up time_ms tcpclose_since_reset_seconds EXIT; do
		grep -qw -- "$word" "$tmp/man" || fail "man page lacks $word" ||
			return
	done
}

t_completion() # bash completion: commands, options, filters, parameters
{
	local got

	got=$(complete_words "") &&
		[[ $(xargs <<<"$got") == "config flows help reset stats version watch" ]] ||
		fail "commands: $got" || return
	got=$(complete_words stats --p) && [[ $got == --prometheus ]] ||
		fail "stats --p: $got" || return
	got=$(complete_words watch --c) && [[ $got == --count ]] ||
		fail "watch --c: $got" || return
	got=$(complete_words flows "") &&
		[[ $(xargs <<<"$got") == "addr port state stuck verdict" ]] ||
		fail "flows: $got" || return
	got=$(complete_words flows state fin) &&
		[[ $(xargs <<<"$got") == "fin-wait-1 fin-wait-2" ]] ||
		fail "flows state fin: $got" || return
	got=$(complete_words flows verdict reset) &&
		[[ $(xargs <<<"$got") == "reset-closing reset-established" ]] ||
		fail "flows verdict reset: $got" || return
	got=$(complete_words config set fin_timeout_a) &&
		[[ $got == fin_timeout_action ]] ||
		fail "config set fin_timeout_a: $got" || return
	got=$(complete_words config set fin_timeout_action "") &&
		[[ $(xargs <<<"$got") == "observe reset" ]] ||
		fail "config set fin_timeout_action: $got" || return
	got=$(complete_words config set fin_timeout 30 ti) &&
		[[ $got == time_wait ]] || fail "config set ... ti: $got"
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
