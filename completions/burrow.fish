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
            case --name -e --env --env-file -w --workdir -u --user -v --volume --tmpfs -h --hostname --entrypoint --cap-add --cap-drop --security-opt --net --network --pull --platform --add-host --annotation --cidfile --dns --dns-option --dns-search -l --label --label-file --shm-size --sysctl --tz --device --group-add --userns --uidmap --gidmap --detach-keys --ipc --pid --preserve-fds --uts --network-alias --ip --slurm
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
complete -c burrow -n __fish_use_subcommand -a history -d 'Show the history of an image'
complete -c burrow -n __fish_use_subcommand -a image -d 'Manage images (inspect, prune, ls, rm, ...)'
complete -c burrow -n __fish_use_subcommand -a images -d 'List images in the local store'
complete -c burrow -n __fish_use_subcommand -a build -d 'Build an image from a Dockerfile'
complete -c burrow -n __fish_use_subcommand -a import -d 'Create an image from a rootfs tarball'
complete -c burrow -n __fish_use_subcommand -a info -d 'Check the host and show what works'
complete -c burrow -n __fish_use_subcommand -a load -d 'Load images from an archive or OCI layout'
complete -c burrow -n __fish_use_subcommand -a login -d 'Log in to a registry'
complete -c burrow -n __fish_use_subcommand -a logout -d 'Log out of a registry'
complete -c burrow -n __fish_use_subcommand -a pull -d 'Pull images from a registry'
complete -c burrow -n __fish_use_subcommand -a push -d 'Push an image to a registry'
complete -c burrow -n __fish_use_subcommand -a rmi -d 'Remove one or more images'
complete -c burrow -n __fish_use_subcommand -a run -d 'Run a command in a new container'
complete -c burrow -n __fish_use_subcommand -a save -d 'Save images to an archive'
complete -c burrow -n __fish_use_subcommand -a tag -d 'Add names to an image'
complete -c burrow -n __fish_use_subcommand -a unshare -d 'Run a command inside the user namespace'
complete -c burrow -n __fish_use_subcommand -a untag -d 'Remove names from an image'
complete -c burrow -n __fish_use_subcommand -a volume -d 'Manage volumes (create, ls, inspect, rm, prune, exists)'
complete -c burrow -n __fish_use_subcommand -a attach -d 'Attach to a running container\'s terminal'
complete -c burrow -n __fish_use_subcommand -a container -d 'Manage containers (ls, rm, prune, exists, ...)'
complete -c burrow -n __fish_use_subcommand -a create -d 'Create a container without starting it'
complete -c burrow -n __fish_use_subcommand -a diff -d 'Show the files a container changed'
complete -c burrow -n __fish_use_subcommand -a exec -d 'Run a command in a running container'
complete -c burrow -n __fish_use_subcommand -a healthcheck -d 'Run a container\'s healthcheck'
complete -c burrow -n __fish_use_subcommand -a inspect -d 'Show the details of containers'
complete -c burrow -n __fish_use_subcommand -a kill -d 'Send a signal to running containers'
complete -c burrow -n __fish_use_subcommand -a network -d 'Manage networks (create, ls, inspect, rm, prune, connect, ...)'
complete -c burrow -n __fish_use_subcommand -a pause -d 'Pause the processes of containers'
complete -c burrow -n __fish_use_subcommand -a unpause -d 'Unpause the processes of containers'
complete -c burrow -n __fish_use_subcommand -a stats -d 'Show resource usage of containers'
complete -c burrow -n __fish_use_subcommand -a update -d 'Change the resource limits of a container'
complete -c burrow -n __fish_use_subcommand -a logs -d 'Show the output of a container'
complete -c burrow -n __fish_use_subcommand -a port -d 'List a container\'s published ports'
complete -c burrow -n __fish_use_subcommand -a ps -d 'List containers'
complete -c burrow -n __fish_use_subcommand -a rename -d 'Rename a container'
complete -c burrow -n __fish_use_subcommand -a restart -d 'Restart containers'
complete -c burrow -n __fish_use_subcommand -a rm -d 'Remove containers'
complete -c burrow -n __fish_use_subcommand -a start -d 'Start containers'
complete -c burrow -n __fish_use_subcommand -a stop -d 'Stop running containers'
complete -c burrow -n __fish_use_subcommand -a system -d 'Manage burrow (check, df, info, prune, reset, service)'
complete -c burrow -n __fish_use_subcommand -a top -d 'Show the processes of a container'
complete -c burrow -n __fish_use_subcommand -a wait -d 'Wait for containers to exit and print their exit codes'
complete -c burrow -n __fish_use_subcommand -a events -d 'Show events, and follow new ones'
complete -c burrow -n __fish_use_subcommand -a cp -d 'Copy files between a container and the host'
complete -c burrow -n __fish_use_subcommand -a commit -d 'Create an image from a container\'s changes'
complete -c burrow -n __fish_use_subcommand -a export -d 'Export a container\'s filesystem as a tar archive'
complete -c burrow -n __fish_use_subcommand -a version -d 'Show the burrow version'

# help
complete -c burrow -n '__fish_seen_subcommand_from help' -l commands -d 'List the verbs'
complete -c burrow -n '__fish_seen_subcommand_from help' -a 'attach build commit cp create diff events exec export healthcheck help history image images import info inspect kill load login logout logs network pause port ps pull push rename restart rm rmi run save start stats stop system tag top unpause unshare untag update version volume wait'

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
complete -c burrow -n $run -l mount -x -d 'Mount type=bind|volume|tmpfs,source=,target=,...'
complete -c burrow -n $run -l volumes-from -x -a '(__burrow_containers)' -d 'Mount the volumes of another container'
complete -c burrow -n $run -s h -l hostname -x -d 'Container hostname'
complete -c burrow -n $run -l entrypoint -x -d 'Override the image entrypoint'
complete -c burrow -n $run -l init -d 'Run burrow-init as PID 1'
complete -c burrow -n $run -l read-only -d 'Mount the root filesystem read-only'
complete -c burrow -n $run -l cap-add -x -a "$__burrow_caps" -d 'Add a capability'
complete -c burrow -n $run -l cap-drop -x -a "$__burrow_caps" -d 'Drop a capability'
complete -c burrow -n $run -l security-opt -x -a 'no-new-privileges seccomp=unconfined label=disable' -d 'Security option'
complete -c burrow -n $run -l network -x -a 'slirp4netns none host container:' -d 'Network mode'
complete -c burrow -n $run -l network-alias -x -d 'Another name for the container on its networks'
complete -c burrow -n $run -l ip -x -d 'The container address on its network'
complete -c burrow -n $run -l net -x -a 'slirp4netns none host container:' -d 'Network mode (alias for --network)'
complete -c burrow -n $run -l group-add -x -a keep-groups -d 'Add a supplementary group'
complete -c burrow -n $run -l userns -x -a 'host keep-id nomap' -d 'User namespace mode'
complete -c burrow -n $run -l uidmap -x -d 'Map container UIDs (CTR:INTERMEDIATE:SIZE)'
complete -c burrow -n $run -l gidmap -x -d 'Map container GIDs (CTR:INTERMEDIATE:SIZE)'
complete -c burrow -n $run -l device -r -F -d 'Give the container a host device or a CDI device'
complete -c burrow -n $run -l add-host -x -d 'Add a line to /etc/hosts'
complete -c burrow -n $run -l annotation -x -d 'Add an annotation'
complete -c burrow -n $run -l cidfile -r -F -d 'Write the container ID to a file'
complete -c burrow -n $run -l dns -x -d 'Use this DNS server'
complete -c burrow -n $run -l dns-option -x -d 'Set a DNS resolver option'
complete -c burrow -n $run -l dns-search -x -d 'Set a DNS search domain'
complete -c burrow -n $run -l env-host -d 'Pass the caller\'s whole environment'
complete -c burrow -n $run -s l -l label -x -d 'Set a label'
complete -c burrow -n $run -l label-file -r -F -d 'Read labels from a file'
complete -c burrow -n $run -l no-hosts -d 'Keep the image\'s /etc/hosts'
complete -c burrow -n $run -s q -l quiet -d 'Do not show pull progress'
complete -c burrow -n $run -l replace -d 'Replace a container with the same name'
complete -c burrow -n $run -l shm-size -x -d 'Size of /dev/shm'
complete -c burrow -n $run -l sysctl -x -d 'Set a namespaced kernel parameter'
complete -c burrow -n $run -l tz -x -d 'Time zone (local or a zone name)'
complete -c burrow -n $run -l help -d 'Show help'
complete -c burrow -n $run -s d -l detach -d 'Run in the background and print the container ID'
complete -c burrow -n $run -l health-cmd -x -d 'Healthcheck command (run with /bin/sh , or a JSON array)'
complete -c burrow -n $run -l health-interval -x -d 'Time between healthchecks (default 30s)'
complete -c burrow -n $run -l health-retries -x -d 'Failures in a row before unhealthy (default 3)'
complete -c burrow -n $run -l health-start-period -x -d 'Failures during this start period do not count'
complete -c burrow -n $run -l health-timeout -x -d 'Time a healthcheck may take (default 30s)'
complete -c burrow -n $run -l log-driver -x -d 'k8s-file (default) or none'
complete -c burrow -n $run -l log-opt -x -d 'max-size=SIZE or max-file=N'
complete -c burrow -n $run -l no-healthcheck -d 'Disable the images healthcheck'
complete -c burrow -n $run -s p -l publish -x -d 'Publish a container port on the host'
complete -c burrow -n $run -s P -l publish-all -d 'Publish every EXPOSEd port on a random host port'
complete -c burrow -n $run -l restart -x -d 'no, on-failureN, always or unless-stopped'
complete -c burrow -n $run -l pull -x -a 'missing always never' -d 'When to pull the image'
complete -c burrow -n $run -l platform -x -d 'Platform of the image to pull'
complete -c burrow -n $run -l tls-verify -d 'Require HTTPS and verified certificates when pulling'
complete -c burrow -n $run -l stop-signal -x -d 'Signal that stops the container (default the images, else TERM)'
complete -c burrow -n $run -l stop-timeout -x -d 'Time to wait before SIGKILL (default 10)'
complete -c burrow -n $run -l memory -x -d 'Memory limit, e.g. 64m (memory.max)'
complete -c burrow -n $run -l memory-swap -x -d 'Memory plus swap limit, -1 for unlimited swap'
complete -c burrow -n $run -l memory-reservation -x -d 'Memory soft limit (memory.low)'
complete -c burrow -n $run -l cpus -x -d 'Number of CPUs, e.g. 0.5 (cpu.max)'
complete -c burrow -n $run -l cpu-shares -x -d 'CPU shares, 2 to 262144 (cpu.weight)'
complete -c burrow -n $run -l cpu-quota -x -d 'CPU CFS quota per period (cpu.max)'
complete -c burrow -n $run -l cpu-period -x -d 'CPU CFS period (with --cpu-quota)'
complete -c burrow -n $run -l cpuset-cpus -x -d 'CPUs the container may use, e.g. 0-3,5'
complete -c burrow -n $run -l cpuset-mems -x -d 'Memory nodes the container may use'
complete -c burrow -n $run -l pids-limit -x -d 'Maximum number of processes, -1 for unlimited'
complete -c burrow -n $run -l blkio-weight -x -d 'Block IO weight, 10 to 1000'
complete -c burrow -n $run -l cgroups -x -a 'enabled disabled' -d 'enabled (default) or disabled: never create a cgroup'
complete -c burrow -n $run -l ulimit -x -d 'Set a resource limit, e.g. nofile=1024:2048'
complete -c burrow -n $run -l detach-keys -x -d 'Keys that detach from the terminal (default ctrl-p,ctrl-q)'
complete -c burrow -n $run -l ipc -x -a 'shareable private none host container:' -d 'IPC namespace'
complete -c burrow -n $run -l pid -x -a 'private host container:' -d 'PID namespace'
complete -c burrow -n $run -l preserve-fds -x -d 'Pass the caller fds 3 to 3+N-1 to the command'
complete -c burrow -n $run -l slurm -x -a 'auto on off' -d 'Slurm job-step defaults'
complete -c burrow -n $run -l node-share -d 'One container per node for the job step, joined by every rank'
complete -c burrow -n $run -l privileged -d 'Every capability, no syscall filter, no masked paths, the user host devices'
complete -c burrow -n $run -l uts -x -a 'private host container:' -d 'UTS namespace'
complete -c burrow -n "$run; and __burrow_run_needs_image" -a '(__burrow_images)' -d Image

# build
set -l build '__fish_seen_subcommand_from build'
complete -c burrow -n $build -s t -l tag -x -d 'Name the resulting image'
complete -c burrow -n $build -s f -l file -r -d 'The Dockerfile'
complete -c burrow -n $build -l build-arg -x -d 'Set a build argument'
complete -c burrow -n $build -l target -x -d 'Build up to this stage'
complete -c burrow -n $build -l no-cache -d 'Do not use cached steps'
complete -c burrow -n $build -l pull -x -a 'missing always never true false' -d 'Pull policy for base images'
complete -c burrow -n $build -l tls-verify -d 'Require HTTPS and verify certificates'
complete -c burrow -n $build -l network -x -a 'slirp4netns none host' -d 'Network for RUN'
complete -c burrow -n $build -s q -l quiet -d 'Print only the image ID'
complete -c burrow -n $build -l layers -d 'Keep a layer and a cached image per step'
complete -c burrow -n $build -l label -x -d 'Add a label to the image'
complete -c burrow -n $build -l platform -x -d 'Target platform (the host only)'
complete -c burrow -n $build -l userns-emulation -x -a 'on off' -d 'Root emulation in single-ID mode'
complete -c burrow -n $build -s h -l help -d 'Show help'
complete -c burrow -n $build -a '(__fish_complete_directories)'

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
complete -c burrow -n $images -s f -l filter -x -a 'label= dangling=true dangling=false reference= before= since=' -d 'Filter images'
complete -c burrow -n $images -l digests -d 'Show manifest digests'
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

# history
set -l history '__fish_seen_subcommand_from history'
complete -c burrow -n $history -l format -x -a 'json table' -d 'Output format'
complete -c burrow -n $history -l no-trunc -d 'Do not shorten the output'
complete -c burrow -n $history -s q -l quiet -d 'Print only the IDs'
complete -c burrow -n $history -s h -l help -d 'Show help'
complete -c burrow -n $history -a '(__burrow_images)' -d Image

# image
set -l image '__fish_seen_subcommand_from image'
complete -c burrow -n $image -s h -l help -d 'Show help'
complete -c burrow -n $image -a 'build exists history import inspect list load ls prune pull push rm save tag untag'

# load
set -l load '__fish_seen_subcommand_from load'
complete -c burrow -n $load -s i -l input -r -d 'Archive or OCI layout directory'
complete -c burrow -n $load -s q -l quiet -d 'Print only the loaded names'
complete -c burrow -n $load -s h -l help -d 'Show help'

# login
set -l login '__fish_seen_subcommand_from login'
complete -c burrow -n $login -l authfile -r -d 'Auth file to write'
complete -c burrow -n $login -s p -l password -r -d 'Password'
complete -c burrow -n $login -l password-stdin -d 'Read the password from stdin'
complete -c burrow -n $login -l tls-verify -d 'Require HTTPS and verified certificates'
complete -c burrow -n $login -s u -l username -r -d 'User name'
complete -c burrow -n $login -s h -l help -d 'Show help'

# logout
set -l logout '__fish_seen_subcommand_from logout'
complete -c burrow -n $logout -s a -l all -d 'Remove all credentials'
complete -c burrow -n $logout -l authfile -r -d 'Auth file'
complete -c burrow -n $logout -s h -l help -d 'Show help'

# pull
set -l pull '__fish_seen_subcommand_from pull'
complete -c burrow -n $pull -l arch -r -d 'Architecture'
complete -c burrow -n $pull -l authfile -r -d 'Auth file'
complete -c burrow -n $pull -l platform -r -d 'Platform OS/ARCH'
complete -c burrow -n $pull -s q -l quiet -d 'No progress output'
complete -c burrow -n $pull -l tls-verify -d 'Require HTTPS and verified certificates'
complete -c burrow -n $pull -s h -l help -d 'Show help'

# push
set -l push '__fish_seen_subcommand_from push'
complete -c burrow -n $push -l authfile -r -d 'Auth file'
complete -c burrow -n $push -l digestfile -r -d 'Write the digest to a file'
complete -c burrow -n $push -s f -l format -x -a 'oci v2s2' -d 'Manifest type'
complete -c burrow -n $push -s q -l quiet -d 'No progress output'
complete -c burrow -n $push -l tls-verify -d 'Require HTTPS and verified certificates'
complete -c burrow -n $push -s h -l help -d 'Show help'
complete -c burrow -n $push -a '(__burrow_images)' -d Image

# save
set -l save '__fish_seen_subcommand_from save'
complete -c burrow -n $save -l format -x -a 'docker-archive oci-archive squashfs' -d 'Archive format'
complete -c burrow -n $save -s o -l output -r -d 'Output file'
complete -c burrow -n $save -s q -l quiet -d 'Print nothing'
complete -c burrow -n $save -s h -l help -d 'Show help'
complete -c burrow -n $save -a '(__burrow_images)' -d Image

# tag
set -l tag '__fish_seen_subcommand_from tag'
complete -c burrow -n $tag -s h -l help -d 'Show help'
complete -c burrow -n $tag -a '(__burrow_images)' -d Image

# untag
set -l untag '__fish_seen_subcommand_from untag'
complete -c burrow -n $untag -s h -l help -d 'Show help'
complete -c burrow -n $untag -a '(__burrow_images)' -d Image

# container verbs
function __burrow_containers
    burrow ps -a --format '{{.Names}}' 2>/dev/null
end

# attach
set -l attach '__fish_seen_subcommand_from attach'
complete -c burrow -n $attach -l help -d 'Show this help'
complete -c burrow -n $attach -l no-stdin -d 'Do not attach stdin'
complete -c burrow -n $attach -a '(__burrow_containers)'
complete -c burrow -n $attach -l detach-keys -x -d 'Keys that detach from the terminal (default ctrl-p,ctrl-q)'

# create
set -l create '__fish_seen_subcommand_from create'
complete -c burrow -n $create -l group-add -x -a keep-groups -d 'Add a supplementary group'
complete -c burrow -n $create -l userns -x -a 'host keep-id nomap' -d 'User namespace mode'
complete -c burrow -n $create -l uidmap -x -d 'Map container UIDs (CTR:INTERMEDIATE:SIZE)'
complete -c burrow -n $create -l gidmap -x -d 'Map container GIDs (CTR:INTERMEDIATE:SIZE)'
complete -c burrow -n $create -l device -r -F -d 'Give the container a host device or a CDI device'
complete -c burrow -n $create -l add-host -x -d 'Add a line to /etc/hosts'
complete -c burrow -n $create -l annotation -x -d 'Add an annotation'
complete -c burrow -n $create -l cidfile -r -F -d 'Write the container ID to a file'
complete -c burrow -n $create -l dns -x -d 'Use this DNS server'
complete -c burrow -n $create -l dns-option -x -d 'Set a DNS resolver option'
complete -c burrow -n $create -l dns-search -x -d 'Set a DNS search domain'
complete -c burrow -n $create -l env-host -d 'Pass the caller\'s whole environment'
complete -c burrow -n $create -s l -l label -x -d 'Set a label'
complete -c burrow -n $create -l label-file -r -F -d 'Read labels from a file'
complete -c burrow -n $create -l no-hosts -d 'Keep the image\'s /etc/hosts'
complete -c burrow -n $create -s q -l quiet -d 'Do not show pull progress'
complete -c burrow -n $create -l replace -d 'Replace a container with the same name'
complete -c burrow -n $create -l shm-size -x -d 'Size of /dev/shm'
complete -c burrow -n $create -l sysctl -x -d 'Set a namespaced kernel parameter'
complete -c burrow -n $create -l tz -x -d 'Time zone (local or a zone name)'
complete -c burrow -n $create -l cap-add -x -d 'Add a capability (or ALL)'
complete -c burrow -n $create -l cap-drop -x -d 'Drop a capability (or ALL)'
complete -c burrow -n $create -s d -l detach -d 'Run in the background and print the container ID'
complete -c burrow -n $create -l entrypoint -x -d 'Override the images ENTRYPOINT'
complete -c burrow -n $create -s e -l env -x -d 'Set an environment variable'
complete -c burrow -n $create -l env-file -x -d 'Read environment variables from FILE'
complete -c burrow -n $create -l health-cmd -x -d 'Healthcheck command (run with /bin/sh , or a JSON array)'
complete -c burrow -n $create -l health-interval -x -d 'Time between healthchecks (default 30s)'
complete -c burrow -n $create -l health-retries -x -d 'Failures in a row before unhealthy (default 3)'
complete -c burrow -n $create -l health-start-period -x -d 'Failures during this start period do not count'
complete -c burrow -n $create -l health-timeout -x -d 'Time a healthcheck may take (default 30s)'
complete -c burrow -n $create -l help -d 'Show this help'
complete -c burrow -n $create -s h -l hostname -x -d 'Container hostname'
complete -c burrow -n $create -l init -d 'Run burrow-init as PID 1 to reap zombies and forward signals'
complete -c burrow -n $create -s i -l interactive -d 'Keep stdin open'
complete -c burrow -n $create -l log-driver -x -d 'k8s-file (default) or none'
complete -c burrow -n $create -l log-opt -x -d 'max-size=SIZE or max-file=N'
complete -c burrow -n $create -l name -x -d 'Container name'
complete -c burrow -n $create -l net -x -d 'Alias for'
complete -c burrow -n $create -l network -x -a 'slirp4netns none host container:' -d 'slirp4netns[:OPTS] (default), none, host or container:NAME'
complete -c burrow -n $create -l network-alias -x -d 'Another name for the container on its networks'
complete -c burrow -n $create -l ip -x -d 'The container address on its network'
complete -c burrow -n $create -l no-healthcheck -d 'Disable the images healthcheck'
complete -c burrow -n $create -s p -l publish -x -d 'Publish a container port on the host'
complete -c burrow -n $create -s P -l publish-all -d 'Publish every EXPOSEd port on a random host port'
complete -c burrow -n $create -l read-only -d 'Mount the root filesystem read-only'
complete -c burrow -n $create -l restart -x -d 'no, on-failureN, always or unless-stopped'
complete -c burrow -n $create -l rm -d 'Remove the container when it exits'
complete -c burrow -n $create -l security-opt -x -d 'no-new-privileges (always on), seccomp=unconfined, label=disable'
complete -c burrow -n $create -l pull -x -a 'missing always never' -d 'When to pull the image'
complete -c burrow -n $create -l platform -x -d 'Platform of the image to pull'
complete -c burrow -n $create -l tls-verify -d 'Require HTTPS and verified certificates when pulling'
complete -c burrow -n $create -l stop-signal -x -d 'Signal that stops the container (default the images, else TERM)'
complete -c burrow -n $create -l stop-timeout -x -d 'Time to wait before SIGKILL (default 10)'
complete -c burrow -n $create -l memory -x -d 'Memory limit, e.g. 64m (memory.max)'
complete -c burrow -n $create -l memory-swap -x -d 'Memory plus swap limit, -1 for unlimited swap'
complete -c burrow -n $create -l memory-reservation -x -d 'Memory soft limit (memory.low)'
complete -c burrow -n $create -l cpus -x -d 'Number of CPUs, e.g. 0.5 (cpu.max)'
complete -c burrow -n $create -l cpu-shares -x -d 'CPU shares, 2 to 262144 (cpu.weight)'
complete -c burrow -n $create -l cpu-quota -x -d 'CPU CFS quota per period (cpu.max)'
complete -c burrow -n $create -l cpu-period -x -d 'CPU CFS period (with --cpu-quota)'
complete -c burrow -n $create -l cpuset-cpus -x -d 'CPUs the container may use, e.g. 0-3,5'
complete -c burrow -n $create -l cpuset-mems -x -d 'Memory nodes the container may use'
complete -c burrow -n $create -l pids-limit -x -d 'Maximum number of processes, -1 for unlimited'
complete -c burrow -n $create -l blkio-weight -x -d 'Block IO weight, 10 to 1000'
complete -c burrow -n $create -l cgroups -x -a 'enabled disabled' -d 'enabled (default) or disabled: never create a cgroup'
complete -c burrow -n $create -l ulimit -x -d 'Set a resource limit, e.g. nofile=1024:2048'
complete -c burrow -n $create -l tmpfs -x -d 'Mount a tmpfs'
complete -c burrow -n $create -l mount -x -d 'Mount type=bind|volume|tmpfs,source=,target=,...'
complete -c burrow -n $create -l volumes-from -x -a '(__burrow_containers)' -d 'Mount the volumes of another container'
complete -c burrow -n $create -s t -l tty -d 'Allocate a terminal'
complete -c burrow -n $create -s u -l user -x -d 'Run as this user (name or id)'
complete -c burrow -n $create -s v -l volume -x -d 'Mount a host path or a volume'
complete -c burrow -n $create -s w -l workdir -x -d 'Working directory inside the container'
complete -c burrow -n $create -a '(__burrow_images)'
complete -c burrow -n $create -l detach-keys -x -d 'Keys that detach from the terminal (default ctrl-p,ctrl-q)'
complete -c burrow -n $create -l ipc -x -a 'shareable private none host container:' -d 'IPC namespace'
complete -c burrow -n $create -l pid -x -a 'private host container:' -d 'PID namespace'
complete -c burrow -n $create -l preserve-fds -x -d 'Pass the caller fds 3 to 3+N-1 to the command'
complete -c burrow -n $create -l slurm -x -a 'auto on off' -d 'Slurm job-step defaults'
complete -c burrow -n $create -l node-share -d 'One container per node for the job step, joined by every rank'
complete -c burrow -n $create -l privileged -d 'Every capability, no syscall filter, no masked paths, the user host devices'
complete -c burrow -n $create -l uts -x -a 'private host container:' -d 'UTS namespace'

# diff
set -l diff '__fish_seen_subcommand_from diff'
complete -c burrow -n $diff -l format -x -d 'json, or the default A/C/D lines'
complete -c burrow -n $diff -l help -d 'Show this help'
complete -c burrow -n $diff -a '(__burrow_containers)'

# exec
set -l exec '__fish_seen_subcommand_from exec'
complete -c burrow -n $exec -s d -l detach -d 'Run the command in the background'
complete -c burrow -n $exec -s e -l env -x -d 'Set an environment variable'
complete -c burrow -n $exec -l env-file -x -d 'Read environment variables from FILE'
complete -c burrow -n $exec -l help -d 'Show this help'
complete -c burrow -n $exec -s i -l interactive -d 'Keep stdin open'
complete -c burrow -n $exec -l privileged -d 'Give the command every capability (default false)'
complete -c burrow -n $exec -s t -l tty -d 'Allocate a terminal'
complete -c burrow -n $exec -s u -l user -x -d 'Run as this user (name or id)'
complete -c burrow -n $exec -s w -l workdir -x -d 'Working directory inside the container'
complete -c burrow -n $exec -a '(__burrow_containers)'
complete -c burrow -n $exec -l detach-keys -x -d 'Keys that detach from the terminal (default ctrl-p,ctrl-q)'
complete -c burrow -n $exec -l preserve-fds -x -d 'Pass the caller fds 3 to 3+N-1 to the command'

# healthcheck
set -l healthcheck '__fish_seen_subcommand_from healthcheck'
complete -c burrow -n $healthcheck -l help -d 'Show this help'
complete -c burrow -n $healthcheck -a '(__burrow_containers)'

# inspect
set -l inspect '__fish_seen_subcommand_from inspect'
complete -c burrow -n $inspect -s f -l format -x -d 'Format the output with a Go-style template, e.g. {{.State.Status}}'
complete -c burrow -n $inspect -l help -d 'Show this help'
complete -c burrow -n $inspect -s t -l type -x -d 'container (the only type burrow inspects)'
complete -c burrow -n $inspect -a '(__burrow_containers)'

# stats
set -l stats '__fish_seen_subcommand_from stats'
complete -c burrow -n $stats -s a -l all -d 'Show all containers, not only running ones'
complete -c burrow -n $stats -l format -x -a 'json table' -d 'json or table'
complete -c burrow -n $stats -l help -d 'Show this help'
complete -c burrow -n $stats -l no-stream -d 'Print one sample and exit'
complete -c burrow -n $stats -a '(__burrow_containers)'

# update
set -l update '__fish_seen_subcommand_from update'
complete -c burrow -n $update -l blkio-weight -x -d 'Block IO weight, 10 to 1000'
complete -c burrow -n $update -l cpu-period -x -d 'CPU CFS period in microseconds'
complete -c burrow -n $update -l cpu-quota -x -d 'CPU CFS quota in microseconds (-1: none)'
complete -c burrow -n $update -l cpu-shares -x -d 'CPU shares (relative weight)'
complete -c burrow -n $update -l cpus -x -d 'Number of CPUs (e.g. 0.5)'
complete -c burrow -n $update -l cpuset-cpus -x -d 'CPUs the container may use (0-3,5)'
complete -c burrow -n $update -l cpuset-mems -x -d 'Memory nodes the container may use'
complete -c burrow -n $update -l memory -x -d 'Memory limit (e.g. 64m)'
complete -c burrow -n $update -l memory-reservation -x -d 'Memory soft limit'
complete -c burrow -n $update -l memory-swap -x -d 'Memory plus swap limit (-1: unlimited swap)'
complete -c burrow -n $update -l pids-limit -x -d 'Maximum number of processes (-1: unlimited)'
complete -c burrow -n $update -l help -d 'Show this help'
complete -c burrow -n $update -a '(__burrow_containers)'

# pause
set -l pause '__fish_seen_subcommand_from pause'
complete -c burrow -n $pause -l help -d 'Show this help'
complete -c burrow -n $pause -a '(__burrow_containers)'

# unpause
set -l unpause '__fish_seen_subcommand_from unpause'
complete -c burrow -n $unpause -l help -d 'Show this help'
complete -c burrow -n $unpause -a '(__burrow_containers)'

# kill
set -l kill '__fish_seen_subcommand_from kill'
complete -c burrow -n $kill -l help -d 'Show this help'
complete -c burrow -n $kill -s s -l signal -x -d 'Signal to send (default KILL)'
complete -c burrow -n $kill -a '(__burrow_containers)'

# logs
set -l logs '__fish_seen_subcommand_from logs'
complete -c burrow -n $logs -s f -l follow -d 'Keep printing new output until the container exits'
complete -c burrow -n $logs -l help -d 'Show this help'
complete -c burrow -n $logs -l since -x -d 'Only output since TIME (RFC 3339, Unix seconds, or a duration like 10m)'
complete -c burrow -n $logs -s n -l tail -x -d 'Only the last N lines (-1 all)'
complete -c burrow -n $logs -s t -l timestamps -d 'Prefix each line with its timestamp'
complete -c burrow -n $logs -a '(__burrow_containers)'

# port
set -l port '__fish_seen_subcommand_from port'
complete -c burrow -n $port -s a -l all -d 'List the ports of all containers'
complete -c burrow -n $port -l help -d 'Show this help'
complete -c burrow -n $port -a '(__burrow_containers)'

# ps
set -l ps '__fish_seen_subcommand_from ps'
complete -c burrow -n $ps -s a -l all -d 'Show all containers, not only running ones'
complete -c burrow -n $ps -s f -l filter -x -d 'Filter name=REGEX, status=STATE, ancestor=IMAGE, id=PREFIX'
complete -c burrow -n $ps -l format -x -d 'json, table, or a Go-style template such as {{.Names}}'
complete -c burrow -n $ps -l help -d 'Show this help'
complete -c burrow -n $ps -s l -l latest -d 'Show the latest container created'
complete -c burrow -n $ps -l no-trunc -d 'Do not truncate IDs and commands'
complete -c burrow -n $ps -s n -l noheading -d 'Do not print the table header'
complete -c burrow -n $ps -s q -l quiet -d 'Print only the container IDs'
complete -c burrow -n $ps -l sort -x -a 'command created id image names runningfor size status' -d 'Sort by a key'

# rename
set -l rename '__fish_seen_subcommand_from rename'
complete -c burrow -n $rename -l help -d 'Show this help'
complete -c burrow -n $rename -a '(__burrow_containers)'

# restart
set -l restart '__fish_seen_subcommand_from restart'
complete -c burrow -n $restart -l help -d 'Show this help'
complete -c burrow -n $restart -s t -l time -x -d 'Seconds to wait before SIGKILL (default the containers, 10)'
complete -c burrow -n $restart -a '(__burrow_containers)'

# rm
set -l rm '__fish_seen_subcommand_from rm'
complete -c burrow -n $rm -s a -l all -d 'Remove all containers'
complete -c burrow -n $rm -s f -l force -d 'Kill running containers first'
complete -c burrow -n $rm -l help -d 'Show this help'
complete -c burrow -n $rm -s v -l volumes -d 'Remove the container'\''s anonymous volumes too'
complete -c burrow -n $rm -a '(__burrow_containers)'

# start
set -l start '__fish_seen_subcommand_from start'
complete -c burrow -n $start -s a -l attach -d 'Attach to the containers output and wait for it'
complete -c burrow -n $start -l help -d 'Show this help'
complete -c burrow -n $start -s i -l interactive -d 'Keep stdin open (with )'
complete -c burrow -n $start -a '(__burrow_containers)'
complete -c burrow -n $start -l detach-keys -x -d 'Keys that detach from the terminal (default ctrl-p,ctrl-q)'

# stop
set -l stop '__fish_seen_subcommand_from stop'
complete -c burrow -n $stop -s a -l all -d 'Stop all running containers'
complete -c burrow -n $stop -l help -d 'Show this help'
complete -c burrow -n $stop -s t -l time -x -d 'Seconds to wait before SIGKILL (default the containers, 10)'
complete -c burrow -n $stop -a '(__burrow_containers)'

# system
set -l system '__fish_seen_subcommand_from system'
complete -c burrow -n $system -s h -l help -d 'Show help'
complete -c burrow -n $system -a 'check df info prune reset service'
set -l system_force '__fish_seen_subcommand_from system; and __fish_seen_subcommand_from prune reset'
complete -c burrow -n $system_force -s f -l force -d 'Do not ask for confirmation'
set -l system_df '__fish_seen_subcommand_from system; and __fish_seen_subcommand_from df'
complete -c burrow -n $system_df -l format -x -a json -d 'Output format or a Go template'
complete -c burrow -n $system_df -s v -l verbose -d 'Show each image and container'
set -l system_info '__fish_seen_subcommand_from system; and __fish_seen_subcommand_from info'
complete -c burrow -n $system_info -s f -l format -x -a json -d 'Output format or a Go template'

# container
set -l container '__fish_seen_subcommand_from container'
complete -c burrow -n $container -s h -l help -d 'Show help'
complete -c burrow -n $container -a 'attach create diff exec exists healthcheck inspect kill list logs ls pause port prune ps rename restart rm run start stats stop top unpause update wait'
set -l container_prune '__fish_seen_subcommand_from container; and __fish_seen_subcommand_from prune'
complete -c burrow -n $container_prune -s f -l force -d 'Do not ask for confirmation'

# version
set -l version '__fish_seen_subcommand_from version'
complete -c burrow -n $version -s f -l format -x -a json -d 'Output format or a Go template'
complete -c burrow -n $version -s h -l help -d 'Show help'
set -l system_service '__fish_seen_subcommand_from system; and __fish_seen_subcommand_from service'
complete -c burrow -n $system_service -s t -l time -x -d 'Exit after SECONDS without requests (0: never)'
set -l system_check '__fish_seen_subcommand_from system; and __fish_seen_subcommand_from check'
complete -c burrow -n $system_check -s f -l force -d 'With --repair: also remove containers of damaged images'
complete -c burrow -n $system_check -s m -l max -x -d 'Leave unused layers younger than this alone'
complete -c burrow -n $system_check -s q -l quick -d 'Skip reading every layer file'
complete -c burrow -n $system_check -s r -l repair -d 'Fix what can be fixed'

# top
set -l top '__fish_seen_subcommand_from top'
complete -c burrow -n $top -l help -d 'Show this help'
complete -c burrow -n $top -a '(__burrow_containers)'

# commit
set -l commit '__fish_seen_subcommand_from commit'
complete -c burrow -n $commit -s a -l author -x -d 'The image\'s author'
complete -c burrow -n $commit -s c -l change -x -d 'Apply a Dockerfile instruction'
complete -c burrow -n $commit -s f -l format -x -a 'oci docker' -d 'Image format'
complete -c burrow -n $commit -l help -d 'Show this help'
complete -c burrow -n $commit -s m -l message -x -d 'Commit message'
complete -c burrow -n $commit -s p -l pause -d 'Pause the container while committing'
complete -c burrow -n $commit -s q -l quiet -d 'Print only the image ID'
complete -c burrow -n $commit -a '(__burrow_containers)'

# cp
set -l cp '__fish_seen_subcommand_from cp'
complete -c burrow -n $cp -s a -l archive -d 'New files belong to the container\'s user (default true)'
complete -c burrow -n $cp -l help -d 'Show this help'
complete -c burrow -n $cp -F

# export
set -l export '__fish_seen_subcommand_from export'
complete -c burrow -n $export -l help -d 'Show this help'
complete -c burrow -n $export -s o -l output -r -F -d 'Write to FILE'
complete -c burrow -n $export -a '(__burrow_containers)'

# events
set -l events '__fish_seen_subcommand_from events'
complete -c burrow -n $events -s f -l filter -x -a 'container= event= image= type= volume= network= label=' -d 'Filter events'
complete -c burrow -n $events -l format -x -a json -d 'json, or a Go template'
complete -c burrow -n $events -l help -d 'Show this help'
complete -c burrow -n $events -l no-trunc -d 'Do not truncate the output'
complete -c burrow -n $events -l since -x -d 'Show events from this time on'
complete -c burrow -n $events -l stream -d 'Follow new events (default true)'
complete -c burrow -n $events -l until -x -d 'Show events until this time'

# wait
set -l wait '__fish_seen_subcommand_from wait'
complete -c burrow -n $wait -l help -d 'Show this help'
complete -c burrow -n $wait -a '(__burrow_containers)'

# network
set -l network '__fish_seen_subcommand_from network'
complete -c burrow -n $network -s h -l help -d 'Show help'
complete -c burrow -n $network -a 'connect create disconnect exists inspect list ls prune remove rm'

# volume
set -l volume '__fish_seen_subcommand_from volume'
complete -c burrow -n $volume -s h -l help -d 'Show help'
complete -c burrow -n $volume -a 'create exists inspect list ls prune remove rm'
