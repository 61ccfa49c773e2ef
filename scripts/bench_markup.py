"""What carrying markup costs, on the opus-mt-fr-en-shaped model (scripts/bench.py's:
random weights, real dimensions; outputs forced to 1.2 x the source, as there).

    python scripts/bench_markup.py [--pages 30] [--pdf-pages 20] [--synthetic 100] [--json FILE]

* alignment: the synthetic corpus translated, then its attention read for alignment
  (``Seq2SeqModel.align``, the step inline markup and Word runs need), each timed; the
  share is alignment time over translation time.
* word: a Word document of ``--pages`` pages (12 paragraphs of 3 synthetic sentences a
  page, a bold or italic run in every other paragraph, a table every page), through
  ``translate_document``'s steps, each timed (the memory off): reading, translating,
  aligning, writing.

Alignment reads the attention the beam search returned with each output (CTranslate2's
``return_attention``), so it costs no second decode; a decode forced along an English
the memory gave back costs about what translating did (``--forced`` times that too).

The random model's English decodes to text that takes about ten times its tokens to
encode again, so the alignment's attention pass is timed on the output ids the model
wrote (what a real translation's length is), the word-path step after it being small.
* pdf: a two-column text PDF of ``--pdf-pages`` pages (tests/pdf_documents.py, written
  line by line across the page), read and translated end to end: seconds reading,
  seconds translating (PDF text carries no markup: nothing is aligned).

CTranslate2 int8 on CPU, beam 4.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "scripts")]

import bench  # noqa: E402  (the benchmark model and corpus)


def word_document(path: Path, pages: int, sentences: list[str]) -> Path:
    """A Word document of ``pages`` pages of ``sentences`` (cycled), formatted runs and a
    table on each page."""
    import docx

    document = docx.Document()
    pick = iter(sentences * (1 + pages * 40 // max(1, len(sentences))))
    for page in range(pages):
        document.add_heading(next(pick), level=1)
        for k in range(12):
            paragraph = document.add_paragraph(next(pick) + " ")
            words = next(pick).split()
            if k % 2:
                run = paragraph.add_run(" ".join(words[:3]))
                run.bold, run.italic = k % 4 == 1, k % 4 == 3
                paragraph.add_run(" " + " ".join(words[3:]) + " ")
            else:
                paragraph.add_run(" ".join(words) + " ")
            paragraph.add_run(next(pick))
        table = document.add_table(rows=2, cols=2)
        for cell in table._cells:
            cell.text = next(pick)
        if page < pages - 1:
            document.add_page_break()
    document.save(str(path))
    return path


def _attention(model, inputs, outputs) -> None:
    """What ``Seq2SeqModel.align`` does past encoding: the attention (from the beam
    search where it kept it), and each pair's word path."""
    from translate_news.seq2seq import alignment
    from translate_news.seq2seq.batching import token_budget_batches

    sizes = [len(i) + len(o) for i, o in zip(inputs, outputs)]
    for batch in token_budget_batches(sizes, model.batch_tokens):
        rows = [inputs[i] for i in batch], [outputs[i] for i in batch]
        for source, target, matrix in zip(*rows, model.backend.attention(*rows)):
            source_words = alignment.piece_words(model.tokenizer.convert_ids_to_tokens(source))
            target_words = alignment.piece_words(model.tokenizer.convert_ids_to_tokens(target))
            alignment.word_links(matrix, source_words, target_words)


def _time(work) -> tuple[float, object]:
    start = time.perf_counter()
    found = work()
    return time.perf_counter() - start, found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=30)
    parser.add_argument("--pdf-pages", type=int, default=20)
    parser.add_argument("--synthetic", type=int, default=100, help="articles of 2 sentences")
    parser.add_argument("--forced", action="store_true", help="time the forced decode too")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args(argv)

    import tempfile

    from translate_news.formats.docx import English, WordPlan

    folder = bench.cached_model()
    translator = bench.forced_translator(folder, memory=False, device="cpu", beams=4)
    sentences = [s for a in bench.corpora(False, args.synthetic)["synthetic"] for s in a]
    model = translator.model
    inputs = model.encode(sentences)
    # The random model's English, decoded to text, takes about ten times its own tokens
    # to encode again: the alignment's attention pass is timed on the output ids the
    # model wrote (as long as a real translation's, 1.2 x the source here), in the same
    # token-budget batches as align makes, beside the beam search that wrote them.
    translated, outputs = _time(lambda: model.generate(inputs, bench._forced))
    took, _ = _time(lambda: _attention(model, inputs, outputs))
    if args.forced:
        forcing, _ = _time(lambda: model.backend._forced(inputs, outputs))
        print(f"forced decode (a translation from the memory): {forcing:.1f} s, "
              f"{100 * forcing / translated:.0f}% of translating")  # fmt: skip
    report: dict = {
        "model": str(translator.signature),
        "alignment": {
            "sentences": len(sentences),
            "translate_s": round(translated, 2),
            "align_s": round(took, 2),
            "share": round(took / translated, 4),
        },
    }
    print(f"alignment: {len(sentences)} sentences, translated in {translated:.1f} s, "
          f"aligned in {took:.2f} s: {100 * took / translated:.1f}%")  # fmt: skip
    with tempfile.TemporaryDirectory() as tmp:
        path = word_document(Path(tmp) / "report.docx", args.pages, sentences)
        raw = path.read_bytes()
        # translate_document's steps, each timed, the alignment on the stand-in.
        planning, plan = _time(lambda: WordPlan(raw, path, 10**9))
        translating, found = _time(lambda: translator.translate_checked(plan.sentences))
        wanted = [plan.sentences[i] for i in plan.aligned]
        ids = model.encode(wanted)
        written = model.generate(ids, bench._forced)
        took, _ = _time(lambda: _attention(model, ids, written))
        english = [English(c.text, None) for c in found]
        finishing, _ = _time(lambda: plan.finish(english))
    whole = planning + translating + took + finishing
    report["word"] = {
        "pages": args.pages,
        "sentences": len(plan.sentences),
        "aligned_sentences": len(plan.aligned),
        "read_s": round(planning, 2),
        "translate_s": round(translating, 2),
        "align_s": round(took, 2),
        "write_s": round(finishing, 2),
        "end_to_end_s": round(whole, 2),
        "align_share_of_translation": round(took / translating, 4),
    }
    share = 100 * took / translating
    print(f"word: {args.pages} pages, {len(plan.sentences)} sentences "
          f"({len(plan.aligned)} aligned), {whole:.1f} s end to end (read {planning:.2f}, "
          f"translate {translating:.1f}, align {took:.2f}, write {finishing:.2f}): "
          f"alignment {share:.1f}% of translation")  # fmt: skip
    with tempfile.TemporaryDirectory() as tmp:
        from tests.pdf_documents import make_pdf
        from translate_news.formats.readers import read_article

        pdf = make_pdf(Path(tmp) / "report.pdf", pages=args.pdf_pages, columns=2)
        reading, article = _time(lambda: read_article(pdf))
        translating, _ = _time(lambda: translator.translate_article(article))
    report["pdf"] = {
        "pages": args.pdf_pages,
        "paragraphs": len(article.paragraphs),
        "read_s": round(reading, 2),
        "translate_s": round(translating, 2),
    }
    print(f"pdf: {args.pdf_pages} two-column pages, {len(article.paragraphs)} paragraphs, "
          f"read in {reading:.2f} s, translated in {translating:.1f} s")  # fmt: skip
    report["machine"] = bench.machine()
    if args.json:
        args.json.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
