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

_tcpclose()
{
	local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD - 1]}
	local params=${TCPCLOSE_SYSFS_ROOT:-/sys}/module/tcpclose/parameters
	local options="-j --json -n --netns -h --help -V --version"
	local commands="stats config version help"
	local cmd="" word i
	local -a args=()

	COMPREPLY=()
	if [[ $prev == -n || $prev == --netns ]]; then
		_tcpclose_reply "$(_tcpclose_names /run/netns)" "$cur"
		return
	fi

	# Find the command and its arguments, skipping options.
	for ((i = 1; i < COMP_CWORD; i++)); do
		word=${COMP_WORDS[i]}
		case $word in
		-n | --netns)
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
		[[ $cmd == stats ]] && options+=" --host --nonzero"
		_tcpclose_reply "$options" "$cur"
		return
	fi

	case $cmd in
	"")
		_tcpclose_reply "$commands" "$cur"
		;;
	config)
		if ((${#args[@]} == 0)); then
			_tcpclose_reply "get set" "$cur"
		elif [[ ${args[0]} == get ]] ||
			[[ ${args[0]} == set && ${#args[@]} == 1 ]]; then
			_tcpclose_reply "$(_tcpclose_names "$params")" "$cur"
		fi
		;;
	help)
		((${#args[@]} == 0)) && _tcpclose_reply "$commands" "$cur"
		;;
	esac
}

complete -F _tcpclose tcpclose
