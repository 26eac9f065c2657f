# api_py.py - docker-py against burrow's API (DOCKER_HOST), for
# tests/integration/api-py.t.  Prints one line per check: "PASS desc",
# "FAIL desc: what was seen" or "SKIP desc: why"; the .t turns them into TAP.
# argv: REGISTRY (host:port of the test registry) CONTEXT_DIR IMAGE
import io
import sys
import tarfile

import docker

reg, ctxdir, base = sys.argv[1], sys.argv[2], sys.argv[3]
c = docker.from_env(timeout=120)


def step(what):
    """what is about to happen, on stderr: a hang shows where"""
    print("step: " + what, file=sys.stderr, flush=True)


def check(desc, cond, seen=""):
    print("PASS %s" % desc if cond else "FAIL %s: %r" % (desc, seen), flush=True)


def named(tags, name):
    """a local name is shown with podman's localhost/ prefix"""
    return name in tags or "localhost/" + name in tags


def skip(desc, why):
    print("SKIP %s: %s" % (desc, why), flush=True)


def attempt(desc, fn):
    try:
        fn()
    except Exception as e:  # noqa: BLE001 - any failure is the test's to report
        check(desc, False, "%s: %s" % (type(e).__name__, e))


def endpoint_missing(e):
    return isinstance(e, docker.errors.APIError) and e.status_code in (404, 405, 501) and \
        ("page not found" in str(e) or "not allowed" in str(e))


# --- containers
def containers():
    step("containers.run attached")
    out = c.containers.run(base, "echo hi from py", remove=True)
    check("containers.run attached", out == b"hi from py\n", out)
    ct = c.containers.run(base, ["sh", "-c", "echo ready; exec sleep 1000"], detach=True,
                          labels={"suite": "py", "role": "sleeper"})
    other = c.containers.run(base, ["sleep", "1000"], detach=True, labels={"suite": "other"})
    names = [x.name for x in c.containers.list(filters={"label": "suite=py"})]
    check("containers.list with a label filter", names == [ct.name], names)
    names = sorted(x.name for x in c.containers.list(filters={"label": "role"}))
    check("  a label key alone", names == [ct.name], names)
    lines = []
    step("logs stream")
    for chunk in ct.logs(stream=True, follow=True):
        lines.append(chunk)
        if b"ready" in b"".join(lines):
            break
    check("logs(stream=True) gives the first line", b"ready" in b"".join(lines), lines)
    step("exec_run")
    code, out = ct.exec_run(["sh", "-c", "echo $((6*7)); exit 3"])
    check("exec_run: output and exit code", (code, out) == (3, b"42\n"), (code, out))
    code, out = ct.exec_run("pwd", workdir="/tmp", environment={"X": "y"})
    check("exec_run with workdir", out == b"/tmp\n", out)
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w") as t:
        data = b"put by docker-py\n"
        ti = tarfile.TarInfo("put.txt")
        ti.size = len(data)
        t.addfile(ti, io.BytesIO(data))
    check("put_archive", ct.put_archive("/tmp", buf.getvalue()) is True)
    stream, stat = ct.get_archive("/tmp/put.txt")
    raw = b"".join(stream)
    with tarfile.open(fileobj=io.BytesIO(raw)) as t:
        got = t.extractfile("put.txt").read()
    check("get_archive returns what put_archive put", got == b"put by docker-py\n", got)
    check("  and its stat", stat.get("name") == "put.txt" and stat.get("size") == 17, stat)
    step("kill and wait")
    ct.kill()
    res = ct.wait()
    check("kill then wait: 137", res.get("StatusCode") == 137, res)
    ct.remove()
    other.remove(force=True)
    left = c.containers.list(all=True, filters={"label": "suite"})
    check("remove: no labelled container is left", left == [], left)


attempt("containers", containers)


# --- images
def images():
    img = c.images.pull("%s/py/busybox" % reg, tag="1")
    check("images.pull from the test registry", ("%s/py/busybox:1" % reg) in img.tags, img.tags)
    step("images.build")
    img, logs = c.images.build(path=ctxdir, tag="local/pybuilt:1", buildargs={"WHO": "docker-py"},
                               labels={"made": "py"}, rm=True)
    check("images.build", named(img.tags, "local/pybuilt:1"), img.tags)
    check("  its label", img.labels.get("made") == "py", img.labels)
    step("run the built image")
    out = c.containers.run("local/pybuilt:1", remove=True)
    check("  its build argument", out == b"built by docker-py\n", out)
    check("images.tag", img.tag("local/pytag", "2") is True)
    tags = c.images.get("local/pytag:2").tags
    check("  the new name is there", named(tags, "local/pytag:2"), tags)
    c.images.remove("local/pytag:2")
    try:
        c.images.get("local/pytag:2")
        check("images.remove", False, "still there")
    except docker.errors.ImageNotFound:
        check("images.remove", True)
    try:
        c.images.build(path=ctxdir, dockerfile="Dockerfile.bad")
        check("a failing build raises BuildError", False, "no error")
    except docker.errors.BuildError:
        check("a failing build raises BuildError", True)


attempt("images", images)


# --- volumes
def volumes():
    v = c.volumes.create("pyvol", labels={"suite": "py"})
    check("volumes.create", v.name == "pyvol")
    names = [x.name for x in c.volumes.list(filters={"label": "suite=py"})]
    check("volumes.list with a label filter", names == ["pyvol"], names)
    step("run with a volume")
    out = c.containers.run(base, ["sh", "-c", "echo kept >/v/f; cat /v/f"], remove=True,
                           volumes={"pyvol": {"bind": "/v", "mode": "rw"}})
    check("  a container writes to it", out == b"kept\n", out)
    c.volumes.get("pyvol").remove()
    check("volumes remove", [x.name for x in c.volumes.list()] == [])


attempt("volumes", volumes)


# --- networks: the network endpoints may not be there yet
def networks():
    try:
        n = c.networks.create("pynet", labels={"suite": "py"})
    except docker.errors.APIError as e:
        if endpoint_missing(e):
            skip("networks", "TODO: the API has no network endpoints yet (%s)" % e.explanation)
            return
        raise
    names = [x.name for x in c.networks.list(filters={"label": "suite=py"})]
    check("networks.create and list with a label filter", names == ["pynet"], names)
    # a container on burrow's default network (slirp4netns, as podman's
    # rootless default) can't be connected to others: start it on one
    n2 = c.networks.create("pynet2")
    ct = c.containers.run(base, ["sleep", "1000"], detach=True, network="pynet2")
    n.connect(ct)
    n.reload()
    check("network connect", ct.id in [x.id for x in n.containers], [x.id for x in n.containers])
    n.disconnect(ct)
    ct.remove(force=True)
    n.remove()
    n2.remove()
    check("networks remove", [x.name for x in c.networks.list(names=["pynet"])] == [])


attempt("networks", networks)
