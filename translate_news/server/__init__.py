"""``serve``: LibreTranslate's API and ours over the pipeline. A shell: it parses a request,
calls the library and writes the answer."""
