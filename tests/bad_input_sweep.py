"""Count how sbert_lab answers the bad inputs of tests/bad_input_cases.py (issue 14's sweep).

    python tests/bad_input_sweep.py                 # the sbert_lab that Python imports
    PYTHONPATH=../old-checkout python tests/bad_input_sweep.py   # an older version, same cases

Each case is *clear* when it raises the expected error with a message naming what is at fault,
*unclear* when it raises something else (a traceback from deep inside torch, or the wrong cause),
and *silent* when it returns as if nothing were wrong. A case made with ``answered`` (a bad input
with a right answer, such as k larger than the index) is clear when its result is right, silent
when it is wrong, unclear when it raises. Prints one line per case that is not clear, then the
counts; ``--json FILE`` writes them too.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import tempfile
import warnings
from pathlib import Path

os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
os.environ.setdefault("HF_HUB_OFFLINE", "1")

from bad_input_cases import CASES, Context  # noqa: E402 - beside this script


def classify(case, ctx) -> tuple[str, str]:
    """('clear' | 'unclear' | 'silent', what happened)."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            result = case.run(ctx)
    except BaseException as err:  # noqa: BLE001 - SystemExit from argparse counts as an answer too
        if isinstance(err, KeyboardInterrupt):
            raise
        text = f"{type(err).__name__}: {str(err).splitlines()[0][:160] if str(err) else ''}"
        if isinstance(err, case.expected) and re.search(case.pattern, str(err)):
            return "clear", text
        return "unclear", text
    if case.wrong is not None:
        wrong = case.wrong(result)
        return ("silent", f"wrong result: {wrong}") if wrong else ("clear", "right result")
    return "silent", "no error"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", help="write the counts and each case's answer to this file")
    args = parser.parse_args()
    import sbert_lab

    counts = {"clear": 0, "unclear": 0, "silent": 0}
    answers = {}
    with tempfile.TemporaryDirectory() as scratch:
        ctx = Context(Path(scratch))
        for case in CASES:
            kind, text = classify(case, ctx)
            counts[kind] += 1
            answers[case.name] = [kind, text]
            if kind != "clear":
                print(f"{kind:8s} {case.name}: {text}")
    print(f"sbert_lab from {Path(sbert_lab.__file__).parent}")
    print(
        f"tried {len(CASES)}: clear {counts['clear']}, unclear {counts['unclear']}, silent "
        f"{counts['silent']}"
    )
    if args.json:
        Path(args.json).write_text(
            json.dumps({"counts": counts, "answers": answers}, indent=1) + "\n"
        )


if __name__ == "__main__":
    main()
