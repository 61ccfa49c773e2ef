"""Subtitles in, subtitles out: cue timings kept, a sentence that runs across cues
translated whole and its English put back on the same cues, lines within 42 characters."""

from __future__ import annotations

import shutil

from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st

from translate_news.cli import app
from translate_news.formats.subtitles import LINE, _lines, _share

runner = CliRunner()
SRT = """\
1
00:00:01,000 --> 00:00:03,500
Le maire annonce

2
00:00:03,600 --> 00:00:06,000
le budget mardi. La presse regarde

3
00:00:06,100 --> 00:00:08,000
<i>le rapport.</i>

4
00:00:09,000 --> 00:00:12,000
Le président prépare la rencontre lundi.
Le chat mange la pomme. Le chien attend le pain.
"""
VTT = """\
WEBVTT - des sous-titres

NOTE une note

intro
00:01.000 --> 00:03.500 align:start line:0
Le maire annonce

00:03.600 --> 00:06.000
le budget mardi.
"""


def test_srt_as_readme_shows_it(toy_model, tmp_path):
    """``translate talk.srt`` writes ``talk.en.srt`` beside it: the same cues and
    timings; the sentence across three cues whole, each cue the English of its words."""
    source = tmp_path / "talk.srt"
    source.write_text(SRT, encoding="utf-8")
    result = runner.invoke(app, ["translate", str(source), "-m", str(toy_model)])
    assert result.exit_code == 0, result.output
    english = (tmp_path / "talk.en.srt").read_text(encoding="utf-8")
    assert english == (
        "1\n00:00:01,000 --> 00:00:03,500\nThe mayor announces\n\n"
        "2\n00:00:03,600 --> 00:00:06,000\nthe budget on Tuesday. The press watches\n\n"
        "3\n00:00:06,100 --> 00:00:08,000\n<i>the report.</i>\n\n"
        "4\n00:00:09,000 --> 00:00:12,000\nThe president prepares the meeting on\n"
        "Monday. The cat eats the apple. The dog\nawaits the bread.\n"
    )
    # The last cue's French was already over two lines of 42: its English is kept whole,
    # on three lines, and the user told.
    assert "1 cue(s) need more than 2 lines of 42 characters" in result.stderr


def test_vtt_keeps_its_header_notes_identifiers_and_settings(toy_model, tmp_path):
    source = tmp_path / "clip.vtt"
    source.write_text(VTT, encoding="utf-8")
    out = tmp_path / "clip.en.vtt"
    result = runner.invoke(app, ["translate", str(source), "-m", str(toy_model), "-o", str(out)])
    assert result.exit_code == 0, result.output
    blocks = out.read_text(encoding="utf-8").split("\n\n")
    assert blocks[0] == "WEBVTT - des sous-titres"
    assert blocks[1].startswith("NOTE\nTranslated from French by translate-news: marian-toy@")
    assert blocks[2:] == [
        "NOTE une note",
        "intro\n00:01.000 --> 00:03.500 align:start line:0\nThe mayor announces",
        "00:03.600 --> 00:06.000\nthe budget on Tuesday.\n",
    ]


def test_subtitles_errors_are_one_line_and_nothing_is_written(toy_model, toy_article, tmp_path):
    bad = tmp_path / "bad.srt"
    bad.write_text("1\n00:00:01,000 --> 00:00:02,000\nLe chat.\n\nsans minutage\n", "utf-8")
    result = runner.invoke(app, ["translate", str(bad), "-m", str(toy_model)])
    assert (
        result.exit_code == 1 and "block 2 of these subtitles has no timing line" in result.stderr
    )
    assert len(result.stderr.strip().splitlines()) == 1 and not (tmp_path / "bad.en.srt").exists()
    empty = tmp_path / "empty.vtt"
    empty.write_text("WEBVTT\n\nNOTE rien\n", "utf-8")
    result = runner.invoke(app, ["translate", str(empty), "-m", str(toy_model)])
    assert result.exit_code == 1 and "holds no subtitle cues" in result.stderr
    other = runner.invoke(app, ["translate", str(toy_article), "-m", str(toy_model), "-f", "srt"])
    assert other.exit_code == 2 and "srt subtitles are written from srt subtitles" in other.stderr


def test_subtitles_read_as_an_article_for_the_other_formats(toy_model, tmp_path):
    source = tmp_path / "talk.srt"
    source.write_text(SRT, encoding="utf-8")
    result = runner.invoke(app, ["translate", str(source), "-m", str(toy_model), "-f", "txt"])
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith(
        "The mayor announces the budget on Tuesday. The press watches the report."
    )


def test_a_folder_of_subtitles_resumes(toy_model, tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "a.srt").write_text(SRT, encoding="utf-8")
    (folder / "b.vtt").write_text(VTT, encoding="utf-8")
    for fmt, name in (("srt", "a.en.srt"), ("vtt", "b.en.vtt")):
        out = tmp_path / f"out-{fmt}"
        shutil.rmtree(out, ignore_errors=True)
        args = ["translate", str(folder), "-o", str(out), "-f", fmt, "-m", str(toy_model)]
        first = runner.invoke(app, args)
        assert "\nthe budget on Tuesday." in (out / name).read_text(encoding="utf-8")
        # The other kind cannot be written as this one: one line for it, the rest done.
        assert "done          1" in first.stderr and "failed        1" in first.stderr
        second = runner.invoke(app, args)
        assert "skipped       1" in second.stderr


@given(
    words=st.lists(st.text("abcdé.,", min_size=1, max_size=12), max_size=40),
    sizes=st.lists(st.integers(1, 80), min_size=1, max_size=6),
)
def test_sharing_out_keeps_every_word_in_order(words, sizes):
    parts = _share(words, sizes)
    assert len(parts) == len(sizes) and [w for p in parts for w in p] == words
    if len(words) >= len(sizes):
        assert all(parts)


@given(st.lists(st.text("abcdefghij", min_size=1, max_size=50), max_size=30))
def test_lines_keep_every_word_and_stay_within_42(words):
    text = " ".join(words)
    lines = _lines(text)
    assert " ".join(lines) == text
    assert all(len(line) <= LINE or " " not in line for line in lines)
    fits = any(c == " " and i <= LINE and len(text) - i - 1 <= LINE for i, c in enumerate(text))
    if len(text) <= LINE or fits:
        assert len(lines) <= 2
