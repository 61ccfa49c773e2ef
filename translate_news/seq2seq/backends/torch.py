"""The transformers backend: ``generate`` on the loaded model (fp32 on CPU, fp16 on CUDA)."""

from __future__ import annotations

from typing import Any

from translate_news.core.options import ModelOptions
from translate_news.seq2seq.cuda import check_gpu
from translate_news.seq2seq.decoding import Decoding


class TorchBackend:
    """transformers ``generate`` on a loaded seq2seq model."""

    name = "torch"
    shortlist = None

    def __init__(self, model: Any, device: str, pad_token_id: int) -> None:
        self.model = model
        self.device = device
        self.pad = pad_token_id
        self.precision = str(next(model.parameters()).dtype).replace("torch.", "")

    def score(self, sources: list[list[int]], targets: list[list[int]]) -> list[list[float]]:
        """The log-probability of each token of each target given its source, in one
        teacher-forced pass (the decoder fed the target shifted right by its start token)."""
        import torch

        start = self.model.config.decoder_start_token_id
        inputs, mask = _padded(sources, self.pad)
        decoder, decoder_mask = _padded([[start, *t[:-1]] for t in targets], self.pad)
        with torch.inference_mode():
            logits = self.model(
                input_ids=inputs.to(self.device),
                attention_mask=mask.to(self.device),
                decoder_input_ids=decoder.to(self.device),
                decoder_attention_mask=decoder_mask.to(self.device),
            ).logits
        log_probs = torch.log_softmax(logits.float(), dim=-1).cpu()
        return [
            [float(log_probs[row, place, token]) for place, token in enumerate(target)]
            for row, target in enumerate(targets)
        ]

    def attention(
        self, sources: list[list[int]], targets: list[list[int]]
    ) -> list[list[list[float]]]:
        """Each target token's cross-attention over its source's tokens (the last
        decoder layer, its heads averaged), in one teacher-forced pass."""
        import torch

        start = self.model.config.decoder_start_token_id
        inputs, mask = _padded(sources, self.pad)
        decoder, decoder_mask = _padded([[start, *t[:-1]] for t in targets], self.pad)
        kept = self.model.config._attn_implementation
        self.model.set_attn_implementation("eager")  # the others return no attention
        try:
            with torch.inference_mode():
                found = self.model(
                    input_ids=inputs.to(self.device),
                    attention_mask=mask.to(self.device),
                    decoder_input_ids=decoder.to(self.device),
                    decoder_attention_mask=decoder_mask.to(self.device),
                    output_attentions=True,
                ).cross_attentions[-1]
        finally:
            self.model.set_attn_implementation(kept)
        averaged = found.float().mean(dim=1).cpu()
        return [
            averaged[row, : len(target), : len(source)].tolist()
            for row, (source, target) in enumerate(zip(sources, targets))
        ]

    def generate(self, batch: list[list[int]], decoding: Decoding) -> list[list[int]]:
        import torch

        input_ids, mask = _padded(batch, self.pad)
        extra: dict[str, Any] = {}
        if decoding.no_repeat_ngram_size:
            extra["no_repeat_ngram_size"] = decoding.no_repeat_ngram_size
        if decoding.repetition_penalty != 1.0:
            extra["repetition_penalty"] = decoding.repetition_penalty
        if decoding.length_penalty != 1.0 and decoding.beams > 1:
            extra["length_penalty"] = decoding.length_penalty
        if decoding.min_new_tokens:
            extra["min_length"] = 0  # min_new_tokens says it all; no warning about both
        if decoding.hypotheses > 1:
            extra["num_return_sequences"] = decoding.hypotheses
        with torch.inference_mode():
            out = self.model.generate(
                input_ids=input_ids.to(self.device),
                attention_mask=mask.to(self.device),
                num_beams=decoding.beams,
                max_length=None,
                max_new_tokens=decoding.max_new_tokens,
                min_new_tokens=decoding.min_new_tokens or None,
                **extra,
            )
        rows = out[:, 1:].tolist()
        return [[t for t in row if t != self.pad] for row in rows]


def _padded(rows: list[list[int]], pad: int) -> tuple[Any, Any]:
    """``rows`` as one right-padded tensor of ids, and its attention mask."""
    import torch

    longest = max(len(ids) for ids in rows)
    ids_tensor = torch.full((len(rows), longest), pad, dtype=torch.long)
    mask = torch.zeros((len(rows), longest), dtype=torch.long)
    for row, ids in enumerate(rows):
        ids_tensor[row, : len(ids)] = torch.tensor(ids, dtype=torch.long)
        mask[row, : len(ids)] = 1
    return ids_tensor, mask


def load_torch_backend(
    source: Any, kwargs: dict[str, Any], options: ModelOptions, pad_token_id: int
) -> TorchBackend:
    """Load a seq2seq model with transformers on ``options.device`` (auto: CUDA when
    available; half precision on CUDA), in evaluation mode."""
    import torch
    from transformers import AutoModelForSeq2SeqLM

    from translate_news.seq2seq.sources import load_pretrained

    device = options.device
    if device == "auto":
        device = "cuda" if torch.cuda.is_available() else "cpu"
    gpus = torch.cuda.device_count() if torch.cuda.is_available() else 0
    index = check_gpu(device, gpus, "torch")
    if options.threads:
        torch.set_num_threads(options.threads)
    dtype = torch.float32 if index is None else torch.float16
    model = load_pretrained(AutoModelForSeq2SeqLM, source, dtype=dtype, **kwargs)
    return TorchBackend(model.to(device).eval(), device, pad_token_id)
