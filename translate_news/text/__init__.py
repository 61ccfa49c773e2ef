"""French and English text without a model: sentence boundaries, language, numbers,
glossaries, length guards and the checks on each translation. Imports only ``core``."""
