#!/bin/sh
# shellcheck disable=SC2154 # $out, $err and $rc are set by run() in tap.sh
# docker-compose 1.29 (Debian's) against the service: three services on a
# network, a named volume, depends_on with condition: service_healthy (the
# container healthchecks through the API), a published port; up -d, ps,
# logs, exec, down -v, with their effects checked: a service reaches
# another by name, the data is in the volume, the port answers on the host,
# and nothing is left after down -v.
. "$(dirname "$0")/../lib/tap.sh"
. "$(dirname "$0")/../lib/fixtures.sh"
B=${BURROW_BUILD:?BURROW_BUILD must point at the build directory}
[ -x "$B/burrow-net" ] || skip_all "$B/burrow-net not built"
[ -c /dev/net/tun ] || skip_all "no /dev/net/tun"
command -v docker-compose >/dev/null 2>&1 || skip_all "no docker-compose (Debian's docker-compose provides it)"
command -v curl >/dev/null 2>&1 || skip_all "no curl"
fixture_store
fixture_image local/busybox:1
IMG=local/busybox:1
. "$(dirname "$0")/../lib/api.sh"
api_need_docker
api_start
trap '"$BURROW" rm -f -a >/dev/null 2>&1; api_stop; fixture_cleanup' EXIT

PORT=$(perl -MIO::Socket::INET -e 'my $s = IO::Socket::INET->new(Listen => 1, LocalAddr => "127.0.0.1", LocalPort => 0, ReuseAddr => 1) or die; print $s->sockport, "\n"')
P="$FIXTURE_DIR/proj"
mkdir -p "$P"
# db serves what it wrote into the volume, healthy once the file is there;
# api starts after db is healthy, copies db's answer and serves it on the
# published port; worker also waits for db and idles
cat >"$P/docker-compose.yml" <<EOF
version: "2.4"
services:
  db:
    image: $IMG
    command: ["sh", "-c", "mkdir -p /data/www && echo \"db data \$\$(hostname)\" >/data/www/id && echo db ready && exec httpd -f -p 80 -h /data/www"]
    volumes:
      - data:/data
    networks:
      - back
    healthcheck:
      test: ["CMD-SHELL", "test -s /data/www/id"]
      interval: 1s
      timeout: 5s
      retries: 60
  api:
    image: $IMG
    depends_on:
      db:
        condition: service_healthy
    command: ["sh", "-c", "mkdir -p /www && printf 'GET /id HTTP/1.0\\\\r\\\\n\\\\r\\\\n' | nc -w 5 db 80 | tail -n 1 >/www/index.html && echo api up && exec httpd -f -p 80 -h /www"]
    ports:
      - "127.0.0.1:$PORT:80"
    networks:
      - back
  worker:
    image: $IMG
    depends_on:
      db:
        condition: service_healthy
    command: ["tail", "-f", "/dev/null"]
    networks:
      - back
networks:
  back:
volumes:
  data:
EOF
dc() { docker-compose --no-ansi -p proj -f "$P/docker-compose.yml" "$@"; }

run dc up -d
assert_rc 0 "docker-compose up -d"
[ "$rc" = 0 ] || diag "$err" "$(tail -n 30 "$FIXTURE_DIR/service.log")"
assert_true "  the network proj_back exists" burrow network exists proj_back
run burrow volume inspect --format '{{.Name}}' proj_data
assert_eq "$out" "proj_data" "  the volume proj_data exists"
run burrow inspect --format '{{.State.Health.Status}}' proj_db_1
assert_eq "$out" "healthy" "  db was healthy before its dependants started"
run docker inspect --format '{{.State.Health.Status}} {{index .Config.Healthcheck.Test 0}}' proj_db_1
assert_eq "$out" "healthy CMD-SHELL" "  docker inspect: State.Health and Config.Healthcheck"
run dc ps
assert_rc 0 "docker-compose ps"
assert_match "$out" 'proj_db_1 .*Up \(healthy\)' "  db is up and healthy"
assert_match "$out" 'proj_api_1 .*Up .*127\.0\.0\.1:'"$PORT"'->80/tcp' "  api is up with its port"
assert_match "$out" 'proj_worker_1 .*Up' "  worker is up"

# effects
api_answer() { curl -sS --max-time 5 "http://127.0.0.1:$PORT/" | grep 'db data'; }
poll api_answer
assert_match "$out" '^db data ' "the published port answers on the host, with what api fetched from db by name"
run dc exec -T worker sh -c "printf 'GET /id HTTP/1.0\r\n\r\n' | nc -w 5 db 80 | tail -n 1"
assert_rc 0 "docker-compose exec -T worker"
assert_match "$out" '^db data ' "  worker reaches db by its service name"
run dc exec -T db cat /data/www/id
assert_match "$out" '^db data ' "  db's file"
mp=$(burrow volume inspect --format '{{.Mountpoint}}' proj_data)
run cat "$mp/www/id"
assert_match "$out" '^db data ' "  is in the named volume"
poll sh -c "docker-compose --no-ansi -p proj -f '$P/docker-compose.yml' logs --no-color api | grep 'api up'"
assert_rc 0 "docker-compose logs api shows its output"
run dc logs --no-color db
assert_match "$out" 'db_1 +\| db ready' "  and db's, prefixed with the container's name"

# down -v
run dc down -v
assert_rc 0 "docker-compose down -v"
run burrow ps -a -q
assert_eq "$out" "" "  no container is left"
assert_false "  the network is gone" burrow network exists proj_back
run burrow volume ls -q
assert_eq "$out" "" "  the volume is gone"
run curl -sS --max-time 5 "http://127.0.0.1:$PORT/"
assert_ne "$rc" 0 "  the port no longer answers"

api_done
done_testing
