"""docs/word.png: a French Word document (tests/word_documents.py: headings, formatted
runs, a list, a table, a header, a footer, a footnote, a link, a picture) translated by
``translate-news translate`` with the toy model, printed by LibreOffice and its first
page drawn by pdftoppm (Debian's libreoffice-writer and poppler-utils).

    python scripts/word_screenshot.py [--models DIR] [--out docs/word.png]
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "scripts")]

from eval_confidence import models  # noqa: E402

from tests.word_documents import make_document  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models", type=Path, help="a folder with marian-toy")
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "word.png")
    args = parser.parse_args(argv)
    for tool in ("soffice", "pdftoppm"):
        if shutil.which(tool) is None:
            sys.exit(
                f"word_screenshot: {tool} is needed "
                "(apt-get install libreoffice-writer poppler-utils)"
            )
    toy = models(args.models) / "marian-toy"
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        source = make_document(work / "report.docx")
        command = [sys.executable, "-m", "translate_news", "translate", str(source), "-m", str(toy)]
        subprocess.run(command, check=True)
        subprocess.run(
            ["soffice", "--headless", "--convert-to", "pdf", "--outdir", folder,
             str(work / "report.en.docx")],
            check=True, capture_output=True, env={"HOME": folder, "PATH": "/usr/bin:/bin"},
        )  # fmt: skip
        subprocess.run(
            ["pdftoppm", "-png", "-r", "80", "-f", "1", "-l", "1", "-singlefile",
             str(work / "report.en.pdf"), str(work / "page")],
            check=True,
        )  # fmt: skip
        shutil.copy(work / "page.png", args.out)
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
