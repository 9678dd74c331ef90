# SPDX-License-Identifier: GPL-2.0
#
# bash completion for tcpclose(8)

_tcpclose_names()
{
	local f

	for f in "$1"/*; do
		[[ -e $f ]] && printf '%s\n' "${f##*/}"
	done
}

_tcpclose_reply()
{
	mapfile -t COMPREPLY < <(compgen -W "$1" -- "$2")
}

# Arguments of "flows": filter words, and the values after them.
_tcpclose_flows()
{
	local prev=$1 cur=$2

	case $prev in
	state)
		_tcpclose_reply "established syn-sent syn-recv fin-wait-1
			fin-wait-2 time-wait closed close-wait last-ack listen
			closing" "$cur"
		;;
	verdict)
		_tcpclose_reply "open close-normal close-simultaneous
			reset-established reset-closing refused syn-timeout
			timeout-fin-wait1 timeout-fin-wait2 timeout-last-ack
			evicted" "$cur"
		;;
	addr | port) ;;
	*)
		_tcpclose_reply "addr port state stuck verdict" "$cur"
		;;
	esac
}

# Arguments of "config": get NAME..., set NAME VALUE [NAME VALUE...]
_tcpclose_config()
{
	local cur=$1 params="fin_timeout time_wait fin_wait1_timeout
		last_ack_timeout syn_timeout close_wait_alarm max_flows
		fin_timeout_action syn_flood_threshold"

	shift
	if (($# == 0)); then
		_tcpclose_reply "get set" "$cur"
	elif [[ $1 == get ]]; then
		_tcpclose_reply "$params" "$cur"
	elif [[ $1 == set ]] && (($# % 2 == 1)); then
		_tcpclose_reply "$params" "$cur"
	elif [[ $1 == set && ${!#} == fin_timeout_action ]]; then
		_tcpclose_reply "observe reset" "$cur"
	fi
}

_tcpclose()
{
	local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD - 1]}
	local options="-j --json -n --netns -h --help -V --version"
	local commands="stats flows watch config reset version help"
	local cmd="" word i
	local -a args=()

	COMPREPLY=()
	case $prev in
	-n | --netns)
		_tcpclose_reply "$(_tcpclose_names /run/netns)" "$cur"
		return
		;;
	--count | --timeout | --buffer-size)
		return
		;;
	esac

	# Find the command and its arguments, skipping options.
	for ((i = 1; i < COMP_CWORD; i++)); do
		word=${COMP_WORDS[i]}
		case $word in
		-n | --netns | --count | --timeout | --buffer-size)
			((i++))
			continue
			;;
		-[0-9]*) ;;
		-*)
			continue
			;;
		esac
		if [[ -z $cmd ]]; then
			cmd=$word
		else
			args+=("$word")
		fi
	done

	if [[ $cur == -* ]]; then
		case $cmd in
		stats) options+=" --host --nonzero --hist --prometheus" ;;
		watch) options+=" --count --timeout --buffer-size" ;;
		reset) options+=" --host" ;;
		esac
		_tcpclose_reply "$options" "$cur"
		return
	fi

	case $cmd in
	"")
		_tcpclose_reply "$commands" "$cur"
		;;
	flows)
		_tcpclose_flows "$prev" "$cur"
		;;
	config)
		_tcpclose_config "$cur" "${args[@]}"
		;;
	help)
		((${#args[@]} == 0)) && _tcpclose_reply "$commands" "$cur"
		;;
	esac
}

complete -F _tcpclose tcpclose
