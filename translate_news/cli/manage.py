"""The commands around the work: models, config, doctor and evaluate."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Any

import click

from translate_news.cli.groups import PATH, SUMMARY, TRANSLATION, summary_beside, whole
from translate_news.cli.shell import (
    app,
    command,
    commands,
    default_of,
    group,
    say,
    settable,
    show_signature,
    state,
)
from translate_news.core.errors import InputError, ModelNotFoundError, UsageError
from translate_news.core.options import COMPUTE_TYPES, SummaryOptions, TranslateOptions

# --- models ----------------------------------------------------------------------

models_app = group("models", "Download, list, remove and locate the models translate-news runs.")


@command(on=models_app, name="download", progress_bars=True)
@click.argument("names", nargs=-1)
@click.option(
    "--dir",
    "folder",
    **PATH,
    help="Where to put them (default: the user models folder).",
)
@click.option(
    "--compute-type",
    type=click.Choice(COMPUTE_TYPES),
    default="int8",
    metavar="|".join(COMPUTE_TYPES),
    help="The CTranslate2 conversion to make once.",
)
@click.option(
    "--shortlist/--no-shortlist",
    default=True,
    help="Build a translation model's vocabulary shortlist, if it has none (a few "
    "minutes on a CPU).",
)
def models_download(
    names: tuple[str, ...], folder: Path | None, compute_type: str, shortlist: bool
) -> None:
    """Download models from the Hugging Face Hub (resumable, checked whole) and convert
    them for CTranslate2 once, so that later runs need no network; a translation model
    also gets its vocabulary shortlist, made from the French words that ship (see
    models shortlist). NAMES are aliases (opus-mt-fr-en) or Hub ids; default: the
    translation and summary models.

    Examples:

        translate-news models download

        translate-news models download opus-mt-tc-big-fr-en --dir /srv/models
    """
    from translate_news.seq2seq.sources import DEFAULT_MODEL, DEFAULT_SUMMARIZER
    from translate_news.seq2seq.store import download_converted

    for name in names or [DEFAULT_MODEL, DEFAULT_SUMMARIZER]:
        say(f"{name}: downloading into the Hugging Face cache (resumes where it stopped)")
        path, placed, size = download_converted(name, folder, compute_type)
        how = "placed" if placed else "already there"
        say(f"{name}: {how} at {path} ({size:.0f} MB with its {compute_type} conversion)")
        if shortlist:
            _download_shortlist(path, compute_type)


def _download_shortlist(path: Path, compute_type: str) -> None:
    """The shortlist ``models download`` builds for a translation model (one with a
    SentencePiece source vocabulary) that has none yet."""
    from translate_news.pipeline.translator import Translator
    from translate_news.pipeline.vocabulary import make_shortlist
    from translate_news.seq2seq.shortlist import shortlist_path
    from translate_news.seq2seq.sources import model_fingerprint

    if not (path / "source.spm").is_file():
        return
    if shortlist_path(path, model_fingerprint(path)).is_file():
        say(f"{path.name}: its vocabulary shortlist is there already")
        return
    translator = Translator(
        str(path),
        backend="ctranslate2",
        compute_type=compute_type,
        beams=1,  # words alone: greedy, a third of beam 4's time
        memory=False,
        shortlist=False,
    )
    _made(make_shortlist(translator, None, say=lambda line: say(f"{path.name}: {line}")))


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
        click.echo("  ".join(cell.ljust(width) for cell, width in zip(row, widths)).rstrip())


def _models_in_use() -> dict[str, Path | None]:
    """The folder each command's model would load from now (None: not on this machine)."""
    from translate_news.seq2seq.sources import SUMMARY, TRANSLATION, local_copy, resolve_model

    roles = (("translate", TRANSLATION), ("summarize", SUMMARY))
    return {name: local_copy(resolve_model(None, role=role)) for name, role in roles}


@command(on=models_app, name="remove")
@click.argument("name")
def models_remove(name: str) -> None:
    """Delete a model (NAME: an alias or a Hub id) from this machine: the models
    folder, ./models and the Hugging Face cache, with its conversions.

    Example:

        translate-news models remove opus-mt-tc-big-fr-en
    """
    from translate_news.seq2seq.store import remove

    for path in remove(name):
        say(f"removed {path}")


@command(on=models_app, name="path")
@click.argument("name")
def models_path(name: str) -> None:
    """Print the folder a model (NAME: an alias, a Hub id or a folder) loads from (for
    scripts).

    Example:

        translate-news models path opus-mt-fr-en
    """
    from translate_news.seq2seq.store import find

    folder = Path(name).expanduser()
    if (folder / "config.json").is_file():  # a local folder is its own place
        click.echo(str(folder.resolve()))
        return
    copies = find(name)
    if not copies:
        raise ModelNotFoundError(
            f"model '{name}' is not on this machine; translate-news models download {name}"
        )
    click.echo(str(copies[0].path))


@command(on=models_app, name="shortlist")
@click.argument("name")
@click.option(
    "--corpus",
    **PATH,
    help="French articles (a file or folder, as translate reads them), or with --english, "
    "French sentences one per line (default: the French words that ship, as models "
    "download builds it).",
)
@click.option(
    "--english",
    **PATH,
    help="Their English translations, one per line: aligned, not translated.",
)
@click.option(
    "--common", **whole(0), default=100, help="Most frequent English tokens always allowed."
)
@click.option(
    "--per-source", **whole(), default=20, help="English tokens allowed per French token."
)
@click.option(
    "--from-memory",
    is_flag=True,
    help="From the model's own translations in the translation memory (--memory).",
)
@click.option("--memory", **PATH, help="Translation memory file (default: the user cache).")
@click.option("--device", default="auto", help="Where to translate the corpus.")
@click.option("--beams", **whole(), help="Beam size (default: its own).")
def models_shortlist(
    name: str,
    corpus: Path | None,
    english: Path | None,
    from_memory: bool,
    memory: Path | None,
    common: int,
    per_source: int,
    device: str,
    beams: int | None,
) -> None:
    """Build the vocabulary shortlist of the translation model NAME (an alias, a Hub id
    or a folder) from French text: translate it with the model (or read an existing
    translation), align subwords with IBM model 1, and keep for each French subword its
    most likely English ones. CTranslate2 then scores only those at each step, under the
    guard, in every translation with the model (--no-shortlist turns it off); measure
    what it changes with evaluate agreement. --from-memory builds it from what the
    model has translated for you already (no translating). Without either it is made
    as models download makes it, from the French words that ship, each translated alone.

    Examples:

        translate-news models shortlist opus-mt-fr-en --corpus articles/

        translate-news models shortlist opus-mt-fr-en --from-memory

        translate-news models shortlist opus-mt-fr-en

        translate-news models shortlist opus-mt-fr-en --corpus train.fr --english train.en
    """
    from translate_news.core.paths import default_memory
    from translate_news.pipeline.translator import Translator
    from translate_news.pipeline.vocabulary import make_shortlist

    if from_memory and corpus is not None:
        raise UsageError("--from-memory or --corpus, not both")
    if memory is not None and not from_memory:
        raise UsageError("--memory is read with --from-memory")
    if corpus is not None and not corpus.exists():
        raise InputError(f"{corpus}: no such file or folder")
    translator = Translator(
        name, backend="ctranslate2", device=device, beams=beams, memory=False, shortlist=False
    )
    show_signature("translation", translator.signature)
    kept = (memory or default_memory()) if from_memory else None
    made = make_shortlist(
        translator, corpus, english, memory=kept, common=common, per_source=per_source, say=say
    )
    _made(made)


def _made(made: Any) -> None:
    say(
        f"shortlist of {made.french_tokens} French tokens written to {made.path}; one "
        f"input of its corpus allows {made.mean_allowed:.0f} of {made.vocabulary} "
        "English tokens on average; translations with this model now use it, guarded "
        "(--no-shortlist: without)."
    )


# --- memory ----------------------------------------------------------------------

memory_app = group("memory", "See, export, import and clear the translation memory.")

memory_option = click.option(
    "--memory",
    **PATH,
    help="Translation memory file (default: the user cache).",
)


def _memory(path: Path | None) -> Any:
    from translate_news.core.paths import default_memory
    from translate_news.pipeline.memory import TranslationMemory

    return TranslationMemory(path or default_memory())


@command(on=memory_app, name="stats")
@memory_option
def memory_stats(memory: Path | None) -> None:
    """How many translations the memory holds, by what made them.

    Example:

        translate-news memory stats
    """
    from translate_news.pipeline.memory import IMPORTED

    store = _memory(memory)
    counts = store.stats()
    click.echo(f"{store.path}: {sum(counts.values())} translations")
    for signature, count in counts.items():
        made = "imported: an editor's, for any model" if signature == IMPORTED else signature
        click.echo(f"{count:>8}  {made}")


@command(on=memory_app, name="export")
@click.argument("file", type=click.Path(path_type=Path))
@memory_option
@click.option("--force/--no-force", default=False, help="Overwrite an existing file.")
def memory_export(file: Path, memory: Path | None, force: bool) -> None:
    """Write every translation to FILE as TMX 1.4 (French and English per unit, with what made
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
@click.argument("file", type=click.Path(path_type=Path))
@memory_option
def memory_import(file: Path, memory: Path | None) -> None:
    """Import translations from FILE, a TMX file of French and English: an editor's
    corrections come before any model's translation of the same French sentence,
    whatever the model. A unit whose English the memory already holds for that sentence
    is left as it was (so exporting, correcting one sentence and importing makes one
    correction); a model's translation from another memory's export stays that model's.

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
@memory_option
@click.option("--yes", is_flag=True, help="Do it (nothing is cleared without).")
def memory_clear(memory: Path | None, yes: bool) -> None:
    """Forget every translation in the memory.

    Example:

        translate-news memory clear --yes
    """
    store = _memory(memory)
    if not yes:
        raise UsageError(f"this forgets the {len(store)} translations in {store.path}; pass --yes")
    say(f"forgot {store.clear()} translations in {store.path}")


# --- config ----------------------------------------------------------------------

config_app = group("config", "See the settings each command runs with.")


@command(on=config_app, name="show")
def config_show() -> None:
    """Print every command's settings apart from its command line, and where each comes
    from: the configuration file, the environment or the default. The output is TOML: a
    starting point for a configuration file.

    Example:

        translate-news config show > translate-news.toml
    """
    from translate_news.core.config import setting

    loaded = state["config"]
    click.echo(f"# configuration file: {loaded.path or 'none'}")
    click.echo(
        "\n[defaults]\n# An option set here applies to every command that takes it, "
        'for example:\n# model = "Helsinki-NLP/opus-mt-fr-en"'
    )
    for path, found_command in commands(app):
        lines = []
        for param, key in settable(found_command):
            found = setting(loaded, path, key, default_of(param))
            value = _toml(found.value)
            if value is None:  # unset: a line that is valid TOML once uncommented
                lines.append(f"# {key} = {_example(param)}  # {found.source}: unset")
            else:
                lines.append(f"{key} = {value}  # {found.source}")
        click.echo(f"\n[{path.replace(' ', '.')}]\n" + "\n".join(lines))


def _example(param: click.Option) -> str:
    """A value of ``param``'s type, as TOML, for an unset option's commented line."""
    kind = param.type
    if isinstance(kind, click.Choice) and kind.choices:
        one = _toml(next(iter(kind.choices))) or '""'
    elif isinstance(kind, click.types.BoolParamType):
        one = "false"
    elif isinstance(kind, (click.types.IntParamType, click.types.FloatParamType)):
        low = getattr(kind, "min", None)
        one = str(low if low is not None else 1)
    else:
        one = '"..."'
    return f"[{one}]" if param.multiple else one


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


# --- completion ------------------------------------------------------------------


@command()
@click.argument("shell", type=click.Choice(["bash", "zsh", "fish"]))
def completion(shell: str) -> None:
    """Print the tab-completion script for SHELL (click's own), to source from its
    start-up file.

    Example:

        echo 'eval "$(translate-news completion bash)"' >> ~/.bashrc
    """
    from click.shell_completion import get_completion_class

    complete = get_completion_class(shell)
    assert complete is not None  # one of click's three, by the choice above
    click.echo(complete(app, {}, "translate-news", "_TRANSLATE_NEWS_COMPLETE").source())


# --- doctor ----------------------------------------------------------------------


@command(options=TRANSLATION, summary=SUMMARY)
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
        click.echo(section)
        width = max(len(label) for label, _ in lines)
        for label, value in lines:
            click.echo(f"  {label:<{width}}  {value}")
    click.echo("Problems" if checkup.problems else "No problems found.")
    for problem in checkup.problems:
        click.echo(f"  - {problem}")
    if not checkup.can_translate:
        raise click.exceptions.Exit(1)


# --- evaluate --------------------------------------------------------------------

evaluate_app = group(
    "evaluate",
    "Score translations (BLEU, chrF) or summaries (ROUGE) against references, or measure "
    "what the shortlist changes.",
)
json_option = click.option("--json", "as_json", is_flag=True, help="Print the scores as JSON.")


@command(on=evaluate_app, name="translations", options=TRANSLATION)
@click.option(
    "--references",
    **PATH,
    required=True,
    help="Reference translations, one per line.",
)
@click.option(
    "--source",
    **PATH,
    help="French sentences, one per line: translated now, then scored.",
)
@click.option(
    "--hypotheses",
    **PATH,
    help="Translations to score, one per line.",
)
@json_option
def evaluate_translations(
    options: TranslateOptions,
    references: Path,
    source: Path | None,
    hypotheses: Path | None,
    as_json: bool,
) -> None:
    """BLEU and chrF (with sacrebleu's signatures) of translations against references:
    French sentences translated now (--source), or translations made before
    (--hypotheses).

    Examples:

        translate-news evaluate translations --source test.fr --references test.en

        translate-news evaluate translations --hypotheses mine.en --references test.en
    """
    from translate_news.pipeline.evaluate import evaluate_translations

    if (source is None) == (hypotheses is None):
        raise UsageError("give one of --source or --hypotheses")
    scores = evaluate_translations(
        references, source=source, hypotheses=hypotheses, options=options
    )
    _scores(scores, as_json)


@command(on=evaluate_app, name="summaries")
@click.argument("folder", type=click.Path(path_type=Path))
@click.option(
    "--references",
    **PATH,
    required=True,
    help="A folder of reference summaries (<name>.txt for each <name>.en.json).",
)
@json_option
def evaluate_summaries(folder: Path, references: Path, as_json: bool) -> None:
    """ROUGE-1/2/L F1 (stemmed) of the summaries in FOLDER (written by summarize)
    against references.

    Example:

        translate-news evaluate summaries summaries/ --references gold/
    """
    from translate_news.pipeline.evaluate import evaluate_summaries

    _scores(evaluate_summaries(folder, references), as_json)


@command(on=evaluate_app, name="agreement", options=TRANSLATION)
@click.option("--source", **PATH, required=True, help="French sentences, one per line.")
@json_option
def evaluate_agreement(options: TranslateOptions, source: Path, as_json: bool) -> None:
    """The share of sentences translated identically with and without the vocabulary
    shortlist (no references needed).

    Example:

        translate-news evaluate agreement --source my-articles.fr
    """
    from translate_news.pipeline.evaluate import evaluate_agreement

    _scores(evaluate_agreement(source, options), as_json)


def _scores(scores: Any, as_json: bool) -> None:
    """Scores as JSON, or as lines to read."""
    click.echo(json.dumps(dataclasses.asdict(scores), indent=2) if as_json else _lines(scores))


def _lines(scores: Any) -> str:
    from translate_news.pipeline.evaluate import Agreement, SummaryScores

    if isinstance(scores, SummaryScores):
        return (
            f"ROUGE-1 {scores.rouge1:.4f}  ROUGE-2 {scores.rouge2:.4f}  "
            f"ROUGE-L {scores.rougeL:.4f}  ({scores.documents} summaries, F1, stemmed)"
        )
    if isinstance(scores, Agreement):
        lines = [
            f"identical with and without the shortlist: {scores.identical} of "
            f"{scores.sentences} sentences ({100 * scores.share:.1f}%)",
            f"redone by the shortlist guard (translated again without it): {scores.redone} "
            f"({100 * scores.redo_share:.1f}%)",
            *(
                [
                    f"translated without the shortlist, the guard having redone more than "
                    f"a quarter of the sentences before them: {scores.set_aside}"
                ]
                if scores.set_aside
                else []
            ),
            *(
                f"  {d['source']}\n    full:      {d['full']}\n    shortlist: {d['shortlist']}"
                for d in scores.differences[:3]
            ),
        ]
        return "\n".join(lines)
    return (
        f"BLEU {scores.bleu:.2f}  {scores.bleu_signature}\n"
        f"chrF {scores.chrf:.2f}  {scores.chrf_signature}\n({scores.segments} segments)"
    )
