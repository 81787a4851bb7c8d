"""Open a page in headless Chromium through the DevTools protocol: its console errors and a
screenshot.

``Chromium().visit(path)`` runs Debian's ``chromium`` (a fresh profile, no network
features), loads the file, and returns every console error, uncaught exception and failed load
the page reported, with a PNG screenshot. It speaks the DevTools protocol over a websocket with
tornado's client (tornado comes with dask's ``distributed``), so it needs no other package.
"""
from __future__ import annotations

import asyncio
import base64
import io
import json
import os
import re
import shutil
import subprocess
import tempfile
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--remote-debugging-port=0", "--remote-allow-origins=*", "about:blank")


def chromium_path() -> str | None:
    """Debian's chromium, or another on the PATH; None if there is none."""
    for name in ("/usr/bin/chromium", "chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    return None


@dataclass
class PageVisit:
    """What a page did: ``errors`` (one line each) and ``png`` (the screenshot's bytes)."""

    errors: list = field(default_factory=list)
    png: bytes = b""


def _devtools_port(process, deadline) -> int:
    """The port Chromium prints on stderr once its DevTools server listens."""
    while time.monotonic() < deadline:
        line = process.stderr.readline().decode(errors="replace")
        found = re.search(r"DevTools listening on ws://[^:]+:(\d+)/", line)
        if found:
            return int(found.group(1))
        if not line and process.poll() is not None:
            break
    raise RuntimeError("chromium did not start its DevTools server")


def _page_socket(port) -> str:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/json/list", timeout=10) as reply:
        pages = [t for t in json.load(reply) if t.get("type") == "page"]
    return pages[0]["webSocketDebuggerUrl"]


def _error_of(message) -> str | None:
    """One line for an event that reports an error, else None."""
    method, params = message.get("method"), message.get("params", {})
    if method == "Runtime.exceptionThrown":
        details = params["exceptionDetails"]
        return "exception: " + details.get("exception", {}).get("description",
                                                                details.get("text", ""))
    if method == "Runtime.consoleAPICalled" and params.get("type") in ("error", "assert"):
        return "console.error: " + " ".join(str(a.get("value", a.get("description", "")))
                                             for a in params.get("args", []))
    if method == "Log.entryAdded" and params["entry"].get("level") == "error":
        entry = params["entry"]
        return f"{entry.get('source')}: {entry.get('text')} {entry.get('url', '')}".strip()
    return None


async def _visit(socket_url, url, size, settle) -> PageVisit:
    from tornado.websocket import websocket_connect

    connection = await websocket_connect(socket_url, max_message_size=1 << 28)
    visit, counter, loaded = PageVisit(), iter(range(1, 1 << 30)), asyncio.Event()
    replies: dict = {}

    async def listen():
        while (raw := await connection.read_message()) is not None:
            message = json.loads(raw)
            if "id" in message:
                replies[message["id"]].set_result(message)
            elif message.get("method") == "Page.loadEventFired":
                loaded.set()
            elif (error := _error_of(message)) is not None:
                visit.errors.append(error)

    async def call(method, **params):
        number = next(counter)
        replies[number] = asyncio.get_running_loop().create_future()
        connection.write_message(json.dumps({"id": number, "method": method, "params": params}))
        reply = await replies[number]
        if "error" in reply:
            raise RuntimeError(f"{method}: {reply['error']}")
        return reply.get("result", {})

    listener = asyncio.ensure_future(listen())
    for domain in ("Runtime", "Log", "Page"):
        await call(f"{domain}.enable")
    await call("Emulation.setDeviceMetricsOverride", width=size[0], height=size[1],
               deviceScaleFactor=1, mobile=False)
    await call("Page.navigate", url=url)
    await asyncio.wait_for(loaded.wait(), 30)
    await asyncio.sleep(settle)                 # scripts that run after the load event
    visit.png = base64.b64decode((await call("Page.captureScreenshot", format="png"))["data"])
    connection.close()
    listener.cancel()
    return visit


class Chromium:
    """One headless Chromium (fresh profile) whose page visits files one after another.

    Use it as a context manager; ``visit(path)`` returns a :class:`PageVisit`.
    """

    def __init__(self, size=(1280, 900), timeout=90):
        executable = chromium_path()
        if executable is None:
            raise FileNotFoundError("no chromium on this machine (apt-get install chromium)")
        self.size, self.timeout = size, timeout
        self._profile = tempfile.TemporaryDirectory()
        self._process = subprocess.Popen(
            [executable, *FLAGS, f"--user-data-dir={self._profile.name}"],
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        try:
            port = _devtools_port(self._process, time.monotonic() + timeout)
            self._socket = _page_socket(port)
        except BaseException:
            self.close()
            raise

    def visit(self, path, settle=1.5) -> PageVisit:
        """Load the file ``path``; return its errors and a screenshot."""
        url = Path(path).resolve().as_uri()
        return asyncio.run(asyncio.wait_for(_visit(self._socket, url, self.size, settle),
                                            self.timeout))

    def close(self):
        self._process.terminate()
        try:
            self._process.wait(10)
        except subprocess.TimeoutExpired:
            self._process.kill()
        self._process.stderr.close()
        self._profile.cleanup()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def blank_reason(png: bytes) -> str | None:
    """Why a screenshot looks blank, or None when it shows a page's worth of content.

    A rendered page has many colours and a good share of pixels that differ from the most
    common (background) colour; a blank or failed render has one colour, or almost.
    """
    from PIL import Image

    image = np.asarray(Image.open(io.BytesIO(png)).convert("RGB"), dtype=np.int16)
    flat = image.reshape(-1, 3)
    colours, counts = np.unique(flat, axis=0, return_counts=True)
    background = colours[np.argmax(counts)]
    differing = np.mean(np.any(np.abs(flat - background) > 24, axis=1))
    if len(colours) < 32:
        return f"only {len(colours)} colours"
    if differing < 0.02:
        return f"only {differing:.2%} of the pixels differ from the background"
    return None


def running_in_ci() -> bool:
    return os.environ.get("CI", "").lower() in ("1", "true", "yes")
