# bash completion for burrow(1)                             -*- shell-script -*-
#
# The word lists below are checked against `burrow help --commands` and
# `burrow VERB --help` by tests/integration/cli.t; keep one list per line.
# shellcheck shell=bash

_burrow_commands="attach build commit container cp create diff events exec export healthcheck help history image images import info inspect kill load login logout logs network pause port ps pull push rename restart rm rmi run save start stats stop system tag top unpause unshare untag update version volume wait"
_burrow_global_opts="--root --runroot --log-level --version -v --help -h"
_burrow_global_value_opts="--root --runroot --log-level"

_burrow_opts_run="--memory --memory-swap --memory-reservation --cpus --cpu-shares --cpu-quota --cpu-period --cpuset-cpus --cpuset-mems --pids-limit --blkio-weight --cgroups --ulimit --platform --pull --tls-verify --cap-add --cap-drop -d --detach --entrypoint -e --env --env-file --health-cmd --health-interval --health-retries --health-start-period --health-timeout --help -h --hostname --init -i --interactive --log-driver --log-opt --name --net --network --no-healthcheck -p --publish -P --publish-all --read-only --restart --rm --security-opt --stop-signal --stop-timeout --tmpfs -t --tty -u --user -v --volume -w --workdir --add-host --annotation --cidfile --dns --dns-option --dns-search --env-host -l --label --label-file --no-hosts -q --quiet --replace --shm-size --sysctl --tz --device --mount --volumes-from --group-add --userns --uidmap --gidmap --detach-keys --ipc --pid --preserve-fds --privileged --uts --network-alias --ip --slurm --node-share"
_burrow_value_opts_run="--memory --memory-swap --memory-reservation --cpus --cpu-shares --cpu-quota --cpu-period --cpuset-cpus --cpuset-mems --pids-limit --blkio-weight --cgroups --ulimit --platform --pull --cap-add --cap-drop --entrypoint -e --env --env-file --health-cmd --health-interval --health-retries --health-start-period --health-timeout -h --hostname --log-driver --log-opt --name --net --network -p --publish --restart --security-opt --stop-signal --stop-timeout --tmpfs -u --user -v --volume -w --workdir --add-host --annotation --cidfile --dns --dns-option --dns-search -l --label --label-file --shm-size --sysctl --tz --device --mount --volumes-from --group-add --userns --uidmap --gidmap --detach-keys --ipc --pid --preserve-fds --uts --network-alias --ip --slurm"
_burrow_opts_build="-t --tag -f --file --build-arg --target --no-cache --pull --tls-verify --network -q --quiet --layers --label --platform --userns-emulation -h --help"
_burrow_value_opts_build="-t --tag -f --file --build-arg --target --pull --network --label --platform --userns-emulation"
_burrow_opts_import="-c --change -m --message -q --quiet -h --help"
_burrow_value_opts_import="--change -c --message -m"
_burrow_opts_images="-a --all --digests -f --filter --format --no-trunc -n --noheading -q --quiet -h --help"
_burrow_value_opts_images="-f --filter --format"
_burrow_opts_rmi="-a --all -f --force -h --help"
_burrow_value_opts_rmi=""
_burrow_opts_info="-f --format -h --help"
_burrow_value_opts_info="-f --format"
_burrow_opts_unshare="-h --help"
_burrow_value_opts_unshare=""
_burrow_opts_history="--format --no-trunc -q --quiet -h --help"
_burrow_value_opts_history="--format"
_burrow_opts_image="-h --help"
_burrow_value_opts_image=""
_burrow_opts_volume="-h --help"
_burrow_value_opts_volume=""
_burrow_opts_network="-h --help"
_burrow_value_opts_network=""
_burrow_opts_load="-i --input -q --quiet -h --help"
_burrow_value_opts_load="-i --input"
_burrow_opts_login="--authfile -p --password --password-stdin --tls-verify -u --username -h --help"
_burrow_value_opts_login="--authfile -p --password -u --username"
_burrow_opts_logout="-a --all --authfile -h --help"
_burrow_value_opts_logout="--authfile"
_burrow_opts_pull="--arch --authfile --platform -q --quiet --tls-verify -h --help"
_burrow_value_opts_pull="--arch --authfile --platform"
_burrow_opts_push="--authfile --digestfile -f --format -q --quiet --tls-verify -h --help"
_burrow_value_opts_push="--authfile --digestfile -f --format"
_burrow_opts_save="--format -o --output -q --quiet -h --help"
_burrow_value_opts_save="--format -o --output"
_burrow_opts_tag="-h --help"
_burrow_value_opts_tag=""
_burrow_opts_untag="-h --help"
_burrow_value_opts_untag=""
_burrow_opts_attach="--help --no-stdin --detach-keys"
_burrow_value_opts_attach="--detach-keys"
_burrow_opts_create="--memory --memory-swap --memory-reservation --cpus --cpu-shares --cpu-quota --cpu-period --cpuset-cpus --cpuset-mems --pids-limit --blkio-weight --cgroups --ulimit --platform --pull --tls-verify --cap-add --cap-drop -d --detach --entrypoint -e --env --env-file --health-cmd --health-interval --health-retries --health-start-period --health-timeout --help -h --hostname --init -i --interactive --log-driver --log-opt --name --net --network --no-healthcheck -p --publish -P --publish-all --read-only --restart --rm --security-opt --stop-signal --stop-timeout --tmpfs -t --tty -u --user -v --volume -w --workdir --add-host --annotation --cidfile --dns --dns-option --dns-search --env-host -l --label --label-file --no-hosts -q --quiet --replace --shm-size --sysctl --tz --device --mount --volumes-from --group-add --userns --uidmap --gidmap --detach-keys --ipc --pid --preserve-fds --privileged --uts --network-alias --ip --slurm --node-share"
_burrow_value_opts_create="--memory --memory-swap --memory-reservation --cpus --cpu-shares --cpu-quota --cpu-period --cpuset-cpus --cpuset-mems --pids-limit --blkio-weight --cgroups --ulimit --platform --pull --cap-add --cap-drop --entrypoint -e --env --env-file --health-cmd --health-interval --health-retries --health-start-period --health-timeout -h --hostname --log-driver --log-opt --name --net --network -p --publish --restart --security-opt --stop-signal --stop-timeout --tmpfs -u --user -v --volume -w --workdir --add-host --annotation --cidfile --dns --dns-option --dns-search -l --label --label-file --shm-size --sysctl --tz --device --mount --volumes-from --group-add --userns --uidmap --gidmap --detach-keys --ipc --pid --preserve-fds --uts --network-alias --ip --slurm"
_burrow_opts_diff="--format --help"
_burrow_value_opts_diff="--format"
_burrow_opts_exec="-d --detach -e --env --env-file --help -i --interactive --privileged -t --tty -u --user -w --workdir --detach-keys --preserve-fds"
_burrow_value_opts_exec="-e --env --env-file -u --user -w --workdir --detach-keys --preserve-fds"
_burrow_opts_healthcheck="--help"
_burrow_value_opts_healthcheck=""
_burrow_opts_inspect="-f --format --help -t --type"
_burrow_value_opts_inspect="-f --format -t --type"
_burrow_opts_kill="--help -s --signal"
_burrow_opts_pause="--help"
_burrow_value_opts_pause=""
_burrow_opts_unpause="--help"
_burrow_value_opts_unpause=""
_burrow_opts_stats="-a --all --format --help --no-stream"
_burrow_value_opts_stats="--format"
_burrow_opts_update="--blkio-weight --cpu-period --cpu-quota --cpu-shares --cpus --cpuset-cpus --cpuset-mems --memory --memory-reservation --memory-swap --pids-limit --help"
_burrow_value_opts_update="--blkio-weight --cpu-period --cpu-quota --cpu-shares --cpus --cpuset-cpus --cpuset-mems --memory --memory-reservation --memory-swap --pids-limit"
_burrow_value_opts_kill="-s --signal"
_burrow_opts_logs="-f --follow --help --since -n --tail -t --timestamps"
_burrow_value_opts_logs="--since -n --tail"
_burrow_opts_port="-a --all --help"
_burrow_value_opts_port=""
_burrow_opts_ps="-a --all -f --filter --format --help -l --latest --no-trunc -n --noheading -q --quiet --sort"
_burrow_value_opts_ps="-f --filter --format"
_burrow_opts_rename="--help"
_burrow_value_opts_rename=""
_burrow_opts_restart="--help -t --time"
_burrow_value_opts_restart="-t --time"
_burrow_opts_rm="-a --all -f --force --help -v --volumes"
_burrow_value_opts_rm=""
_burrow_opts_start="-a --attach --help -i --interactive --detach-keys"
_burrow_value_opts_start="--detach-keys"
_burrow_opts_stop="-a --all --help -t --time"
_burrow_value_opts_stop="-t --time"
_burrow_opts_system="-h --help"
_burrow_value_opts_system=""
_burrow_opts_container="-h --help"
_burrow_value_opts_container=""
_burrow_opts_version="-f --format -h --help"
_burrow_value_opts_version="-f --format"
# the sub-verbs of the groups that are not top-level verbs
_burrow_sub_opts_container_exists="-h --help"
_burrow_sub_opts_container_prune="-f --force -h --help"
_burrow_sub_opts_image_exists="-h --help"
_burrow_sub_opts_image_inspect="-f --format -h --help"
_burrow_sub_opts_image_prune="-a --all -f --force -h --help"
_burrow_sub_opts_system_df="--format -v --verbose -h --help"
_burrow_sub_opts_system_info="-f --format -h --help"
_burrow_sub_opts_system_prune="-f --force -h --help"
_burrow_sub_opts_system_reset="-f --force -h --help"
_burrow_sub_opts_system_service="-t --time -h --help"
_burrow_sub_opts_system_check="-f --force -h --help -m --max -q --quick -r --repair"
_burrow_opts_top="--help"
_burrow_value_opts_top=""
_burrow_opts_wait="--help"
_burrow_opts_commit="-a --author -c --change -f --format --help -m --message -p --pause -q --quiet"
_burrow_value_opts_commit="-a --author -c --change -f --format -m --message"
_burrow_opts_cp="-a --archive --help"
_burrow_value_opts_cp=""
_burrow_opts_export="--help -o --output"
_burrow_value_opts_export="-o --output"
_burrow_opts_events="-f --filter --format --help --no-trunc --since --stream --until"
_burrow_value_opts_events="-f --filter --format --since --until"
_burrow_value_opts_wait=""
_burrow_opts_help="--commands"
_burrow_value_opts_help=""
_burrow_opts_version=""
_burrow_value_opts_version=""

_burrow_caps="ALL CAP_AUDIT_WRITE CAP_CHOWN CAP_DAC_OVERRIDE CAP_DAC_READ_SEARCH CAP_FOWNER CAP_FSETID CAP_IPC_LOCK CAP_KILL CAP_MKNOD CAP_NET_ADMIN CAP_NET_BIND_SERVICE CAP_NET_RAW CAP_SETFCAP CAP_SETGID CAP_SETPCAP CAP_SETUID CAP_SYS_ADMIN CAP_SYS_CHROOT CAP_SYS_NICE CAP_SYS_PTRACE CAP_SYS_RESOURCE CAP_SYS_TIME"

# Container names from `burrow ps -a` (the store options are not passed on).
_burrow_containers() {
	burrow ps -a --format '{{.Names}}' 2>/dev/null
}

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

	# a group's sub-verb: its own flags, or those of the verb it stands for
	local sub=""
	if [[ $verb == container || $verb == image || $verb == system ]]; then
		local k=$((i + 1))
		while ((k < cword)); do
			[[ ${words[k]} != -* ]] && sub=${words[k]} && break
			((k++))
		done
		if [[ -n $sub ]]; then
			local sub_var="_burrow_sub_opts_${verb}_${sub}"
			if [[ -n ${!sub_var-} ]]; then
				mapfile -t COMPREPLY < <(compgen -W "${!sub_var}" -- "$cur")
				[[ $cur == -* ]] && return
				COMPREPLY=()
				case $verb:$sub in
				container:*) mapfile -t COMPREPLY < <(compgen -W "$(_burrow_containers)" -- "$cur") ;;
				image:exists | image:inspect) mapfile -t COMPREPLY < <(compgen -W "$(_burrow_images)" -- "$cur") ;;
				esac
				return
			fi
			case $verb:$sub in
			container:ls | container:list) sub="ps" ;;
			image:ls | image:list) sub=images ;;
			image:rm) sub=rmi ;;
			esac
			verb=$sub
			i=$k
		fi
	fi

	local opts_var="_burrow_opts_$verb" vopts_var="_burrow_value_opts_$verb"
	local opts=${!opts_var-} vopts=${!vopts_var-}

	# the value of an option
	if _burrow_in "$prev" "$vopts"; then
		case $verb:$prev in
		run:--env-file) mapfile -t COMPREPLY < <(compgen -f -- "$cur") ;;
		run:-v | run:--volume) mapfile -t COMPREPLY < <(compgen -f -- "$cur") ;;
		run:--network | run:--net) mapfile -t COMPREPLY < <(compgen -W "slirp4netns none host container:" -- "$cur") ;;
		run:--pid | run:--uts) mapfile -t COMPREPLY < <(compgen -W "private host container:" -- "$cur") ;;
		run:--ipc) mapfile -t COMPREPLY < <(compgen -W "shareable private none host container:" -- "$cur") ;;
		run:--security-opt) mapfile -t COMPREPLY < <(compgen -W "no-new-privileges seccomp=unconfined label=disable" -- "$cur") ;;
		run:--cap-add | run:--cap-drop) mapfile -t COMPREPLY < <(compgen -W "$_burrow_caps" -- "$cur") ;;
		images:--format) mapfile -t COMPREPLY < <(compgen -W "json table" -- "$cur") ;;
		save:--format) mapfile -t COMPREPLY < <(compgen -W "docker-archive oci-archive squashfs" -- "$cur") ;;
		save:-o | save:--output) mapfile -t COMPREPLY < <(compgen -f -- "$cur") ;;
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
	# a path in place of an image: a single-file image (save --format squashfs)
	if [[ $cur == /* || $cur == ./* || $cur == ../* ]] && [[ $verb == run || $verb == create || $verb == inspect ]]; then
		mapfile -t COMPREPLY < <(compgen -f -- "$cur")
		return
	fi
	case $verb in
	run) mapfile -t COMPREPLY < <(compgen -W "$(_burrow_images)" -- "$cur") ;;
	rmi) mapfile -t COMPREPLY < <(compgen -W "$(_burrow_images)" -- "$cur") ;;
	history|push|save|tag|untag) ((npos == 0)) && mapfile -t COMPREPLY < <(compgen -W "$(_burrow_images)" -- "$cur") ;;
	image) ((npos == 0)) && mapfile -t COMPREPLY < <(compgen -W "build exists history import inspect list load ls prune pull push rm save tag untag" -- "$cur") ;;
	container) ((npos == 0)) && mapfile -t COMPREPLY < <(compgen -W "attach commit cp create diff exec exists export healthcheck inspect kill list logs ls pause port prune ps rename restart rm run start stats stop top unpause update wait" -- "$cur") ;;
	network) ((npos == 0)) && mapfile -t COMPREPLY < <(compgen -W "connect create disconnect exists inspect list ls prune remove rm" -- "$cur") ;;
	volume) ((npos == 0)) && mapfile -t COMPREPLY < <(compgen -W "create exists inspect list ls prune remove rm" -- "$cur") ;;
	import) ((npos == 0)) && mapfile -t COMPREPLY < <(compgen -f -- "$cur") ;;
	build) ((npos == 0)) && mapfile -t COMPREPLY < <(compgen -d -- "$cur") ;;
	help) ((npos == 0)) && mapfile -t COMPREPLY < <(compgen -W "$_burrow_commands" -- "$cur") ;;
	unshare) mapfile -t COMPREPLY < <(compgen -c -- "$cur") ;;
	create) mapfile -t COMPREPLY < <(compgen -W "$(_burrow_images)" -- "$cur") ;;
	attach|diff|healthcheck|inspect|kill|logs|pause|unpause|stats|update|port|rename|restart|rm|start|stop|top|wait|exec)
		mapfile -t COMPREPLY < <(compgen -W "$(_burrow_containers)" -- "$cur") ;;
	system) ((npos == 0)) && mapfile -t COMPREPLY < <(compgen -W "check df info prune reset service" -- "$cur") ;;
	*) COMPREPLY=() ;;
	esac
	if declare -F __ltrim_colon_completions >/dev/null; then
		__ltrim_colon_completions "$cur"
	fi
}

complete -F _burrow burrow
