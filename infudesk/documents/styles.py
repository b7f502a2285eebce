"""Fonts (with per-character fallback across scripts), colours and paragraph styles: one place.

reportlab draws a character the current font lacks as nothing at all (or a box), silently. So
every piece of text that comes from data goes through ``markup`` (for Paragraphs) or
``draw_text`` (for the canvas): both split the text into runs, each in the first font of the
chain that has all its glyphs — DejaVu Sans for Latin (with every diacritic), Greek and
Cyrillic; Droid Sans Fallback for Chinese, Japanese and Korean; Droid Sans Fallback Full for
the rarer CJK Extension A ideographs. The Droid fonts are read only when a text needs them.
"""

from __future__ import annotations

import threading
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache, lru_cache
from typing import Literal
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_LEFT, TA_RIGHT
from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas

from infudesk.errors import UserError
from infudesk.resources import resource

REGULAR = "DejaVuSans"
BOLD = "DejaVuSans-Bold"
CJK = "DroidSansFallback"
CJK_FULL = "DroidSansFallbackFull"
FONT_FILES: dict[str, str] = {
    REGULAR: "DejaVuSans.ttf",
    BOLD: "DejaVuSans-Bold.ttf",
    CJK: "DroidSansFallback.ttf",
    CJK_FULL: "DroidSansFallbackFull.ttf",
}
# the fonts tried, in order, for regular and for bold text
CHAINS: dict[str, tuple[str, ...]] = {
    REGULAR: (REGULAR, CJK, CJK_FULL),
    BOLD: (BOLD, CJK, CJK_FULL),
}

# colours
INK = colors.HexColor("#1a1a1a")
MUTED = colors.HexColor("#555b63")
ACCENT = colors.HexColor("#1f3a5f")
RULE = colors.HexColor("#b9c0c9")
SHADE = colors.HexColor("#eef2f6")
HIGHLIGHT = colors.HexColor("#fff1a8")  # blanks the provider must fill in
HIGHLIGHT_HEX = "#fff1a8"

_lock = threading.RLock()
_cmaps: dict[str, Mapping[int, int]] = {}


def _load(name: str) -> Mapping[int, int]:
    """Register one font with reportlab (once per process); its character → glyph map."""
    cmap = _cmaps.get(name)
    if cmap is not None:
        return cmap
    with _lock:
        cmap = _cmaps.get(name)
        if cmap is not None:
            return cmap
        path = resource("fonts", FONT_FILES[name])
        try:
            font = TTFont(name, str(path))
        except OSError as exc:
            raise UserError(
                f"A font infudesk prints with is missing or damaged ({path.name}, in {path.parent})."
                " Reinstall infudesk, then print again.",
                title="Cannot print",
            ) from exc
        pdfmetrics.registerFont(font)
        if name == REGULAR:
            # <b> inside a paragraph in the base font maps to the bold face
            _load(BOLD)
            pdfmetrics.registerFontFamily(
                REGULAR, normal=REGULAR, bold=BOLD, italic=REGULAR, boldItalic=BOLD
            )
        elif name != BOLD:
            # fallback fonts have one weight: <b> around them keeps them
            pdfmetrics.registerFontFamily(
                name, normal=name, bold=name, italic=name, boldItalic=name
            )
        glyphs: Mapping[int, int] = font.face.charToGlyph
        _cmaps[name] = glyphs
        return glyphs


def register_fonts() -> None:
    """Make the base fonts known to reportlab; the fallbacks load when a text needs them."""
    _load(REGULAR)
    _load(BOLD)


@cache
def _has_ascii(font: str) -> bool:
    """Whether ``font`` has every printable ASCII character (space to tilde)."""
    glyphs = _load(font)
    return all(code in glyphs for code in range(0x20, 0x7F))


def has_glyph(font: str, ch: str) -> bool:
    """Whether ``font`` (a name from FONT_FILES) has a glyph for the character ``ch``."""
    return ord(ch) in _load(font)


def clean(text: str) -> str:
    """NFC-normalized, without control characters (tabs and newlines become spaces)."""
    text = unicodedata.normalize("NFC", text)
    if text.isprintable():
        return text
    return "".join(
        " " if ch in "\t\n\r" else ch
        for ch in text
        if ch in "\t\n\r" or unicodedata.category(ch) not in ("Cc", "Cs", "Cn")
    )


def _needs_layout(ch: str) -> bool:
    """Right-to-left letters: reportlab neither reorders nor shapes them."""
    return unicodedata.bidirectional(ch) in ("R", "AL")


def font_for(ch: str, base: str = REGULAR) -> str | None:
    """The first font of ``base``'s chain with a glyph for ``ch`` (None: no font has it)."""
    for name in CHAINS[base]:
        if has_glyph(name, ch):
            return name
    return None


def font_runs(text: str, *, bold: bool = False) -> list[tuple[str, str]]:
    """Split ``text`` (cleaned: see ``clean``) into (font name, run) pairs, each run in a font that has
    every one of its characters.

    The base font is preferred; a space stays in the run it is in (no switching back and forth
    around the spaces of a Chinese phrase); a character no font has goes to the base font
    (``unprintable`` lists those).
    """
    base = BOLD if bold else REGULAR
    text = clean(text)
    glyphs = _load(base)
    # the usual case: one run. Printable ASCII (what ``clean`` leaves of ASCII) is in both
    # base fonts; else a membership test per character (a set difference with the map's keys
    # would walk all of the font's thousands of characters on every call)
    if (text.isascii() and _has_ascii(base)) or all(ord(ch) in glyphs for ch in text):
        return [(base, text)] if text else []
    runs: list[tuple[str, str]] = []
    current: str | None = None
    chars: list[str] = []
    for ch in text:
        if current is not None and ch.isspace() and has_glyph(current, ch):
            font = current
        else:
            font = font_for(ch, base) or base
        if font != current:
            if chars and current is not None:
                runs.append((current, "".join(chars)))
            current, chars = font, []
        chars.append(ch)
    if chars and current is not None:
        runs.append((current, "".join(chars)))
    return runs


def unprintable(text: str) -> str:
    """The characters of ``text`` that will not print right: no font has them, or they are
    written right to left. Empty when all is well (callers may warn before printing)."""
    seen: dict[str, None] = {}
    for ch in clean(text):
        if ch.isspace() or ch in seen:
            continue
        if font_for(ch) is None or _needs_layout(ch):
            seen[ch] = None
    return "".join(seen)


def markup(text: object, *, bold: bool = False) -> str:
    """Paragraph markup for plain ``text``: XML-escaped, with each run that needs another font
    wrapped in ``<font name=…>``. Runs in the regular base font are left bare, so the result
    also works inside ``<b>`` (the base family maps to the bold face). With ``bold``, the text is
    bold by itself."""
    out: list[str] = []
    for font, run in font_runs(str(text), bold=bold):
        piece = escape(run)
        out.append(piece if font == REGULAR else f'<font name="{font}">{piece}</font>')
    return "".join(out)


def text_width(text: str, size: float, *, bold: bool = False) -> float:
    """The width in points of ``text`` drawn with ``draw_text``."""
    return float(
        sum(pdfmetrics.stringWidth(run, font, size) for font, run in font_runs(text, bold=bold))
    )


def draw_text(
    canvas: Canvas,
    x: float,
    y: float,
    text: str,
    *,
    size: float,
    bold: bool = False,
    align: Literal["left", "right", "center"] = "left",
) -> float:
    """Draw one line of ``text`` on the canvas with font fallback; returns its width."""
    runs = font_runs(text, bold=bold)
    width = float(sum(pdfmetrics.stringWidth(run, font, size) for font, run in runs))
    if align == "right":
        x -= width
    elif align == "center":
        x -= width / 2
    for font, run in runs:
        canvas.setFont(font, size)
        canvas.drawString(x, y, run)
        x += pdfmetrics.stringWidth(run, font, size)
    return width


def fit_text(text: str, width: float, size: float, *, bold: bool = False) -> str:
    """``text`` shortened with an ellipsis so it fits ``width`` points (for one-line headers)."""
    if text_width(text, size, bold=bold) <= width:
        return text
    while text and text_width(text + "…", size, bold=bold) > width:
        text = text[:-1]
    return text.rstrip() + "…"


# --- paragraph styles ------------------------------------------------------------------------


@dataclass(frozen=True)
class Styles:
    """Every paragraph style the documents use."""

    body: ParagraphStyle
    body_tight: ParagraphStyle
    small: ParagraphStyle
    fine: ParagraphStyle
    title: ParagraphStyle
    subtitle: ParagraphStyle
    heading: ParagraphStyle
    subheading: ParagraphStyle
    lead: ParagraphStyle
    bullet: ParagraphStyle
    cell: ParagraphStyle
    cell_bold: ParagraphStyle
    cell_right: ParagraphStyle
    cell_right_bold: ParagraphStyle
    cell_head: ParagraphStyle
    cell_head_right: ParagraphStyle
    label: ParagraphStyle
    address: ParagraphStyle
    banner: ParagraphStyle
    center: ParagraphStyle


@lru_cache(maxsize=1)
def styles() -> Styles:
    """The documents' paragraph styles (fonts registered on first use)."""
    register_fonts()
    body = ParagraphStyle(
        "body",
        fontName=REGULAR,
        fontSize=9.5,
        leading=12.2,
        textColor=INK,
        spaceAfter=5,
        alignment=TA_LEFT,
    )
    cell = ParagraphStyle("cell", parent=body, fontSize=8.5, leading=10.6, spaceAfter=0)
    cell_bold = ParagraphStyle("cell_bold", parent=cell, fontName=BOLD)
    cell_head = ParagraphStyle(
        "cell_head", parent=cell, fontName=BOLD, fontSize=8, leading=10, textColor=ACCENT
    )
    return Styles(
        body=body,
        body_tight=ParagraphStyle("body_tight", parent=body, spaceAfter=1.5),
        small=ParagraphStyle("small", parent=body, fontSize=8.5, leading=11, spaceAfter=3),
        fine=ParagraphStyle(
            "fine", parent=body, fontSize=7.8, leading=9.8, textColor=MUTED, spaceAfter=3
        ),
        title=ParagraphStyle(
            "title",
            parent=body,
            fontName=BOLD,
            fontSize=15,
            leading=18.5,
            textColor=ACCENT,
            spaceBefore=2,
            spaceAfter=4,
        ),
        subtitle=ParagraphStyle(
            "subtitle", parent=body, fontSize=10, leading=13, textColor=MUTED, spaceAfter=8
        ),
        heading=ParagraphStyle(
            "heading",
            parent=body,
            fontName=BOLD,
            fontSize=11,
            leading=14,
            textColor=ACCENT,
            spaceBefore=8,
            spaceAfter=3,
            keepWithNext=1,
        ),
        subheading=ParagraphStyle(
            "subheading",
            parent=body,
            fontName=BOLD,
            fontSize=9.5,
            leading=12.5,
            spaceBefore=4,
            spaceAfter=1.5,
            keepWithNext=1,
        ),
        lead=ParagraphStyle("lead", parent=body, fontSize=11.5, leading=15, spaceAfter=3),
        bullet=ParagraphStyle(
            "bullet",
            parent=body,
            leftIndent=12,
            bulletIndent=2,
            bulletFontName=REGULAR,
            spaceAfter=1.5,
        ),
        cell=cell,
        cell_bold=cell_bold,
        cell_right=ParagraphStyle("cell_right", parent=cell, alignment=TA_RIGHT),
        cell_right_bold=ParagraphStyle("cell_right_bold", parent=cell_bold, alignment=TA_RIGHT),
        cell_head=cell_head,
        cell_head_right=ParagraphStyle("cell_head_right", parent=cell_head, alignment=TA_RIGHT),
        label=ParagraphStyle(
            "label", parent=cell, fontSize=7.5, leading=9.5, textColor=MUTED, spaceAfter=0
        ),
        address=ParagraphStyle("address", parent=body, spaceAfter=0, leading=12.8),
        banner=ParagraphStyle(
            "banner",
            parent=body,
            fontName=BOLD,
            fontSize=20,
            leading=24,
            textColor=ACCENT,
            spaceAfter=6,
        ),
        center=ParagraphStyle("center", parent=body, alignment=TA_CENTER),
    )
