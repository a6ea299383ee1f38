"""Starts a whole kerjasosial stack on loopback free ports, for tests.

Four redis-server processes (AOF on, own data dirs) and the four service
binaries wired to each other exactly as scripts/start-stack.sh wires them:
placements and supervision follow cases (and supervision placements), cases
follows supervision, reporting follows all three feeds through an upstreams
file. Tokens are minted into one token file with kerjasosial-token.

Use as a context manager; everything it started is stopped (SIGTERM, then
SIGKILL after 10 s) and its directory removed on exit.
"""

import ctypes
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time

SERVICES = ("cases", "placements", "supervision", "reporting")


def _die_with_parent():
    # PR_SET_PDEATHSIG: a child is killed when the test process dies, even
    # by SIGKILL (a ctest timeout), so no service or Redis outlives it.
    ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class LocalStack:
    def __init__(self, binaries, token_tool, principals, redis_server="redis-server"):
        self.binaries, self.token_tool = binaries, token_tool
        self.principals, self.redis_server = principals, redis_server
        self.procs, self.tokens = [], {}
        self.dir = tempfile.mkdtemp(prefix="ks-stack-")
        self.addresses = {n: "127.0.0.1:%d" % free_port() for n in SERVICES}
        self.http = "127.0.0.1:%d" % free_port()
        self.placements_http = "127.0.0.1:%d" % free_port()

    def _mint(self, pid, agency, role):
        out = subprocess.run(
            [self.token_tool, "mint", "--token_file=" + os.path.join(self.dir, "tokens.tsv"),
             "--id=" + pid, "--agency=" + agency, "--role=" + role, "--regencies=*"],
            check=True, capture_output=True, text=True).stdout
        return out.strip().splitlines()[0]

    def _spawn(self, name, argv):
        with open(os.path.join(self.dir, name + ".log"), "wb") as log:
            self.procs.append((name, subprocess.Popen(argv, stdout=log, stderr=subprocess.STDOUT,
                                                      preexec_fn=_die_with_parent)))

    def log(self, name):
        with open(os.path.join(self.dir, name + ".log"), errors="replace") as f:
            return f.read()

    def __enter__(self):
        try:
            self.start()
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(self, *exc):
        self.stop()

    def start(self):
        for pid, agency, role in self.principals:
            self.tokens[role] = self._mint(pid, agency, role)
        service = self._mint("stack-service", "national", "SERVICE")
        token_path = os.path.join(self.dir, "service.token")
        with open(token_path, "w") as f:
            f.write(service + "\n")
        with open(os.path.join(self.dir, "credentials"), "w") as f:
            f.write("national %s\n" % service)
        with open(os.path.join(self.dir, "upstreams.textproto"), "w") as f:
            for kind, name in (("CASES", "cases"), ("PLACEMENTS", "placements"),
                               ("SUPERVISION", "supervision")):
                f.write('upstreams { name: "upstreams/%s" kind: UPSTREAM_KIND_%s address: "%s" '
                        'credential_name: "national" display_name: "local %s" }\n'
                        % (name, kind, self.addresses[name], name))
        redis_ports = {}
        for name in SERVICES:
            data = os.path.join(self.dir, "redis-" + name)
            os.makedirs(data)
            redis_ports[name] = free_port()
            self._spawn("redis-" + name, [self.redis_server, "--port", str(redis_ports[name]),
                                          "--bind", "127.0.0.1", "--dir", data, "--appendonly", "yes",
                                          "--save", ""])
        for name in SERVICES:
            for _ in range(100):
                try:
                    socket.create_connection(("127.0.0.1", redis_ports[name]), 0.2).close()
                    break
                except OSError:
                    time.sleep(0.05)
        a = self.addresses
        peers = {
            "cases": ["--supervision_address=" + a["supervision"]],
            "placements": ["--cases_address=" + a["cases"],
                           "--supervision_address=" + a["supervision"],
                           "--http_listen=" + self.placements_http],
            "supervision": ["--cases_address=" + a["cases"],
                            "--placements_address=" + a["placements"]],
            "reporting": ["--upstreams_file=" + os.path.join(self.dir, "upstreams.textproto"),
                          "--upstream_credentials_file=" + os.path.join(self.dir, "credentials"),
                          "--http_listen=" + self.http],
        }
        for name in SERVICES:
            argv = [self.binaries[name], "--listen=" + a[name], "--metrics_listen=127.0.0.1:0",
                    "--redis_port=%d" % redis_ports[name],
                    "--token_file=" + os.path.join(self.dir, "tokens.tsv"),
                    "--deployment_id=stack-" + name, "--shutdown_grace=2s"] + peers[name]
            if name != "reporting":
                argv.append("--service_token_file=" + token_path)
            self._spawn(name, argv)

    def stop(self):
        for _, p in reversed(self.procs):
            if p.poll() is None:
                p.send_signal(signal.SIGTERM)
        for name, p in reversed(self.procs):
            try:
                p.wait(10)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()
        self.procs = []
        shutil.rmtree(self.dir, ignore_errors=True)


def start_for_test_class(cls, args, principals, key_prefix, stack_module):
    """Starts a LocalStack for a unittest class from the ctest arguments
    (--cases=BIN ... --token_tool=BIN) and sets cls.stack and cls.s (a
    ks_flows.Stack, ready). A class cleanup stops it: it runs even when
    setUpClass fails half-way (a tearDownClass would not), so no process
    outlives the test."""
    binaries = {n: getattr(args, n) for n in SERVICES}
    cls.stack = LocalStack(binaries, args.token_tool, principals)
    cls.stack.__enter__()
    cls.addClassCleanup(cls.stack.__exit__, None, None, None)
    cls.s = stack_module.Stack(cls.stack.addresses, cls.stack.tokens, key_prefix)
    cls.s.wait_ready()  # the binaries are just starting
