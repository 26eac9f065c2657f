# bash completion for burrow(1)                             -*- shell-script -*-
#
# The word lists below are checked against `burrow help --commands` and
# `burrow VERB --help` by tests/integration/cli.t; keep one list per line.
# shellcheck shell=bash

_burrow_commands="help images import info rmi run unshare version"
_burrow_global_opts="--root --runroot --log-level --version -v --help -h"
_burrow_global_value_opts="--root --runroot --log-level"

_burrow_opts_run="--rm -i --interactive -t --tty --name -e --env --env-file -w --workdir -u --user -v --volume --tmpfs -h --hostname --entrypoint --init --read-only --cap-add --cap-drop --security-opt --net --network --help"
_burrow_value_opts_run="--name -e --env --env-file -w --workdir -u --user -v --volume --tmpfs -h --hostname --entrypoint --cap-add --cap-drop --security-opt --net --network"
_burrow_opts_import="-c --change -m --message -q --quiet -h --help"
_burrow_value_opts_import="--change -c --message -m"
_burrow_opts_images="-a --all --format --no-trunc -n --noheading -q --quiet -h --help"
_burrow_value_opts_images="--format"
_burrow_opts_rmi="-a --all -f --force -h --help"
_burrow_value_opts_rmi=""
_burrow_opts_info="-f --format -h --help"
_burrow_value_opts_info="-f --format"
_burrow_opts_unshare="-h --help"
_burrow_value_opts_unshare=""
_burrow_opts_help="--commands"
_burrow_value_opts_help=""
_burrow_opts_version=""
_burrow_value_opts_version=""

_burrow_caps="ALL CAP_AUDIT_WRITE CAP_CHOWN CAP_DAC_OVERRIDE CAP_DAC_READ_SEARCH CAP_FOWNER CAP_FSETID CAP_IPC_LOCK CAP_KILL CAP_MKNOD CAP_NET_ADMIN CAP_NET_BIND_SERVICE CAP_NET_RAW CAP_SETFCAP CAP_SETGID CAP_SETPCAP CAP_SETUID CAP_SYS_ADMIN CAP_SYS_CHROOT CAP_SYS_NICE CAP_SYS_PTRACE CAP_SYS_RESOURCE CAP_SYS_TIME"

# _burrow_in WORD LIST: is WORD one of the words of LIST?
_burrow_in() {
	local w
	for w in $2; do
		[[ $w == "$1" ]] && return 0
	done
	return 1
}

# Image names (REPOSITORY:TAG) from `burrow images`, with the same store
# options as the command line being completed.
_burrow_images() {
	"${_burrow_cmd[@]}" images 2>/dev/null |
		awk 'NR > 1 && $1 != "<none>" && $2 != "<none>" { print $1 ":" $2 }'
}

_burrow() {
	local cur prev words cword
	if declare -F _init_completion >/dev/null; then
		_init_completion -n =: || return
	else
		COMPREPLY=()
		words=("${COMP_WORDS[@]}")
		cword=$COMP_CWORD
		cur=${COMP_WORDS[COMP_CWORD]}
		prev=${COMP_WORDS[COMP_CWORD - 1]}
	fi

	# global options and the verb
	local _burrow_cmd=("${words[0]}") i=1 verb=""
	while ((i < cword)); do
		case ${words[i]} in
		--root | --runroot)
			_burrow_cmd+=("${words[i]}" "${words[i + 1]}")
			((i += 2))
			continue
			;;
		--root=* | --runroot=*) _burrow_cmd+=("${words[i]}") ;;
		--log-level) ((i++)) ;;
		-*) ;;
		*)
			verb=${words[i]}
			break
			;;
		esac
		((i++))
	done

	if [[ -z $verb ]]; then
		case $prev in
		--root | --runroot)
			mapfile -t COMPREPLY < <(compgen -d -- "$cur")
			return
			;;
		--log-level)
			mapfile -t COMPREPLY < <(compgen -W "error warn info debug" -- "$cur")
			return
			;;
		esac
		if [[ $cur == -* ]]; then
			mapfile -t COMPREPLY < <(compgen -W "$_burrow_global_opts" -- "$cur")
		else
			mapfile -t COMPREPLY < <(compgen -W "$_burrow_commands" -- "$cur")
		fi
		return
	fi

	local opts_var="_burrow_opts_$verb" vopts_var="_burrow_value_opts_$verb"
	local opts=${!opts_var-} vopts=${!vopts_var-}

	# the value of an option
	if _burrow_in "$prev" "$vopts"; then
		case $verb:$prev in
		run:--env-file) mapfile -t COMPREPLY < <(compgen -f -- "$cur") ;;
		run:-v | run:--volume) mapfile -t COMPREPLY < <(compgen -f -- "$cur") ;;
		run:--network | run:--net) mapfile -t COMPREPLY < <(compgen -W "none host" -- "$cur") ;;
		run:--security-opt) mapfile -t COMPREPLY < <(compgen -W "no-new-privileges seccomp=unconfined label=disable" -- "$cur") ;;
		run:--cap-add | run:--cap-drop) mapfile -t COMPREPLY < <(compgen -W "$_burrow_caps" -- "$cur") ;;
		images:--format) mapfile -t COMPREPLY < <(compgen -W "json table" -- "$cur") ;;
		info:--format | info:-f) mapfile -t COMPREPLY < <(compgen -W "json" -- "$cur") ;;
		*) COMPREPLY=() ;;
		esac
		return
	fi

	# count the positional arguments before the cursor
	local npos=0 j=$((i + 1))
	while ((j < cword)); do
		if [[ ${words[j]} == -- ]]; then
			((npos++, j++))
			continue
		elif _burrow_in "${words[j]}" "$vopts"; then
			((j++))
		elif [[ ${words[j]} != -* ]]; then
			((npos++))
		fi
		# after the image, run and unshare take a command: stop here
		if ((npos > 0)) && [[ $verb == run || $verb == unshare ]]; then
			mapfile -t COMPREPLY < <(compgen -f -- "$cur")
			return
		fi
		((j++))
	done

	if [[ $cur == -* ]]; then
		mapfile -t COMPREPLY < <(compgen -W "$opts" -- "$cur")
		return
	fi
	case $verb in
	run) mapfile -t COMPREPLY < <(compgen -W "$(_burrow_images)" -- "$cur") ;;
	rmi) mapfile -t COMPREPLY < <(compgen -W "$(_burrow_images)" -- "$cur") ;;
	import) ((npos == 0)) && mapfile -t COMPREPLY < <(compgen -f -- "$cur") ;;
	help) ((npos == 0)) && mapfile -t COMPREPLY < <(compgen -W "$_burrow_commands" -- "$cur") ;;
	unshare) mapfile -t COMPREPLY < <(compgen -c -- "$cur") ;;
	*) COMPREPLY=() ;;
	esac
	if declare -F __ltrim_colon_completions >/dev/null; then
		__ltrim_colon_completions "$cur"
	fi
}

complete -F _burrow burrow
