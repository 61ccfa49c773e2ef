"""One loaded seq2seq model: the layer every model user (translation, summaries) stands on.

:class:`Seq2SeqModel` resolves the model (alias, Hub id or directory), loads its
tokenizer, chooses the backend (CTranslate2 or transformers, with the same fallback for
every caller), reads the limits its configuration sets, and turns token ids into token
ids in length-sorted token-budget batches, run concurrently where the backend can,
halved on out-of-memory. It reports what actually runs as a :class:`Signature`.

What to decode with is the caller's, by name (how many tokens, loop prevention,
penalties); what the model itself sets (its beams, a forced first or last token) is the
model's. The backend is chosen once, when the model loads.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from typing import Any

from translate_news._version import __version__
from translate_news.core.document import ShortlistCheck
from translate_news.core.errors import ModelNotFoundError
from translate_news.core.options import ModelOptions, Signature
from translate_news.seq2seq import alignment, confidence, tokenizers
from translate_news.seq2seq.backends import load_backend
from translate_news.seq2seq.batching import token_budget_batches
from translate_news.seq2seq.decoding import (
    Backend,
    Decoding,
    default_batch_tokens,
    generate_all,
    generate_each,
    generate_halving,
    submit_score,
    unless_out_of_memory,
)
from translate_news.seq2seq.sources import (
    TRANSLATION,
    ModelSource,
    Role,
    damaged_file,
    hub_kwargs,
    load_pretrained,
    local_copy,
    model_dir,
    model_fingerprint,
    peek_config,
    repair_hint,
    resolve_model,
    tokenizer_class,
)

# A model's input limit when neither its configuration nor its tokenizer gives one.
DEFAULT_INPUT_LIMIT = 512


class Seq2SeqModel:
    """A loaded seq2seq model. Load once, then :meth:`generate`::

        model = Seq2SeqModel(ModelOptions("Helsinki-NLP/opus-mt-fr-en", device="cpu"))
        ids = model.encode(["Le chat dort."])
        model.decode(model.generate(ids, 32))

    ``beams`` None takes the model's own (its generation settings); ``role`` says where
    to look when ``options.name`` is None; ``check(source, config)``
    may refuse the model from its configuration before anything is loaded.
    """

    def __init__(
        self,
        options: ModelOptions,
        *,
        beams: int | None = None,
        role: Role = TRANSLATION,
        check: Callable[[ModelSource, dict[str, Any]], None] | None = None,
    ) -> None:
        self.options = options
        self.source: ModelSource = resolve_model(options.name, role=role, revision=options.revision)
        self._hub = hub_kwargs(self.source, options.cache_dir, options.local_files_only)
        if check is not None:  # what the configuration rules out, before anything loads
            config = peek_config(self.source, self._hub)
            if config is not None:
                check(self.source, config)
        try:
            self.tokenizer = self._load_tokenizer()
            self.backend: Backend
            self.backend, self.folder = load_backend(
                self.source, self._hub, self.tokenizer, options
            )
            self.config = tokenizers.read_json(self.folder / "config.json")
            # As transformers reads them: generation_config.json, else the same keys.
            generation = tokenizers.read_json(self.folder / "generation_config.json")
            self.generation = generation or self.config
        except Exception as exc:
            damaged = self._damaged()
            if damaged is None:
                raise
            raise damaged from exc
        self.max_input_tokens = min(
            self.config.get("max_position_embeddings") or DEFAULT_INPUT_LIMIT,
            self.tokenizer.model_max_length or DEFAULT_INPUT_LIMIT,
        )
        self.beams: int = beams or self.generation.get("num_beams") or 1
        self.batch_tokens = self.options.batch_tokens or default_batch_tokens(
            self.device, self.backend.name, self.beams
        )
        # What the model's generation settings force, as transformers applies them:
        # a first token (BART's <s>), and an end-of-sequence token at the length limit.
        self.forced_bos: int | None = self.generation.get("forced_bos_token_id")
        self.forced_eos: bool = self.generation.get("forced_eos_token_id") is not None
        self.guard = confidence.GuardRecord()  # sets a wanting shortlist aside

    def _load_tokenizer(self) -> Any:
        """A Marian model's tokenizer read with sentencepiece alone when it is on this
        machine (transformers, 1.3 s to import, stays out of a CTranslate2 process);
        transformers' own tokenizer for any other model, or to fetch one from the Hub."""
        folder = local_copy(self.source, self._hub)
        found = None if folder is None else tokenizers.load(folder)
        if found is not None:
            return found
        return load_pretrained(tokenizer_class(self.source, self._hub), self.source, **self._hub)

    def _damaged(self) -> ModelNotFoundError | None:
        """When loading failed: the model's damaged file, as one line that names it and
        how to repair it; None when its files look whole (the failure is another)."""
        try:
            folder = model_dir(self.source, {**self._hub, "local_files_only": True})
        except ModelNotFoundError:
            return None
        found = damaged_file(folder) if folder.is_dir() else None
        if found is None:
            return None
        path, why = found
        return ModelNotFoundError(f"{path} is damaged ({why}); {repair_hint(self.source, folder)}")

    @property
    def name(self) -> str:
        """The model as resolved: a Hub id or a local directory."""
        return self.source.name

    @property
    def device(self) -> str:
        return self.backend.device

    def setting(self, name: str, default: Any = None) -> Any:
        """One of the model's own generation settings (``generation_config.json``, else
        ``config.json``, as transformers reads them): ``min_length``, ``length_penalty``..."""
        found = self.generation.get(name)
        return default if found is None else found

    def task(self, name: str) -> dict[str, Any]:
        """The settings the model's configuration gives for a task (``summarization``)."""
        return (self.config.get("task_specific_params") or {}).get(name) or {}

    @property
    def model_type(self) -> str:
        return str(self.config.get("model_type") or "")

    @property
    def vocabulary_size(self) -> int:
        """How many target tokens the model has (0 when its configuration does not say)."""
        return self.config.get("vocab_size") or 0

    @functools.cached_property
    def fingerprint(self) -> str:
        """A hash of the model's folder (read once: vocabularies can be megabytes)."""
        return model_fingerprint(self.folder)

    def signature(self, **settings: int) -> Signature:
        """What runs now (after any fallback), with the caller's other decoding
        ``settings`` (a summary's length bounds) appended."""
        return Signature(
            model=self.name,
            fingerprint=self.fingerprint,
            backend=self.backend.name,
            precision=self.backend.precision,
            device=self.device,
            beams=self.beams,
            budget=self.batch_tokens,
            version=__version__,
            settings=tuple(settings.items()),
            shortlist=self.backend.shortlist,
        )

    # --- text <-> ids ----------------------------------------------------------

    def encode(self, texts: Sequence[str]) -> list[list[int]]:
        """Token ids of each text, never truncated."""
        return self.tokenizer(list(texts), truncation=False)["input_ids"]

    def encode_target(self, texts: Sequence[str]) -> list[list[int]]:
        """Token ids of each output text, as :meth:`generate` would write them."""
        own = getattr(self.tokenizer, "encode_target", None)
        if own is not None:
            return own(texts)
        return self.tokenizer(text_target=list(texts), truncation=False)["input_ids"]

    def tokens(self, ids: Sequence[int]) -> list[str]:
        """The vocabulary entries ``ids`` stand for, special tokens left out."""
        special = set(self.tokenizer.all_special_ids)
        return self.tokenizer.convert_ids_to_tokens([i for i in ids if i not in special])

    def count(self, text: str) -> int:
        """How many input tokens ``text`` makes."""
        return len(self.tokenizer(text, truncation=False)["input_ids"])

    def decode(self, outputs: Sequence[Sequence[int]]) -> list[str]:
        return self.tokenizer.batch_decode(outputs, skip_special_tokens=True)

    # --- generation ------------------------------------------------------------

    def generate(
        self,
        inputs: Sequence[list[int]],
        max_new_tokens: int | Callable[[int], int],
        **settings: Any,
    ) -> list[list[int]]:
        """Output ids for each input, in input order.

        Inputs are sorted by length and cut into batches of at most ``batch_tokens``
        padded tokens; ``max_new_tokens`` is one bound for all, or a function of a
        batch's longest input; ``settings`` are :class:`Decoding`'s (``min_new_tokens``,
        ``no_repeat_ngram_size``, ``repetition_penalty``, ``length_penalty``). Batches
        run concurrently where the backend can; one that runs out of memory is halved
        until it fits.
        """
        best = self._generate(inputs, max_new_tokens, 1, self.beams, settings)
        return [hypotheses[0] for hypotheses in best]

    def generate_nbest(
        self,
        inputs: Sequence[list[int]],
        max_new_tokens: int | Callable[[int], int],
        count: int,
        *,
        beams: int | None = None,
        **settings: Any,
    ) -> list[list[list[int]]]:
        """The ``count`` best outputs of each input, best first, from one beam search of
        ``beams`` (at least ``count``; batched as :meth:`generate`)."""
        width = max(beams or self.beams, count)
        return self._generate(inputs, max_new_tokens, count, width, settings)

    def score(self, inputs: Sequence[list[int]], outputs: Sequence[list[int]]) -> list[list[float]]:
        """The model's log-probability of each token of each output (as :meth:`generate`
        writes them) given its input: one teacher-forced pass over the full vocabulary,
        in the same token-budget batches."""
        if not inputs:
            return []
        batches = token_budget_batches([len(x) for x in inputs], self.batch_tokens)
        pending = [
            submit_score(self.backend, [inputs[i] for i in b], [outputs[i] for i in b])
            for b in batches
        ]
        return _gathered(batches, pending, len(inputs))

    def words(self, output: Sequence[int], log_probs: Sequence[float]) -> list[tuple[str, float]]:
        """The words of an output with their confidences (see :func:`.confidence.words`);
        special tokens (the end of sequence) belong to no word."""
        special = set(self.tokenizer.all_special_ids)
        kept = [(i, p) for i, p in zip(output, log_probs) if i not in special]
        pieces = self.tokenizer.convert_ids_to_tokens([i for i, _ in kept])
        groups = confidence.words(pieces, [p for _, p in kept])
        out, start = [], 0
        for size, score in groups:
            ids = [i for i, _ in kept[start : start + size]]
            out.append((self.tokenizer.decode(ids, skip_special_tokens=True).strip(), score))
            start += size
        return out

    def align(self, sources: Sequence[str], targets: Sequence[str]) -> list[list[int]]:
        """For each word (run of non-space) of each target, the index of the word of its
        source it translates (:mod:`.alignment`, from this model's attention); a pair
        too long for the model, or whose words its tokenizer does not keep apart, is
        aligned by position alone."""
        found: list[list[int]] = [[] for _ in sources]
        inputs = self.encode(sources)
        outputs = self.encode_target(targets)
        limit = self.max_input_tokens  # the positions the decoder has too
        usable = [i for i, ids in enumerate(inputs) if max(len(ids), len(outputs[i]) + 1) <= limit]
        sizes = [len(inputs[i]) + len(outputs[i]) for i in usable]
        special = set(self.tokenizer.all_special_ids)
        for batch in token_budget_batches(sizes, self.batch_tokens):
            rows = [usable[i] for i in batch]
            matrices = self.backend.attention([inputs[i] for i in rows], [outputs[i] for i in rows])
            for index, matrix in zip(rows, matrices):
                source = [k for k, t in enumerate(inputs[index]) if t not in special]
                target = [k for k, t in enumerate(outputs[index]) if t not in special]
                source_words = alignment.piece_words(
                    self.tokenizer.convert_ids_to_tokens([inputs[index][k] for k in source])
                )
                target_words = alignment.piece_words(
                    self.tokenizer.convert_ids_to_tokens([outputs[index][k] for k in target])
                )
                if max(source_words, default=-1) + 1 != len(sources[index].split()):
                    continue
                if max(target_words, default=-1) + 1 != len(targets[index].split()):
                    continue
                attended = [[matrix[t][s] for s in source] for t in target if t < len(matrix)]
                found[index] = alignment.word_links(attended, source_words, target_words)
        return [
            links or alignment.diagonal(len(source.split()), len(target.split()))
            for links, source, target in zip(found, sources, targets)
        ]

    def generate_one(self, ids: list[int], max_new_tokens: int, **settings: Any) -> list[int]:
        """Output ids for one input, decoded alone."""
        return generate_halving(self.backend, [ids], self._decoding(max_new_tokens, settings))[0]

    def _decoding(
        self, max_new_tokens: int, settings: dict[str, Any], hypotheses: int = 1, beams: int = 0
    ) -> Decoding:
        return Decoding(
            beams=beams or self.beams,
            max_new_tokens=max_new_tokens,
            forced_bos=self.forced_bos,
            forced_eos=self.forced_eos,
            hypotheses=hypotheses,
            **settings,
        )

    def generate_scored(
        self,
        inputs: Sequence[list[int]],
        max_new_tokens: int | Callable[[int], int],
        **settings: Any,
    ) -> tuple[list[list[int]], list[list[float]], list[ShortlistCheck | None]]:
        """:meth:`generate`'s outputs and :meth:`score`'s log-probabilities of them, each
        batch scored as soon as it is translated, so that the scoring fills the workers
        the last batches of the beam search leave idle. With the vocabulary shortlist,
        each output is checked against the full vocabulary's scores (:meth:`_guarded`),
        in parts of the guard's window, so that a shortlist the guard finds wanting is
        set aside mid-run (:class:`.confidence.GuardRecord`: those sentences have no
        check, as without a shortlist)."""
        if not inputs:
            return [], [], []
        step = self.guard.window
        if self.backend.shortlist and len(inputs) > step:
            outputs, scores, checks = [], [], []
            for i in range(0, len(inputs), step):
                part = self.generate_scored(inputs[i : i + step], max_new_tokens, **settings)
                outputs += part[0]
                scores += part[1]
                checks += part[2]
            return outputs, scores, checks
        if self.backend.shortlist and self.guard.use(len(inputs)):
            batches, jobs = self._jobs(inputs, max_new_tokens, 1, self.beams, settings)
            found = self._guarded(inputs, max_new_tokens, settings, batches, jobs)
            self.guard.note(found[2])
            return found
        settings = {**settings, "shortlist": False} if self.backend.shortlist else settings
        batches, jobs = self._jobs(inputs, max_new_tokens, 1, self.beams, settings)
        outputs: list[list[int]] = [[] for _ in inputs]
        scoring = []
        for batch, rows in zip(batches, generate_each(self.backend, jobs)):
            for index, row in zip(batch, rows):
                outputs[index] = row
            scoring.append(submit_score(self.backend, [inputs[i] for i in batch], rows))
        return outputs, _gathered(batches, scoring, len(inputs)), [None] * len(inputs)

    def _guarded(
        self,
        inputs: Sequence[list[int]],
        max_new_tokens: int | Callable[[int], int],
        settings: dict[str, Any],
        batches: list[list[int]],
        jobs: list[tuple[list[list[int]], Decoding]],
    ) -> tuple[list[list[int]], list[list[float]], list[ShortlistCheck | None]]:
        """The shortlist guard: each shortlisted translation's total log-probability
        (over the shortlist) beside its full-vocabulary scores bounds the mass the full
        model puts inside the shortlist (:func:`.confidence.shortlist_mass`); a sentence
        that fails :func:`.confidence.verified` is translated again, in batches, with the
        full vocabulary. A batch that runs out of memory goes to the redo whole (which
        halves batches that do not fit)."""
        pending = [self.backend.submit_scored(rows, decoding) for rows, decoding in jobs]
        outputs: list[list[int]] = [[] for _ in inputs]
        totals = [0.0] * len(inputs)
        scoring: list[Callable[[], list[list[float]]]] = []
        lost: set[int] = set()
        for batch, collect in zip(batches, pending):
            found = unless_out_of_memory(collect)
            if found is None:
                lost.update(batch)
                empty: list[list[float]] = [[] for _ in batch]
                scoring.append(lambda empty=empty: empty)
                continue
            for index, (row, total) in zip(batch, found):
                outputs[index], totals[index] = row, total
            rows = [row for row, _ in found]
            scoring.append(submit_score(self.backend, [inputs[i] for i in batch], rows))
        scores = _gathered(batches, scoring, len(inputs))
        masses = [
            0.0 if i in lost else confidence.shortlist_mass(row, t)
            for i, (row, t) in enumerate(zip(scores, totals))
        ]
        greedy = self.beams == 1
        redo = [
            i for i, (m, row) in enumerate(zip(masses, scores))
            if not confidence.verified(m, row, greedy)
        ]  # fmt: skip
        full = {**settings, "shortlist": False}
        again = [inputs[i] for i in redo]
        redone = [best[0] for best in self._generate(again, max_new_tokens, 1, self.beams, full)]
        for index, row, found in zip(redo, redone, self.score(again, redone)):
            outputs[index], scores[index] = row, found
        checks: list[ShortlistCheck | None] = [ShortlistCheck("verified", m) for m in masses]
        for index in redo:
            checks[index] = ShortlistCheck("redone", masses[index])
        return outputs, scores, checks

    def _jobs(
        self,
        inputs: Sequence[list[int]],
        max_new_tokens: int | Callable[[int], int],
        hypotheses: int,
        beams: int,
        settings: dict[str, Any],
    ) -> tuple[list[list[int]], list[tuple[list[list[int]], Decoding]]]:
        """The token-budget batches of ``inputs`` and the decoding job of each."""
        batches = token_budget_batches([len(x) for x in inputs], self.batch_tokens)
        jobs = []
        for batch in batches:
            rows = [inputs[i] for i in batch]
            longest = max(map(len, rows))
            bound = max_new_tokens(longest) if callable(max_new_tokens) else max_new_tokens
            jobs.append((rows, self._decoding(bound, settings, hypotheses, beams)))
        return batches, jobs

    def _generate(
        self,
        inputs: Sequence[list[int]],
        max_new_tokens: int | Callable[[int], int],
        hypotheses: int,
        beams: int,
        settings: dict[str, Any],
    ) -> list[list[list[int]]]:
        if not inputs:
            return []
        batches, jobs = self._jobs(inputs, max_new_tokens, hypotheses, beams, settings)
        outputs: list[list[list[int]]] = [[] for _ in inputs]
        for batch, rows in zip(batches, generate_all(self.backend, jobs)):
            for place, index in enumerate(batch):
                outputs[index] = rows[place * hypotheses : (place + 1) * hypotheses]
        return outputs


def _gathered(
    batches: list[list[int]], pending: list[Callable[[], list[list[float]]]], size: int
) -> list[list[float]]:
    """The rows of each batch's scoring, back in input order."""
    scores: list[list[float]] = [[] for _ in range(size)]
    for batch, collect in zip(batches, pending):
        for index, row in zip(batch, collect()):
            scores[index] = row
    return scores
