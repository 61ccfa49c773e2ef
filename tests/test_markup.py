"""Inline markup through translation: each element around the English of the French
words it wrapped (the toy corpus tells where that is), tags balanced and nested as they
were, no text lost or repeated, whatever the markup."""

from __future__ import annotations

import html
from html.parser import HTMLParser

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from translate_news import Translator
from translate_news.pipeline.markup import Plan, aligned, plan_html
from translate_news.seq2seq.alignment import word_links
from translate_news.text.inline import Span, project, render

from .conftest import make_test_models
from .markup_table import cases


def _translate(translator: Translator, markup: str) -> str:
    """What the server does with ``format=html``: plan, translate, align, put back."""
    plan: Plan = plan_html(markup)
    found = translator.translate_checked(plan.sentences)
    return plan.finish(aligned(translator.model, plan.sentences, found, plan.aligned))


@pytest.mark.parametrize("backend", ["ctranslate2", "torch"])
def test_each_element_wraps_the_english_of_its_words(toy_model, backend):
    """At least 40 sentences of the toy corpus, with one or two elements (nested or side
    by side, with attributes), come back with each element where the corpus puts the
    English of its words."""
    translator = Translator(str(toy_model), device="cpu", backend=backend)
    table = cases()
    plain = translator.translate([_text_of(fr) for fr, _, _ in table])
    known = [(fr, want) for (fr, en, want), got in zip(table, plain) if got == en]
    assert len(known) >= 40
    got = [_translate(translator, fr) for fr, _ in known]
    assert got == [want for _, want in known]


def test_the_issue_s_sentence_is_translated_whole(toy_translator):
    """The sentence cut by ``<b>`` went to the model in three pieces; now it goes whole."""
    markup = "<p>Le maire annonce le budget <b>mardi</b>.</p>"
    plan = plan_html(markup)
    assert plan.sentences == ["Le maire annonce le budget mardi."]
    assert _translate(toy_translator, markup) == (
        "<p>The mayor announces the budget <b>on Tuesday</b>.</p>"
    )


def test_blocks_script_comments_images_and_entities(toy_translator):
    markup = (
        '<div class="a"><p>Le <a href="/m?a=1&amp;b=2" title="x &quot;y&quot;">maire</a> '
        'annonce <!-- note --> le budget mardi.<img src=i.png alt=""></p>'
        "<script>var s = '<b>Le chat</b>';</script>"
        "<p>La presse regarde le <i>rapport</i>. Le chat mange la pomme.</p>"
        "<ul><li>Le gouvernement refuse la r&eacute;forme.</li></ul></div>"
    )
    assert _translate(toy_translator, markup) == (
        '<div class="a"><p>The <a href="/m?a=1&amp;b=2" title="x &quot;y&quot;">mayor</a> '
        'announces <!-- note -->the budget on Tuesday.<img src=i.png alt=""></p>'
        "<script>var s = '<b>Le chat</b>';</script>"
        "<p>The press watches the <i>report</i>. The cat eats the apple.</p>"
        "<ul><li>The government refuses the reform.</li></ul></div>"
    )


def test_an_element_across_two_sentences_spans_their_english(toy_translator):
    markup = "<p>Le maire annonce <b>le budget mardi. La presse</b> regarde le rapport.</p>"
    assert _translate(toy_translator, markup) == (
        "<p>The mayor announces <b>the budget on Tuesday. The press</b> watches the report.</p>"
    )


def test_markup_that_does_not_close_inside_its_text_stays_as_it_was(toy_translator):
    """A tag without its other end, or with a block element between its ends, is kept
    where it was, as markup, and the text around it translated as before."""
    for markup in ["<p>Le chat mange <b>la pomme.</p>", "<b>Le chat mange la pomme.<p>x</p></b>"]:
        out = _translate(toy_translator, markup)
        assert out.count("<b>") == 1 and out.count("</b>") == markup.count("</b>")


def test_projection_follows_the_english_order_and_keeps_nesting():
    """Unit: French words 0, 1 become English words 1, 0 (an adjective moved): the
    elements swap places; a child never leaves its parent; every character once."""
    source, target = "voiture rouge", "red car"
    spans = [Span(0, 7, ("<i>", "</i>")), Span(8, 13, ("<b>", "</b>"))]
    placed = project(source, target, [1, 0], spans)
    assert render(target, placed, html.escape) == "<b>red</b> <i>car</i>"
    parent = Span(0, 13, ("<u>", "</u>"), [Span(8, 13, ("<b>", "</b>"))])
    assert render(target, project(source, target, [1, 0], [parent]), html.escape) == (
        "<u><b>red</b> car</u>"
    )
    empty = Span(7, 7, ("<wbr>", ""))  # no words: where its place maps
    assert render(target, project(source, target, [0, 1], [empty]), str) == "red<wbr> car"


def test_the_alignment_path_follows_the_attention_and_the_diagonal():
    """Unit: with no attention at all the path is the diagonal; attention that points
    elsewhere moves it."""
    flat = [[0.25] * 4 for _ in range(4)]
    assert word_links(flat, [0, 1, 2, 3], [0, 1, 2, 3]) == [0, 1, 2, 3]
    swapped = [[0.0, 1.0, 0, 0], [1.0, 0.0, 0, 0], [0, 0, 1.0, 0], [0, 0, 0, 1.0]]
    assert word_links(swapped, [0, 1, 2, 3], [0, 1, 2, 3]) == [1, 0, 2, 3]


@pytest.mark.parametrize("backend", ["ctranslate2", "torch"])
def test_both_backends_align_the_toy_corpus(toy_model, backend):
    """The model's own alignment, from either backend, is the corpus's on its first 100
    sentences (subject, verb, object and time, word for word)."""
    translator = Translator(str(toy_model), device="cpu", backend=backend)
    pairs = make_test_models.toy_corpus()[:100]
    found = translator.model.align([fr for fr, _ in pairs], [en for _, en in pairs])
    gold = [[min(k, len(fr.split()) - 1) for k in range(len(en.split()))] for fr, en in pairs]
    wrong = sum(a != b for f, g in zip(found, gold) for a, b in zip(f, g))
    # Of 640 English words, under 1%: the toy model is trained anew on each machine,
    # and its builds have given 0, 1 (CI's) and 3 (a fresh build on 2026-12-04).
    assert wrong <= 6, wrong


class _Balance(HTMLParser):
    """Start tags in order, and whether every end tag closes the latest open one."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.starts: list[str] = []
        self.stack: list[str] = []
        self.balanced = True
        self.text = ""

    def handle_starttag(self, tag: str, attrs: list) -> None:
        self.starts.append(self.get_starttag_text() or "")
        if tag not in ("img", "wbr"):
            self.stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        self.balanced = self.balanced and bool(self.stack) and self.stack.pop() == tag

    def handle_data(self, data: str) -> None:
        self.text += data


def _text_of(markup: str) -> str:
    found = _Balance()
    found.feed(markup)
    found.close()
    return found.text


TAGS = ["b", "i", "em", "strong", "a", "span", "sup", "sub", "u", "code"]
ATTRIBUTE = st.sampled_from(
    ["", ' href="/x?a=1&amp;b=2"', " class='c d'", ' title="&lt;&quot;&eacute;&gt;"', " id=k"]
)
SENTENCES = [fr for fr, _ in make_test_models.toy_article_pairs()]


@st.composite
def marked(draw) -> str:
    """One or two toy sentences with random inline markup: nested elements over word
    ranges (some empty, some with the space after them inside), attributes with
    entities, images, word breaks and comments between words, accents as entities."""
    words = " ".join(draw(st.lists(st.sampled_from(SENTENCES), min_size=1, max_size=2))).split()

    def build(lo: int, hi: int, depth: int) -> str:
        pieces, at = [], lo
        while at < hi:
            if depth < 3 and draw(st.booleans()):
                end = draw(st.integers(at, hi))  # end == at: an empty element
                tag = draw(st.sampled_from(TAGS))
                inner = build(at, end, depth + 1)
                space = " " if inner and draw(st.booleans()) else ""
                pieces.append(f"<{tag}{draw(ATTRIBUTE)}>{inner}{space}</{tag}>")
                if end > at:
                    at = end
                    continue
            word = words[at].replace("é", draw(st.sampled_from(["é", "&eacute;", "&#233;"])))
            point = draw(st.sampled_from(["", "", "<img src=p.png>", "<wbr>", "<!-- c -->"]))
            pieces.append(point + word)
            at += 1
        return " ".join(pieces)

    return f"<p>{build(0, len(words), 0)}</p>"


@settings(
    max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(markup=marked())
def test_any_inline_markup_stays_balanced_and_keeps_every_word(toy_translator, markup):
    """Whatever the markup: balanced as it was, every start tag kept as written, and the
    text exactly the English of the text (no word lost, none repeated)."""
    out = _translate(toy_translator, markup)
    before, after = _Balance(), _Balance()
    before.feed(markup)
    after.feed(out)
    assert after.balanced and not after.stack, out
    assert sorted(after.starts) == sorted(before.starts), out
    english = _translate(toy_translator, f"<p>{html.escape(before.text)}</p>")
    assert " ".join(after.text.split()) == " ".join(_text_of(english).split()), out


def test_fresh_translations_are_aligned_from_their_own_beam(toy_model, monkeypatch):
    """CTranslate2 returns each output's attention from the beam search that wrote it:
    aligning what was just translated takes no second decode; what the memory gave
    back (no beam ran) is decoded along its English once, to the same links."""
    translator = Translator(str(toy_model), device="cpu")  # the memory on
    pairs = make_test_models.toy_corpus()[:30]
    french = [fr for fr, _ in pairs]
    english = translator.translate(french)
    backend = translator.model.backend
    fresh = translator.model.align(french, english)

    def forced(*args):
        raise AssertionError("a second decode")

    with monkeypatch.context() as patch:
        patch.setattr(backend, "_forced", forced)
        assert translator.model.align(french, english) == fresh
    backend._attended.clear()  # as after a restart, the memory holding the English
    again = Translator(str(toy_model), device="cpu")
    assert again.translate(french) == english
    assert again.model.align(french, english) == fresh
