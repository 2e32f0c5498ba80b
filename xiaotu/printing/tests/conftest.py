"""Helpers to look at the PDFs the way a scanner and a person would: rendered to pictures by poppler."""

import shutil
import subprocess
from pathlib import Path

import pytest
from PIL import Image

DPI = 300


@pytest.fixture
def render(tmp_path):
    """Render a PDF to one greyscale PIL image per page at 300 dpi with pdftoppm."""
    if shutil.which("pdftoppm") is None:
        pytest.skip("pdftoppm (poppler-utils) is not installed")

    def render_pdf(pdf: bytes) -> list[Image.Image]:
        source = tmp_path / "labels.pdf"
        source.write_bytes(pdf)
        subprocess.run(["pdftoppm", "-r", str(DPI), "-gray", "-png", str(source), str(tmp_path / "page")], check=True)
        return [Image.open(path).convert("L") for path in sorted(Path(tmp_path).glob("page-*.png"))]

    return render_pdf


@pytest.fixture
def pdf_text(tmp_path):
    """The text of a PDF as pdftotext reads it, line by line."""
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (poppler-utils) is not installed")

    def extract(pdf: bytes) -> list[str]:
        source = tmp_path / "text.pdf"
        source.write_bytes(pdf)
        result = subprocess.run(["pdftotext", str(source), "-"], check=True, capture_output=True, text=True)
        return [line.strip() for line in result.stdout.splitlines() if line.strip()]

    return extract
