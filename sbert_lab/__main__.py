"""``python -m sbert_lab train ...``: the command line lives in ``sbert_lab.cli``."""

import sys

from .cli import main

if __name__ == "__main__":  # importing this module runs nothing
    sys.exit(main())
