# fish completion for burrow(1)
#
# The verb list and flags are checked against `burrow help --commands` and
# `burrow VERB --help` by tests/integration/cli.t.

# Image names (REPOSITORY:TAG) from `burrow images`, with the store options
# of the command line being completed.
function __burrow_images
    set -l store
    set -l tokens (commandline -opc)
    set -e tokens[1]
    while set -q tokens[1]
        switch $tokens[1]
            case --root --runroot
                set -a store $tokens[1] $tokens[2]
                set -e tokens[1]
            case '--root=*' '--runroot=*'
                set -a store $tokens[1]
        end
        set -e tokens[1]
    end
    burrow $store images 2>/dev/null | awk 'NR > 1 && $1 != "<none>" && $2 != "<none>" { print $1 ":" $2 }'
end

# True while the image (the first positional argument of run) is still to come.
function __burrow_run_needs_image
    set -l tokens (commandline -opc)
    set -l seen_verb 0
    set -l skip 0
    for t in $tokens[2..-1]
        if test $skip = 1
            set skip 0
            continue
        end
        if test $seen_verb = 0
            switch $t
                case --root --runroot --log-level
                    set skip 1
                case '-*'
                case run
                    set seen_verb 1
                case '*'
                    return 1
            end
            continue
        end
        switch $t
            case --name -e --env --env-file -w --workdir -u --user -v --volume --tmpfs -h --hostname --entrypoint --cap-add --cap-drop --security-opt --net --network
                set skip 1
            case '-*'
            case '*'
                return 1
        end
    end
    return 0
end

set -l __burrow_caps ALL CAP_AUDIT_WRITE CAP_CHOWN CAP_DAC_OVERRIDE CAP_DAC_READ_SEARCH CAP_FOWNER CAP_FSETID CAP_IPC_LOCK CAP_KILL CAP_MKNOD CAP_NET_ADMIN CAP_NET_BIND_SERVICE CAP_NET_RAW CAP_SETFCAP CAP_SETGID CAP_SETPCAP CAP_SETUID CAP_SYS_ADMIN CAP_SYS_CHROOT CAP_SYS_NICE CAP_SYS_PTRACE CAP_SYS_RESOURCE CAP_SYS_TIME

complete -c burrow -f

# global options
complete -c burrow -n __fish_use_subcommand -l root -r -a '(__fish_complete_directories)' -d 'Store root'
complete -c burrow -n __fish_use_subcommand -l runroot -r -a '(__fish_complete_directories)' -d 'Runtime state directory'
complete -c burrow -n __fish_use_subcommand -l log-level -x -a 'error warn info debug' -d 'Log level'
complete -c burrow -n __fish_use_subcommand -s v -l version -d 'Show the version'
complete -c burrow -n __fish_use_subcommand -s h -l help -d 'Show help'

# verbs
complete -c burrow -n __fish_use_subcommand -a help -d 'Show help for burrow or one command'
complete -c burrow -n __fish_use_subcommand -a images -d 'List images in the local store'
complete -c burrow -n __fish_use_subcommand -a import -d 'Create an image from a rootfs tarball'
complete -c burrow -n __fish_use_subcommand -a info -d 'Check the host and show what works'
complete -c burrow -n __fish_use_subcommand -a rmi -d 'Remove one or more images'
complete -c burrow -n __fish_use_subcommand -a run -d 'Run a command in a new container'
complete -c burrow -n __fish_use_subcommand -a unshare -d 'Run a command inside the user namespace'
complete -c burrow -n __fish_use_subcommand -a version -d 'Show the burrow version'

# help
complete -c burrow -n '__fish_seen_subcommand_from help' -l commands -d 'List the verbs'
complete -c burrow -n '__fish_seen_subcommand_from help' -a 'help images import info rmi run unshare version'

# run
set -l run '__fish_seen_subcommand_from run'
complete -c burrow -n $run -l rm -d 'Remove the container when it exits'
complete -c burrow -n $run -s i -l interactive -d 'Keep stdin open'
complete -c burrow -n $run -s t -l tty -d 'Allocate a pseudo-terminal'
complete -c burrow -n $run -l name -x -d 'Name the container'
complete -c burrow -n $run -s e -l env -x -d 'Set an environment variable KEY=VALUE'
complete -c burrow -n $run -l env-file -r -F -d 'Read environment variables from a file'
complete -c burrow -n $run -s w -l workdir -x -d 'Working directory inside the container'
complete -c burrow -n $run -s u -l user -x -d 'User and group inside the container'
complete -c burrow -n $run -s v -l volume -r -F -d 'Bind mount HOST:CTR[:ro|rw]'
complete -c burrow -n $run -l tmpfs -x -d 'Mount a tmpfs at a container path'
complete -c burrow -n $run -s h -l hostname -x -d 'Container hostname'
complete -c burrow -n $run -l entrypoint -x -d 'Override the image entrypoint'
complete -c burrow -n $run -l init -d 'Run burrow-init as PID 1'
complete -c burrow -n $run -l read-only -d 'Mount the root filesystem read-only'
complete -c burrow -n $run -l cap-add -x -a "$__burrow_caps" -d 'Add a capability'
complete -c burrow -n $run -l cap-drop -x -a "$__burrow_caps" -d 'Drop a capability'
complete -c burrow -n $run -l security-opt -x -a 'no-new-privileges seccomp=unconfined label=disable' -d 'Security option'
complete -c burrow -n $run -l network -x -a 'none host' -d 'Network mode'
complete -c burrow -n $run -l net -x -a 'none host' -d 'Network mode (alias for --network)'
complete -c burrow -n $run -l help -d 'Show help'
complete -c burrow -n "$run; and __burrow_run_needs_image" -a '(__burrow_images)' -d Image

# import
set -l import '__fish_seen_subcommand_from import'
complete -c burrow -n $import -s c -l change -x -d 'Apply a Dockerfile instruction'
complete -c burrow -n $import -s m -l message -x -d 'Commit message'
complete -c burrow -n $import -s q -l quiet -d 'Print only the image ID'
complete -c burrow -n $import -s h -l help -d 'Show help'
complete -c burrow -n $import -F

# images
set -l images '__fish_seen_subcommand_from images'
complete -c burrow -n $images -s q -l quiet -d 'Print only image IDs'
complete -c burrow -n $images -s a -l all -d 'Show all images'
complete -c burrow -n $images -l no-trunc -d 'Do not truncate IDs'
complete -c burrow -n $images -s n -l noheading -d 'Leave out the table header'
complete -c burrow -n $images -l format -x -a 'json table' -d 'Output format'
complete -c burrow -n $images -s h -l help -d 'Show help'

# rmi
set -l rmi '__fish_seen_subcommand_from rmi'
complete -c burrow -n $rmi -s f -l force -d 'Remove even if in use'
complete -c burrow -n $rmi -s a -l all -d 'Remove all images'
complete -c burrow -n $rmi -s h -l help -d 'Show help'
complete -c burrow -n $rmi -a '(__burrow_images)' -d Image

# info
set -l info '__fish_seen_subcommand_from info'
complete -c burrow -n $info -s f -l format -x -a json -d 'Output format'
complete -c burrow -n $info -s h -l help -d 'Show help'

# unshare
set -l unshare '__fish_seen_subcommand_from unshare'
complete -c burrow -n $unshare -s h -l help -d 'Show help'
complete -c burrow -n $unshare -a '(__fish_complete_subcommand --fcs-skip=2)'
