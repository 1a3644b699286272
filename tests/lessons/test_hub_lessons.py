"""Every lesson notebook, top to bottom, under the ``cpu`` and ``gpu`` profiles against the hub
stand-in.

Each lesson ``notebooks/NN_*.ipynb`` runs in a fresh Jupyter kernel (``run_notebook``), whose
environment points every hub client at the stand-in of tests/hub_standin.py (``HF_ENDPOINT``, fresh
``HF_HOME`` / ``HF_HUB_CACHE`` / ``HF_DATASETS_CACHE``, ``HF_HUB_OFFLINE=0``). The ``gpu`` profile
runs here on the CPU: no CUDA, so the device is cpu, but the model ids, data sets and sizes are the
gpu profile's (bert-base-uncased, shrunk by the stand-in; AllNLI; STS12-16). Within a profile the
lessons run in order 00, 01, ... and share one ``$SBERT_LAB_RUNS``, so later lessons reuse the
models that earlier ones saved, as on Binder; ``$SBERT_LAB_RUNS`` and ``$SBERT_LAB_RESULTS`` are tmp
folders, so the repository's runs/ and results/ are untouched.

Sizes: ``$SBERT_LAB_SCALE`` multiplies every data size of the profile (``profiles.scaled``):

=======  =======  ==========================================================================
profile  scale    what it gives (floors of ``scaled``: 2 batches to train, 50 to evaluate)
=======  =======  ==========================================================================
cpu      0.01     NLI train 80 pairs (quick 32), STS-B train 58, eval 50, corpus 200
gpu      0.001    NLI train 100 pairs (quick 32), STS-B train 32, eval 50, corpus 200
=======  =======  ==========================================================================

Measured with ``pytest --durations`` on the 2-core AVX2 development machine (session 11), wall
seconds per lesson including the kernel start; 10 after its cross-validation took
``profile.transfer_folds`` (3 folds at these scales: it took 202 s and 148 s with SentEval's 10);
since session 14 scaled profiles run 2 folds, and lesson 13 distils ``profile.distill_tokens``
(1,000) tokens instead of all 30,522: on the AVX-512 machine, one thread, lessons 10 and 13 went
from 61 / 57 s and 39 / 35 s (cpu / gpu) to 54 / 40 s and 19 / 18 s. The whole file ~12 min, of
which ~10 s build the stand-in's repos once per session. Under `make test` each profile is one lane
(``tests/lanes.py: lane``) on a worker of one OpenMP thread, beside the other worker: the whole file
took 794 s on one thread beside the unit tests (session 13), about what it takes alone on two
threads, since a lesson at this scale is mostly Python:

=======  ===  ===  ===  ===  ===  ===  ===  ===  ===  ===  ===  ===  ===  ===
profile   00   01   02   03   04   05   06   07   08   09   10   11   12   13
=======  ===  ===  ===  ===  ===  ===  ===  ===  ===  ===  ===  ===  ===  ===
cpu       32   15    9   27   22   23   24   25   12   24   68   23   27   66
gpu       28   20   10   19   15   16   32   27   13   32   48   21   17   44
=======  ===  ===  ===  ===  ===  ===  ===  ===  ===  ===  ===  ===  ===  ===

Outside requests: ``datasets`` asks the dataset viewer (``http://datasets-server.<HF_ENDPOINT
host>``) for exported dataset infos on every ``load_dataset`` of a hub repo; the stand-in fixture
switches that off in-process (``datasets.config.USE_PARQUET_EXPORT=False``) but a kernel has no such
switch in the environment. So the kernel gets ``HTTP(S)_PROXY`` / ``ALL_PROXY`` pointing at a
recording proxy on 127.0.0.1 that refuses everything at once (403), with
``NO_PROXY=127.0.0.1,localhost`` so that the stand-in itself is reached directly. datasets catches
the 403 and goes on with the card's own infos (the same path as USE_PARQUET_EXPORT=False); any other
outside request (huggingface.co, s3 download counts, a safetensors conversion) would be recorded
too, and the tests fail on it.
"""

from __future__ import annotations

import re
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from hub_standin import hub_standin_server_fixture  # noqa: F401  (the session fixture)

from tools.notebooks import run_notebook

pytestmark = [pytest.mark.hub, pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[2]
LESSONS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
SCALES = {"cpu": "0.01", "gpu": "0.001"}
CELL_TIMEOUT = 300  # seconds per cell
TIMES: dict[str, dict[str, float]] = {profile: {} for profile in SCALES}  # this session's


# -- the recording proxy ---------------------------------------------------------------------------
class _RefusingProxyHandler(BaseHTTPRequestHandler):
    """Records the target of every proxied request (CONNECT host:port, or an absolute URL) and
    refuses it."""

    protocol_version = "HTTP/1.1"

    def _refuse(self):
        self.server.seen.append((self.command, self.path))
        body = b"the hub-lessons test refuses every request that would leave 127.0.0.1\n"
        self.send_response(403)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Connection", "close")
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)
        self.close_connection = True

    do_CONNECT = do_GET = do_HEAD = do_POST = do_PUT = do_DELETE = do_PATCH = do_OPTIONS = _refuse

    def log_message(self, *args):
        pass


class RefusingProxy:
    """An HTTP proxy on 127.0.0.1 that answers 403 to everything; ``seen`` lists (method,
    target)."""

    def __init__(self):
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), _RefusingProxyHandler)
        self._httpd.daemon_threads = True
        self._httpd.seen = []
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)

    @property
    def seen(self) -> list[tuple[str, str]]:
        return self._httpd.seen

    @property
    def url(self) -> str:
        host, port = self._httpd.server_address[:2]
        return f"http://{host}:{port}"

    def __enter__(self) -> RefusingProxy:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()


@pytest.fixture(scope="module")
def outside_proxy():
    with RefusingProxy() as proxy:
        yield proxy


def dataset_viewer_lookup(target: str, endpoint: str) -> bool:
    """Whether a proxied request is datasets' dataset-viewer lookup (``/info`` or ``/parquet``) for
    ``endpoint``."""
    viewer = urlsplit(endpoint.replace("://", "://datasets-server."))
    url = urlsplit(target)
    return url.netloc == viewer.netloc and url.path in ("/info", "/parquet")


# -- one folder per profile ------------------------------------------------------------------------
@pytest.fixture(scope="module")
def profile_folders(tmp_path_factory):
    """{profile: tmp folder}: HF caches, runs and results shared by that profile's lessons."""
    return {profile: tmp_path_factory.mktemp(f"hub-lessons-{profile}") for profile in SCALES}


def kernel_environment(profile: str, folder: Path, hub_url: str, proxy_url: str) -> dict[str, str]:
    """What the lesson's kernel sees (on top of this process's environment)."""
    home = folder / "hf"
    return {
        "HF_ENDPOINT": hub_url,
        "HF_HUB_OFFLINE": "0",
        "HF_DATASETS_OFFLINE": "0",
        "HF_HOME": str(home),
        "HF_HUB_CACHE": str(home / "hub"),
        "HF_DATASETS_CACHE": str(home / "datasets"),
        "HF_XET_CACHE": str(home / "xet"),
        "DISABLE_SAFETENSORS_CONVERSION": "1",
        "HF_UPDATE_DOWNLOAD_COUNTS": "0",
        "HF_HUB_DISABLE_TELEMETRY": "1",
        "HF_HUB_DISABLE_IMPLICIT_TOKEN": "1",
        "HF_HUB_DISABLE_PROGRESS_BARS": "1",
        "SBERT_LAB_PROFILE": profile,
        "SBERT_LAB_SCALE": SCALES[profile],
        "SBERT_LAB_RUNS": str(folder / "runs"),
        "SBERT_LAB_RESULTS": str(folder / "results"),
        "OMP_WAIT_POLICY": "PASSIVE",
        # anything but 127.0.0.1 goes to the refusing proxy (see the module docstring)
        **{
            name: proxy_url
            for name in (
                "HTTP_PROXY",
                "HTTPS_PROXY",
                "ALL_PROXY",
                "http_proxy",
                "https_proxy",
                "all_proxy",
            )
        },
        "NO_PROXY": "127.0.0.1,localhost",
        "no_proxy": "127.0.0.1,localhost",
    }


_ANSI = re.compile(r"\x1b\[[0-9;]*m")


def error_report(executed, result) -> str:
    """The failing cell's number, first source lines and the last lines of its traceback."""
    number = int(result.error.split(":", 1)[0].split()[-1])
    cell = executed.cells[number - 1]
    tracebacks = [
        "\n".join(output.get("traceback", []))
        for output in cell.get("outputs", [])
        if output.get("output_type") == "error"
    ]
    traceback = _ANSI.sub("", "\n".join(tracebacks)).splitlines()
    source = "\n".join(cell.source.splitlines()[:6])
    return (
        f"{result.name}: {result.error}\n--- cell {number} source (first lines) ---\n{source}\n"
        f"--- traceback (last 30 lines) ---\n" + "\n".join(traceback[-30:])
    )


CASES = [(profile, lesson) for profile in SCALES for lesson in LESSONS]


@pytest.mark.parametrize(
    "profile, notebook", CASES, ids=[f"{profile}-{lesson.stem[:2]}" for profile, lesson in CASES]
)
def test_lesson_runs_against_the_hub_standin(
    profile, notebook, hub_standin_server, outside_proxy, profile_folders, monkeypatch
):
    folder = profile_folders[profile]
    env = kernel_environment(profile, folder, hub_standin_server.url, outside_proxy.url)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    for name in (
        "SBERT_LAB_DATA",
        "SBERT_LAB_PRECISION",
        "TRANSFORMERS_OFFLINE",
        "HF_TOKEN",
        "HUGGING_FACE_HUB_TOKEN",
    ):
        monkeypatch.delenv(name, raising=False)
    first_request, first_outside = len(hub_standin_server.requests), len(outside_proxy.seen)

    result, executed = run_notebook(notebook, profile, timeout=CELL_TIMEOUT)

    TIMES[profile][notebook.stem] = round(result.seconds, 1)
    print(
        f"\n[{profile} x{SCALES[profile]}] {notebook.stem}: {result.seconds:.1f} s wall, "
        f"{result.cpu_seconds or 0:.1f} s kernel CPU, peak {result.peak_mib or 0:.0f} MiB, "
        f"slowest cells {result.slowest_cells}"
    )
    if result.error is not None:
        print(error_report(executed, result))
    assert result.error is None, error_report(executed, result)

    outside = [
        (method, target)
        for method, target in outside_proxy.seen[first_outside:]
        if not dataset_viewer_lookup(target, hub_standin_server.url)
    ]
    assert not outside, f"{notebook.stem} ({profile}) tried to leave 127.0.0.1: {outside}"
    requests = hub_standin_server.requests[first_request:]
    failed = [(m, p, s) for m, p, s in requests if s >= 500 or (s == 404 and not _expected_404(p))]
    assert not failed, (
        f"{notebook.stem} ({profile}) asked the stand-in for what it does not serve: {failed}"
    )


# Files the clients ask for and fall back on when they are missing, as they do on the real hub: a
# 404 for one of these is the normal answer there too (no real-hub need).
OPTIONAL_FILES = (
    "adapter_config.json",
    "model.safetensors",
    "model.safetensors.index.json",
    "pytorch_model.bin.index.json",
    "tokenizer_config.json",
    "tokenizer.json",
    "special_tokens_map.json",
    "added_tokens.json",
    "chat_template.jinja",
    "chat_template.json",
    "processor_config.json",
    "preprocessor_config.json",
    # sentence-transformers (lesson 13's bridge) asks for every processor config a model may have
    "video_preprocessor_config.json",
    "generation_config.json",
    "custom_generate/generate.py",
    "modules.json",
    "sentence_bert_config.json",
    "config_sentence_transformers.json",
    "1_Pooling/config.json",
    "dataset_infos.json",
    "README.md",
    ".huggingface.yaml",
)


OPTIONAL_FOLDERS = ("additional_chat_templates",)  # transformers lists it to find chat templates


def _expected_404(path: str) -> bool:
    """Whether a 404 of the stand-in is for a file or folder the clients only look for (see
    OPTIONAL_FILES)."""
    url = urlsplit(path).path
    resolved = url.split("/resolve/", 1)
    if len(resolved) == 2:
        file = resolved[1].split("/", 1)[-1]
        # datasets looks for a loading script named after the repo (<name>.py); parquet repos have
        # none
        script = resolved[0].rstrip("/").rsplit("/", 1)[-1] + ".py"
        return file in OPTIONAL_FILES or file == script
    listed = url.split("/tree/", 1)
    return len(listed) == 2 and listed[1].split("/", 1)[-1] in OPTIONAL_FOLDERS


def test_summary(outside_proxy, hub_standin_server):
    """Print the seconds per lesson and what the proxy refused (run last)."""
    for profile, times in TIMES.items():
        total = sum(times.values())
        print(
            f"\n{profile} (x{SCALES[profile]}): {total:.0f} s in all; "
            + ", ".join(f"{k[:2]} {v:.0f}" for k, v in times.items())
        )
    viewer = [t for _m, t in outside_proxy.seen if dataset_viewer_lookup(t, hub_standin_server.url)]
    others = [
        t for _m, t in outside_proxy.seen if not dataset_viewer_lookup(t, hub_standin_server.url)
    ]
    print(
        f"refused dataset-viewer lookups (harmless): {len(viewer)}; "
        f"other outside requests: {others}"
    )
    statuses: dict[int, int] = {}
    for _m, _p, status in hub_standin_server.requests:
        statuses[status] = statuses.get(status, 0) + 1
    print(f"stand-in answers by status: {dict(sorted(statuses.items()))}")
    assert time.monotonic() > 0
