"""Fixtures of the conformance suite: one `herald sandbox` for the whole run, and a local
receiver for the webhooks the sandbox sends.

Each test module drives the sandbox with one partner's own client library, exactly as a
developer would point it at the real API: only the base URL changes. The libraries are used
as shipped; nothing here patches them. Where a library needs a URL setting, it is the one the
library documents for local servers or test environments.
"""

import http.server
import json
import os
import queue
import subprocess
import threading
import urllib.error
import urllib.request

import pytest

# The placeholder credential the sandbox checks and signs with when started without settings.
SANDBOX_SECRET = "sandbox"


class Sandbox:
    """A running `herald sandbox`, and its `/sandbox/...` control routes."""

    def __init__(self, base_url):
        self.base_url = base_url

    def call(self, method, path, body=None):
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(
            self.base_url + path,
            data=data,
            method=method,
            headers={"Content-Type": "application/json"},
        )
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                raw = response.read()
        except urllib.error.HTTPError as error:
            raise AssertionError(f"{method} {path}: {error.code} {error.read()!r}") from error
        return json.loads(raw) if raw else None

    def received(self, platform=None):
        """What the sandbox received, oldest first (`GET /sandbox/received`)."""
        query = f"?platform={platform}" if platform else ""
        return self.call("GET", "/sandbox/received" + query)

    def faults(self, **faults):
        """Switches faults on (`PUT /sandbox/faults`); no arguments switches them off."""
        return self.call("PUT", "/sandbox/faults", {"seed": 1, **faults})

    def templates(self, statuses):
        """Sets WhatsApp template review statuses (`PUT /sandbox/whatsapp/templates`)."""
        return self.call("PUT", "/sandbox/whatsapp/templates", statuses)

    def person(self, platform, key, user, action):
        """Plays a person acting towards a bot (`POST /sandbox/people`)."""
        return self.call(
            "POST",
            "/sandbox/people",
            {"platform": platform, "key": key, "user": user, "action": action},
        )


class Receiver:
    """A local HTTP server that records every request and answers 200 (echoing Meta's
    `hub.challenge` on verification GETs)."""

    def __init__(self):
        self.requests = queue.Queue()
        receiver = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length)
                receiver.requests.put((self.path, dict(self.headers), body))
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def do_GET(self):
                from urllib.parse import parse_qs, urlsplit

                challenge = parse_qs(urlsplit(self.path).query).get("hub.challenge", [""])[0]
                body = challenge.encode()
                self.send_response(200)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def next(self, timeout=10):
        """The next request received: `(path, headers, body bytes)`."""
        try:
            return self.requests.get(timeout=timeout)
        except queue.Empty:
            raise AssertionError(f"no webhook arrived within {timeout} s") from None

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture(scope="session")
def sandbox():
    binary = os.environ.get("HERALD_BIN")
    if not binary:
        raise RuntimeError("HERALD_BIN must name the herald binary (tests/conformance/run sets it)")
    process = subprocess.Popen(
        [binary, "sandbox", "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    # Its log goes to standard error (at info, as a service's does): keep reading it so that
    # it never blocks on a full pipe, and keep it to explain a failed start.
    log = []
    threading.Thread(target=lambda: log.extend(process.stderr), daemon=True).start()
    first = process.stdout.readline().strip()
    prefix = "sandbox partners listening on "
    if not first.startswith(prefix):
        process.kill()
        process.wait(timeout=10)
        raise RuntimeError(f"herald sandbox did not start: {first!r}\n{''.join(log)}")
    threading.Thread(target=lambda: process.stdout.read(), daemon=True).start()
    yield Sandbox(first[len(prefix):])
    process.terminate()
    process.wait(timeout=10)


@pytest.fixture(autouse=True)
def no_faults(sandbox):
    """Every test starts and ends with faults off."""
    sandbox.faults()
    yield
    sandbox.faults()


@pytest.fixture
def receiver():
    receiver = Receiver()
    yield receiver
    receiver.close()
