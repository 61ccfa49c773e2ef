"""The commands around the work: models, config, doctor and evaluate."""

from __future__ import annotations

import dataclasses
import json
import os
from pathlib import Path
from typing import Annotated, Any

import typer

from translate_news.cli.groups import summary_beside, summary_options, translation_options
from translate_news.cli.shell import app, command, say, show_signature, state
from translate_news.core.errors import InputError, ModelNotFoundError, UsageError
from translate_news.core.options import ComputeType, SummaryOptions, TranslateOptions

# --- models ----------------------------------------------------------------------

models_app = typer.Typer(
    help="Download, list, remove and locate the models translate-news runs.",
    no_args_is_help=True,
)
app.add_typer(models_app, name="models")

NameArg = Annotated[str, typer.Argument(help="An alias (opus-mt-fr-en) or a Hub id.")]


@command(on=models_app, name="download")
def models_download(
    names: Annotated[
        list[str] | None,
        typer.Argument(help="Aliases or Hub ids (default: the translation and summary models)."),
    ] = None,
    folder: Annotated[
        Path | None,
        typer.Option("--dir", help="Where to put them (default: the user models folder)."),
    ] = None,
    compute_type: Annotated[
        ComputeType, typer.Option(help="The CTranslate2 conversion to make once.")
    ] = "int8",
) -> None:
    """Download models from the Hugging Face Hub (resumable, checked whole) and convert
    them for CTranslate2 once, so that later runs need no network.

    Examples:

        translate-news models download

        translate-news models download opus-mt-tc-big-fr-en --dir /srv/models
    """
    from translate_news.seq2seq.convert import conversion_dir, convert_to_ctranslate2
    from translate_news.seq2seq.sources import (
        DEFAULT_MODEL,
        DEFAULT_SUMMARIZER,
        model_fingerprint,
    )
    from translate_news.seq2seq.store import download

    if "HF_HUB_DISABLE_PROGRESS_BARS" in state["set_env"]:  # a download shows its progress
        del os.environ["HF_HUB_DISABLE_PROGRESS_BARS"]
    # huggingface_hub reads that variable once, when first imported: that is now.
    from huggingface_hub import constants
    from huggingface_hub.utils import enable_progress_bars

    if not state["quiet"] and not constants.HF_HUB_DISABLE_PROGRESS_BARS:
        enable_progress_bars()
    for name in names or [DEFAULT_MODEL, DEFAULT_SUMMARIZER]:
        say(f"{name}: downloading into the Hugging Face cache (resumes where it stopped)")
        path, placed = download(name, folder)
        target = conversion_dir(path, model_fingerprint(path), compute_type)
        convert_to_ctranslate2(path, compute_type, target)
        size = sum(f.stat().st_size for f in path.rglob("*") if f.is_file()) / 1e6
        how = "placed" if placed else "already there"
        say(f"{name}: {how} at {path} ({size:.0f} MB with its {compute_type} conversion)")


@command(on=models_app, name="list")
def models_list() -> None:
    """List the models on this machine: where, size, CTranslate2 conversions made, and
    which command uses each.

    Example:

        translate-news models list
    """
    from translate_news.seq2seq.store import list_models

    used = _models_in_use()
    rows = [("MODEL", "WHERE", "SIZE", "CONVERTED", "USED BY")]
    for model in list_models():
        users = ", ".join(role for role, path in used.items() if path == model.path)
        size = f"{model.size / 1e6:.0f} MB"
        converted = ",".join(model.converted) or "-"
        rows.append((model.name, model.where, size, converted, users or "-"))
    if len(rows) == 1:
        say("no models on this machine; translate-news models download fetches them")
        return
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    for row in rows:
        typer.echo("  ".join(cell.ljust(width) for cell, width in zip(row, widths)).rstrip())


def _models_in_use() -> dict[str, Path | None]:
    """The folder each command's model would load from now (None: not on this machine)."""
    from translate_news.seq2seq.sources import SUMMARY, TRANSLATION, local_copy, resolve_model

    roles = (("translate", TRANSLATION), ("summarize", SUMMARY))
    return {name: local_copy(resolve_model(None, role=role)) for name, role in roles}


@command(on=models_app, name="remove")
def models_remove(name: NameArg) -> None:
    """Delete a model from this machine: the models folder, ./models and the Hugging
    Face cache, with its conversions.

    Example:

        translate-news models remove opus-mt-tc-big-fr-en
    """
    from translate_news.seq2seq.store import remove

    for path in remove(name):
        say(f"removed {path}")


@command(on=models_app, name="path")
def models_path(name: NameArg) -> None:
    """Print the folder a model loads from (for scripts).

    Example:

        translate-news models path opus-mt-fr-en
    """
    from translate_news.seq2seq.store import find

    folder = Path(name).expanduser()
    if (folder / "config.json").is_file():  # a local folder is its own place
        typer.echo(str(folder.resolve()))
        return
    copies = find(name)
    if not copies:
        raise ModelNotFoundError(
            f"model '{name}' is not on this machine; translate-news models download {name}"
        )
    typer.echo(str(copies[0].path))


@command(on=models_app, name="shortlist")
def models_shortlist(
    name: Annotated[str, typer.Argument(help="The translation model: alias, Hub id or folder.")],
    corpus: Annotated[
        Path,
        typer.Option(
            help="French articles (a file or folder, as translate reads them), or with "
            "--english, French sentences one per line."
        ),
    ],
    english: Annotated[
        Path | None,
        typer.Option(help="Their English translations, one per line: aligned, not translated."),
    ] = None,
    common: Annotated[
        int, typer.Option(min=0, help="English tokens always allowed (the most frequent).")
    ] = 100,
    per_source: Annotated[
        int, typer.Option(min=1, help="English tokens allowed per French token in a batch.")
    ] = 20,
    device: Annotated[str, typer.Option(help="Where to translate the corpus.")] = "auto",
    beams: Annotated[int | None, typer.Option(min=1, help="Beam size (default: its own).")] = None,
) -> None:
    """Build the model's vocabulary shortlist from French text: translate it with the
    model (or read an existing translation), align subwords with IBM model 1, and keep
    for each French subword its most likely English ones. CTranslate2 then scores only
    those at each step: turn it on with --shortlist (or shortlist = true in the
    configuration file), and measure what it changes with evaluate --agreement.

    Examples:

        translate-news models shortlist opus-mt-fr-en --corpus articles/

        translate-news models shortlist opus-mt-fr-en --corpus train.fr --english train.en
    """
    from translate_news.pipeline.translator import Translator
    from translate_news.pipeline.vocabulary import make_shortlist

    if not corpus.exists():
        raise InputError(f"{corpus}: no such file or folder")
    translator = Translator(name, backend="ctranslate2", device=device, beams=beams, memory=False)
    show_signature("translation", translator.signature)
    made = make_shortlist(
        translator, corpus, english, common=common, per_source=per_source, say=say
    )
    say(
        f"shortlist of {made.french_tokens} French tokens written to {made.path}; one "
        f"sentence of this corpus allows {made.mean_allowed:.0f} of {made.vocabulary} "
        "English tokens on average. Use it with --shortlist."
    )


# --- memory ----------------------------------------------------------------------

memory_app = typer.Typer(
    help="See, export, import and clear the translation memory.", no_args_is_help=True
)
app.add_typer(memory_app, name="memory")

MemoryOption = Annotated[
    Path | None,
    typer.Option("--memory", help="Translation memory file (default: the user cache)."),
]


def _memory(path: Path | None) -> Any:
    from translate_news.core.paths import cache_root
    from translate_news.pipeline.memory import TranslationMemory

    return TranslationMemory(path or cache_root() / "memory.sqlite")


@command(on=memory_app, name="stats")
def memory_stats(memory: MemoryOption = None) -> None:
    """How many translations the memory holds, by what made them.

    Example:

        translate-news memory stats
    """
    from translate_news.pipeline.memory import IMPORTED

    store = _memory(memory)
    counts = store.stats()
    typer.echo(f"{store.path}: {sum(counts.values())} translations")
    for signature, count in counts.items():
        made = "imported: an editor's, for any model" if signature == IMPORTED else signature
        typer.echo(f"{count:>8}  {made}")


@command(on=memory_app, name="export")
def memory_export(
    file: Annotated[Path, typer.Argument(help="The TMX file to write.")],
    memory: MemoryOption = None,
    force: Annotated[bool, typer.Option(help="Overwrite an existing file.")] = False,
) -> None:
    """Write every translation as TMX 1.4 (French and English per unit, with what made
    it), for translation tools and editors.

    Example:

        translate-news memory export memory.tmx
    """
    from translate_news.core.files import write_atomic
    from translate_news.formats.tmx import to_tmx

    store = _memory(memory)
    entries = list(store.entries())
    write_atomic(file, to_tmx(entries), force=force)
    say(f"wrote {len(entries)} translations to {file}")


@command(on=memory_app, name="import")
def memory_import(
    file: Annotated[Path, typer.Argument(help="A TMX file of French and English.")],
    memory: MemoryOption = None,
) -> None:
    """Import translations from a TMX file: an editor's corrections come before any
    model's translation of the same French sentence, whatever the model. A unit whose
    English the memory already holds for that sentence is left as it was (so exporting,
    correcting one sentence and importing makes one correction); a model's translation
    from another memory's export stays that model's.

    Example:

        translate-news memory import corrected.tmx
    """
    from translate_news.formats.tmx import read_tmx

    units = read_tmx(file)
    if not units:
        raise InputError(f"{file}: no translation unit with both French and English")
    store = _memory(memory)
    corrections, added = store.merge(units)
    same = len(units) - corrections - added
    say(
        f"imported {corrections} corrections from {file}; they take precedence"
        + (f"; {added} model translations added" if added else "")
        + (f"; {same} already held, left as they were" if same else "")
    )


@command(on=memory_app, name="clear")
def memory_clear(
    memory: MemoryOption = None,
    yes: Annotated[bool, typer.Option("--yes", help="Do it (nothing is cleared without).")] = False,
) -> None:
    """Forget every translation in the memory.

    Example:

        translate-news memory clear --yes
    """
    store = _memory(memory)
    if not yes:
        raise UsageError(f"this forgets the {len(store)} translations in {store.path}; pass --yes")
    say(f"forgot {store.clear()} translations in {store.path}")


# --- config ----------------------------------------------------------------------

config_app = typer.Typer(help="See the settings each command runs with.", no_args_is_help=True)
app.add_typer(config_app, name="config")


@command(on=config_app, name="show")
def config_show(ctx: typer.Context) -> None:
    """Print every command's settings apart from its command line, and where each comes
    from: the configuration file, the environment or the default. The output is TOML: a
    starting point for a configuration file.

    Example:

        translate-news config show > translate-news.toml
    """
    from translate_news.core.config import setting

    loaded = state["config"]
    typer.echo(f"# configuration file: {loaded.path or 'none'}")
    typer.echo(
        "\n[defaults]\n# An option set here applies to every command that takes it, "
        'for example:\n# model = "Helsinki-NLP/opus-mt-fr-en"'
    )
    root = ctx.find_root().command

    def walk(group: Any, prefix: str) -> None:
        for name, sub in getattr(group, "commands", {}).items():
            if hasattr(sub, "commands"):
                walk(sub, f"{prefix}{name}.")
                continue
            lines = []
            for param in sub.params:
                long = [o for o in param.opts if o.startswith("--")]
                if param.param_type_name != "option" or param.hidden or not long:
                    continue
                key = long[0][2:]
                found = setting(loaded, f"{prefix}{name}".replace(".", " "), key, param.default)
                value = _toml(found.value)
                if value is None:  # unset: a line that is valid TOML once uncommented
                    lines.append(f"# {key} = {_example(param)}  # {found.source}: unset")
                else:
                    lines.append(f"{key} = {value}  # {found.source}")
            typer.echo(f"\n[{prefix}{name}]\n" + "\n".join(lines))

    walk(root, "")


def _example(param: Any) -> str:
    """A value of ``param``'s type, as TOML, for an unset option's commented line."""
    desc = param.type_descriptor
    kind = desc.annotation
    if desc.is_choice and desc.choices:
        one = _toml(next(iter(desc.choices))) or '""'
    elif kind is bool:
        one = "false"
    elif kind in (int, float):
        one = str(param.min if param.min is not None else 1)
    else:
        one = '"..."'
    return f"[{one}]" if desc.is_list else one


def _toml(value: Any) -> str | None:
    """A value as TOML; None for an unset one."""
    if value is None or value == ():
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_toml(v) or '""' for v in value) + "]"
    return json.dumps(str(value), ensure_ascii=False)


# --- doctor ----------------------------------------------------------------------


@command(options=translation_options, summary=summary_options)
def doctor(options: TranslateOptions, summary: SummaryOptions) -> None:
    """Check this machine: versions, processor, GPUs, which model each command will use
    and whether it is here and converted, the signature each runs with, where files are
    kept, and each problem with the command that fixes it. Exit code 1 when translation
    cannot run.

    Example:

        translate-news doctor
    """
    from translate_news.pipeline.doctor import examine

    summary = summary_beside(options, summary)
    checkup = examine(options, summary, state["config"].path)
    for section, lines in checkup.sections.items():
        typer.echo(section)
        width = max(len(label) for label, _ in lines)
        for label, value in lines:
            typer.echo(f"  {label:<{width}}  {value}")
    typer.echo("Problems" if checkup.problems else "No problems found.")
    for problem in checkup.problems:
        typer.echo(f"  - {problem}")
    if not checkup.can_translate:
        raise typer.Exit(1)


# --- evaluate --------------------------------------------------------------------


@command(options=translation_options)
def evaluate(
    options: TranslateOptions,
    references: Annotated[
        Path | None,
        typer.Option(
            help="Reference translations, one per line; with --summaries, a folder of "
            "reference summaries (<name>.txt for each <name>.en.json)."
        ),
    ] = None,
    hypotheses: Annotated[
        Path | None, typer.Option(help="Translations to score, one per line.")
    ] = None,
    source: Annotated[
        Path | None,
        typer.Option(help="French sentences, one per line: translated now, then scored."),
    ] = None,
    summaries: Annotated[
        Path | None, typer.Option(help="A folder written by summarize: score its summaries.")
    ] = None,
    agreement: Annotated[
        bool,
        typer.Option(
            "--agreement",
            help="With --source: the share of sentences translated identically with and "
            "without the vocabulary shortlist (no references needed).",
        ),
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the scores as JSON.")] = False,
) -> None:
    """Score translations (BLEU, chrF, with sacrebleu's signature) or summaries
    (ROUGE-1/2/L F1) against references, or measure what the shortlist changes.

    Examples:

        translate-news evaluate --source test.fr --references test.en

        translate-news evaluate --hypotheses mine.en --references test.en --json

        translate-news evaluate --summaries summaries/ --references gold/

        translate-news evaluate --agreement --source my-articles.fr
    """
    from translate_news.pipeline.evaluate import (
        read_segments,
        score_summaries,
        score_translations,
        summary_pairs,
    )

    if sum(x is not None for x in (hypotheses, source, summaries)) != 1:
        raise UsageError("give one of --hypotheses, --source or --summaries")
    if agreement:
        if source is None:
            raise UsageError("--agreement translates French sentences: give them with --source")
        scores: Any = _agreement(options, read_segments(source))
        lines = [
            f"identical with and without the shortlist: {scores.identical} of "
            f"{scores.sentences} sentences ({100 * scores.share:.1f}%)",
            *(
                f"  {d['source']}\n    full:      {d['full']}\n    shortlist: {d['shortlist']}"
                for d in scores.differences[:3]
            ),
        ]
    elif references is None:
        raise UsageError("--references is needed to score translations or summaries")
    elif summaries is not None:
        found, expected = summary_pairs(summaries, references)
        scores = score_summaries(found, expected)
        lines = [
            f"ROUGE-1 {scores.rouge1:.4f}  ROUGE-2 {scores.rouge2:.4f}  "
            f"ROUGE-L {scores.rougeL:.4f}  ({scores.documents} summaries, F1, stemmed)"
        ]
    else:
        expected = read_segments(references)
        if source is not None:
            from translate_news.pipeline.translator import Translator

            translator = Translator(options=options)
            show_signature("translation", translator.signature)
            found = translator.translate(read_segments(source))
        else:
            found = read_segments(hypotheses)  # type: ignore[arg-type]
        scores = score_translations(found, expected)
        lines = [
            f"BLEU {scores.bleu:.2f}  {scores.bleu_signature}",
            f"chrF {scores.chrf:.2f}  {scores.chrf_signature}",
            f"({scores.segments} segments)",
        ]
    if as_json:
        typer.echo(json.dumps(dataclasses.asdict(scores), indent=2))
    else:
        typer.echo("\n".join(lines))


def _agreement(options: TranslateOptions, sentences: list[str]) -> Any:
    """Translate ``sentences`` without and with the shortlist, and compare."""
    from translate_news.pipeline.evaluate import agreement
    from translate_news.pipeline.translator import Translator

    translations = {}
    for shortlist in (False, True):
        translator = Translator(options=options, shortlist=shortlist)
        show_signature("translation", translator.signature)
        translations[shortlist] = translator.translate(sentences)
    return agreement(sentences, translations[False], translations[True])
