"""The site checker of ``make docs-check`` (docs/check_site.py) finds broken links."""

import importlib.util
from pathlib import Path

import pytest

CHECKER = Path(__file__).resolve().parent.parent / "docs" / "check_site.py"


@pytest.fixture(scope="module")
def check_site():
    spec = importlib.util.spec_from_file_location("check_site", CHECKER)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _page(path, body):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f"<html><body>{body}</body></html>")


def test_broken_files_and_anchors_are_found_and_external_links_ignored(tmp_path, check_site):
    _page(tmp_path / "index.html", '<a href="api/a.html#fit">ok</a> <a href="gone.html">x</a>')
    _page(
        tmp_path / "api" / "a.html",
        '<h2 id="fit">fit</h2><img src="../_images/plot.png"> <a href="#nowhere">x</a>'
        '<a href="https://example.org/missing">external</a> <a href="../index.html">up</a>',
    )
    (tmp_path / "_images").mkdir()
    (tmp_path / "_images" / "plot.png").write_bytes(b"png")
    _page(tmp_path / "_static" / "template.html", '<a href="{{ pathto(x) }}">theme</a>')
    broken = {(str(page), link) for page, link in check_site.broken_links(tmp_path)}
    assert broken == {("index.html", "gone.html"), (str(Path("api/a.html")), "#nowhere")}
