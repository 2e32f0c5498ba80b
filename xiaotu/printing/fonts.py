"""The Chinese font every PDF uses: a TrueType font on the machine, embedded, else the STSong-Light CID font."""

from __future__ import annotations

import functools
import logging
import os
import zlib
from dataclasses import dataclass
from pathlib import Path

from reportlab.pdfbase import pdfmetrics  # type: ignore[import-untyped]
from reportlab.pdfbase.cidfonts import UnicodeCIDFont  # type: ignore[import-untyped]
from reportlab.pdfbase.ttfonts import TTFError, TTFont  # type: ignore[import-untyped]

logger = logging.getLogger(__name__)

CID_FALLBACK = "STSong-Light"
_PROBE = "图书馆"

_WINDOWS_FONTS = Path(os.environ.get("WINDIR", r"C:\Windows")) / "Fonts"
# TrueType outlines only: reportlab cannot embed CFF-flavoured OpenType (most Noto CJK .otf/.ttc files),
# so those are tried but usually skipped.
CANDIDATES: tuple[Path, ...] = (
    Path("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc"),
    Path("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"),
    Path("/usr/share/fonts/truetype/noto/NotoSansSC-Regular.ttf"),
    Path("/usr/share/fonts/truetype/noto/NotoSansCJK-Regular.ttc"),
    Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"),
    Path("/usr/share/fonts/truetype/arphic/uming.ttc"),
    Path("/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf"),
    _WINDOWS_FONTS / "msyh.ttc",
    _WINDOWS_FONTS / "msyh.ttf",
    _WINDOWS_FONTS / "simhei.ttf",
    _WINDOWS_FONTS / "simsun.ttc",
    Path("/System/Library/Fonts/PingFang.ttc"),
    Path("/System/Library/Fonts/STHeiti Light.ttc"),
    Path("/Library/Fonts/Arial Unicode.ttf"),
)


@dataclass(frozen=True)
class PdfFont:
    """A font registered with reportlab: its name for ``setFont``, the file it came from, and whether it is embedded."""

    name: str
    path: Path | None
    embedded: bool


def chinese_font(path: str | Path | None = None) -> PdfFont:
    """The font for Chinese text: ``path``, else the XIAOTU_PDF_FONT setting, else the first known system font
    that loads, else STSong-Light (not embedded: the PDF reader must supply it). Registered once per process."""
    configured = path if path is not None else _configured_path()
    return _resolve(str(configured) if configured else "")


def _configured_path() -> str | None:
    from django.conf import settings

    if not settings.configured:
        return None
    value = getattr(settings, "XIAOTU_PDF_FONT", None)
    return str(value) if value else None


@functools.lru_cache(maxsize=8)
def _resolve(configured: str) -> PdfFont:
    if configured:
        font = _register(Path(configured))
        if font:
            return font
        logger.warning("XIAOTU_PDF_FONT %s could not be used; looking for a system font", configured)
    for candidate in CANDIDATES:
        if candidate.is_file() and (font := _register(candidate)):
            return font
    logger.warning("no embeddable Chinese TrueType font found; PDFs use %s", CID_FALLBACK)
    pdfmetrics.registerFont(UnicodeCIDFont(CID_FALLBACK))
    return PdfFont(name=CID_FALLBACK, path=None, embedded=False)


def _register(path: Path) -> PdfFont | None:
    name = f"XiaotuCJK-{zlib.crc32(str(path).encode()):08x}"
    if name in pdfmetrics.getRegisteredFontNames():
        return PdfFont(name=name, path=path, embedded=True)
    try:
        font = TTFont(name, str(path), subfontIndex=0)
    except (OSError, TTFError) as exc:
        logger.info("skipping font %s: %s", path, exc)
        return None
    if any(ord(char) not in font.face.charToGlyph for char in _PROBE):
        logger.info("skipping font %s: it has no Chinese glyphs", path)
        return None
    pdfmetrics.registerFont(font)
    return PdfFont(name=name, path=path, embedded=True)
