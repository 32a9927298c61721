"""Build common-passwords-fr.txt.gz from the zxcvbn-ts packages (see README.md beside this file).

    npm pack @zxcvbn-ts/language-common@4.1.3 @zxcvbn-ts/language-fr@4.1.2
    mkdir common fr
    tar xzf zxcvbn-ts-language-common-4.1.3.tgz -C common
    tar xzf zxcvbn-ts-language-fr-4.1.2.tgz -C fr
    python incubator/data/build_common_passwords.py common/package fr/package

Writes one lowercase entry a line, sorted, without accents doubled by their plain form, and
without entries shorter than 4 characters (too short to matter: the minimum length is 12).
"""

import gzip
import json
import sys
import unicodedata
from pathlib import Path

MIN_LENGTH = 4
OUTPUT = Path(__file__).resolve().parent / "common-passwords-fr.txt.gz"


def plain(word):
    """``été`` -> ``ete``: accents are seldom typed in passwords."""
    return "".join(c for c in unicodedata.normalize("NFKD", word) if not unicodedata.combining(c))


def entries(common_dir, french_dir):
    words = json.loads((Path(common_dir) / "src" / "passwords.json").read_text())
    for name in ("firstnames", "lastnames", "commonWords"):
        words += json.loads((Path(french_dir) / "src" / f"{name}.json").read_text())
    found = set()
    for word in words:
        word = word.strip().lower()
        found.update({word, plain(word)})
    return sorted(word for word in found if len(word) >= MIN_LENGTH)


def main(common_dir, french_dir):
    found = entries(common_dir, french_dir)
    # mtime=0: the same packages give the same bytes.
    with OUTPUT.open("wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0) as archive:
        archive.write("".join(f"{word}\n" for word in found).encode())
    print(f"{len(found)} entries written to {OUTPUT}")


if __name__ == "__main__":
    main(*sys.argv[1:3])
