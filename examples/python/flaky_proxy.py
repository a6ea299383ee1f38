"""A loopback TCP proxy that can lose the server's answer, for the example.

In `drop_answers` mode the proxy still forwards what the client sends, so the
server receives the request and commits it, but it swallows what the server
sends back and then closes both connections: the client sees UNAVAILABLE
without knowing whether its request took effect. That is the case an
idempotency key exists for, reproduced on demand instead of waiting for a
real network to fail.

Thread-safe: one thread per direction per connection; `drop_answers` is a
threading.Event.
"""

import socket
import threading
import time


class FlakyProxy:
    def __init__(self, target_host, target_port, linger=0.3):
        self.target = (target_host, target_port)
        # How long to keep swallowing answers before closing, so the server
        # has finished the request it received.
        self.linger = linger
        self.drop_answers = threading.Event()
        self.listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(16)
        self.address = "127.0.0.1:%d" % self.listener.getsockname()[1]
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            server = socket.create_connection(self.target)
            threading.Thread(target=self._pipe, args=(client, server, False),
                             daemon=True).start()
            threading.Thread(target=self._pipe, args=(server, client, True),
                             daemon=True).start()

    def _pipe(self, source, sink, is_answer):
        try:
            while True:
                data = source.recv(65536)
                if not data:
                    break
                if is_answer and self.drop_answers.is_set():
                    time.sleep(self.linger)
                    break
                sink.sendall(data)
        except OSError:
            pass
        for s in (source, sink):
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            s.close()

    def close(self):
        self.listener.close()
