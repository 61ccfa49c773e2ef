import subprocess
import sys


def test_import_is_light_and_has_no_side_effects(tmp_path):
    work = tmp_path / "work"
    work.mkdir()
    code = (
        "import os, sys; before = dict(os.environ); import translate_news; "
        "assert dict(os.environ) == before; "
        "heavy = [m for m in ('torch', 'transformers', 'nltk') if m in sys.modules]; "
        "assert not heavy, heavy; print(sorted(translate_news.__all__)[0])"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=work, capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "Article"
    assert list(work.iterdir()) == []
    assert list((tmp_path / "home").iterdir()) == []
