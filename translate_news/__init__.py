"""translate-news: French news into faithful English, offline, on CPU or GPU.

    >>> import translate_news
    >>> translate_news.split_sentences("M. Dupont est arrivé. Il pleut.")
    ['M. Dupont est arrivé.', 'Il pleut.']

Heavy libraries (torch, transformers) load when a model is first needed, not here.
"""

from .article import Article, Paragraph, parse_article
from .engine import TranslatedArticle, TranslateOptions, Translator
from .errors import ModelNotFoundError, TranslateNewsError
from .readers import read_article, read_articles
from .segment import split_sentences
from .summarize import Summarizer, SummaryOptions

__version__ = "0.1.0"
__all__ = [
    "Article",
    "ModelNotFoundError",
    "Paragraph",
    "Summarizer",
    "SummaryOptions",
    "TranslateNewsError",
    "TranslateOptions",
    "TranslatedArticle",
    "Translator",
    "parse_article",
    "read_article",
    "read_articles",
    "split_sentences",
]
