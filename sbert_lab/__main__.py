"""``python -m sbert_lab train ...``: the command line lives in ``sbert_lab.tools.cli``."""

import sys

from .tools.cli import main

sys.exit(main())
