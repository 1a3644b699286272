"""The maintainers' and instructors' tools, run from a checkout (not shipped in the package).

``python -m tools.notebooks`` syncs, checks and runs the lessons (the instructor's tool);
``python -m tools.report`` writes the paper-vs-yours page from ``results/*.json``; the scripts
beside them build the offline raw BERT and the shipped records (``python tools/NAME.py --help``).
The command line students and users run is ``python -m sbert_lab`` (``sbert_lab/cli.py``).
"""
