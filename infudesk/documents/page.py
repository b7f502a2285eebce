"""Page templates: the letterhead on the first page, a running header on the others, and on every
page the date, the patient's name and birth date and "Page x of y".

``render(story, setup, out)`` is the one way a builder turns its flowables into a PDF: a
``BaseDocTemplate`` with two ``PageTemplate``s (first, later) whose ``onPage`` draws the
letterhead, and a canvas that writes the page count once it is known (one pass, no rebuild).
"""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from functools import partial
from pathlib import Path
from typing import Any, BinaryIO

from reportlab.lib.colors import CMYKColor, Color
from reportlab.lib.enums import TA_CENTER, TA_LEFT, TA_RIGHT
from reportlab.lib.pagesizes import LETTER
from reportlab.lib.rl_accel import fp_str
from reportlab.lib.units import inch
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    BaseDocTemplate,
    Flowable,
    Frame,
    KeepTogether,
    PageTemplate,
    Paragraph,
    Spacer,
    Table,
    TableStyle,
    paragraph,
)
from reportlab.platypus.paragraph import ParagraphStyle
from reportlab.platypus.paraparser import ParaParser

from infudesk.documents import styles as st
from infudesk.documents.data import Language, Letterhead, PatientInfo
from infudesk.documents.text import PAGE, long_date

log = logging.getLogger(__name__)

PAGE_WIDTH, PAGE_HEIGHT = LETTER
MARGIN_X = 0.75 * inch
MARGIN_TOP = 0.5 * inch
MARGIN_BOTTOM = 0.72 * inch  # the frame's bottom: the footer lives below it
CONTENT_WIDTH = PAGE_WIDTH - 2 * MARGIN_X
FOOTER_Y = 0.45 * inch
LOGO_MAX_HEIGHT = 0.8 * inch
LOGO_MAX_WIDTH = 1.6 * inch
_NAME_SIZE = 14.0
_LINE_SIZE = 8.3
_LINE_LEADING = 10.8
_FOOTER_SIZE = 7.8
_SEP = "  ·  "


@dataclass(frozen=True)
class PageSetup:
    """What every page of a document shows besides its story."""

    letterhead: Letterhead
    patient: PatientInfo | None  # None: not about one patient (the footer says ``footer``)
    issued_on: date
    language: Language
    title: str  # the PDF's title, and the running header after page 1
    short_title: str = ""  # for the running header when the title is long
    footer: str = ""  # the footer's text when there is no patient (default: the title)


def _letterhead_lines(lh: Letterhead, lang: Language) -> list[str]:
    words = PAGE[lang]
    lines = [line for line in lh.address_lines if line.strip()]
    one_line = _SEP.join(lines)
    if len(lines) > 1 and st.text_width(one_line, _LINE_SIZE) < CONTENT_WIDTH * 0.62:
        lines = [one_line]
    contact = []
    if lh.phone:
        contact.append(f"{words.phone} {lh.phone}")
    if lh.fax:
        contact.append(f"{words.fax} {lh.fax}")
    if lh.npi:
        contact.append(f"NPI {lh.npi}")
    if lh.tin:
        contact.append(f"TIN {lh.tin}")
    if contact:
        lines.append(_SEP.join(contact))
    return lines


def _logo(path: Path | None) -> ImageReader | None:
    """The logo image, or None (a bad or missing logo never stops a printout)."""
    if path is None:
        return None
    try:
        return ImageReader(str(path))
    except Exception:  # noqa: BLE001 — any unreadable image: print without it
        log.warning("letterhead logo %s cannot be read; printing without it", path.name)
        return None


class _Layout:
    """Draws the letterhead, running header and footer; knows the frames' tops."""

    def __init__(self, setup: PageSetup) -> None:
        self.setup = setup
        self.lines = _letterhead_lines(setup.letterhead, setup.language)
        self.logo = _logo(setup.letterhead.logo)
        self.logo_size = (0.0, 0.0)
        if self.logo is not None:
            w, h = self.logo.getSize()
            scale = min(LOGO_MAX_HEIGHT / h, LOGO_MAX_WIDTH / w)
            self.logo_size = (w * scale, h * scale)
        text_height = _NAME_SIZE + 4 + _LINE_LEADING * len(self.lines)
        self.letterhead_height = max(text_height, self.logo_size[1])
        self.first_top = PAGE_HEIGHT - MARGIN_TOP - self.letterhead_height - 20
        self.later_top = PAGE_HEIGHT - MARGIN_TOP - 24
        words = PAGE[setup.language]
        p = setup.patient
        if p is None:
            self.footer = setup.footer or setup.title
        else:
            parts = [
                p.full_name,
                f"{words.date_of_birth}: {long_date(p.birth_date, setup.language)}",
            ]
            if p.mrn:
                parts.append(f"{words.mrn}: {p.mrn}")
            self.footer = _SEP.join(parts)
        self.date = long_date(setup.issued_on, setup.language)

    def first_page(self, canvas: Canvas, doc: BaseDocTemplate) -> None:
        canvas.saveState()
        lh = self.setup.letterhead
        top = PAGE_HEIGHT - MARGIN_TOP
        x = MARGIN_X
        if self.logo is not None:
            w, h = self.logo_size
            canvas.drawImage(self.logo, x, top - h, w, h, mask="auto")
            x += w + 12
        date_width = st.text_width(self.date, 9)
        canvas.setFillColor(st.ACCENT)
        name = st.fit_text(
            lh.name, PAGE_WIDTH - MARGIN_X - x - date_width - 24, _NAME_SIZE, bold=True
        )
        st.draw_text(canvas, x, top - _NAME_SIZE + 2, name, size=_NAME_SIZE, bold=True)
        canvas.setFillColor(st.MUTED)
        y = top - _NAME_SIZE - 4 - _LINE_SIZE + 2
        for line in self.lines:
            st.draw_text(canvas, x, y, line, size=_LINE_SIZE)
            y -= _LINE_LEADING
        canvas.setFillColor(st.INK)
        st.draw_text(
            canvas, PAGE_WIDTH - MARGIN_X, top - _NAME_SIZE + 2, self.date, size=9, align="right"
        )
        rule_y = top - self.letterhead_height - 6
        canvas.setStrokeColor(st.ACCENT)
        canvas.setLineWidth(1.2)
        canvas.line(MARGIN_X, rule_y, PAGE_WIDTH - MARGIN_X, rule_y)
        canvas.restoreState()
        self.footer_left(canvas)

    def later_page(self, canvas: Canvas, doc: BaseDocTemplate) -> None:
        canvas.saveState()
        top = PAGE_HEIGHT - MARGIN_TOP
        y = top - 9
        date_width = st.text_width(self.date, 8.5)
        head = f"{self.setup.letterhead.name}{_SEP}{self.setup.short_title or self.setup.title}"
        head = st.fit_text(head, CONTENT_WIDTH - date_width - 24, 8.5, bold=True)
        canvas.setFillColor(st.ACCENT)
        st.draw_text(canvas, MARGIN_X, y, head, size=8.5, bold=True)
        canvas.setFillColor(st.INK)
        st.draw_text(canvas, PAGE_WIDTH - MARGIN_X, y, self.date, size=8.5, align="right")
        canvas.setStrokeColor(st.RULE)
        canvas.setLineWidth(0.6)
        canvas.line(MARGIN_X, y - 6, PAGE_WIDTH - MARGIN_X, y - 6)
        canvas.restoreState()
        self.footer_left(canvas)

    def footer_left(self, canvas: Canvas) -> None:
        canvas.saveState()
        canvas.setStrokeColor(st.RULE)
        canvas.setLineWidth(0.6)
        canvas.line(MARGIN_X, FOOTER_Y + 11, PAGE_WIDTH - MARGIN_X, FOOTER_Y + 11)
        canvas.setFillColor(st.MUTED)
        text = st.fit_text(self.footer, CONTENT_WIDTH - 90, _FOOTER_SIZE)
        st.draw_text(canvas, MARGIN_X, FOOTER_Y, text, size=_FOOTER_SIZE)
        canvas.restoreState()


class _NumberedCanvas(Canvas):  # type: ignore[misc]  # reportlab has no type hints
    """A canvas that holds its pages until ``save`` to write "Page x of y" on each."""

    def __init__(
        self, *args: Any, page_label: str = "Page {page} of {pages}", **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self._page_label = page_label
        self._held: list[dict[str, Any]] = []

    def showPage(self) -> None:  # noqa: N802 — reportlab's name
        self._held.append(dict(self.__dict__))
        self._startPage()

    def save(self) -> None:
        pages = len(self._held)
        for number, state in enumerate(self._held, start=1):
            self.__dict__.update(state)
            self.saveState()
            self.setFillColor(st.MUTED)
            label = self._page_label.format(page=number, pages=pages)
            st.draw_text(
                self, PAGE_WIDTH - MARGIN_X, FOOTER_Y, label, size=_FOOTER_SIZE, align="right"
            )
            self.restoreState()
            super().showPage()
        super().save()


def first_frame_height(setup: PageSetup) -> float:
    """The height the first page leaves for the story (below the letterhead)."""
    return float(_Layout(setup).first_top - MARGIN_BOTTOM)


def render(story: Sequence[Flowable], setup: PageSetup, out: BinaryIO | Path) -> None:
    """Lay out ``story`` on letter-size pages with the letterhead and footers; write the PDF."""
    st.register_fonts()
    layout = _Layout(setup)
    first = Frame(
        MARGIN_X, MARGIN_BOTTOM, CONTENT_WIDTH, layout.first_top - MARGIN_BOTTOM,
        leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0, id="first",
    )  # fmt: skip
    later = Frame(
        MARGIN_X, MARGIN_BOTTOM, CONTENT_WIDTH, layout.later_top - MARGIN_BOTTOM,
        leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0, id="later",
    )  # fmt: skip
    target: str | BinaryIO = str(out) if isinstance(out, Path) else out
    doc = BaseDocTemplate(
        target,
        pagesize=LETTER,
        leftMargin=MARGIN_X,
        rightMargin=MARGIN_X,
        topMargin=MARGIN_TOP,
        bottomMargin=MARGIN_BOTTOM,
        title=setup.title,
        author=setup.letterhead.name,
        creator="infudesk",
        pageTemplates=[
            PageTemplate(
                id="first", frames=[first], onPage=layout.first_page, autoNextPageTemplate="later"
            ),
            PageTemplate(id="later", frames=[later], onPage=layout.later_page),
        ],
    )
    label = PAGE[setup.language].page_of
    doc.build(list(story), canvasmaker=partial(_NumberedCanvas, page_label=label))


# --- building blocks the builders share ------------------------------------------------------


_MARKUP = re.compile(r"[<&]")
# where a line's spare width goes, by alignment (justified lines: reportlab's)
_ALIGN_SHIFT: dict[int, float] = {TA_LEFT: 0.0, TA_CENTER: 0.5, TA_RIGHT: 1.0}


def _move_cursor(parts: list[str], dx: float) -> None:
    """``PDFTextObject.moveCursor(dx, 0)`` on a text object's operators, as reportlab writes
    it: a move right after another is folded into it (through the text of the last one)."""
    dy: float = 0
    if parts and parts[-1].endswith(" Td"):
        last = parts[-1].split()
        if len(last) == 3:
            del parts[-1]
        else:
            parts[-1] = "".join(last[:-4])
        dx += float(last[-3])
        dy -= float(last[-2])
    parts.append(f"{fp_str(dx, -dy)} Td")


_plain_frags: dict[int, tuple[ParagraphStyle, Any]] = {}
_plain_lock = threading.Lock()


def _plain_frag(style: ParagraphStyle) -> Any:
    """The fragment reportlab's parser makes of plain text in ``style`` (None when it makes
    anything but one fragment, e.g. a style that transforms case)."""
    known = _plain_frags.get(id(style))
    if known is not None and known[0] is style:
        return known[1]
    parsed_style, frags, bullet_frags = ParaParser().parse("x", style)
    frag = None
    if (
        parsed_style is style
        and frags is not None
        and len(frags) == 1
        and not bullet_frags
        and frags[0].text == "x"
        and not getattr(style, "textTransform", None)
    ):
        frag = frags[0]
    with _plain_lock:
        _plain_frags[id(style)] = (style, frag)
    return frag


class Para(Paragraph):  # type: ignore[misc]  # reportlab has no type hints
    """A Paragraph that breaks its lines once per width.

    reportlab asks a paragraph for its size several times at the same width: a table wraps
    each cell to size its rows and again to draw it, a frame wraps a flowable to see whether it
    fits and KeepTogether wraps its contents first. ``Paragraph.wrap`` breaks the lines anew
    each time (the costliest step of laying out a letter); the result depends only on the text,
    the style and the width, so the last one is kept and given back for the same width. The
    PDF is the same, byte for byte.
    """

    _laid: tuple[float, Any, float, list[float]] | None = None

    def _setup(
        self,
        text: Any,
        style: Any,
        bulletText: Any,
        frags: Any,
        cleaner: Any,  # noqa: N803
    ) -> None:
        """Plain text (no tags, no entities: most table cells) skips reportlab's markup parser:
        it would give one fragment in the style's font holding the cleaned text, which is
        what the style's fragment, made once, gives here."""
        if frags is None and isinstance(text, str) and not _MARKUP.search(text):
            clean_text = cleaner(text)
            frag = _plain_frag(style) if clean_text else None
            if frag is not None:
                super()._setup(
                    clean_text, style, bulletText, [frag.clone(text=clean_text, link=[])], cleaner
                )
                return
        super()._setup(text, style, bulletText, frags, cleaner)

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:  # noqa: N803
        laid = self._laid
        if laid is not None and laid[0] == availWidth:
            _, self.blPara, self.height, self._wrapWidths = laid
            self.width = availWidth
            return availWidth, self.height
        width, height = super().wrap(availWidth, availHeight)
        if height != 0x7FFFFFFF:  # (too narrow: reportlab's "cannot fit", not kept)
            self._laid = (availWidth, self.blPara, height, self._wrapWidths)
        return width, height

    def drawOn(self, canvas: Canvas, x: float, y: float, _sW: float = 0) -> None:  # noqa: N803
        """Lines of text in one font, without a bullet (table cells, headings, plain
        paragraphs): the PDF operators reportlab's ``Flowable.drawOn`` and
        ``Paragraph.drawPara`` write for them, written directly: the same bytes, without the
        canvas state saved and restored in Python twice and a text object built for them.
        Anything else (several fonts, bullets, justified lines): reportlab draws it."""
        ops = self._plain_ops(canvas)
        if ops is None:
            super().drawOn(canvas, x, y, _sW)
            return
        x = self._hAlignAdjust(x, _sW)
        code = canvas._code
        code.append("q")
        code.append(f"1 0 0 1 {fp_str(x, y)} cm")
        code.append("q")
        code.extend(ops)
        code.append("Q")
        code.append("Q")

    def _plain_ops(self, canvas: Canvas) -> list[str] | None:
        """The operators that draw this paragraph inside its two saved states (``q … Q``), or
        None when it is not lines of text in one font (reportlab then draws it)."""
        bl = getattr(self, "blPara", None)
        style = self.style
        shift = _ALIGN_SHIFT.get(style.alignment)
        if (
            bl is None
            or shift is None
            or bl.kind != 0
            or not bl.lines
            or self.bulletText
            or self.debug
            or style.backColor
            or (style.borderColor and style.borderWidth)
            or style.wordWrap
            or getattr(self, "autoLeading", getattr(style, "autoLeading", "")) not in ("", "off")
            or getattr(self, "_offsets", None)
            or getattr(self, "_showBoundary", False)
            or getattr(bl, "us_lines", None)
            or getattr(bl, "link", None)
            or not canvas.bottomup
            or getattr(canvas, "_enforceColorSpace", None)
        ):
            return None
        color = bl.textColor
        font = pdfmetrics.getFont(bl.fontName)
        if (
            not isinstance(color, Color)
            or isinstance(color, CMYKColor)
            or not font._dynamicFont
            or any(line[0] <= -1e-8 for line in bl.lines)  # (reportlab spaces these words)
        ):
            return None
        alpha = getattr(color, "alpha", None)
        if alpha is not None and alpha != canvas._extgstate.getValue("ca"):
            return None
        size = bl.fontSize
        if paragraph.paraFontSizeHeightOffset:
            cur_y = self.height - size
        else:
            cur_y = self.height - getattr(bl, "ascent", size)
        doc = canvas._doc
        tf = f"{fp_str(size)} Tf {fp_str(style.leading)} TL"
        parts = ["BT", f"1 0 0 1 {fp_str(style.leftIndent, cur_y)} Tm"]
        current = -1  # the font subset in use (a text object starts with none)
        for i, (extraspace, words) in enumerate(bl.lines):
            offset = style.firstLineIndent if i == 0 else 0
            m = offset + shift * extraspace if shift else offset
            moved = m > 1e-6 or m < -1e-6
            if moved:
                _move_cursor(parts, m)
            text: list[str] = []
            for subset, run in font.splitString(" ".join(words), doc):
                if subset != current:
                    text.append(f"{font.getSubsetInternalName(subset, doc)} {tf}")
                    current = subset
                text.append(f"({canvas._escape(run)}) Tj")
            parts.append(" ".join(text) + " T*")
            if moved:
                _move_cursor(parts, -m)
        parts.append("ET")
        return [f"{fp_str(color.red, color.green, color.blue)} rg", " ".join(parts)]


class SharedPara(Para):
    """A Para whose text is the same in every document (a heading, a column's name, a table
    note, the disclaimer): its lines are broken once per process for each style and width and
    shared by every later paragraph with that text, style and width, as reportlab would break
    them anew. Only fixed texts go here (``text.py``'s, the center's disclaimer), never data
    (names, amounts, dates): the layouts are keyed by the text, so data would only fill the
    store (bounded: it is emptied when full).

    Splitting across pages can change a broken line's words in place (reportlab's
    ``_split_blParaHard`` adds the space that ends a line), so a shared paragraph that is split
    breaks its own lines first."""

    _shared: dict[tuple[str, int, str | None, float], tuple[Any, float, list[float]]] = {}
    _shared_lock = threading.Lock()
    _SHARED_MAX = 2048  # a few hundred texts x styles x widths; never more than this
    _text_key: str | None = None  # None: the pieces of a split paragraph (not shared)
    _from_shared = False

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:  # noqa: N803
        laid = self._laid
        if self._text_key is None or (laid is not None and laid[0] == availWidth):
            return super().wrap(availWidth, availHeight)
        style = self.style
        key = (self._text_key, id(style), self.bulletText, availWidth)
        known = self._shared.get(key)
        if known is not None and _STYLES_BY_ID.get(id(style)) is style:
            self.blPara, self.height, self._wrapWidths = known
            self.width = availWidth
            self._laid = (availWidth, self.blPara, self.height, self._wrapWidths)
            self._from_shared = True
            return availWidth, self.height
        width, height = super().wrap(availWidth, availHeight)
        laid = self._laid
        if laid is not None and laid[0] == availWidth:
            with self._shared_lock:
                if len(self._shared) >= self._SHARED_MAX:
                    self._shared.clear()
                _STYLES_BY_ID[id(style)] = style
                self._shared[key] = (laid[1], laid[2], laid[3])
        return width, height

    def split(self, availWidth: float, availHeight: float) -> list[Flowable]:  # noqa: N803
        if self._from_shared:
            self._from_shared = False
            self._laid = None
            Paragraph.wrap(self, availWidth, availHeight)  # lines of its own, to be split
        return super().split(availWidth, availHeight)  # type: ignore[no-any-return]


# the styles whose ids key SharedPara's layouts (kept alive, so an id is never reused)
_STYLES_BY_ID: dict[int, ParagraphStyle] = {}


class Grid(Table):  # type: ignore[misc]  # reportlab has no type hints
    """A Table that sizes itself once per width.

    A frame, and KeepTogether before it, ask a table for its size at the same width; each
    ``Table.wrap`` measures every cell and row again. When the last measure was complete (all
    rows measured: reportlab stops early only when a long table overflows the height it was
    given) the same width gives the same size, so it is given back as it is."""

    _sized: float | None = None

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:  # noqa: N803
        if self._sized == availWidth and self._hmax == self._nrows:
            self.availWidth = availWidth
            return self._width, self._height
        size = super().wrap(availWidth, availHeight)
        self._sized = availWidth
        return size  # type: ignore[no-any-return]

    def split(self, availWidth: float, availHeight: float) -> list[Flowable]:  # noqa: N803
        self._sized = None  # reportlab measures again and may change the rows
        return super().split(availWidth, availHeight)  # type: ignore[no-any-return]

    def setStyle(self, tblstyle: Any) -> None:  # noqa: N802 — reportlab's name
        self._sized = None
        super().setStyle(tblstyle)


def para(text: str, style: ParagraphStyle | None = None, *, static: bool = False) -> Paragraph:
    """A paragraph of markup (values already escaped with ``styles.markup``). ``static``: the
    text is the same in every document (from ``text.py``, no data in it), so its lines are
    broken once per process (see ``SharedPara``)."""
    if static:
        p = SharedPara(text, style or st.styles().body)
        p._text_key = text
        return p
    return Para(text, style or st.styles().body)


def bullets(items: Sequence[str], style: ParagraphStyle | None = None) -> list[Flowable]:
    """One bulleted paragraph per item of markup."""
    s = style or st.styles().bullet
    return [Para(item, s, bulletText="•") for item in items]


def blank(hint: str) -> str:
    """Markup for a highlighted blank the provider completes: [Provider to complete: hint]."""
    return f'<span backColor="{st.HIGHLIGHT_HEX}">[{st.markup(hint)}]</span>'


def fields(
    rows: Sequence[Sequence[tuple[str, str]]],
    widths: Sequence[float] | None = None,
    *,
    boxed: bool = True,
) -> Table:
    """A form-like grid: each cell a small label over its value (markup). ``rows`` is a list of
    rows, each a list of (label, value markup); a row may have fewer cells than the widest."""
    s = st.styles()
    ncols = len(widths) if widths else max(len(r) for r in rows)
    col = widths or [CONTENT_WIDTH / ncols] * ncols
    data: list[list[Any]] = []
    spans: list[tuple[str, tuple[int, int], tuple[int, int]]] = []
    for i, r in enumerate(rows):
        cells: list[Any] = [
            [Para(st.markup(label), s.label), Para(value or "—", s.cell)] for label, value in r
        ]
        if len(cells) < ncols:
            spans.append(("SPAN", (len(cells) - 1, i), (ncols - 1, i)))
            cells += [""] * (ncols - len(cells))
        data.append(cells)
    t = Grid(data, colWidths=list(col), hAlign="LEFT")
    cmds: list[Any] = [
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LEFTPADDING", (0, 0), (-1, -1), 5),
        ("RIGHTPADDING", (0, 0), (-1, -1), 5),
        ("TOPPADDING", (0, 0), (-1, -1), 3),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
        *spans,
    ]
    if boxed:
        cmds += [
            ("BOX", (0, 0), (-1, -1), 0.8, st.RULE),
            ("INNERGRID", (0, 0), (-1, -1), 0.5, st.RULE),
        ]
    t.setStyle(TableStyle(cmds))
    return t


def grid(
    header: Sequence[str],
    rows: Sequence[Sequence[str]],
    widths: Sequence[float],
    *,
    right: Sequence[int] = (),
    bold_rows: Sequence[int] = (),
    bold_cols: Sequence[int] = (),
    shade_rows: Sequence[int] = (),
) -> Table:
    """A data table: a shaded header, light rules, ``right`` columns right-aligned (amounts).
    Header texts are plain; cells are markup. Row numbers count data rows from 0."""
    s = st.styles()
    head = [
        para(st.markup(h), s.cell_head_right if i in right else s.cell_head, static=True)
        for i, h in enumerate(header)
    ]
    body: list[list[Any]] = [head]
    for r, row in enumerate(rows):
        cells = []
        for i, value in enumerate(row):
            bold = r in bold_rows or i in bold_cols
            if i in right:
                style = s.cell_right_bold if bold else s.cell_right
            else:
                style = s.cell_bold if bold else s.cell
            cells.append(Para(value, style))
        body.append(cells)
    t = Grid(body, colWidths=list(widths), repeatRows=1, hAlign="LEFT")
    cmds: list[Any] = [
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("BACKGROUND", (0, 0), (-1, 0), st.SHADE),
        ("LINEABOVE", (0, 0), (-1, 0), 0.8, st.ACCENT),
        ("LINEBELOW", (0, 0), (-1, 0), 0.8, st.ACCENT),
        ("LINEBELOW", (0, 1), (-1, -1), 0.4, st.RULE),
        ("LEFTPADDING", (0, 0), (-1, -1), 4),
        ("RIGHTPADDING", (0, 0), (-1, -1), 4),
        ("TOPPADDING", (0, 0), (-1, -1), 2.5),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
    ]
    for r in shade_rows:
        cmds += [
            ("BACKGROUND", (0, r + 1), (-1, r + 1), st.SHADE),
            ("LINEABOVE", (0, r + 1), (-1, r + 1), 0.8, st.ACCENT),
        ]
    t.setStyle(TableStyle(cmds))
    return t


def boxed(flowables: Sequence[Flowable], *, background: Any = None, padding: float = 8) -> Table:
    """Flowables in a shaded box the width of the page's text."""
    t = Grid([[list(flowables)]], colWidths=[CONTENT_WIDTH], hAlign="LEFT")
    t.setStyle(
        TableStyle(
            [
                ("BACKGROUND", (0, 0), (-1, -1), background or st.SHADE),
                ("LINEBEFORE", (0, 0), (0, -1), 3, st.ACCENT),
                ("LEFTPADDING", (0, 0), (-1, -1), padding + 2),
                ("RIGHTPADDING", (0, 0), (-1, -1), padding),
                ("TOPPADDING", (0, 0), (-1, -1), padding - 2),
                ("BOTTOMPADDING", (0, 0), (-1, -1), padding - 3),
            ]
        )
    )
    return t


def signature_line(items: Sequence[tuple[str, float]], *, gap: float = 24) -> Table:
    """Lines to sign or write on, side by side, each with its label under it: (label, width)."""
    s = st.styles()
    line: list[Any] = []
    labels: list[Any] = []
    widths: list[float] = []
    cmds: list[Any] = [
        ("LEFTPADDING", (0, 0), (-1, -1), 0),
        ("RIGHTPADDING", (0, 0), (-1, -1), 0),
        ("TOPPADDING", (0, 0), (-1, -1), 0),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 0),
        ("TOPPADDING", (0, 1), (-1, 1), 2),
        ("BOTTOMPADDING", (0, 1), (-1, 1), 6),
    ]
    for i, (text, width) in enumerate(items):
        if i:
            line.append("")
            labels.append("")
            widths.append(18)
        line.append(Spacer(width, gap))
        labels.append(para(st.markup(text), s.label, static=True))
        widths.append(width)
        c = len(line) - 1
        cmds.append(("LINEBELOW", (c, 0), (c, 0), 0.8, st.INK))
    t = Grid([line, labels], colWidths=widths, hAlign="LEFT")
    t.setStyle(TableStyle(cmds))
    return t


def keep(*flowables: Flowable) -> KeepTogether:
    return KeepTogether(list(flowables))
