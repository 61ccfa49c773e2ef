"""What is read and written: readers of every input, the renderings of translations and
summaries, briefings, TMX. May import ``text`` and ``core``; never a model."""
