"""QR posters to print: one A4 page per village (or one for the site), each with the
survey's link carrying the village (``?v=<id>&c=qr``) so answers land in the right place.

The CJK font is the certificates' embedded Noto subset (``register_font_for``), which gives
every distinct character set its own face name — two posters in one process never share
a subset."""

import io

import segno
from django.utils import translation
from reportlab.lib.colors import HexColor
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfgen import canvas

from xinfeng.volunteers.services.certificate_pdf import register_font_for

from ..models import Survey

INK = HexColor("#1f2933")
ACCENT = HexColor("#b42318")


def poster_link(base_url: str, survey: Survey, village=None) -> str:
    link = f"{base_url.rstrip('/')}/surveys/s/{survey.token}/?c=qr"
    return link + (f"&v={village.pk}" if village is not None else "")


def _draw_qr(c: canvas.Canvas, payload: str, x: float, y: float, size: float) -> None:
    matrix = [list(row) for row in segno.make(payload, error="m").matrix]
    n = len(matrix) + 8
    module = size / n
    c.setFillColor(INK)
    for r, row in enumerate(matrix):
        for col, dark in enumerate(row):
            if dark:
                c.rect(x + (col + 4) * module, y + size - (r + 5) * module, module, module, 0, 1)


def _wrap(text: str, width: int) -> list[str]:
    return [text[i : i + width] for i in range(0, len(text), width)] or [""]


def poster_pdf_bytes(*, survey: Survey, base_url: str, villages=(), site_name: str = "") -> bytes:
    """The poster PDF: a page per village in ``villages``, or one page for the site."""
    with translation.override("zh-hans"):
        pages = [(v.name, poster_link(base_url, survey, v)) for v in villages] or [
            (site_name or survey.site.name, poster_link(base_url, survey))
        ]
        kind = survey.get_kind_display()
        fixed = f"三问调查{kind}请扫码参与不记名填写约分钟{survey.site.name}"
        text = fixed + survey.title + "".join(name for name, _link in pages)
        font = register_font_for(text)
        buf = io.BytesIO()
        c = canvas.Canvas(buf, pagesize=A4)
        c.setTitle(survey.title)
        w, h = A4
        for name, link in pages:
            c.setFillColor(ACCENT)
            c.rect(0, h - 40 * mm, w, 40 * mm, 0, 1)
            c.setFillColor(HexColor("#ffffff"))
            c.setFont(font, 26)
            c.drawCentredString(w / 2, h - 22 * mm, f"三问调查 · {kind}")
            c.setFont(font, 14)
            c.drawCentredString(w / 2, h - 32 * mm, survey.site.name)
            c.setFillColor(INK)
            c.setFont(font, 22)
            y = h - 62 * mm
            for line in _wrap(survey.title, 18):
                c.drawCentredString(w / 2, y, line)
                y -= 10 * mm
            c.setFont(font, 18)
            c.drawCentredString(w / 2, y - 2 * mm, name)
            size = 110 * mm
            _draw_qr(c, link, (w - size) / 2, 55 * mm, size)
            c.setFont(font, 16)
            c.drawCentredString(w / 2, 42 * mm, "请扫码参与，不记名填写，约 3 分钟")
            c.setFont("Helvetica", 9)
            c.drawCentredString(w / 2, 30 * mm, link)
            c.showPage()
        c.save()
        return buf.getvalue()
