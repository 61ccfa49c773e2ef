import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from translate_news import split_sentences
from translate_news.text.segment import sentence_spans


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # French quotation marks stay with their sentence.
        (
            "Il a dit. « Bonjour à tous. » Puis il est parti.",
            ["Il a dit.", "« Bonjour à tous. »", "Puis il est parti."],
        ),
        ("« C'est fini. » Le ministre est parti.", ["« C'est fini. »", "Le ministre est parti."]),
        ('Il a dit "non". "Oui." Puis rien.', ['Il a dit "non".', '"Oui."', "Puis rien."]),
        (
            "Il l'a affirmé. \u201cJamais.\u201d Fin.",
            ["Il l'a affirmé.", "\u201cJamais.\u201d", "Fin."],
        ),
        # Spaced straight quotes between sentences: a later quote closes this one...
        (
            'Il a dit. " Je viens. Attendez. " Puis il part.',
            ["Il a dit.", '" Je viens.', 'Attendez. "', "Puis il part."],
        ),
        # ...and with none later, speech opens, report closes.
        (
            'Le vote est clos. " Je suis fier de nous.',
            ["Le vote est clos.", '" Je suis fier de nous.'],
        ),
        (
            'Tu es le meilleur ! " Les serveurs sont là.',
            ['Tu es le meilleur ! "', "Les serveurs sont là."],
        ),
        # A stray mark stays with the sentence it ends.
        ("Photos de Beyrouth ? . Un blog.", ["Photos de Beyrouth ? .", "Un blog."]),
        # A closing guillemet with nothing open starts its fragment.
        ("Il est parti. » Stipe reconnaît tout.", ["Il est parti.", "» Stipe reconnaît tout."]),
        # Question or exclamation followed by a speech verb.
        (
            "« Pourquoi ? », s'est-il interrogé. Personne ne répond.",
            ["« Pourquoi ? », s'est-il interrogé.", "Personne ne répond."],
        ),
        ("« Assez ! » a-t-il crié. Il part.", ["« Assez ! » a-t-il crié.", "Il part."]),
        ("Vraiment ? Oui.", ["Vraiment ?", "Oui."]),
        # Honorifics and abbreviations.
        ("M. Le Pen est là. Mme Dupont aussi.", ["M. Le Pen est là.", "Mme Dupont aussi."]),
        (
            "MM. Macron et Scholz se sont vus. Ils ont parlé.",
            ["MM. Macron et Scholz se sont vus.", "Ils ont parlé."],
        ),
        ("Le Dr. Martin et Me. Durand sont venus.", ["Le Dr. Martin et Me. Durand sont venus."]),
        ("Mlle Roux et Pr. Blanc arrivent.", ["Mlle Roux et Pr. Blanc arrivent."]),
        (
            "Né en 52 av. J.-C. à Rome. Il meurt jeune.",
            ["Né en 52 av. J.-C. à Rome.", "Il meurt jeune."],
        ),
        ("Voir p. 12 et le n° 5. Fin.", ["Voir p. 12 et le n° 5.", "Fin."]),
        ("Il vit au 12, bd. Haussmann. Seul.", ["Il vit au 12, bd. Haussmann.", "Seul."]),
        ("Dans le XVe arr. de Paris. Fin.", ["Dans le XVe arr. de Paris.", "Fin."]),
        (
            "Des pommes, des poires, etc. et des prunes.",
            ["Des pommes, des poires, etc. et des prunes."],
        ),
        # Initials.
        (
            "Selon J.-L. Mélenchon, c'est faux. Il insiste.",
            ["Selon J.-L. Mélenchon, c'est faux.", "Il insiste."],
        ),
        (
            "Le film est réalisé par J.A. Howe en 1920.",
            ["Le film est réalisé par J.A. Howe en 1920."],
        ),
        (
            "Fin de l'article. C.L. Nouveau titre ici.",
            ["Fin de l'article.", "C.L.", "Nouveau titre ici."],
        ),
        # Numbers.
        ("Le taux est de 7.5 %. Il monte.", ["Le taux est de 7.5 %.", "Il monte."]),
        ("Le 49.3 a été utilisé. Le texte passe.", ["Le 49.3 a été utilisé.", "Le texte passe."]),
        ("Voir l'article L. 642-3 du code.", ["Voir l'article L. 642-3 du code."]),
        # Ellipses.
        ("Il attend... et rien ne vient. Fin.", ["Il attend... et rien ne vient.", "Fin."]),
        # A capital after an ellipsis starts a sentence, even a name; "(...)" is a cut.
        ("Il attend… Rien ne vient.", ["Il attend…", "Rien ne vient."]),
        ("Il a vu... Jean Dupont.", ["Il a vu...", "Jean Dupont."]),
        ("« Je ne sais pas… » Il se tait.", ["« Je ne sais pas… »", "Il se tait."]),
        ("Il hésite… « Non », dit-il.", ["Il hésite…", "« Non », dit-il."]),
        ("Il a dit (...) Les autres suivent.", ["Il a dit (...) Les autres suivent."]),
        ("Il a dit […] Les autres suivent.", ["Il a dit […] Les autres suivent."]),
        ("Quoi ?... Rien.", ["Quoi ?...", "Rien."]),
        # URLs and e-mail addresses.
        (
            "Voir www.lemonde.fr. Écrire à contact@afp.com. Fin.",
            ["Voir www.lemonde.fr.", "Écrire à contact@afp.com.", "Fin."],
        ),
        (
            "Lire https://www.example.fr/a.b?c=1 en ligne. Fin.",
            ["Lire https://www.example.fr/a.b?c=1 en ligne.", "Fin."],
        ),
        # Captions and credit lines stay on their own line.
        (
            "Un garçon à Odessa, le 22 juillet AFP\nLe texte commence ici.",
            ["Un garçon à Odessa, le 22 juillet AFP", "Le texte commence ici."],
        ),
        (
            "Frappes meurtrières\nSur le terrain, les combats continuent.",
            ["Frappes meurtrières", "Sur le terrain, les combats continuent."],
        ),
        # A hard-wrapped line continues its sentence.
        (
            "Le Kremlin a assuré mardi ne pas\ns'attendre à des avancées.",
            ["Le Kremlin a assuré mardi ne pas\ns'attendre à des avancées."],
        ),
        ("", []),
        ("   ", []),
    ],
)
def test_split(text, expected):
    assert split_sentences(text) == expected


def test_no_boundary_after_opening_guillemet_in_seed():
    from .conftest import SEED

    text = SEED.read_text(encoding="utf-8")
    for sentence in split_sentences(text):
        assert not sentence.endswith(("«", '"')) or sentence.count('"') % 2 == 0


_ALPHABET = st.sampled_from(
    [
        *list("abcdeéèàôçABCÉM .,;:!?…«»\"'()[]-\n\t0123456789"),
        *[" M. ", " J.-L. ", "... ", "\xa0", '. " ', "(...) ", " Je ", "… » "],
    ]
)


@settings(max_examples=300, deadline=None)
@given(st.lists(_ALPHABET, max_size=120).map("".join))
def test_spans_give_back_the_source(text):
    spans = sentence_spans(text)
    rebuilt, cursor = [], 0
    for start, end in spans:
        assert cursor <= start < end <= len(text)
        assert text[cursor:start].strip() == ""  # only whitespace between sentences
        assert not text[start].isspace() and not text[end - 1].isspace()
        rebuilt.append(text[cursor:end])
        cursor = end
    assert text[cursor:].strip() == ""
    assert "".join(rebuilt) + text[cursor:] == text


def _nltk_punkt():
    """NLTK's Punkt with the same French parameters: what split_sentences ran before it
    moved to the ``punkt`` package (0.3 s less to import)."""
    from nltk.tokenize.punkt import PunktParameters, PunktSentenceTokenizer
    from punkt.data import french

    from translate_news.text.segment import NEWS_ABBREVIATIONS

    params = PunktParameters()
    params.abbrev_types = set(french.ABBREV_TYPES) | NEWS_ABBREVIATIONS
    params.collocations = set(french.COLLOCATIONS)
    params.sent_starters = set(french.SENT_STARTERS)
    for word_type, flags in french.ORTHO_CONTEXT.items():
        params.ortho_context[word_type] = flags
    return PunktSentenceTokenizer(params)


@pytest.fixture(scope="module")
def with_nltk():
    """sentence_spans, run with NLTK's Punkt instead."""
    from translate_news.text import segment

    reference = _nltk_punkt()

    def spans(text):
        saved, segment._tokenizer = segment._tokenizer, lambda: reference
        try:
            return sentence_spans(text)
        finally:
            segment._tokenizer = saved

    return spans


def _french_texts() -> list[str]:
    from pathlib import Path

    from .conftest import SEED, make_test_models

    texts = SEED.read_text(encoding="utf-8").split("\n\n")
    texts.append((Path(__file__).parent / "data" / "toy.txt").read_text(encoding="utf-8"))
    corpus = [fr for fr, _ in make_test_models.toy_corpus()]
    texts += [" ".join(corpus[i : i + 8]) for i in range(0, len(corpus), 8)]
    gold = Path(__file__).parents[2] / "shared" / "eval" / "fr-sentences"
    for path in sorted(gold.glob("*.tsv")):  # beside the checkout, where it is
        rows = path.read_text(encoding="utf-8").splitlines()[1:]
        sentences = [row.split("\t")[2] for row in rows if row.count("\t") >= 2]
        texts += [" ".join(sentences[i : i + 8]) for i in range(0, len(sentences), 8)]
    return texts


def test_same_sentences_as_with_nltks_punkt(with_nltk):
    texts = _french_texts()
    assert len(texts) > 50
    assert [sentence_spans(t) for t in texts] == [with_nltk(t) for t in texts]


@settings(max_examples=300, deadline=None)
@given(st.lists(_ALPHABET, max_size=120).map("".join))
def test_same_sentences_as_with_nltks_punkt_on_any_text(with_nltk, text):
    assert sentence_spans(text) == with_nltk(text)
