"""The package's lazy submodules: every module file is reachable as an attribute, in a fresh
interpreter (``sl.losses``, ``course.lesson_data``), as the lessons use them; and every module has
its test file."""

import subprocess
import sys
from pathlib import Path

import sbert_lab

PACKAGE = Path(sbert_lab.__file__).parent


def modules_in(folder: Path) -> list[str]:
    return sorted(p.stem for p in folder.glob("*.py") if not p.stem.startswith("__"))


def test_every_module_is_listed_and_loads_on_first_use():
    core, course = modules_in(PACKAGE), modules_in(PACKAGE / "course")
    assert set(core) <= set(sbert_lab.SUBMODULES)
    probe = (
        "import sbert_lab as sl\nfrom sbert_lab import course\n"
        f"for name in {core!r}: getattr(sl, name)\n"
        f"for name in {course!r}: getattr(course, name)\n"
    )
    run = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True)
    assert run.returncode == 0, run.stderr[-2000:]


def test_every_module_has_a_test_file_of_its_name():
    """The tests mirror the package: the tests of ``sbert_lab/<module>.py`` are in
    ``tests/core/test_<module>.py``, those of ``sbert_lab/course/<module>.py`` in
    ``tests/course/test_<module>.py``, where a reader of the module looks for them."""
    tests = Path(__file__).parents[1]
    missing = [
        f"{layer}/test_{name}.py"
        for layer, folder in (("core", PACKAGE), ("course", PACKAGE / "course"))
        for name in modules_in(folder)
        if not (tests / layer / f"test_{name}.py").is_file()
    ]
    assert not missing, f"modules without their test file, missing: {missing}"
