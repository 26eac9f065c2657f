#!/bin/sh
# shellcheck disable=SC2154 # $out, $err and $rc are set by run() in tap.sh
# stdin without a terminal through the API: docker run -i, docker attach and
# docker-py's attach socket send stdin on the hijacked connection (docker's
# multiplexed stream) and half-close it (CloseWrite) at its end: the
# container's stdin then ends, and its output goes on until it exits.
# Repeated (API_ATTACH_ROUNDS, default 30): none may hang.
. "$(dirname "$0")/../lib/tap.sh"
. "$(dirname "$0")/../lib/fixtures.sh"
fixture_store
fixture_image local/busybox:1
IMG=local/busybox:1
. "$(dirname "$0")/../lib/api.sh"
api_need_docker
api_start
N=${API_ATTACH_ROUNDS:-30}

run timeout -k 5 60 sh -c "echo hi | docker run -i --rm $IMG cat"
assert_rc 0 "echo hi | docker run -i --rm cat"
assert_eq "$out" "hi" "  stdin reaches the container"
run timeout -k 5 60 sh -c "echo hi | docker run -i --rm $IMG sh -c 'cat; echo done'"
assert_eq "$out" "hi
done" "  its stdin ends with the client's, and the output goes on after it"
run timeout -k 5 60 sh -c "docker run -i --rm $IMG sh -c 'cat; echo empty' </dev/null"
assert_eq "$out" "empty" "  an empty stdin ends at once"
run timeout -k 5 60 sh -c "head -c 300000 /dev/zero | docker run -i --rm $IMG wc -c"
assert_eq "$(echo $out)" "300000" "  300000 bytes, more than is kept before the start, all arrive"
run timeout -k 5 60 sh -c "echo hi | docker run -i --rm $IMG sh -c 'cat >&2; exit 3'"
assert_eq "$rc" 3 "  the exit code comes back"
assert_eq "$err" "hi" "  and stderr on its own stream"
run timeout -k 5 60 sh -c "echo hi | docker run --rm $IMG sh -c 'cat; echo no-stdin'"
assert_eq "$out" "no-stdin" "without -i the container's stdin is empty"

# docker attach with stdin to a container started with -i
run docker run -d -i --name att $IMG sh -c 'read x; echo got-$x'
assert_rc 0 "docker run -d -i"
run timeout -k 5 60 sh -c "echo foo | docker attach att"
assert_rc 0 "echo foo | docker attach"
assert_eq "$out" "got-foo" "  what is sent reaches the running container"
run docker rm -f att

# rounds: each within 20 seconds
hung=0 bad=0 i=0
while [ "$i" -lt "$N" ]; do
	i=$((i + 1))
	o=$(echo "r$i" | timeout -k 10 20 docker run -i --rm $IMG sh -c 'cat; echo done' 2>&1)
	r=$?
	if [ "$r" = 124 ]; then
		hung=$((hung + 1))
		diag "round $i did not end"
	elif [ "$r" != 0 ] || [ "$o" != "r$i
done" ]; then
		bad=$((bad + 1))
		diag "round $i: status $r, output: $o"
	fi
done
assert_eq "$hung" 0 "$N x echo | docker run -i --rm: none hangs"
assert_eq "$bad" 0 "  and each gets its input back"

# docker-py: attach_socket with stdin, then a half-close
if python3 -c 'import docker' 2>/dev/null; then
	cat >"$FIXTURE_DIR/attach.py" <<'PY'
import socket, struct, sys, docker
c = docker.from_env()
ctr = c.containers.create(sys.argv[1], ["sh", "-c", "cat; echo end"], stdin_open=True)
s = ctr.attach_socket(params={"stdin": 1, "stdout": 1, "stream": 1})
ctr.start()
sock = s._sock
sock.sendall(b"from-py\n")
sock.shutdown(socket.SHUT_WR)
data = b""
while True:
    b = sock.recv(4096)
    if not b:
        break
    data += b
out = b""
while len(data) >= 8:
    n = struct.unpack(">I", data[4:8])[0]
    out += data[8:8 + n]
    data = data[8 + n:]
print(out.decode().strip().replace("\n", " "))
print(ctr.wait()["StatusCode"])
ctr.remove()
PY
	run timeout -k 5 60 python3 "$FIXTURE_DIR/attach.py" "$IMG"
	assert_eq "$out" "from-py end
0" "docker-py attach_socket: stdin, a half-close, the rest of the output"
else
	skip "docker-py is not installed"
fi
api_done
done_testing
