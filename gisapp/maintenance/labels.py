"""QR labels (扫码报修): every facility's label opens its page, where a phone files a fault report
already placed and linked (or, for the facility's steward, a check-in).

Usage::

    pdf_bytes = label_sheet([Label(...), ...], title="...")   # A4, 3 x 8 labels of 70 x 37 mm
    svg_text = qr_svg("https://.../f/F-0001")

The QR matrix comes from ``qrcode`` and is drawn as vector squares, so labels print sharp at any
size. Chinese text uses reportlab's built-in CID font STSong-Light (no font file needed; PDF
viewers supply the glyphs).
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass

import qrcode
from qrcode.constants import ERROR_CORRECT_M
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen.canvas import Canvas

CJK_FONT = "STSong-Light"
COLUMNS, ROWS = 3, 8
LABEL_W, LABEL_H = 70 * mm, 297 * mm / ROWS
QR_SIZE = 29 * mm


@dataclass(frozen=True)
class Label:
    url: str
    code: str
    type_zh: str
    type_en: str
    place: str = ""
    removed: bool = False


def qr_matrix(url: str) -> list[list[bool]]:
    # Level M survives a scratch or a little dirt on a label outdoors.
    code = qrcode.QRCode(error_correction=ERROR_CORRECT_M, border=0)
    code.add_data(url)
    code.make(fit=True)
    matrix: list[list[bool]] = code.get_matrix()
    return matrix


def qr_svg(url: str, size: int = 160) -> str:
    """The QR code as a small standalone SVG (a quiet zone of 4 modules included)."""
    matrix = qr_matrix(url)
    n = len(matrix) + 8
    path = "".join(
        f"M{x + 4},{y + 4}h1v1h-1z"
        for y, row in enumerate(matrix)
        for x, on in enumerate(row)
        if on
    )
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {n} {n}" width="{size}" '
        f'height="{size}" shape-rendering="crispEdges" role="img">'
        f'<rect width="{n}" height="{n}" fill="#fff"/><path d="{path}" fill="#000"/></svg>'
    )


def _font() -> str:
    if CJK_FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(CJK_FONT))
    return CJK_FONT


def _draw_qr(canvas: Canvas, url: str, x: float, y: float, size: float) -> None:
    matrix = qr_matrix(url)
    cell = size / len(matrix)
    canvas.setFillColorRGB(0, 0, 0)
    for row_index, row in enumerate(matrix):
        top = y + size - (row_index + 1) * cell
        for col_index, on in enumerate(row):
            if on:
                # A hair wider than the cell so neighbouring squares print without seams.
                canvas.rect(x + col_index * cell, top, cell * 1.02, cell * 1.02, stroke=0, fill=1)


def _fit(canvas: Canvas, text: str, font: str, size: float, width: float) -> float:
    """The largest font size up to ``size`` at which ``text`` fits in ``width``."""
    while size > 5 and canvas.stringWidth(text, font, size) > width:
        size -= 0.5
    return size


def _draw_label(canvas: Canvas, label: Label, x: float, y: float) -> None:
    cjk = _font()
    pad = 4 * mm
    text_x = x + pad + QR_SIZE + 4 * mm  # a quiet zone of four modules
    width = LABEL_W - (text_x - x) - 2 * mm
    top = y + LABEL_H - pad
    if label.removed:
        canvas.setFont(cjk, 14)
        canvas.drawString(x + pad, top - 5 * mm, "已拆除")
        canvas.setFont("Helvetica-Bold", 12)
        canvas.drawString(x + pad + 24 * mm, top - 5 * mm, "Removed")
        canvas.setFont(cjk, 9)
        canvas.drawString(x + pad, top - 11 * mm, "不再受理报修")
        canvas.setFont("Helvetica", 8)
        canvas.drawString(x + pad, top - 15 * mm, "No longer accepts reports")
        canvas.setFont("Helvetica-Bold", 11)
        canvas.drawString(x + pad, top - 22 * mm, label.code)
        return
    _draw_qr(canvas, label.url, x + pad, y + (LABEL_H - QR_SIZE) / 2, QR_SIZE)
    size = _fit(canvas, label.code, "Helvetica-Bold", 14, width)
    canvas.setFont("Helvetica-Bold", size)
    canvas.drawString(text_x, top - 4 * mm, label.code)
    canvas.setFont(cjk, _fit(canvas, label.type_zh, cjk, 11, width))
    canvas.drawString(text_x, top - 9.5 * mm, label.type_zh)
    canvas.setFont("Helvetica", _fit(canvas, label.type_en, "Helvetica", 8, width))
    canvas.drawString(text_x, top - 13.5 * mm, label.type_en)
    canvas.setFont(cjk, 9)
    canvas.drawString(text_x, top - 19 * mm, "扫码报修")
    canvas.setFont("Helvetica", 7)
    canvas.drawString(text_x, top - 22.5 * mm, "Scan to report a fault")
    if label.place:
        canvas.setFont(cjk, _fit(canvas, label.place, cjk, 6.5, width))
        canvas.drawString(text_x, y + 3 * mm, label.place)


def label_sheet(labels: Sequence[Label], *, title: str) -> bytes:
    """A PDF of A4 pages with 3 x 8 labels (70 x 37 mm), in the order given."""
    out = io.BytesIO()
    canvas = Canvas(out, pagesize=A4, pageCompression=1, invariant=1)
    canvas.setTitle(title)
    canvas.setAuthor("Co-creation map")
    per_page = COLUMNS * ROWS
    if not labels:
        canvas.setFont(_font(), 12)
        canvas.drawString(20 * mm, A4[1] - 30 * mm, "没有设施 · No facilities")
    for index, label in enumerate(labels):
        if index and index % per_page == 0:
            canvas.showPage()
        slot = index % per_page
        column, row = slot % COLUMNS, slot // COLUMNS
        _draw_label(canvas, label, column * LABEL_W, A4[1] - (row + 1) * LABEL_H)
    canvas.showPage()
    canvas.save()
    return out.getvalue()
