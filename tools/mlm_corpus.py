"""The English corpus the offline raw BERT is pretrained on, from text that installs with no
network.

Sources (Debian packages; ``apt-get install wordnet-base dict-gcide fortunes``):

* WordNet 3.0 glosses and their example sentences (``/usr/share/wordnet/data.*``), WordNet licence;
* GCIDE, the GNU Collaborative International Dictionary of English (1913 Webster and later
  additions), GPL-3+ (``/usr/share/dictd/gcide.dict.dz``);
* the ``fortunes`` collection (``/usr/share/games/fortunes``; the offensive set is not installed);
* the *training* sentences of the data sets this package ships: STS-B train and SICK train. Dev and
  test sentences are never pretrained on, so that the raw model's STS-B test figure is honest.

One line per sentence or definition. ``build_corpus`` returns (train lines, held-out lines): 1 % of
lines, chosen by a hash of the text, are kept back to measure MLM loss and accuracy.
"""

from __future__ import annotations

import gzip
import hashlib
import re
from pathlib import Path

WORDNET = Path("/usr/share/wordnet")
GCIDE = Path("/usr/share/dictd/gcide.dict.dz")
FORTUNES = Path("/usr/share/games/fortunes")
DEBIAN_PACKAGES = ("wordnet-base", "dict-gcide", "fortunes")


def wordnet_lines() -> list[str]:
    """Each synset's gloss, split into its definition and its quoted examples."""
    lines = []
    for part in ("noun", "verb", "adj", "adv"):
        for row in (WORDNET / f"data.{part}").read_text(encoding="latin-1").splitlines():
            if row.startswith("  ") or " | " not in row:
                continue  # licence header
            gloss = row.split(" | ", 1)[1].strip()
            for piece in gloss.split("; "):
                piece = piece.strip().strip('"').strip()
                if len(piece.split()) >= 3:
                    lines.append(piece)
    return lines


_GCIDE_MARKUP = re.compile(r"\\[^\\]*\\|\[[^\]]*\]|--[A-Z][\w. ]*\.?|\{|\}")


def gcide_lines() -> list[str]:
    """GCIDE's definitions: each paragraph joined into one line, pronunciations and sources
    removed."""
    text = gzip.open(GCIDE, "rt", encoding="utf-8", errors="replace").read()
    lines = []
    for paragraph in text.split("\n\n"):
        body = " ".join(line.strip() for line in paragraph.splitlines())
        body = re.sub(r"\s+", " ", _GCIDE_MARKUP.sub(" ", body)).strip(" ,;")
        body = re.sub(r"^\d+\. (\([^)]*\) )?", "", body)
        if len(body.split()) >= 4 and not body.startswith(("00-database", "Syn.")):
            lines.append(body)
    return lines


def fortune_lines() -> list[str]:
    """Every fortune cookie, joined into one line."""
    lines = []
    for path in sorted(FORTUNES.iterdir()):
        if path.suffix in (".dat", ".u8") or path.is_dir() or path.name in ("art", "ascii-art"):
            continue
        for cookie in path.read_text(encoding="utf-8", errors="replace").split("\n%\n"):
            body = re.sub(r"\s+", " ", cookie).strip()
            if len(body.split()) >= 4:
                lines.append(body)
    return lines


def shipped_training_sentences() -> list[str]:
    """The unique sentences of STS-B train and SICK train (never dev or test)."""
    import sbert_lab as sl

    sentences = []
    for name in ("stsb", "sick"):
        for pair in sl.data.load_sts(name, "train"):
            sentences += [pair.s1, pair.s2]
    return list(dict.fromkeys(sentences))


def missing_packages() -> list[str]:
    """Which of ``DEBIAN_PACKAGES`` are not installed (judged by their files)."""
    present = {
        "wordnet-base": (WORDNET / "data.noun").is_file(),
        "dict-gcide": GCIDE.is_file(),
        "fortunes": (FORTUNES / "fortunes").is_file(),
    }
    return [name for name, ok in present.items() if not ok]


def build_corpus() -> tuple[list[str], list[str], dict[str, int]]:
    """(train lines, held-out lines, lines per source); raises naming the Debian packages
    missing."""
    missing = missing_packages()
    if missing:
        raise FileNotFoundError(f"install the corpus first: apt-get install {' '.join(missing)}")
    sources = {
        "wordnet": wordnet_lines(),
        "gcide": gcide_lines(),
        "fortunes": fortune_lines(),
        "stsb+sick train": shipped_training_sentences(),
    }
    train, held_out = [], []
    for lines in sources.values():
        for line in lines:
            digest = hashlib.sha1(line.encode()).digest()[0]
            (held_out if digest < 3 else train).append(line)  # 3/256 ≈ 1.2 % held out
    return train, held_out, {name: len(lines) for name, lines in sources.items()}
