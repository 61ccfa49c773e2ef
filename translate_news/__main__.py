"""``python -m translate_news``: the ``translate-news`` command."""

from translate_news.cli import app

app(prog_name="translate-news")
