// api_testcontainers.js - testcontainers for Node against burrow's API
// (DOCKER_HOST), for tests/integration/api-testcontainers.t: a
// GenericContainer started, waited on for a log line, reached through its
// mapped port, exec'd in, then stopped (and removed).  Prints one line per check ("PASS desc" or
// "FAIL desc: what was seen"); the .t turns them into TAP.
// argv: IMAGE
"use strict";
const http = require("http");
const { GenericContainer, Wait } = require("testcontainers");

const image = process.argv[2];
const check = (desc, cond, seen) => console.log(cond ? `PASS ${desc}` : `FAIL ${desc}: ${JSON.stringify(seen)}`);

function get(host, port) {
	return new Promise((resolve, reject) => {
		http.get({ host, port, path: "/index.html", timeout: 30000 }, (res) => {
			let body = "";
			res.on("data", (d) => (body += d));
			res.on("end", () => resolve(body));
		}).on("error", reject);
	});
}

(async () => {
	const c = await new GenericContainer(image)
		.withCommand(["sh", "-c", "mkdir -p /www && echo served by burrow >/www/index.html && echo httpd is up && exec httpd -f -p 8080 -h /www"])
		.withExposedPorts(8080)
		.withLabels({ suite: "testcontainers" })
		.withWaitStrategy(Wait.forLogMessage("httpd is up"))
		.withStartupTimeout(120000)
		.start();
	check("GenericContainer started and its log line seen", true);
	try {
		const port = c.getMappedPort(8080);
		check("a mapped port", port > 0 && port < 65536, port);
		const body = await get(c.getHost(), port);
		check("the container answers on the mapped port", body === "served by burrow\n", body);
		const x = await c.exec(["sh", "-c", "echo hi"]);
		check("exec: its output", x.output === "hi\n" && x.stdout === "hi\n", x);
		check("exec: its exit code", x.exitCode === 0, x);
		const y = await c.exec(["sh", "-c", "echo oops >&2; exit 3"]);
		check("exec: stderr apart and a non-zero exit code", y.stderr === "oops\n" && y.exitCode === 3, y);
	} finally {
		await c.stop();
	}
	check("stopped and removed", true);
})()
	.catch((e) => {
		check("testcontainers run", false, String(e && e.stack ? e.stack : e));
		process.exitCode = 1;
	})
	// a log stream or a kept-alive socket must not keep node running
	.finally(() => process.exit());
