"""translate-news: French news into faithful English, offline, on CPU or GPU.

    >>> import translate_news
    >>> translate_news.split_sentences("M. Dupont est arrivé. Il pleut.")
    ['M. Dupont est arrivé.', 'Il pleut.']

Heavy libraries (torch, transformers) load when a model is first needed, not here.
"""

from translate_news._version import __version__
from translate_news.core.document import Article, Paragraph, Summary, TranslatedArticle
from translate_news.core.errors import ModelNotFoundError, TranslateNewsError
from translate_news.core.options import ModelOptions, Signature, SummaryOptions, TranslateOptions
from translate_news.formats.readers import parse_article, read_article, read_articles
from translate_news.pipeline.summarizer import Summarizer
from translate_news.pipeline.translator import Translator
from translate_news.text.segment import split_sentences

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
