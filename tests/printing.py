"""Printed documents checked as a reader gets them: Chromium prints the page to PDF, pdftotext reads it back."""

from __future__ import annotations

import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
needs_chromium = pytest.mark.skipif(CHROMIUM is None, reason="needs Debian's chromium (.ci/run installs it)")
SCREENSHOTS = Path(__file__).parent.parent / "docs" / "screenshots"


@dataclass(frozen=True)
class Printed:
    """A page printed to PDF: its pages' text (as pdftotext reads it) and its fonts."""

    pages: list[str]
    fonts: str

    @property
    def text(self) -> str:
        """Every page's text, joined."""
        return "\n".join(self.pages)


def _chromium(*args: str) -> None:
    base = [CHROMIUM or "chromium", "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars"]
    subprocess.run([*base, *args], check=True, capture_output=True, timeout=120)


def print_page(page: Path) -> Printed:
    """``page`` printed by headless Chromium on A4, as pdftotext and pdffonts read the PDF."""
    pdf = page.with_suffix(".pdf")
    _chromium("--no-pdf-header-footer", f"--print-to-pdf={pdf}", page.as_uri())
    assert shutil.which("pdftotext"), "pdftotext (poppler-utils) is needed; .ci/run installs it"
    read = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], check=True, capture_output=True, text=True).stdout
    fonts = subprocess.run(["pdffonts", str(pdf)], check=True, capture_output=True, text=True).stdout
    info = subprocess.run(["pdfinfo", str(pdf)], check=True, capture_output=True, text=True).stdout
    assert "pts (A4)" in info, info  # A4 portrait
    return Printed(read.split("\f")[:-1] if read.endswith("\f") else read.split("\f"), fonts)


def screenshot(page: Path, name: str, width: int = 794, height: int = 1123) -> Path:
    """A PNG of the page's first screen, kept under docs/screenshots for the README."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    png = SCREENSHOTS / name
    _chromium(f"--window-size={width},{height}", f"--screenshot={png}", page.as_uri())
    return png


def has_cjk_font(printed: Printed) -> bool:
    """Whether the PDF embeds a font that draws Chinese."""
    return any(name in printed.fonts for name in ("WenQuanYi", "Noto", "CJK", "Zen", "Han"))
