"""Starts the real `safelist` executable for the official Cloudflare SDK to talk to."""
import os
import re
import subprocess
import tempfile
import time

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BINARY = os.environ.get("SAFELIST_BINARY", os.path.join(ROOT, ".build", "debug", "safelist"))
ACCOUNT = "0123456789abcdef0123456789abcdef"


class Server:
    def __init__(self, directory):
        # SAFELIST_SDK_DATABASE (a postgres:// URL of an empty database) runs the same tests on PostgreSQL.
        self.database = os.environ.get("SAFELIST_SDK_DATABASE") or os.path.join(directory, "sdk.sqlite")
        self.output = open(os.path.join(directory, "stdout.log"), "w+")
        self.process = subprocess.Popen(
            [BINARY, "serve", "--port", "0", "--database", self.database, "--log-level", "warning"],
            stdout=self.output, stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL)
        deadline = time.time() + 30
        text = ""
        while time.time() < deadline:
            self.output.seek(0)
            text = self.output.read()
            match = re.search(r"Safelist listening on http://127\.0\.0\.1:(\d+)", text)
            if match:
                self.port = int(match.group(1))
                break
            if self.process.poll() is not None:
                raise RuntimeError("safelist exited: " + text)
            time.sleep(0.05)
        else:
            raise RuntimeError("safelist did not start: " + text)
        self.token = re.search(r"keeps only its hash:\s+([A-Za-z0-9_-]{40})", text).group(1)
        self.base_url = f"http://127.0.0.1:{self.port}/client/v4"

    def cli(self, *args):
        """Runs a credential subcommand against the same database; returns its stdout."""
        return subprocess.run([BINARY, *args, "--database", self.database], check=True,
                              capture_output=True, text=True).stdout

    def stop(self):
        self.process.terminate()
        self.process.wait(timeout=30)


@pytest.fixture(scope="session")
def server():
    if not os.access(BINARY, os.X_OK):
        pytest.fail(f"no safelist executable at {BINARY}; run `swift build` first")
    with tempfile.TemporaryDirectory() as directory:
        running = Server(directory)
        yield running
        running.stop()
