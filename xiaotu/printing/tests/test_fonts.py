"""The Chinese font: configurable, found on the machine and embedded, else the STSong-Light CID font."""

from pathlib import Path

import pytest

from xiaotu.printing import fonts
from xiaotu.printing.labels import SpineLabel, spine_labels_pdf
from xiaotu.printing.layout import PRESETS

WQY = Path("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc")
needs_wqy = pytest.mark.skipif(not WQY.is_file(), reason="fonts-wqy-zenhei is not installed")


@pytest.fixture(autouse=True)
def fresh_font_cache():
    fonts._resolve.cache_clear()
    yield
    fonts._resolve.cache_clear()


@needs_wqy
def test_a_system_font_is_found_and_embedded():
    font = fonts.chinese_font()
    assert font.embedded
    assert font.path == WQY
    assert fonts.chinese_font() is font


@needs_wqy
def test_the_setting_is_read_when_called(settings, tmp_path):
    settings.XIAOTU_PDF_FONT = str(WQY)
    assert fonts.chinese_font().path == WQY
    settings.XIAOTU_PDF_FONT = str(tmp_path / "missing.ttf")
    assert fonts.chinese_font().embedded  # a broken setting falls back to the system fonts


def test_a_file_that_is_not_a_font_is_skipped(tmp_path):
    bogus = tmp_path / "simhei.ttf"
    bogus.write_bytes(b"not a font")
    assert fonts.chinese_font(bogus).path != bogus


def test_without_any_font_the_cid_font_is_used(monkeypatch, tmp_path):
    monkeypatch.setattr(fonts, "CANDIDATES", ())
    font = fonts.chinese_font(tmp_path / "missing.ttf")
    assert (font.name, font.embedded, font.path) == ("STSong-Light", False, None)
    pdf = spine_labels_pdf([SpineLabel("I247.5/1", location="阅览室")], PRESETS["a4-spine-5x13"])
    assert b"/STSong-Light" in pdf
