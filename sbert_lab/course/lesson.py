"""What every lesson notebook does around its content: say where it runs, show the paper beside
the measured figure, check exercises, and write its results to ``results/<notebook>.json``.

Example (the first code cell after the Colab install cell)::

    lesson = course.lesson.start("01_raw_bert_fails")
    ...
    lesson.compare("STS-B test, mean pooling", paper=46.35, measured=score)
    lesson.save()
"""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from ..precision import default_device, resolve_precision
from .profiles import PROFILE_NAMES, Profile, get_profile

SMOKE_WARNING = (
    "smoke profile (for fast code checks): a tiny random model on a few pairs. The numbers below "
    "only prove that the code runs. Without SBERT_LAB_PROFILE=smoke an offline machine runs the "
    "'offline' profile, whose numbers are real."
)


def results_dir() -> Path:
    """``$SBERT_LAB_RESULTS``, else ``results/`` at the repository root (beside ``notebooks/``)."""
    if os.environ.get("SBERT_LAB_RESULTS"):
        return Path(os.environ["SBERT_LAB_RESULTS"])
    here = Path.cwd()
    root = here.parent if here.name == "notebooks" else here
    return root / "results"


def runs_dir(profile: Profile) -> Path:
    """Where lessons keep the models they train: ``$SBERT_LAB_RUNS`` or ``runs/``, one folder per
    profile."""
    base = (
        Path(os.environ["SBERT_LAB_RUNS"])
        if os.environ.get("SBERT_LAB_RUNS")
        else results_dir().parent / "runs"
    )
    return base / profile.name


@dataclass
class Lesson:
    """A running lesson: its profile and the figures it has measured so far."""

    name: str
    profile: Profile
    rows: list[dict] = field(default_factory=list)

    def compare(
        self, what: str, paper: float | None, measured: float, unit: str = "", digits: int = 2
    ) -> None:
        """Print one measured figure beside the paper's and keep it for ``save``."""
        measured = _figure(what, "measured", measured)
        paper = None if paper is None else _figure(what, "paper", paper, "a number or None")
        self.rows.append(
            {"what": what, "paper": paper, "measured": round(measured, digits), "unit": unit}
        )
        paper_text = "—" if paper is None else f"{paper:.{digits}f}"
        print(f"{what:<48} paper {paper_text:>8}{unit}   yours {measured:>8.{digits}f}{unit}")

    def record(self, what: str, value, unit: str = "") -> None:
        """Keep a measured value that has no paper counterpart (numpy and torch values are kept as
        plain numbers and lists)."""
        self.rows.append(
            {"what": what, "paper": None, "measured": _plain(what, value), "unit": unit}
        )

    def measured(self, what: str):
        """The value kept under ``what`` by ``compare`` (rounded as it printed) or ``record``: how a
        late cell (a summary, a plot) reads a figure measured many cells before, by its name."""
        for row in reversed(self.rows):
            if row["what"] == what:
                return row["measured"]
        known = ", ".join(repr(row["what"]) for row in self.rows) or "none yet"
        raise KeyError(
            f"{self.name} has measured nothing called {what!r} (run the cell that measures it "
            f"first); measured so far: {known}"
        )

    def kept_dir(self) -> Path:
        """This lesson's folder for what it keeps for its own later cells (a trained run, encoded
        vectors, timings): a late cell reads them back from here instead of reaching across the
        notebook for a name made far above. ``runs/<profile>/<lesson>/`` on this machine's disk —
        on Colab not in Google Drive, which holds only the models later lessons reuse."""
        base = runs_dir(self.profile)
        if str(base).startswith(DRIVE_RUNS):
            base = Path(tempfile.gettempdir()) / "sbert-lab-runs" / self.profile.name
        folder = base / self.name
        folder.mkdir(parents=True, exist_ok=True)
        return folder

    def save(self) -> Path:
        """Write ``results/<lesson>.json``: profile, device and every compared figure."""
        folder = results_dir()
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"{self.name}.json"
        payload = {
            "lesson": self.name,
            "profile": self.profile.name,
            "device": str(default_device()),
            "rows": self.rows,
        }
        path.write_text(json.dumps(payload, indent=2) + "\n")
        print(f"saved {len(self.rows)} results to {path}")
        return path


DRIVE_RUNS = "/content/drive/MyDrive/sbert-lab/runs"


def keep_runs_in_google_drive() -> str | None:
    """On Colab: mount Google Drive (Colab asks the student) and keep ``runs/`` there; the folder.

    Does nothing (None) outside Colab or when ``$SBERT_LAB_RUNS`` is already set.
    """
    import sys

    if "google.colab" not in sys.modules or os.environ.get("SBERT_LAB_RUNS"):
        return None
    from google.colab import drive  # only importable on Colab

    drive.mount("/content/drive")
    os.environ["SBERT_LAB_RUNS"] = DRIVE_RUNS
    return DRIVE_RUNS


def as_profile(profile: Profile | str) -> Profile:
    """``profile`` itself, or the profile of that name (``get_profile(name)``)."""
    if isinstance(profile, Profile):
        return profile
    if isinstance(profile, str):
        return get_profile(profile)
    raise TypeError(
        f"profile must be a Profile or a profile name ({', '.join(map(repr, PROFILE_NAMES))}), got "
        f"{type(profile).__name__} {profile!r}: call course.profiles.get_profile(name)"
    )


def start(
    name: str, profile: Profile | str | None = None, keep_models_in_drive: bool = False
) -> Lesson:
    """Choose the profile and print where this lesson runs: profile (and why), device, precision.

    ``profile``: a ``Profile``, a profile's name ("smoke"), or None to choose one from the
    environment (``get_profile()``).

    ``keep_models_in_drive`` (the setup cell's ``KEEP_MODELS_IN_DRIVE``): on Colab, keep the trained
    models in Google Drive so that the next lesson, on a new machine, finds them.
    """
    if keep_models_in_drive:
        keep_runs_in_google_drive()
    profile = get_profile() if profile is None else as_profile(profile)
    device = default_device()
    print(f"lesson   {name}")
    print(f"profile  {profile.describe()}")
    print(f"device   {device}  ·  precision {resolve_precision('auto', device)}")
    data_dir = profile.data_dir or "$SBERT_LAB_DATA, the copies shipped in sbert_lab, then the hub"
    print(f"data     {data_dir}")
    print(f"models   {runs_dir(profile)} (trained models are kept here and reused)")
    if not profile.numbers_are_meaningful:
        print(f"NOTE     {SMOKE_WARNING}")
    return Lesson(name=name, profile=profile)


def check(condition: bool, message: str, hint: str = "") -> None:
    """An exercise's self-check: raise AssertionError with ``message`` (and a hint) when it
    fails."""
    if not condition:
        raise AssertionError(message + (f"\nHint: {hint}" if hint else ""))
    print("✓ correct")


class exercise:  # noqa: N801 - used as ``with course.lesson.exercise():``, like a function
    """The student copy's self-check: a check that fails (or meets an unsolved stub) says so, and
    the lesson goes on.

    In the student notebooks (``notebooks/student/``) every self-check cell runs inside ``with
    course.lesson.exercise():`` so that "Run All" does not stop at the first exercise a student has
    not done yet; the cells after it never use what the exercise makes
    (``tools.notebooks`` checks that). The instructors' notebooks call ``check`` directly,
    so there a broken solution stops the run — which is what CI must see.
    """

    def __enter__(self) -> exercise:
        return self

    def __exit__(self, kind, error, _traceback) -> bool:
        if error is None or not isinstance(error, Exception):
            return False  # solved, or KeyboardInterrupt: nothing to say
        if isinstance(error, NotImplementedError) or "Ellipsis" in str(error):
            print(
                "✗ not solved yet: fill in the cell above, then run it and this one again. The "
                "lesson goes on."
            )
        elif isinstance(error, AssertionError):
            print(f"✗ not yet right: {error}\n  The lesson goes on; come back to it.")
        else:
            print(
                f"✗ your solution raised {type(error).__name__}: {error}\n  The lesson goes on; "
                "come back to it."
            )
        return True  # swallowed: the next cells do not depend on the exercise


# -- what compare and record accept ----------------------------------------------------------------
def _figure(what: str, name: str, value, kind: str = "a number") -> float:
    """``value`` as a float; a TypeError naming the row and the argument when it is not a number."""
    if value is not None and not isinstance(value, (str, bytes, bool)):
        try:
            return float(value)
        except (TypeError, ValueError):
            pass
    raise TypeError(
        f"compare({what!r}): {name} must be {kind}, got {type(value).__name__} {value!r}"
    )


def _plain(what: str, value):
    """``value`` with numpy and torch numbers and arrays made plain Python (what ``save`` can
    write); a TypeError naming the row when it cannot be written as JSON."""
    if hasattr(value, "tolist") and type(value).__module__.split(".")[0] in ("numpy", "torch"):
        value = value.tolist()
    try:
        json.dumps(value)
    except (TypeError, ValueError) as err:
        raise TypeError(
            f"record({what!r}): the value must be a number, a string, or a list or dict of them "
            f"({err})"
        ) from None
    return value
