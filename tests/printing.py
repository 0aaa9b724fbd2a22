"""Printed documents checked as a reader gets them: Chromium prints the page to PDF, pdftotext reads it back."""

from __future__ import annotations

import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.golden_files import REGENERATE

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
    """A small PNG of the page's first screen (beside the page; under docs/screenshots for the README
    when the golden files are regenerated, MORALBANK_REGEN_GOLDEN=1)."""
    folder = SCREENSHOTS if REGENERATE else page.parent
    folder.mkdir(parents=True, exist_ok=True)
    png = folder / name
    # Half the pixels of the page (a device scale of 0.6) keeps the committed PNGs small.
    _chromium(
        f"--window-size={width},{height}", "--force-device-scale-factor=0.6", f"--screenshot={png}", page.as_uri()
    )
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and png.stat().st_size > 5_000
    return png


def has_cjk_font(printed: Printed) -> bool:
    """Whether the PDF embeds a font that draws Chinese."""
    return any(name in printed.fonts for name in ("WenQuanYi", "Noto", "CJK", "Zen", "Han"))
