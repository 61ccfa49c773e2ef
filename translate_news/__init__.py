"""translate-news: French news into faithful English, offline, on CPU or GPU.

    >>> import translate_news
    >>> translate_news.split_sentences("M. Dupont est arrivé. Il pleut.")
    ['M. Dupont est arrivé.', 'Il pleut.']

Heavy libraries (torch, transformers) load when a model is first needed, not here.
"""

from ._version import __version__
from .document import Article, Paragraph, Summary, TranslatedArticle
from .engine import Translator
from .errors import ModelNotFoundError, TranslateNewsError
from .options import ModelOptions, Signature, SummaryOptions, TranslateOptions
from .readers import parse_article, read_article, read_articles
from .segment import split_sentences
from .summarize import Summarizer

__all__ = [
    "Article",
    "ModelNotFoundError",
    "ModelOptions",
    "Paragraph",
    "Signature",
    "Summarizer",
    "Summary",
    "SummaryOptions",
    "TranslateNewsError",
    "TranslateOptions",
    "TranslatedArticle",
    "Translator",
    "__version__",
    "parse_article",
    "read_article",
    "read_articles",
    "split_sentences",
]
