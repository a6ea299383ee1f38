#!/usr/bin/env python3
"""Clicks through the dashboard in headless Chromium over the DevTools
protocol (Python stdlib only: a minimal WebSocket client), for
web_browser_test: drill-down by clicking a province row, back, and the
language switch. Prints one JSON object of what the page showed after each
step; the C++ test compares it with the API.

Usage: web_click.py CHROMIUM PROFILE_DIR DASHBOARD_URL
"""
import base64
import json
import os
import socket
import struct
import subprocess
import sys
import time
import urllib.request

FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
    "--disable-extensions", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-pings",
    "--disable-features=AutofillServerCommunication,"
    "NetworkTimeServiceQuerying,OptimizationHints",
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
    "--remote-debugging-port=0", "--window-size=1280,1800",
]


class Socket:
    """A WebSocket client: text frames, client-masked, no extensions."""

    def __init__(self, url):
        host_port, path = url[len("ws://"):].split("/", 1)
        host, port = host_port.split(":")
        self.sock = socket.create_connection((host, int(port)), timeout=30)
        key = base64.b64encode(os.urandom(16)).decode()
        self.sock.sendall((
            f"GET /{path} HTTP/1.1\r\nHost: {host_port}\r\n"
            "Upgrade: websocket\r\nConnection: Upgrade\r\n"
            f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n"
        ).encode())
        head = b""
        while b"\r\n\r\n" not in head:
            head += self.sock.recv(1)
        if b" 101 " not in head.split(b"\r\n")[0]:
            raise RuntimeError("no websocket upgrade: " + head.decode())
        self.next_id = 0

    def _exact(self, n):
        out = b""
        while len(out) < n:
            chunk = self.sock.recv(n - len(out))
            if not chunk:
                raise RuntimeError("websocket closed")
            out += chunk
        return out

    def send(self, text):
        data = text.encode()
        mask = os.urandom(4)
        n = len(data)
        if n < 126:
            header = struct.pack("!BB", 0x81, 0x80 | n)
        elif n < 65536:
            header = struct.pack("!BBH", 0x81, 0x80 | 126, n)
        else:
            header = struct.pack("!BBQ", 0x81, 0x80 | 127, n)
        masked = bytes(b ^ mask[i % 4] for i, b in enumerate(data))
        self.sock.sendall(header + mask + masked)

    def recv(self):
        message = b""
        while True:
            b1, b2 = self._exact(2)
            n = b2 & 0x7F
            if n == 126:
                n = struct.unpack("!H", self._exact(2))[0]
            elif n == 127:
                n = struct.unpack("!Q", self._exact(8))[0]
            message += self._exact(n)
            if b1 & 0x80:
                return message.decode()

    def call(self, method, **params):
        self.next_id += 1
        self.send(json.dumps({"id": self.next_id, "method": method,
                              "params": params}))
        while True:
            reply = json.loads(self.recv())
            if reply.get("id") == self.next_id:
                if "error" in reply:
                    raise RuntimeError(f"{method}: {reply['error']}")
                return reply.get("result", {})

    def eval(self, expression):
        r = self.call("Runtime.evaluate", expression=expression,
                      returnByValue=True, awaitPromise=True)
        return r.get("result", {}).get("value")

    def wait(self, expression, seconds=20):
        end = time.time() + seconds
        while time.time() < end:
            if self.eval(expression):
                return True
            time.sleep(0.05)
        raise RuntimeError("timed out waiting for " + expression)


def main():
    chromium, profile, url = sys.argv[1:4]
    proc = subprocess.Popen([chromium, *FLAGS, f"--user-data-dir={profile}",
                             "about:blank"], stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    try:
        port_file = os.path.join(profile, "DevToolsActivePort")
        end = time.time() + 30
        while not os.path.exists(port_file) and time.time() < end:
            time.sleep(0.05)
        port = open(port_file).read().split()[0]
        targets = json.load(urllib.request.urlopen(
            f"http://127.0.0.1:{port}/json/list", timeout=10))
        page = next(t for t in targets if t["type"] == "page")
        ws = Socket(page["webSocketDebuggerUrl"])
        ws.call("Page.navigate", url=url)
        ws.wait("document.body && document.body.dataset.loaded === 'true'")
        out = {}
        out["provinces"] = ws.eval(
            "document.querySelectorAll('#regions tbody tr').length")
        # Drill down by clicking the province row.
        ws.eval("document.body.dataset.loaded = 'no';"
                "document.querySelector('tr[data-code=\"64\"]').click()")
        ws.wait("document.body.dataset.loaded === 'true'")
        out["hash"] = ws.eval("location.hash")
        out["regencies"] = ws.eval(
            "document.querySelectorAll('#regions tbody tr').length")
        out["r6401_active"] = ws.eval(
            "document.querySelector('tr[data-code=\"64.01\"] "
            "td[data-key=\"cases_active\"]').dataset.value")
        out["headline_completed"] = ws.eval(
            "document.getElementById('headline-cases_completed').dataset.value")
        out["table_title"] = ws.eval(
            "document.getElementById('table-title').textContent")
        # Back to the nation.
        ws.eval("document.body.dataset.loaded = 'no';"
                "document.getElementById('back').click()")
        ws.wait("document.body.dataset.loaded === 'true'")
        out["back_rows"] = ws.eval(
            "document.querySelectorAll('#regions tbody tr').length")
        # The language switch, there and back.
        ws.eval("document.getElementById('lang-switch').click()")
        out["english"] = ws.eval(
            "document.querySelector('h2[data-label=\"ui.headline\"]')"
            ".textContent")
        out["english_lang"] = ws.eval("document.documentElement.lang")
        ws.eval("document.getElementById('lang-switch').click()")
        out["indonesian"] = ws.eval(
            "document.querySelector('h2[data-label=\"ui.headline\"]')"
            ".textContent")
        print(json.dumps(out, sort_keys=True))
    finally:
        proc.kill()
        proc.wait()


if __name__ == "__main__":
    main()
