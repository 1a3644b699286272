"""The instructor's tool for the lesson notebooks: ``python -m tools.notebooks COMMAND``.

Every lesson is a pair in ``notebooks/``: ``NN_topic.py`` (jupytext percent format, the source that
instructors edit and review) and ``NN_topic.ipynb`` (what students open, generated from the .py).
``python -m tools.notebooks`` then::

    sync            # regenerate every .ipynb (and notebooks/student/) from its .py
    check           # fail when a pair differs or a convention is broken
    run 01          # execute lesson 01 (or all); seconds and peak memory
    run --inplace   # offline profile; store the outputs nbval compares
    student         # notebooks/student/NN_topic.ipynb, solutions replaced by stubs

The committed .ipynb files keep only the outputs that ``pytest --nbval-lax`` compares (cells marked
``# NBVAL_CHECK_OUTPUT``), produced by an offline-profile run (what CI runs): diffs stay small and
students see only outputs that do not depend on the machine. ``check`` compares cells (type, source,
tags), never file timestamps. The repository URL of the Colab install cell and of the "Open in
Colab" links is one setting, ``[project.urls] Repository`` in pyproject.toml; ``sync`` writes it
everywhere. See notebooks/README.md for the conventions every lesson follows.
"""

from __future__ import annotations

import argparse
import ast
import copy
import difflib
import hashlib
import json
import os
import re
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

LESSON_GLOB = "[0-9][0-9]_*.py"
STUDENT_FOLDER = "student"
SOLUTION_TAG = "solution"
EXERCISE_TAG = "exercise"  # what a solution cell is tagged in the student version
CHECK_OUTPUT_MARKER = "NBVAL_CHECK_OUTPUT"
PIP_EXTRA = "colab"  # Colab already has Jupyter, torch and matplotlib: add only what it lacks
BRANCH = "main"  # the branch Colab links open
STUB_COMMENT = "# your code here"
_GIT_URL = re.compile(r"sbert-lab\[\w+\] @ git\+[^\s\"']+")  # the setup cell's install line
_COLAB_LINK = re.compile(
    r"https://colab\.research\.google\.com/github/[^\s)\"']+?/blob/[^/\s]+/(notebooks/[\w./-]+\.ipynb)"
)


class NotebookToolError(RuntimeError):
    """A problem the instructor must fix (missing setting, unreadable notebook); the message says
    which."""


# -- where things are ------------------------------------------------------------------------------
def find_root(start: str | os.PathLike | None = None) -> Path:
    """The repository root: the nearest folder at or above ``start`` (default: cwd) with
    pyproject.toml and notebooks/."""
    here = Path(start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / "pyproject.toml").is_file() and (folder / "notebooks").is_dir():
            return folder
    raise NotebookToolError(
        f"no repository root (a folder with pyproject.toml and notebooks/) at or above {here}"
    )


def lesson_sources(root: Path, names: list[str] | None = None) -> list[Path]:
    """The lessons' .py sources, in order; ``names`` picks some by number ("01"), stem or path."""
    sources = sorted((root / "notebooks").glob(LESSON_GLOB))
    if not names:
        return sources
    chosen = []
    for name in names:
        stem = Path(name).stem
        matches = [p for p in sources if p.stem == stem or p.stem.split("_", 1)[0] == stem]
        if not matches:
            known = ", ".join(p.stem for p in sources) or "none"
            raise NotebookToolError(
                f"no lesson called {name!r} in {root / 'notebooks'} (lessons: {known})"
            )
        chosen.extend(matches)
    return chosen


def student_path(source: Path) -> Path:
    """notebooks/student/NN_topic.ipynb for notebooks/NN_topic.py."""
    return source.parent / STUDENT_FOLDER / f"{source.stem}.ipynb"


def repository_url(root: Path) -> str:
    """``[project.urls] Repository`` from pyproject.toml: the one place the repository URL is
    set."""
    pyproject = root / "pyproject.toml"
    text = pyproject.read_text(encoding="utf-8")
    try:
        import tomllib

        url = tomllib.loads(text).get("project", {}).get("urls", {}).get("Repository")
    except ModuleNotFoundError:  # Python 3.10: read the one line we need
        table = re.search(
            r"^\[project\.urls\]\s*$(.*?)(?=^\[|\Z)", text, flags=re.MULTILINE | re.DOTALL
        )
        line = (
            re.search(r'^Repository\s*=\s*"([^"]+)"', table.group(1), flags=re.MULTILINE)
            if table
            else None
        )
        url = line.group(1) if line else None
    if not url:
        raise NotebookToolError(
            f"{pyproject}: set the repository URL under [project.urls] as Repository = "
            '"https://github.com/OWNER/NAME"'
        )
    return url.rstrip("/").removesuffix(".git")


def colab_url(repo_url: str, path_in_repo: str) -> str:
    """The "Open in Colab" address of a notebook of a GitHub repository."""
    match = re.fullmatch(r"https://github\.com/([^/]+)/([^/]+)", repo_url)
    if not match:
        raise NotebookToolError(
            f"Colab opens notebooks from GitHub only; the repository URL is {repo_url!r}"
        )
    owner, name = match.groups()
    return f"https://colab.research.google.com/github/{owner}/{name}/blob/{BRANCH}/{path_in_repo}"


def colab_badge(repo_url: str, path_in_repo: str) -> str:
    """Markdown for an "Open in Colab" badge (as in each lesson's title cell, or a README table)."""
    badge = "https://colab.research.google.com/assets/colab-badge.svg"
    return f"[![Open In Colab]({badge})]({colab_url(repo_url, path_in_repo)})"


def setup_cell_source(name: str, repo_url: str) -> str:
    """The first code cell of every lesson, identical but for the lesson name (convention 2)."""
    return f'''# Setup: on Google Colab, install this workbook's package (about a minute);
# elsewhere it is installed already.
import subprocess
import sys

# Colab gives every notebook a fresh machine: keep the models lessons train in your Google Drive
# (Colab asks for permission once), so that later lessons load them instead of training them again.
KEEP_MODELS_IN_DRIVE = True

if "google.colab" in sys.modules:
    package = "sbert-lab[{PIP_EXTRA}] @ git+{repo_url}"
    subprocess.run([sys.executable, "-m", "pip", "install", "-q", package], check=True)

import sbert_lab as sl
from sbert_lab import course

lesson = course.lesson.start(
    "{name}",
    keep_models_in_drive=KEEP_MODELS_IN_DRIVE,
)'''


# -- reading and comparing -------------------------------------------------------------------------
def read_source(path: Path):
    """A lesson's .py read with notebooks/jupytext.toml, as a notebook (no outputs)."""
    import jupytext
    from jupytext.config import load_jupytext_config

    try:
        return jupytext.read(
            path, fmt="py:percent", config=load_jupytext_config(str(path.resolve()))
        )
    except Exception as err:  # jupytext raises many types for a malformed file
        raise NotebookToolError(
            f"{path}: cannot be read as a jupytext percent notebook: {err}"
        ) from err


def read_ipynb(path: Path):
    import nbformat

    try:
        return nbformat.read(path, as_version=4)
    except Exception as err:
        raise NotebookToolError(f"{path}: cannot be read as a notebook: {err}") from err


def tags(cell) -> list[str]:
    return list(cell.get("metadata", {}).get("tags", []))


def cell_key(cell) -> tuple[str, str, tuple[str, ...]]:
    """What must agree between the two files of a pair: cell type, source and tags."""
    return cell.cell_type, cell.source, tuple(tags(cell))


def cell_differences(expected, actual, expected_name: str, actual_name: str) -> list[str]:
    """Human-readable differences between two notebooks' cells (empty when they hold the same
    cells)."""
    want, got = [cell_key(c) for c in expected.cells], [cell_key(c) for c in actual.cells]
    if want == got:
        return []
    problems = []
    if len(want) != len(got):
        problems.append(f"{expected_name} has {len(want)} cells, {actual_name} has {len(got)}")
    for index, (a, b) in enumerate(zip(want, got, strict=False), start=1):
        if a != b:
            problems.append(_describe_difference(index, a, b, expected_name, actual_name))
        if len(problems) >= 5:
            problems.append("(more differences not shown)")
            break
    return problems


def _describe_difference(index: int, a: tuple, b: tuple, a_name: str, b_name: str) -> str:
    if a[0] != b[0]:
        return f"cell {index}: a {a[0]} cell in {a_name}, a {b[0]} cell in {b_name}"
    if a[1] != b[1]:
        diff = difflib.unified_diff(
            a[1].splitlines(), b[1].splitlines(), a_name, b_name, lineterm="", n=1
        )
        return f"cell {index}: different source\n      " + "\n      ".join(list(diff)[2:12])
    return f"cell {index}: different tags, {list(a[2])} in {a_name} vs {list(b[2])} in {b_name}"


def code_cells(notebook) -> list:
    return [c for c in notebook.cells if c.cell_type == "code"]


def is_checked(cell) -> bool:
    """Whether nbval compares this cell's output (a ``# NBVAL_CHECK_OUTPUT`` line or the
    nbval-check-output tag)."""
    if cell.cell_type != "code":
        return False
    marked = any(
        line.strip().lstrip("#").strip() == CHECK_OUTPUT_MARKER for line in cell.source.splitlines()
    )
    return marked or "nbval-check-output" in tags(cell)


def assign_stable_ids(notebook) -> None:
    """Give each cell an id derived from its content (in place), so regenerating changes no id.

    jupytext gives new cells random ids; these would change every file on every ``sync``.
    """
    seen: dict[str, int] = {}
    for cell in notebook.cells:
        key = f"{cell.cell_type}\0{cell.source}"
        seen[key] = seen.get(key, 0) + 1
        cell.id = hashlib.sha1(f"{key}\0{seen[key]}".encode()).hexdigest()[:8]


SOURCE_HASH_KEY = "source_sha1"  # cell metadata: the source that produced the stored outputs
MACHINE_OUTPUT_TYPES = ("application/vnd.jupyter.widget-view+json",)  # progress bars, sliders


def source_hash(cell) -> str:
    """A short hash of a cell's source: stored beside its outputs, so that ``check`` can tell when
    the outputs were produced by another source."""
    return hashlib.sha1(cell.source.encode("utf-8")).hexdigest()[:12]


def store_outputs(notebook, everything: bool = True, root: Path | None = None) -> None:
    """Keep what a reader of the stored notebook should see (in place).

    Every code cell keeps its outputs (``everything=False``: only the cells nbval compares), less
    what depends on the machine or the moment rather than the lesson: progress-bar and other widget
    outputs, the stderr stream (warnings, plain progress bars), run timestamps, and the checkout's
    own folder (``root``) in printed paths, which become relative to it. A cell that keeps
    outputs records the hash of its source (``SOURCE_HASH_KEY``). nbval skips a stored output whose
    cell has no execution count ("unrun"), so a kept output gets one: the cell's position among the
    code cells, which stays the same from run to run.
    """
    for number, cell in enumerate(code_cells(notebook), start=1):
        cell.metadata.pop("execution", None)
        if everything or is_checked(cell):
            cell.outputs = [o for o in cell.outputs if _is_lesson_output(o)]
        else:
            cell.outputs = []
        cell.execution_count = number if cell.outputs else None
        for output in cell.outputs:
            if "execution_count" in output:
                output.execution_count = cell.execution_count
            if root is not None:
                _relative_paths(output, f"{root}{os.sep}")
        if cell.outputs:
            cell.metadata[SOURCE_HASH_KEY] = source_hash(cell)
        else:
            cell.metadata.pop(SOURCE_HASH_KEY, None)


def _relative_paths(output, prefix: str) -> None:
    """Drop ``prefix`` (the checkout's folder) from the printed text of ``output`` (in place)."""
    if output.get("output_type") == "stream":
        output.text = output.text.replace(prefix, "")
    elif "text/plain" in output.get("data", {}):
        output.data["text/plain"] = output.data["text/plain"].replace(prefix, "")


def _is_lesson_output(output) -> bool:
    if output.get("output_type") == "stream":
        return output.get("name") != "stderr"
    data = output.get("data", {})
    return not any(kind in data for kind in MACHINE_OUTPUT_TYPES)


def drop_stale_outputs(notebook) -> None:
    """Clear (in place) the outputs of every cell that ``stale_outputs`` names."""
    for number in stale_outputs(notebook):
        cell = notebook.cells[number - 1]
        cell.outputs, cell.execution_count = [], None
        cell.metadata.pop(SOURCE_HASH_KEY, None)


def stale_outputs(notebook) -> list[int]:
    """Numbers of the cells whose stored outputs were produced by a source other than theirs."""
    return [
        index + 1
        for index, cell in enumerate(notebook.cells)
        if cell.cell_type == "code"
        and cell.get("outputs")
        and cell.metadata.get(SOURCE_HASH_KEY) != source_hash(cell)
    ]


# -- conventions (notebooks/README.md) -------------------------------------------------------------
def convention_problems(notebook, name: str, repo_url: str) -> list[str]:
    """What breaks the conventions of notebooks/README.md in a lesson notebook (empty when none)."""
    problems = []
    if notebook.metadata.get("kernelspec", {}).get("name") != "python3":
        problems.append("the '# ---' header must carry kernelspec name python3")
    cells = notebook.cells
    if not cells or cells[0].cell_type != "markdown":
        problems.append("the first cell must be a markdown title cell")
    elif colab_url(repo_url, f"notebooks/{name}.ipynb") not in cells[0].source:
        problems.append(
            f"the title cell must link to {colab_url(repo_url, f'notebooks/{name}.ipynb')} (run "
            "sync)"
        )
    code = code_cells(notebook)
    expected_setup = setup_cell_source(name, repo_url)
    if not code or code[0].source != expected_setup:
        got = code[0].source if code else ""
        diff = difflib.unified_diff(
            expected_setup.splitlines(), got.splitlines(), "expected", "found", lineterm="", n=0
        )
        problems.append(
            "the first code cell must be the setup cell of notebooks/README.md:\n      "
            + "\n      ".join(list(diff)[2:14])
        )
    problems += _exercise_problems(cells)
    problems += _understanding_problems(cells)
    problems += long_range_problems(code)
    sources = "\n".join(c.source for c in code)
    if "lesson.save()" not in sources:
        problems.append("no code cell calls lesson.save()")
    if "plt.show()" not in sources:
        problems.append("no plot: no code cell calls plt.show()")
    if re.search(r"^\s*(from tqdm import|import tqdm\b)", sources, flags=re.MULTILINE):
        problems.append("use tqdm.auto (from tqdm.auto import tqdm): plain tqdm writes to stderr")
    if re.search(r"profile\.name\s*(==|!=|in\b)", sources):
        problems.append(
            "a cell branches on the profile name; size things with lesson.profile's fields instead"
        )
    return problems


UNDERSTANDING_HEADING = "## Check your understanding"
UNDERSTANDING_QUESTIONS = (3, 5)  # fewest and most questions, each answer in a <details> block
_UNDERSTANDING = re.compile(r"^##\s+Check your understanding\s*$", flags=re.MULTILINE)


def _understanding_problems(cells) -> list[str]:
    """The lesson's questions: one markdown cell headed ``## Check your understanding`` holding
    3-5 answers, each in its own ``<details>`` block (notebooks/README.md, convention 5)."""
    fewest, most = UNDERSTANDING_QUESTIONS
    wanted = (
        f"no '{UNDERSTANDING_HEADING}' section with {fewest}-{most} questions (each answer in "
        "<details>)"
    )
    sections = [c for c in cells if c.cell_type == "markdown" and _UNDERSTANDING.search(c.source)]
    if not sections:
        return [wanted]
    if len(sections) > 1:
        return [f"{len(sections)} markdown cells are headed '{UNDERSTANDING_HEADING}': keep one"]
    opened = len(re.findall(r"<details\b", sections[0].source, flags=re.IGNORECASE))
    closed = len(re.findall(r"</details\s*>", sections[0].source, flags=re.IGNORECASE))
    if opened != closed:
        return [
            f"the '{UNDERSTANDING_HEADING}' section opens {opened} <details> blocks and closes "
            f"{closed}"
        ]
    if not fewest <= opened <= most:
        return [
            f"the '{UNDERSTANDING_HEADING}' section must hold {fewest}-{most} questions, each "
            f"answer in <details>: it holds {opened}"
        ]
    return []


def _exercise_problems(cells) -> list[str]:
    solutions = [
        i for i, c in enumerate(cells) if c.cell_type == "code" and SOLUTION_TAG in tags(c)
    ]
    if not solutions:
        return ['no exercise: tag the cell holding the student\'s code "solution"']
    problems = []
    for index in solutions:
        check_index = next(
            (j for j in range(index + 1, len(cells)) if cells[j].cell_type == "code"), None
        )
        if check_index is None or "course.lesson.check(" not in cells[check_index].source:
            problems.append(
                f"cell {index + 1} (solution) must be followed by a self-check cell calling "
                "course.lesson.check(...)"
            )
            continue
        problems += _uses_of_exercise_names(cells, index, check_index)
    return problems


def _uses_of_exercise_names(cells, solution: int, check: int) -> list[str]:
    """Later cells must not read names that only the exercise (solution or self-check) made.

    In the student copy the solution is a stub and a failing self-check stops half-way, so such a
    name would be missing or wrong there; the lesson must go on without it.
    """
    exercise = _bound_names(cells[solution].source) | _bound_names(cells[check].source)
    made = exercise - _bound_names(cells[solution].source, imports_only=True)
    problems = []
    for index in range(check + 1, len(cells)):
        if cells[index].cell_type != "code" or not made:
            continue
        try:
            statements = ast.parse(cells[index].source).body
        except SyntaxError:
            continue
        for statement in statements:
            # a name the statement binds itself (a loop variable, a comprehension's) is its own
            read = {
                n.id
                for n in ast.walk(statement)
                if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)
            }
            read -= _bound_names_of(statement, deep=True)
            for name in sorted(read & made):
                problems.append(
                    f"cell {index + 1} reads {name!r}, made by the exercise in cells "
                    f"{solution + 1}-{check + 1}: in the student copy it may not exist; make it "
                    "again (or under another name) before using it"
                )
            made -= _bound_names_of(statement)
            made -= read  # one message per name
    return problems


def _bound_names(source: str, imports_only: bool = False) -> set[str]:
    """Names the cell ``source`` binds at its top level (only its imports when ``imports_only``)."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return set()
    statements = [
        s for s in tree.body if not imports_only or isinstance(s, (ast.Import, ast.ImportFrom))
    ]
    return set().union(*(_bound_names_of(statement) for statement in statements))


def _bound_names_of(statement: ast.stmt, deep: bool = False) -> set[str]:
    """Names a statement binds in the cell's scope (assignments, for targets, with ... as, def,
    class, import); ``deep`` adds those bound inside a function's body too."""
    if isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) and not deep:
        return {statement.name}
    names = {
        n.id
        for n in ast.walk(statement)
        if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)
    }
    names |= {n.arg for n in ast.walk(statement) if isinstance(n, ast.arg)} if deep else set()
    if isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        names.add(statement.name)
    if isinstance(statement, (ast.Import, ast.ImportFrom)):
        names |= {(alias.asname or alias.name).split(".")[0] for alias in statement.names}
    return names


# -- state a reader can follow ---------------------------------------------------------------------
NEAR_CELLS = 5  # a code cell reads names made at most this many code cells before it
SETUP_CELLS = 2  # the setup cell and the imports cell: what they make is there for the whole lesson


def long_range_problems(code) -> list[str]:
    """Reads of a name made more than ``NEAR_CELLS`` code cells earlier, and functions that read
    notebook globals (empty when there are none).

    A student re-runs one cell, or reads it alone, and must find where each of its names comes from
    within a screen or two; a function that reads a global changes its answer when a distant cell
    rebinds that global. Exempt: what the first ``SETUP_CELLS`` code cells make (``lesson``,
    ``profile``, modules), every import, and UPPER_CASE constants. A value needed far away is made
    again in the cell that uses it (loaded, rebuilt, or read back with ``lesson.measured``).
    """
    made: dict[str, int] = {}  # name -> code-cell index of its latest binding
    functions: set[str] = set()
    exempt: set[str] = set()
    problems = []
    for index, cell in enumerate(code):
        try:
            statements = ast.parse(cell.source).body
        except SyntaxError:
            continue
        bound_here: set[str] = set()
        reported: set[str] = set()  # one problem per name and cell
        for statement in statements:
            if isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef)):
                problems += _globals_read_by(statement, index, set(made) - exempt - functions)
            else:
                read = _names_read(statement) - bound_here - exempt - reported
                far = sorted(n for n in read if n in made and index - made[n] > NEAR_CELLS)
                reported |= set(far)
                for name in far:
                    problems.append(
                        f"code cell {index + 1} reads {name!r}, made {index - made[name]} code "
                        f"cells earlier (code cell {made[name] + 1}); make it again in the cell "
                        "that uses it, or within 5 cells before"
                    )
            names = _bound_names_of(statement)
            bound_here |= names
            if isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                functions |= names
            if index < SETUP_CELLS or isinstance(statement, (ast.Import, ast.ImportFrom)):
                exempt |= names
            exempt |= {n for n in names if n.isupper()}
            made.update(dict.fromkeys(names, index))
    return problems


def _names_read(statement: ast.stmt) -> set[str]:
    """Names a statement reads from the cell's scope (not what it binds itself: its loop variables,
    comprehension and function locals)."""
    read = {
        n.id for n in ast.walk(statement) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)
    }
    return read - _bound_names_of(statement, deep=True)


def _globals_read_by(function: ast.FunctionDef, index: int, notebook_values: set[str]) -> list[str]:
    """A problem for each notebook value (not a function, import or constant) that ``function``'s
    body reads instead of taking it as an argument."""
    local = _bound_names_of(function, deep=True) - {function.name}
    read = {
        n.id
        for statement in function.body
        for n in ast.walk(statement)
        if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)
    }
    return [
        f"code cell {index + 1}: function {function.name}() reads the notebook's {name!r}; pass it "
        "as an argument"
        for name in sorted((read - local) & notebook_values)
    ]


# -- student versions ------------------------------------------------------------------------------
def stub_solution(source: str) -> str:
    """The student's version of a solution cell: instructions kept, the answer replaced by a stub.

    Comment lines at the left margin are kept (the instructions); a function keeps its signature
    and docstring and its body becomes ``raise NotImplementedError``; ``name = value`` becomes
    ``name = ...``; imports are kept; anything else becomes a ``# your code here`` line.
    """
    try:
        tree = ast.parse(source)
    except SyntaxError as err:
        raise NotebookToolError(
            f"a solution cell is not valid Python (line {err.lineno}): {err.msg}"
        ) from err
    lines = source.splitlines()
    covered = set()
    pieces: list[tuple[int, int, list[str]]] = []  # (first line, last line, replacement lines)
    for node in tree.body:
        first = min([node.lineno] + [d.lineno for d in getattr(node, "decorator_list", [])])
        covered.update(range(first, node.end_lineno + 1))
        pieces.append((first, node.end_lineno, _stub_statement(node, lines, first)))
    for number, line in enumerate(lines, start=1):
        if number not in covered and line.startswith("#"):
            pieces.append((number, number, [line]))
    out: list[str] = []
    previous_last = None
    for first, last, replacement in sorted(pieces):
        if replacement == [STUB_COMMENT] and out and out[-1] == STUB_COMMENT:
            continue
        # keep the blank lines that separated two pieces (at most 2)
        if previous_last is not None:
            gap = sum(1 for line in lines[previous_last : first - 1] if not line.strip())
            out.extend([""] * min(gap, 2))
        out.extend(replacement)
        previous_last = last
    return "\n".join(out)


def _stub_statement(node: ast.stmt, lines: list[str], first: int) -> list[str]:
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
        body = node.body
        has_docstring = (
            isinstance(body[0], ast.Expr)
            and isinstance(getattr(body[0], "value", None), ast.Constant)
            and isinstance(body[0].value.value, str)
        )
        keep_until = body[0].end_lineno if has_docstring else body[0].lineno - 1
        indent = " " * body[0].col_offset
        header = lines[first - 1 : keep_until]
        return header + [
            f"{indent}{STUB_COMMENT}",
            f'{indent}raise NotImplementedError("exercise: write {node.name} (see the instructions '
            'above)")',
        ]
    if isinstance(node, (ast.Import, ast.ImportFrom)):
        return lines[first - 1 : node.end_lineno]
    if isinstance(node, ast.Assign) and all(isinstance(t, ast.Name) for t in node.targets):
        return [" = ".join(t.id for t in node.targets) + f" = ...  {STUB_COMMENT}"]
    if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
        return [f"{node.target.id}: {ast.unparse(node.annotation)} = ...  {STUB_COMMENT}"]
    return [STUB_COMMENT]


def student_version(notebook, repo_url: str, name: str):
    """A copy of ``notebook`` for students: solutions stubbed, self-checks that let the lesson go
    on,
    no outputs, and the Colab link pointing at the student copy."""
    student = copy.deepcopy(notebook)
    student.metadata = {"kernelspec": notebook.metadata.get("kernelspec", {})}
    teacher_link = colab_url(repo_url, f"notebooks/{name}.ipynb")
    student_link = colab_url(repo_url, f"notebooks/{STUDENT_FOLDER}/{name}.ipynb")
    after_solution = False
    for cell in student.cells:
        cell.source = cell.source.replace(teacher_link, student_link)
        if cell.cell_type != "code":
            continue
        cell.outputs, cell.execution_count = [], None
        cell.metadata = {k: v for k, v in cell.metadata.items() if k == "tags"}
        if SOLUTION_TAG in tags(cell):
            cell.source = stub_solution(cell.source)
            cell.metadata["tags"] = [EXERCISE_TAG if t == SOLUTION_TAG else t for t in tags(cell)]
            after_solution = True
        elif after_solution:  # the self-check of that exercise
            cell.source = lenient_check(cell.source)
            after_solution = False
    return student


LENIENT_CHECK = (
    "with course.lesson.exercise():  # not solved yet? This cell says so, and the lesson goes on"
)


def lenient_check(source: str) -> str:
    """A self-check cell run inside ``course.lesson.exercise()``: Run All goes past an unsolved
    exercise.

    Leading comment lines (``# NBVAL_CHECK_OUTPUT``) stay at the top, where nbval looks for them.
    """
    lines = source.splitlines()
    head = 0
    while head < len(lines) and lines[head].startswith("#"):
        head += 1
    body = ["    " + line if line.strip() else "" for line in lines[head:]]
    wrapped = "\n".join([*lines[:head], LENIENT_CHECK, *body])
    try:
        ast.parse(wrapped)
    except SyntaxError as err:
        raise NotebookToolError(
            f"a self-check cell cannot be wrapped in course.lesson.exercise() (line {err.lineno}): "
            f"{err.msg}"
        ) from err
    return wrapped


# -- commands --------------------------------------------------------------------------------------
def binder_url(repo_url: str, path_in_repo: str | None = None) -> str:
    """The mybinder.org address that opens JupyterLab on ``path_in_repo`` (default: the lesson
    list)."""
    match = re.fullmatch(r"https://github\.com/([^/]+)/([^/]+)", repo_url)
    if not match:
        raise NotebookToolError(
            f"Binder badges are built for GitHub repositories; the repository URL is {repo_url!r}"
        )
    owner, name = match.groups()
    where = path_in_repo or "notebooks"
    return f"https://mybinder.org/v2/gh/{owner}/{name}/{BRANCH}?urlpath=lab/tree/{where}"


# -- the README's lesson table ---------------------------------------------------------------------
README_START, README_END = "<!-- lessons:start -->", "<!-- lessons:end -->"
_TITLE = re.compile(r"^# # (?:Lesson \d+\s*[—-]\s*)?(.+)$", re.MULTILINE)


def lesson_title(source: Path) -> str:
    """The title of a lesson: its first markdown heading, without the "Lesson N —" prefix."""
    match = _TITLE.search(source.read_text(encoding="utf-8"))
    if not match:
        raise NotebookToolError(
            f"{source}: the first cell must start with a '# Lesson N — title' heading"
        )
    return match.group(1).strip()


def readme_lesson_table(root: Path, repo_url: str) -> str:
    """Markdown table of every lesson: the worked notebook with its Colab and Binder badges, and the
    student copy (exercises to fill in) with its own two badges, all built from ``repo_url``."""
    rows = [
        "| # | lesson | worked notebook (every output of an offline run) | Colab (GPU) "
        "| Binder (CPU) | student copy (blank, exercises to fill in): Colab | Binder |",
        "|---|---|---|---|---|---|---|",
    ]
    for source in lesson_sources(root):
        path = f"notebooks/{source.stem}.ipynb"
        student = f"notebooks/{STUDENT_FOLDER}/{source.stem}.ipynb"
        rows.append(
            f"| {source.stem[:2]} | {lesson_title(source)} | [`{source.stem}`]({path}) | "
            f"{colab_badge(repo_url, path)} | {_binder_badge(repo_url, path)} | "
            f"{colab_badge(repo_url, student)} | {_binder_badge(repo_url, student)} |"
        )
    return "\n".join(rows)


def _binder_badge(repo_url: str, path: str) -> str:
    return f"[![Binder](https://mybinder.org/badge_logo.svg)]({binder_url(repo_url, path)})"


def readme_with_lessons(root: Path, repo_url: str) -> str:
    """README.md with the text between the lesson markers replaced by the current lesson table."""
    readme = root / "README.md"
    text = readme.read_text(encoding="utf-8")
    if README_START not in text or README_END not in text:
        raise NotebookToolError(f"{readme}: needs the markers {README_START} and {README_END}")
    head, rest = text.split(README_START, 1)
    _, tail = rest.split(README_END, 1)
    return f"{head}{README_START}\n{readme_lesson_table(root, repo_url)}\n{README_END}{tail}"


def rewrite_repository_url(text: str, repo_url: str) -> str:
    """Point every setup cell's install line and every Colab link in a lesson's text at
    ``repo_url``."""
    text = _GIT_URL.sub(f"sbert-lab[{PIP_EXTRA}] @ git+{repo_url}", text)
    return _COLAB_LINK.sub(lambda m: colab_url(repo_url, m.group(1)), text)


def sync(root: Path, names: list[str] | None = None, log=print) -> list[Path]:
    """Regenerate each lesson's .ipynb and student version from its .py; return the files written.

    Outputs stored in the .ipynb are kept for cells whose source did not change (``store_outputs``);
    a changed cell loses its outputs until the next ``run --inplace``. The .py itself is rewritten
    only to update the repository URL.
    """
    from jupytext.combine import combine_inputs_with_outputs

    repo_url = repository_url(root)
    written = []
    for source in lesson_sources(root, names):
        text = source.read_text(encoding="utf-8")
        updated = rewrite_repository_url(text, repo_url)
        if updated != text:
            source.write_text(updated, encoding="utf-8")
            written.append(source)
        notebook = read_source(source)
        target = source.with_suffix(".ipynb")
        if target.exists():
            notebook = combine_inputs_with_outputs(notebook, read_ipynb(target))
        drop_stale_outputs(notebook)  # a cell whose source changed loses its outputs
        store_outputs(notebook)
        student = student_version(notebook, repo_url, source.stem)
        for path, content in ((target, notebook), (student_path(source), student)):
            if _write_if_changed(path, content):
                written.append(path)
    return _finish(root, repo_url, names, written, log, "everything was up to date")


def write_students(root: Path, names: list[str] | None = None, log=print) -> list[Path]:
    """Write notebooks/student/NN_topic.ipynb for each lesson (from its .py); return those that
    changed."""
    repo_url = repository_url(root)
    written = []
    for source in lesson_sources(root, names):
        student = student_version(read_source(source), repo_url, source.stem)
        if _write_if_changed(student_path(source), student):
            written.append(student_path(source))
    return _finish(root, repo_url, names, written, log, "every student version was up to date")


def _finish(root: Path, repo_url: str, names, written: list[Path], log, nothing: str) -> list[Path]:
    """Update the README's lesson table (on a run over every lesson) and say what was written."""
    if not names and _update_readme_lessons(root, repo_url):
        written.append(root / "README.md")
    for path in written:
        log(f"wrote {path.relative_to(root)}")
    if not written:
        log(nothing)
    return written


def _update_readme_lessons(root: Path, repo_url: str) -> bool:
    """Rewrite README.md's lesson table (with its Colab and Binder badges); True when it changed."""
    readme = root / "README.md"
    if not readme.exists():
        return False
    updated = readme_with_lessons(root, repo_url)
    if updated == readme.read_text(encoding="utf-8"):
        return False
    readme.write_text(updated, encoding="utf-8")
    return True


def _write_if_changed(path: Path, notebook) -> bool:
    """Write ``notebook`` as .ipynb to ``path`` unless the file already holds exactly that."""
    import jupytext

    assign_stable_ids(notebook)
    text = jupytext.writes(notebook, fmt="ipynb")
    if path.exists() and path.read_text(encoding="utf-8") == text:
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return True


def lesson_problems(source: Path, repo_url: str) -> list[str]:
    """Everything ``check`` reports about one lesson (empty when it is in order)."""
    notebook = read_source(source)
    problems = convention_problems(notebook, source.stem, repo_url)
    ipynb = source.with_suffix(".ipynb")
    if not ipynb.exists():
        problems.append(f"{ipynb.name} is missing (run sync)")
    else:
        paired = read_ipynb(ipynb)
        differences = cell_differences(notebook, paired, source.name, ipynb.name)
        problems += [f"{d} (run sync)" for d in differences]
        stale = stale_outputs(paired)
        if stale:
            problems.append(
                f"cells {stale} hold outputs produced by another version of their source (run: "
                f"python -m tools.notebooks run --inplace {source.stem})"
            )
        if not differences:
            unstored = [
                i + 1 for i, c in enumerate(paired.cells) if is_checked(c) and not c.get("outputs")
            ]
            if unstored:
                problems.append(
                    f"cells {unstored} are marked {CHECK_OUTPUT_MARKER} but have no stored output "
                    f"(run: python -m tools.notebooks run --inplace {source.stem})"
                )
    student = student_path(source)
    if not student.exists():
        problems.append(f"{student.relative_to(source.parent)} is missing (run sync)")
    else:
        expected = student_version(notebook, repo_url, source.stem)
        if cell_differences(expected, read_ipynb(student), "expected", student.name):
            problems.append(f"{student.relative_to(source.parent)} is out of date (run sync)")
    return problems


def check(root: Path, names: list[str] | None = None, log=print) -> dict[str, list[str]]:
    """Problems of every lesson, by lesson name; empty when all pairs, conventions and student
    copies are in order."""
    repo_url = repository_url(root)
    sources = lesson_sources(root, names)
    report = {source.stem: lesson_problems(source, repo_url) for source in sources}
    for name, problems in report.items():
        log(f"{'FAIL' if problems else 'ok  '}  {name}")
        for problem in problems:
            log(f"      - {problem}")
    if not sources:
        log(f"no lessons found in {root / 'notebooks'}")
    if not names and (root / "README.md").exists():
        readme = root / "README.md"
        if readme_with_lessons(root, repo_url) != readme.read_text(encoding="utf-8"):
            report["README.md"] = [
                "the lesson table (Colab / Binder badges) is out of date (run sync)"
            ]
            log("FAIL  README.md\n      - the lesson table is out of date (run sync)")
    return {name: problems for name, problems in report.items() if problems}


# -- running ---------------------------------------------------------------------------------------
# Run in the kernel after the last cell: peak resident memory (bytes) and CPU seconds of the kernel.
_USAGE_PROBE = """\
import resource, sys
_usage = resource.getrusage(resource.RUSAGE_SELF)
_bytes = _usage.ru_maxrss * (1 if sys.platform == "darwin" else 1024)
print(_bytes, _usage.ru_utime + _usage.ru_stime)"""


@dataclass
class RunResult:
    """How one notebook's run went."""

    name: str
    seconds: float  # wall clock, kernel start included
    peak_mib: float | None  # peak resident memory of the kernel
    cpu_seconds: float | None = (
        None  # CPU time of the kernel: steadier than wall time on a busy machine
    )
    error: str | None = None  # "cell N: <last line of the error>"
    slowest_cells: list[tuple[int, float]] = field(default_factory=list)  # (cell number, seconds)
    cell_seconds: list[tuple[int, float]] = field(default_factory=list)  # every cell, in order


def run_notebook(
    path: Path, profile: str | None, timeout: int = 600, notebook=None
) -> tuple[RunResult, object]:
    """Execute ``path`` top to bottom in a fresh kernel (cwd: its folder) under ``profile``.

    Returns the result (wall seconds including kernel start, peak resident memory of the kernel)
    and the executed notebook. ``profile=None`` leaves the choice to the environment.
    """
    import nbformat
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError, CellTimeoutError

    notebook = notebook if notebook is not None else read_ipynb(path)
    env = dict(os.environ)
    if profile:
        env["SBERT_LAB_PROFILE"] = profile
    if profile in ("offline", "smoke"):  # never downloads: fail fast instead of retrying the hub
        env.setdefault("HF_HUB_OFFLINE", "1")
    client = NotebookClient(
        notebook,
        timeout=timeout,
        kernel_name="python3",
        record_timing=False,
        resources={"metadata": {"path": str(path.parent)}},
    )
    started = time.perf_counter()
    error, peak, cpu_seconds, cell_seconds = None, None, None, []
    with client.setup_kernel(env=env):
        try:
            for index, cell in enumerate(notebook.cells):
                cell_started = time.perf_counter()
                client.execute_cell(cell, index)
                cell_seconds.append((time.perf_counter() - cell_started, index + 1))
        except (CellExecutionError, CellTimeoutError) as err:
            error = f"cell {index + 1}: " + str(err).strip().splitlines()[-1][:300]
        probe = nbformat.v4.new_code_cell(_USAGE_PROBE)
        notebook.cells.append(probe)  # nbclient executes cells of its notebook only
        try:
            client.execute_cell(probe, len(notebook.cells) - 1)
        finally:
            notebook.cells.pop()
        texts = [o.get("text", "") for o in probe.outputs if o.get("output_type") == "stream"]
        if texts and re.fullmatch(r"\d+ [\d.]+", texts[0].strip()):
            peak_bytes, cpu = texts[0].split()
            peak, cpu_seconds = int(peak_bytes) / 2**20, float(cpu)
    seconds = time.perf_counter() - started
    slowest = sorted(cell_seconds, reverse=True)[:3]
    slowest_cells = [(i, round(s, 1)) for s, i in slowest]
    every_cell = [(i, round(s, 1)) for s, i in cell_seconds]
    result = RunResult(path.stem, seconds, peak, cpu_seconds, error, slowest_cells, every_cell)
    return result, notebook


def run(
    root: Path,
    names: list[str] | None,
    profile: str | None,
    inplace: bool = False,
    timeout: int = 600,
    report: Path | None = None,
    log=print,
) -> list[RunResult]:
    """Run lessons (all when ``names`` is empty); print wall and CPU seconds and peak memory for
    each.

    ``inplace`` (offline profile only, what CI runs) regenerates each .ipynb from its .py, runs it,
    and stores its outputs (``store_outputs``): the worked notebooks show an offline run.
    """
    if inplace and profile != "offline":
        raise NotebookToolError(
            "run --inplace stores the outputs of an offline run (what CI runs and nbval "
            "compares), so it runs the offline profile only (--profile offline)"
        )
    results = []
    for source in lesson_sources(root, names):
        target = source.with_suffix(".ipynb")
        if inplace:
            sync(root, [source.stem], log=lambda _: None)
        elif not target.exists():
            raise NotebookToolError(f"{target} is missing (run sync first)")
        log(f"running {target.relative_to(root)} (profile {profile or 'from the environment'}) ...")
        result, executed = run_notebook(target, profile, timeout)
        results.append(result)
        peak = f"{result.peak_mib:5.0f} MiB" if result.peak_mib is not None else "  n/a"
        cpu = f"{result.cpu_seconds:5.1f} s" if result.cpu_seconds is not None else "  n/a"
        status = f"FAILED at {result.error}" if result.error else "ok"
        log(f"  {result.name:<40} {result.seconds:6.1f} s wall  {cpu} CPU  peak {peak}  {status}")
        log("  slowest cells: " + ", ".join(f"#{i} {s:.1f} s" for i, s in result.slowest_cells))
        if inplace and not result.error:
            store_outputs(executed, root=root)
            if _write_if_changed(target, executed):
                log(f"  stored the outputs in {target.relative_to(root)}")
    if report:
        rows = [
            {
                "notebook": r.name,
                "profile": profile,
                "seconds": round(r.seconds, 1),
                "peak_mib": None if r.peak_mib is None else round(r.peak_mib),
                "cpu_seconds": None if r.cpu_seconds is None else round(r.cpu_seconds, 1),
                "error": r.error,
                "slowest_cells": r.slowest_cells,
                "cell_seconds": r.cell_seconds,
            }
            for r in results
        ]
        report.write_text(json.dumps(rows, indent=2) + "\n")
        log(f"wrote {report}")
    return results


# -- command line ----------------------------------------------------------------------------------
def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m tools.notebooks", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument("--root", help="repository root (default: found from the current folder)")
    commands = parser.add_subparsers(dest="command", required=True)
    for name, text in (
        ("sync", "regenerate .ipynb and student versions from the .py sources"),
        ("check", "fail when a pair differs, a convention is broken or a student version is stale"),
        ("student", "write notebooks/student/ (solutions replaced by stubs)"),
    ):
        sub = commands.add_parser(name, help=text)
        sub.add_argument("lessons", nargs="*", help="lesson numbers or names (default: all)")
    runner = commands.add_parser("run", help="execute lessons; report seconds and peak memory")
    runner.add_argument("lessons", nargs="*", help="lesson numbers or names (default: all)")
    runner.add_argument(
        "--profile",
        choices=("gpu", "cpu", "offline", "smoke"),
        help="default: $SBERT_LAB_PROFILE, else automatic; offline with --inplace",
    )
    runner.add_argument(
        "--inplace", action="store_true", help="store the outputs nbval compares (offline profile)"
    )
    runner.add_argument(
        "--timeout", type=int, default=600, help="seconds allowed per cell (default 600)"
    )
    runner.add_argument("--report", type=Path, help="also write the timings as JSON to this file")
    args = parser.parse_args(argv)
    try:
        root = find_root(args.root)
        if args.command == "sync":
            sync(root, args.lessons)
        elif args.command == "student":
            write_students(root, args.lessons)
        elif args.command == "check":
            return 1 if check(root, args.lessons) else 0
        elif args.command == "run":
            profile = args.profile or ("offline" if args.inplace else None)
            results = run(root, args.lessons, profile, args.inplace, args.timeout, args.report)
            return 1 if any(r.error for r in results) else 0
    except NotebookToolError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
