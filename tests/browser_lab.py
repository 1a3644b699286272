"""Drive a real JupyterLab in headless Chromium: the helpers of ``tests/lessons/test_browser.py``.

Three pieces, each usable on its own:

* ``JupyterLab`` starts ``jupyter lab`` on 127.0.0.1 with a free port and a random token in a
  folder of our choosing, and stops it by PID (its kernel sessions first).
* ``launch_chromium`` opens Debian's ``/usr/bin/chromium`` through Playwright's Python package
  (``playwright install`` is never needed: we bring our own browser).
* ``run_notebook`` opens a notebook in the lab, waits for its kernel, runs every cell through the
  same command as the Run menu (``notebook:run-all-cells``) and returns what each cell produced.
"""

from __future__ import annotations

import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

CHROMIUM = Path("/usr/bin/chromium")
# Flags that let Chromium run as root in a container with no GPU and no network.
CHROMIUM_FLAGS = (
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
)
# User settings written before the lab starts (JUPYTERLAB_SETTINGS_DIR): no news or update toasts
# over the screenshot, and every cell kept in the page so that its outputs can be inspected.
LAB_SETTINGS = {
    "@jupyterlab/apputils-extension/notification": {"fetchNews": "false", "checkForUpdates": False},
    "@jupyterlab/notebook-extension/tracker": {"windowingMode": "none"},
}


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def write_lab_settings(folder: Path) -> Path:
    """Write ``LAB_SETTINGS`` as JupyterLab user-settings files under ``folder``; return
    ``folder``."""
    for plugin, values in LAB_SETTINGS.items():
        package, name = plugin.rsplit("/", 1)
        path = folder / package / f"{name}.jupyterlab-settings"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(values))
    return folder


@dataclass
class JupyterLab:
    """A ``jupyter lab`` server serving ``root`` on 127.0.0.1; use ``start()`` then ``stop()``."""

    root: Path
    env: dict
    port: int = 0
    token: str = ""
    process: subprocess.Popen | None = None
    log_path: Path | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 60.0) -> JupyterLab:
        """Launch the server and wait until its REST API answers (about 3 s on 2 cores)."""
        self.port = self.port or free_port()
        self.token = self.token or secrets.token_hex(16)
        state = self.root / ".lab-state"
        env = dict(self.env)
        env["JUPYTERLAB_SETTINGS_DIR"] = str(write_lab_settings(state / "settings"))
        env["JUPYTERLAB_WORKSPACES_DIR"] = str(state / "workspaces")
        command = [
            sys.executable, "-m", "jupyterlab",
            "--no-browser", "--allow-root",
            "--ip=127.0.0.1", f"--port={self.port}", "--ServerApp.port_retries=0",
            f"--IdentityProvider.token={self.token}",
            f"--ServerApp.root_dir={self.root}",
            "--LabApp.expose_app_in_browser=True",  # window.jupyterapp, to run commands
        ]  # fmt: skip
        self.log_path = state / "lab.log"
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        with open(self.log_path, "wb") as log:
            self.process = subprocess.Popen(
                command, cwd=self.root, env=env, stdout=log, stderr=subprocess.STDOUT
            )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(
                    f"jupyter lab exited with code {self.process.returncode}:\n{self.log_tail()}"
                )
            try:
                self.api("GET", "/api/status")
                return self
            except OSError:
                time.sleep(0.25)
        raise TimeoutError(
            f"jupyter lab did not answer on port {self.port} within {timeout:.0f} "
            f"s:\n{self.log_tail()}"
        )

    def api(self, method: str, path: str):
        """Call the server's REST API with the token; return the decoded JSON (None when empty)."""
        request = urllib.request.Request(self.url + path, method=method)
        request.add_header("Authorization", f"token {self.token}")
        with urllib.request.urlopen(request, timeout=5) as response:
            body = response.read()
        return json.loads(body) if body else None

    def delete_sessions(self) -> int:
        """Shut down every kernel session (they outlive the page); return how many there were."""
        sessions = self.api("GET", "/api/sessions")
        for session in sessions:
            self.api("DELETE", f"/api/sessions/{session['id']}")
        return len(sessions)

    def stop(self) -> None:
        """Delete kernel sessions, then stop the server by its PID; kill any kernel it leaves
        behind."""
        if self.process is None or self.process.poll() is not None:
            return
        try:
            self.delete_sessions()
        except OSError:
            pass
        children = _descendants(
            self.process.pid
        )  # kernels run in their own sessions: remember them
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=5)
        for pid in children:
            try:
                os.kill(pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass

    def server_peak_rss_mib(self) -> float | None:
        """The server's own peak resident memory so far (VmHWM; kernels not included), None
        without /proc."""
        try:
            status = Path(f"/proc/{self.process.pid}/status").read_text()
        except (OSError, AttributeError):
            return None
        kib = next(
            (int(line.split()[1]) for line in status.splitlines() if line.startswith("VmHWM:")),
            None,
        )
        return None if kib is None else kib / 1024

    def log_tail(self, chars: int = 3000) -> str:
        """The end of the server's log, for error messages."""
        if self.log_path is None or not self.log_path.exists():
            return "(no log)"
        return self.log_path.read_text(errors="replace")[-chars:]


def _descendants(pid: int) -> list[int]:
    """PIDs of every process below ``pid`` (read from /proc; empty where /proc is missing)."""
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        children.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    found, todo = [], [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def launch_chromium(playwright):
    """Debian's Chromium, headless, driven by Playwright (no browser download)."""
    return playwright.chromium.launch(
        executable_path=str(CHROMIUM), headless=True, args=list(CHROMIUM_FLAGS)
    )


# -- inside the page -------------------------------------------------------------------------------
# Each snippet runs in the browser; ``window.jupyterapp`` exists because of expose_app_in_browser.
KERNEL_READY_JS = """() => {
    const panel = window.jupyterapp && window.jupyterapp.shell.currentWidget;
    const kernel = panel && panel.sessionContext && panel.sessionContext.session
        && panel.sessionContext.session.kernel;
    return Boolean(kernel) && kernel.status === 'idle';
}"""
START_RUN_ALL_JS = """() => {
    window.__runAll = undefined;
    const app = window.jupyterapp;
    app.commands.execute('notebook:clear-all-cell-outputs').then(
        () => app.commands.execute('notebook:run-all-cells')
    ).then(ok => { window.__runAll = ok === false ? 'stopped' : 'done'; },
           err => { window.__runAll = 'failed: ' + err; });
}"""
RUN_FINISHED_JS = """() => {
    const panel = window.jupyterapp.shell.currentWidget;
    const kernel = panel.sessionContext.session.kernel;
    return window.__runAll !== undefined && kernel.status === 'idle';
}"""
CELL_SUMMARY_JS = """() => {
    const panel = window.jupyterapp.shell.currentWidget;
    return panel.content.widgets.filter(cell => cell.model.type === 'code').map((cell, i) => {
        const outputs = cell.model.toJSON().outputs || [];
        return {
            index: i,
            source_head: cell.model.sharedModel.getSource().slice(0, 80),
            execution_count: cell.model.executionCount,
            tags: cell.model.getMetadata('tags') || [],
            errors: outputs.filter(o => o.output_type === 'error')
                .map(o => o.ename + ': ' + o.evalue),
        };
    });
}"""


@dataclass
class NotebookRun:
    """What running a notebook in the browser produced."""

    outcome: str  # 'done', 'stopped' (a cell failed), 'timed out after N s' or 'failed: ...'
    cells: list[dict]  # per code cell: index, source_head, execution_count, tags, errors
    seconds: float

    @property
    def errors(self) -> list[str]:
        """One line per unexpected error output: the cell, its first source line and the exception.

        A cell tagged ``raises-exception`` (nbval's and JupyterLab's tag for a cell that fails on
        purpose, e.g. to show an error message) is not counted.
        """
        return [
            f"cell {c['index']} ({(c['source_head'] or '').partition(chr(10))[0]!r}): {e}"
            for c in self.cells
            if "raises-exception" not in c["tags"]
            for e in c["errors"]
        ]

    @property
    def unexecuted(self) -> list[int]:
        """Indices of code cells that have no execution count (never ran)."""
        return [
            c["index"]
            for c in self.cells
            if c["execution_count"] is None and c["source_head"].strip()
        ]


def run_notebook(page, lab: JupyterLab, notebook: str, timeout_s: float = 120.0) -> NotebookRun:
    """Open ``notebook`` (a path relative to the lab's root) and run all of its cells.

    Waits for the kernel to be idle, clears old outputs, runs every cell through the Run menu's own
    command, and waits until that command has finished and the kernel is idle again. A run still
    going after ``timeout_s`` is returned as it stands (outcome "timed out ..."), so that the caller
    can take a screenshot and name the cells that never ran.
    """
    page.goto(f"{lab.url}/lab/tree/{notebook}?token={lab.token}")
    page.wait_for_selector(".jp-Notebook .jp-Cell", timeout=60_000)
    page.wait_for_function(KERNEL_READY_JS, timeout=60_000, polling=250)
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    started = time.monotonic()
    page.evaluate(START_RUN_ALL_JS)
    try:
        page.wait_for_function(RUN_FINISHED_JS, timeout=timeout_s * 1000, polling=250)
        outcome = page.evaluate("() => window.__runAll")
    except PlaywrightTimeout:
        outcome = f"timed out after {timeout_s:.0f} s"
    seconds = time.monotonic() - started
    return NotebookRun(outcome=outcome, cells=page.evaluate(CELL_SUMMARY_JS), seconds=seconds)
