"""The lesson notebooks and the instructor tool (``python -m tools.notebooks``).

For every lesson: the .py source and the .ipynb hold the same cells (type, source, tags — never
file timestamps), the conventions of notebooks/README.md hold, the student version is up to date
and every cell nbval compares has a stored output. Running the notebooks themselves is nbval's job
(``pytest`` collects notebooks/NN_topic.ipynb with --nbval-lax; see pyproject.toml).

The tool's own tests build a small repository in a temporary folder.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from sbert_lab import course
from tools import notebooks as nbtool

ROOT = Path(__file__).resolve().parents[2]
LESSONS = sorted((ROOT / "notebooks").glob(nbtool.LESSON_GLOB))
REPO_URL = nbtool.repository_url(ROOT)


def lesson_id(path: Path) -> str:
    return path.stem


# -- every lesson ----------------------------------------------------------------------------------
def test_there_are_lessons():
    assert LESSONS, f"no lessons matching {nbtool.LESSON_GLOB} in {ROOT / 'notebooks'}"


@pytest.mark.parametrize("source", LESSONS, ids=lesson_id)
def test_pair_holds_the_same_cells(source):
    ipynb = source.with_suffix(".ipynb")
    assert ipynb.exists(), f"{ipynb.name} is missing: run python -m tools.notebooks sync"
    differences = nbtool.cell_differences(
        nbtool.read_source(source), nbtool.read_ipynb(ipynb), source.name, ipynb.name
    )
    assert not differences, "\n".join(differences) + "\nrun: python -m tools.notebooks sync"


@pytest.mark.parametrize("source", LESSONS, ids=lesson_id)
def test_lesson_follows_the_conventions(source):
    problems = nbtool.convention_problems(nbtool.read_source(source), source.stem, REPO_URL)
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("source", LESSONS, ids=lesson_id)
def test_student_version_is_up_to_date(source):
    student = nbtool.student_path(source)
    assert student.exists(), f"{student} is missing: run python -m tools.notebooks sync"
    expected = nbtool.student_version(nbtool.read_source(source), REPO_URL, source.stem)
    assert not nbtool.cell_differences(
        expected, nbtool.read_ipynb(student), "expected", student.name
    ), f"{student} is out of date: run python -m tools.notebooks sync"


@pytest.mark.parametrize("source", LESSONS, ids=lesson_id)
def test_cells_nbval_compares_have_stored_outputs(source):
    notebook = nbtool.read_ipynb(source.with_suffix(".ipynb"))
    unstored = [
        i + 1
        for i, cell in enumerate(notebook.cells)
        if nbtool.is_checked(cell) and not cell.outputs
    ]
    assert not unstored, (
        f"cells {unstored}: run python -m tools.notebooks run --inplace {source.stem}"
    )


@pytest.mark.parametrize("source", LESSONS, ids=lesson_id)
def test_student_version_holds_no_solution(source):
    lesson = nbtool.read_source(source)
    student = nbtool.read_ipynb(nbtool.student_path(source))
    solutions = [c.source for c in lesson.cells if nbtool.SOLUTION_TAG in nbtool.tags(c)]
    exercises = [c.source for c in student.cells if nbtool.EXERCISE_TAG in nbtool.tags(c)]
    assert len(exercises) == len(solutions) >= 1
    for solution, exercise in zip(solutions, exercises, strict=True):
        assert exercise != solution
        assert "NotImplementedError" in exercise or "..." in exercise, exercise
    assert all(not c.get("outputs") for c in student.cells if c.cell_type == "code")


# -- stubbing a solution ---------------------------------------------------------------------------
SOLUTION = '''# Write f so that f(x) == x + 1.
import math


def f(x):
    """Add one."""
    y = x + 1  # the answer
    return y


threshold = math.sqrt(2)
print(f(threshold))'''


def test_stub_keeps_instructions_signature_and_docstring():
    stub = nbtool.stub_solution(SOLUTION)
    assert stub.splitlines()[0] == "# Write f so that f(x) == x + 1."
    assert 'import math\n\n\ndef f(x):\n    """Add one."""' in stub  # blank lines kept
    assert "x + 1  # the answer" not in stub and "print(" not in stub
    assert "threshold = ...  # your code here" in stub


def test_stub_runs_and_raises_only_when_called():
    namespace: dict = {}
    exec(nbtool.stub_solution(SOLUTION), namespace)  # defining the stubs must not fail
    assert namespace["threshold"] is Ellipsis
    with pytest.raises(NotImplementedError, match="write f"):
        namespace["f"](1)


def test_stub_of_a_function_without_docstring_and_with_decorator():
    stub = nbtool.stub_solution("@staticmethod\ndef g(a,\n      b):\n    return a * b")
    assert stub.startswith(
        "@staticmethod\ndef g(a,\n      b):\n    # your code here\n    raise NotImplementedError"
    )


def test_stub_of_invalid_python_names_the_line():
    with pytest.raises(nbtool.NotebookToolError, match="line 2"):
        nbtool.stub_solution("x = 1\ny = (")


# -- a small repository in a temporary folder ------------------------------------------------------
FORK_URL = "https://github.com/someone/sbert-lab-fork"


@pytest.fixture
def repo(tmp_path) -> Path:
    """A repository with lesson 02 only, synced, with the real pyproject.toml and jupytext
    config."""
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    notebooks = tmp_path / "notebooks"
    (notebooks / "student").mkdir(parents=True)
    shutil.copy(ROOT / "notebooks" / "jupytext.toml", notebooks / "jupytext.toml")
    shutil.copy(
        ROOT / "notebooks" / "02_siamese_bi_encoder.py", notebooks / "02_siamese_bi_encoder.py"
    )
    shutil.copy(
        ROOT / "notebooks" / "02_siamese_bi_encoder.ipynb",
        notebooks / "02_siamese_bi_encoder.ipynb",
    )
    nbtool.sync(tmp_path, log=lambda _: None)
    return tmp_path


def problems_of(root: Path) -> list[str]:
    return [p for problems in nbtool.check(root, log=lambda _: None).values() for p in problems]


def test_synced_repository_passes_check(repo):
    assert problems_of(repo) == []
    assert (repo / "notebooks" / "student" / "02_siamese_bi_encoder.ipynb").exists()


def test_sync_and_student_are_idempotent(repo):
    """Regenerating unchanged lessons writes nothing: no random cell ids, no timestamps."""
    assert nbtool.sync(repo, log=lambda _: None) == []
    assert nbtool.write_students(repo, log=lambda _: None) == []


def test_check_reports_an_edited_source(repo):
    source = repo / "notebooks" / "02_siamese_bi_encoder.py"
    source.write_text(source.read_text().replace("Cats sleep.", "Dogs bark."))
    problems = problems_of(repo)
    assert any("different source" in p and "Dogs bark." in p for p in problems), problems
    assert any("student" in p and "out of date" in p for p in problems), problems
    nbtool.sync(repo, log=lambda _: None)
    assert problems_of(repo) == []


def test_check_reports_changed_tags(repo):
    ipynb = repo / "notebooks" / "02_siamese_bi_encoder.ipynb"
    notebook = nbformat.read(ipynb, as_version=4)
    solution = next(c for c in notebook.cells if "solution" in c.metadata.get("tags", []))
    solution.metadata["tags"] = []
    nbformat.write(notebook, ipynb)
    assert any("different tags" in p for p in problems_of(repo))


def test_check_ignores_timestamps_but_not_outputs_of_another_source(repo):
    ipynb = repo / "notebooks" / "02_siamese_bi_encoder.ipynb"
    notebook = nbformat.read(ipynb, as_version=4)
    code = [c for c in notebook.cells if c.cell_type == "code"]
    code[1].outputs = [nbformat.v4.new_output("stream", name="stdout", text="anything\n")]
    code[1].metadata[nbtool.SOURCE_HASH_KEY] = nbtool.source_hash(code[1])
    code[1].execution_count = 7
    nbformat.write(notebook, ipynb)
    source = repo / "notebooks" / "02_siamese_bi_encoder.py"
    source.touch()  # newer than the .ipynb: must not matter
    assert problems_of(repo) == []
    # an output stored by another version of the cell (hand-edited, or a stale merge) is reported
    code[1].metadata[nbtool.SOURCE_HASH_KEY] = "0123456789ab"
    nbformat.write(notebook, ipynb)
    assert any("produced by another version of their source" in p for p in problems_of(repo))


def test_a_fork_changes_the_url_in_one_place_and_syncs(repo):
    pyproject = repo / "pyproject.toml"
    pyproject.write_text(pyproject.read_text().replace(REPO_URL, FORK_URL))
    stale = problems_of(repo)
    assert any("setup cell" in p for p in stale) and any("title cell" in p for p in stale), stale
    nbtool.sync(repo, log=lambda _: None)
    assert problems_of(repo) == []
    source = (repo / "notebooks" / "02_siamese_bi_encoder.py").read_text()
    assert f"git+{FORK_URL}" in source and REPO_URL not in source
    assert (
        "colab.research.google.com/github/someone/sbert-lab-fork/blob/main/notebooks/02_siamese_bi_encoder.ipynb"
        in source
    )
    student = (repo / "notebooks" / "student" / "02_siamese_bi_encoder.ipynb").read_text()
    assert "sbert-lab-fork/blob/main/notebooks/student/02_siamese_bi_encoder.ipynb" in student


def test_missing_repository_url_is_a_clear_error(repo):
    pyproject = repo / "pyproject.toml"
    pyproject.write_text(pyproject.read_text().replace(f'Repository = "{REPO_URL}"', ""))
    with pytest.raises(nbtool.NotebookToolError, match=r"\[project.urls\]"):
        nbtool.repository_url(repo)


def test_sync_keeps_the_outputs_of_unchanged_cells_without_machine_noise(repo):
    ipynb = repo / "notebooks" / "02_siamese_bi_encoder.ipynb"
    notebook = nbformat.read(ipynb, as_version=4)
    progress_bar = nbformat.v4.new_output(
        "display_data", data={"application/vnd.jupyter.widget-view+json": {"model_id": "x"}}
    )
    for cell in notebook.cells:
        if cell.cell_type == "code":
            cell.outputs = [
                nbformat.v4.new_output("stream", name="stdout", text="stored\n"),
                nbformat.v4.new_output("stream", name="stderr", text="a warning\n"),
                progress_bar,
            ]
            cell.metadata[nbtool.SOURCE_HASH_KEY] = nbtool.source_hash(cell)  # as a run stores it
    nbformat.write(notebook, ipynb)
    source = repo / "notebooks" / "02_siamese_bi_encoder.py"
    edited = next(c for c in notebook.cells if c.cell_type == "code" and "Cats sleep." in c.source)
    source.write_text(source.read_text().replace("Cats sleep.", "Dogs bark."))
    nbtool.sync(repo, log=lambda _: None)
    synced = [c for c in nbformat.read(ipynb, as_version=4).cells if c.cell_type == "code"]
    changed = [c for c in synced if "Dogs bark." in c.source]
    assert edited and changed and all(c.outputs == [] for c in changed)  # its output is gone
    kept = [c for c in synced if c.outputs]
    assert len(kept) == len(synced) - len(changed)
    assert all([o.text for o in c.outputs] == ["stored\n"] for c in kept)
    assert all(c.metadata[nbtool.SOURCE_HASH_KEY] == nbtool.source_hash(c) for c in kept)
    assert problems_of(repo) == []


def test_stored_outputs_print_paths_relative_to_the_checkout(tmp_path):
    """A stored run must not show the folder of the machine it ran on."""
    root = tmp_path / "checkout"
    cell = nbformat.v4.new_code_cell("print(folder)")
    cell.outputs = [
        nbformat.v4.new_output("stream", name="stdout", text=f"models   {root}/runs/offline\n"),
        nbformat.v4.new_output(
            "execute_result", data={"text/plain": f"PosixPath('{root}/results/x.json')"}
        ),
    ]
    notebook = nbformat.v4.new_notebook(cells=[cell])
    nbtool.store_outputs(notebook, root=root)
    assert cell.outputs[0].text == "models   runs/offline\n"
    assert cell.outputs[1].data["text/plain"] == "PosixPath('results/x.json')"


def test_cli_check_exit_codes(repo):
    assert nbtool.main(["--root", str(repo), "check"]) == 0
    (repo / "notebooks" / "02_siamese_bi_encoder.ipynb").unlink()
    assert nbtool.main(["--root", str(repo), "check"]) == 1
    assert nbtool.main(["--root", str(repo), "check", "09"]) == 2  # no such lesson


# -- running ---------------------------------------------------------------------------------------
@pytest.mark.slow
def test_run_reports_seconds_memory_and_the_failing_cell(tmp_path):
    notebook = nbformat.v4.new_notebook(
        metadata={
            "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}
        }
    )
    notebook.cells = [
        nbformat.v4.new_code_cell("import os\nprint(os.environ['SBERT_LAB_PROFILE'])"),
        nbformat.v4.new_code_cell("raise ValueError('broken on purpose')"),
        nbformat.v4.new_code_cell("print('never reached')"),
    ]
    path = tmp_path / "99_probe.ipynb"
    nbformat.write(notebook, path)
    result, executed = nbtool.run_notebook(path, "cpu", timeout=60)
    assert executed.cells[0].outputs[0]["text"] == "cpu\n"  # the profile reached the kernel
    assert (
        result.error and result.error.startswith("cell 2") and "broken on purpose" in result.error
    )
    assert result.seconds > 0 and result.cpu_seconds > 0
    assert result.peak_mib is not None and 10 < result.peak_mib < 4096  # MiB: a plain Python kernel
    assert not executed.cells[2].outputs


@pytest.mark.slow
def test_pytest_collects_lesson_notebooks_only():
    listing = subprocess.run(
        [sys.executable, "-m", "pytest", "--collect-only", "-q", "notebooks"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    ).stdout
    files = {line.split("::")[0] for line in listing.splitlines() if "::" in line}
    lesson_notebooks = {
        f"notebooks/{p.name}" for p in (ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb")
    }
    assert files == lesson_notebooks, listing[
        -2000:
    ]  # no .py source, nothing from notebooks/student/


def test_readme_badges_point_at_existing_notebooks():
    """Every Colab and Binder badge in README.md opens a notebook path that exists in the
    repository."""
    import re

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    colab = re.findall(
        r"colab\.research\.google\.com/github/[^/]+/[^/]+/blob/[^/]+/([^)\s]+\.ipynb)", readme
    )
    binder = re.findall(r"mybinder\.org/v2/gh/[^)\s]+?urlpath=lab/tree/([^)\s]+\.ipynb)", readme)
    lessons = sorted(
        p.relative_to(ROOT).as_posix()
        for pattern in (
            "[0-9][0-9]_*.ipynb",
            "student/[0-9][0-9]_*.ipynb",
        )  # worked and student copies
        for p in (ROOT / "notebooks").glob(pattern)
    )
    assert sorted(colab) == lessons, (
        "README's Colab badges differ from the lessons: run `python -m tools.notebooks sync`"
    )
    assert sorted(binder) == lessons, (
        "README's Binder badges differ from the lessons: run `python -m tools.notebooks sync`"
    )


def test_unsolved_exercises_are_reported_and_the_lesson_goes_on(capsys):
    with course.lesson.exercise():
        raise NotImplementedError("exercise: write triplet_loss")
    with course.lesson.exercise():
        course.lesson.check(False, "yours 0.3, library 0.5", hint="clamp before the mean")
    with course.lesson.exercise():
        course.lesson.check(True, "")
    out = capsys.readouterr().out
    assert (
        "✗ not solved yet" in out
        and "✗ not yet right: yours 0.3, library 0.5" in out
        and "✓ correct" in out
    )
    with (
        pytest.raises(KeyboardInterrupt),
        course.lesson.exercise(),
    ):  # an interrupt is never swallowed
        raise KeyboardInterrupt


def test_a_cell_that_reads_what_an_exercise_made_is_a_convention_problem():
    cells = [
        nbformat.v4.new_code_cell(
            "def pool(x):\n    return x.mean(0)", metadata={"tags": ["solution"]}
        ),
        nbformat.v4.new_code_cell(
            "vectors = pool(data)\ncourse.lesson.check(vectors.shape == (4,), 'shape')"
        ),
        nbformat.v4.new_code_cell(
            "for row in data:\n    print(row)"
        ),  # its own loop variable: fine
        nbformat.v4.new_code_cell("print(vectors.sum())"),
    ]
    problems = nbtool._exercise_problems(cells)
    assert len(problems) == 1 and "cell 4 reads 'vectors'" in problems[0], problems


def code(*sources: str) -> list:
    return [nbformat.v4.new_code_cell(source) for source in sources]


def test_a_name_read_more_than_5_code_cells_after_it_is_made_is_reported():
    setup = ["import numpy as np\nlesson = 1", "profile = 2\nLIMIT = 3"]  # exempt, as constants
    filler = [f"print({i})" for i in range(5)]
    cells = code(*setup, "scores = [1, 2]", *filler, "print(scores, lesson, profile, LIMIT, np.pi)")
    problems = nbtool.long_range_problems(cells)
    assert problems == [
        "code cell 9 reads 'scores', made 6 code cells earlier (code cell 3); make it again in the "
        "cell that uses it, or within 5 cells before"
    ]
    assert nbtool.long_range_problems(cells[:2] + cells[3:]) == []  # made 5 cells earlier: near


def test_names_a_cell_binds_itself_are_not_long_range_reads():
    cells = code(
        "a = 1",
        "b = 2",
        "row = 0\nx = [1]",
        *["pass"] * 6,
        "for row in range(3):\n    print(row)",  # its own loop variable
        "print([x for x in range(2)])",  # its own comprehension variable
        "x = [5]\nprint(x)",  # made again in the cell that uses it
    )
    assert nbtool.long_range_problems(cells) == []


def test_a_function_that_reads_a_notebook_value_is_reported_not_one_that_takes_it():
    cells = code(
        "import math",
        "lesson = 1",
        "gold = [1.0, 2.0]",
        "def closure(x):\n    return x - gold[0]",
        "def helper(x, gold):\n    return math.sqrt(x) - gold[0] + closure(x)",
    )
    assert nbtool.long_range_problems(cells) == [
        "code cell 4: function closure() reads the notebook's 'gold'; pass it as an argument"
    ]


def understanding_cell(answers: int, closed: int | None = None) -> str:
    """A '## Check your understanding' cell with ``answers`` questions, each answer in <details>
    (the first ``closed`` of them closed: all by default)."""
    closed = answers if closed is None else closed
    questions = [
        f"**{n}.** Why?\n\n<details><summary>Answer</summary>\n\nBecause.\n\n"
        + ("</details>\n" if n <= closed else "")
        for n in range(1, answers + 1)
    ]
    return "\n".join(["## Check your understanding\n", *questions])


def probe_lesson(*markdown: str):
    """A lesson that follows every convention of notebooks/README.md but the questions section;
    ``markdown`` adds cells after its summary."""
    name = "99_probe"
    notebook = nbformat.v4.new_notebook(
        metadata={
            "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}
        }
    )
    notebook.cells = [
        nbformat.v4.new_markdown_cell(
            f"# Lesson 99 — A probe\n\n{nbtool.colab_badge(REPO_URL, f'notebooks/{name}.ipynb')}"
        ),
        nbformat.v4.new_code_cell(nbtool.setup_cell_source(name, REPO_URL)),
        nbformat.v4.new_code_cell(
            "def pool(x):\n    return x.mean(0)", metadata={"tags": ["solution"]}
        ),
        nbformat.v4.new_code_cell("course.lesson.check(pool([1.0]) == 1.0, 'mean')"),
        nbformat.v4.new_code_cell("plt.plot([0, 1])\nplt.show()\nlesson.save()"),
        nbformat.v4.new_markdown_cell("## Summary\n\n- A probe."),
        *(nbformat.v4.new_markdown_cell(source) for source in markdown),
        nbformat.v4.new_markdown_cell("## Further exercises\n\n1. None."),
    ]
    return notebook, name


@pytest.mark.parametrize("answers", [3, 5])
def test_a_check_your_understanding_section_with_3_to_5_answers_passes(answers):
    notebook, name = probe_lesson(understanding_cell(answers))
    assert nbtool.convention_problems(notebook, name, REPO_URL) == []


def test_a_lesson_without_check_your_understanding_is_a_convention_problem():
    notebook, name = probe_lesson()
    assert nbtool.convention_problems(notebook, name, REPO_URL) == [
        "no '## Check your understanding' section with 3-5 questions (each answer in <details>)"
    ]
    # answers under a heading of another level are not the section
    notebook, name = probe_lesson(understanding_cell(3).replace("## Check", "### Check"))
    assert len(nbtool.convention_problems(notebook, name, REPO_URL)) == 1


@pytest.mark.parametrize(
    "cells, expected",
    [
        ([understanding_cell(2)], "must hold 3-5 questions, each answer in <details>: it holds 2"),
        ([understanding_cell(6)], "must hold 3-5 questions, each answer in <details>: it holds 6"),
        ([understanding_cell(0)], "must hold 3-5 questions, each answer in <details>: it holds 0"),
        ([understanding_cell(3, closed=2)], "opens 3 <details> blocks and closes 2"),
        ([understanding_cell(3), understanding_cell(3)], "2 markdown cells are headed"),
    ],
    ids=["two", "six", "none", "unclosed", "twice"],
)
def test_check_your_understanding_needs_3_to_5_answers_in_details(cells, expected):
    notebook, name = probe_lesson(*cells)
    problems = nbtool.convention_problems(notebook, name, REPO_URL)
    assert len(problems) == 1 and expected in problems[0], problems
    assert "Check your understanding" in problems[0]


def test_the_student_check_cell_keeps_nbval_markers_on_top():
    wrapped = nbtool.lenient_check(
        "# NBVAL_CHECK_OUTPUT\nx = f()\ncourse.lesson.check(x == 1, 'x')"
    )
    lines = wrapped.splitlines()
    assert lines[0] == "# NBVAL_CHECK_OUTPUT" and lines[1].startswith(
        "with course.lesson.exercise():"
    )
    assert lines[2:] == ["    x = f()", "    course.lesson.check(x == 1, 'x')"]


@pytest.mark.slow
def test_a_student_copy_runs_past_its_unsolved_exercise(tmp_path, monkeypatch):
    """Run All on a student copy (05: the exercise sits mid-lesson) reaches the last cell."""
    monkeypatch.setenv("SBERT_LAB_RESULTS", str(tmp_path / "results"))
    monkeypatch.setenv("SBERT_LAB_RUNS", str(tmp_path / "runs"))
    path = ROOT / "notebooks" / "student" / "05_triplets_and_in_batch_negatives.ipynb"
    result, executed = nbtool.run_notebook(path, "smoke", timeout=300)
    assert result.error is None, result.error
    texts = [
        o.get("text", "")
        for c in executed.cells
        if c.cell_type == "code"
        for o in c.get("outputs", [])
    ]
    assert any("✗ not solved yet" in t for t in texts)
    assert (
        tmp_path / "results" / "05_triplets_and_in_batch_negatives.json"
    ).exists()  # the last cells ran
