"""Loaded seq2seq models: which model (alias, Hub id, folder), the models on this machine,
tokenizers, the two backends and their conversion, CUDA, the vocabulary shortlist, and
``Seq2SeqModel``, the one object callers use. May import ``text`` and ``core``."""
