"""The certificate PDF: A4, in Chinese, with the font embedded and a QR code.

reportlab embeds TrueType outlines only, and the Noto CJK fonts Debian ships
(``fonts-noto-cjk``) are OpenType/CFF collections. So for each document we cut the glyphs
it uses out of the collection with fontTools and convert them to TrueType outlines
(a ~20 KB font, ~2 s once per certificate: the PDF is then stored). Without the font
file we fall back to Adobe's standard CJK font ``STSong-Light``, which PDF readers
supply themselves (not embedded).
"""

import hashlib
import io
import logging
from functools import cache
from pathlib import Path

import segno
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _
from reportlab.lib.colors import HexColor
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas
from reportlab.platypus import Paragraph

from xinfeng.volunteers.models.certificates import Certificate

log = logging.getLogger(__name__)

CJK_FONT_FILES = [
    Path("/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc"),
    Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"),
]
FALLBACK_FONT = "STSong-Light"
RED = HexColor("#b3261e")
INK = HexColor("#1f1f1f")


@cache
def _sc_face(path: Path) -> int:
    """Index of the Simplified Chinese face in a Noto CJK collection."""
    from fontTools.ttLib import TTCollection

    collection = TTCollection(str(path), lazy=True)
    for i, font in enumerate(collection.fonts):
        if font["name"].getDebugName(4).endswith(" SC"):
            return i
    return 0


def _truetype_subset(path: Path, text: str, face_name: str = "") -> bytes:
    """A TrueType font holding just the glyphs for ``text``, cut from a CFF collection.
    ``face_name`` renames the face: ReportLab keeps one font per face name, so two subsets
    sharing the original name would both draw with the first one's glyphs."""
    from fontTools import subset
    from fontTools.pens.cu2quPen import Cu2QuPen
    from fontTools.pens.ttGlyphPen import TTGlyphPen
    from fontTools.ttLib import TTFont as FTFont
    from fontTools.ttLib import newTable

    font = FTFont(str(path), fontNumber=_sc_face(path), lazy=True)
    options = subset.Options()
    options.layout_features = []
    options.name_IDs = ["*"]
    options.notdef_outline = True
    options.desubroutinize = True
    subsetter = subset.Subsetter(options)
    subsetter.populate(text=text)
    subsetter.subset(font)
    order = font.getGlyphOrder()
    glyphs = font.getGlyphSet()
    glyf = newTable("glyf")
    glyf.glyphOrder, glyf.glyphs = order, {}
    for name in order:
        pen = TTGlyphPen(glyphs)
        glyphs[name].draw(Cu2QuPen(pen, 1.0, reverse_direction=True))
        glyf.glyphs[name] = pen.glyph()
    font["glyf"], font["loca"] = glyf, newTable("loca")
    maxp = font["maxp"]
    maxp.tableVersion = 0x00010000
    for attr in (
        "maxTwilightPoints",
        "maxStorage",
        "maxFunctionDefs",
        "maxInstructionDefs",
        "maxStackElements",
        "maxSizeOfInstructions",
        "maxComponentElements",
    ):
        setattr(maxp, attr, 0)
    maxp.maxZones = 1
    font["head"].indexToLocFormat = 0
    font["head"].glyphDataFormat = 0
    for tag in ("CFF ", "VORG"):
        if tag in font:
            del font[tag]
    post = font["post"]
    post.formatType, post.extraNames, post.mapping = 2.0, [], {}
    post.glyphOrder = order
    if face_name:
        for record in font["name"].names:
            if record.nameID in (1, 3, 4, 6):  # family, unique id, full name, PostScript name
                record.string = face_name
    font.sfntVersion = "\x00\x01\x00\x00"
    out = io.BytesIO()
    font.save(out)
    return out.getvalue()


def register_font_for(text: str) -> str:
    """Register (once) an embeddable CJK font covering ``text``; returns its name."""
    chars = "".join(sorted(set(text) | set(" 0123456789")))
    name = "XinfengCJK-" + hashlib.sha256(chars.encode()).hexdigest()[:12]
    if name in pdfmetrics.getRegisteredFontNames():
        return name
    for path in CJK_FONT_FILES:
        if not path.exists():
            continue
        try:
            data = _truetype_subset(path, chars, face_name=name)
            pdfmetrics.registerFont(TTFont(name, io.BytesIO(data)))
            return name
        except Exception:  # a broken font file must not break certificates
            log.exception("cannot embed CJK font from %s", path)
    if FALLBACK_FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(FALLBACK_FONT))
    return FALLBACK_FONT


def _date(value) -> str:
    return f"{value.year}年{value.month}月{value.day}日"


def _draw_qr(c: canvas.Canvas, payload: str, x: float, y: float, size: float) -> None:
    qr = segno.make(payload, error="m")
    matrix = [list(row) for row in qr.matrix]
    n = len(matrix) + 8  # quiet zone of 4 modules each side
    module = size / n
    c.setFillColor(INK)
    for r, row in enumerate(matrix):
        for col, dark in enumerate(row):
            if dark:
                c.rect(
                    x + (col + 4) * module,
                    y + size - (r + 5) * module,
                    module,
                    module,
                    stroke=0,
                    fill=1,
                )


def certificate_pdf_bytes(certificate: Certificate, verify_url: str) -> bytes:
    """Render the certificate. Always Chinese: it is a formal document under the
    志愿服务记录与证明出具办法, whatever language the page was in."""
    with translation.override("zh-hans"):
        return _render(certificate, verify_url)


def _render(cert: Certificate, verify_url: str) -> bytes:
    period = (
        _("%(start)s至%(end)s") % {"start": _date(cert.period_start), "end": _date(cert.period_end)}
        if cert.period_start
        else _("截至%(end)s") % {"end": _date(cert.period_end)}
    )
    hours = formats.number_format(cert.hours, 2)
    title = _("志愿服务证明")
    number_line = _("证明编号：%(number)s") % {"number": cert.number}
    body = _(
        "兹证明 %(name)s（志愿者编号：%(vnumber)s）%(period)s在%(issuer)s参加志愿服务 "
        "%(count)d 次，累计志愿服务时长 %(hours)s 小时。"
    ) % {
        "name": cert.volunteer_name,
        "vnumber": cert.volunteer_number,
        "period": period,
        "issuer": cert.issuer_name,
        "count": cert.record_count,
        "hours": hours,
    }
    summary = _("服务概况：%(summary)s") % {"summary": cert.summary}
    closing = _("特此证明。")
    issuer = cert.issuer_name
    issued = _date(timezone.localtime(cert.issued_at).date() if cert.issued_at else cert.period_end)
    seal = _("（盖章）")
    qr_caption = _("扫码核验真伪")
    basis = _("依据《志愿服务条例》和《志愿服务记录与证明出具办法（试行）》出具")
    font = register_font_for(
        "".join(
            [title, number_line, body, summary, closing, issuer, issued, seal, qr_caption, basis]
        )
        + verify_url
    )

    buf = io.BytesIO()
    width, height = A4
    c = canvas.Canvas(buf, pagesize=A4, pageCompression=1)
    c.setTitle(f"{title} {cert.number}")
    c.setAuthor(issuer)
    c.setSubject(title)
    c.setStrokeColor(RED)
    c.setLineWidth(3)
    c.rect(36, 36, width - 72, height - 72)
    c.setLineWidth(0.8)
    c.rect(44, 44, width - 88, height - 88)

    c.setFillColor(RED)
    c.setFont(font, 30)
    c.drawCentredString(width / 2, height - 130, title)
    c.setFillColor(INK)
    c.setFont(font, 10.5)
    c.drawRightString(width - 80, height - 165, number_line)

    style = ParagraphStyle(
        "body", fontName=font, fontSize=14, leading=26, wordWrap="CJK", firstLineIndent=28
    )
    y = height - 200
    for text, st in (
        (body, style),
        (summary, style.clone("summary", fontSize=12, leading=22)),
        (closing, style),
    ):
        p = Paragraph(text, st)
        _w, h = p.wrap(width - 160, height)
        y -= h
        p.drawOn(c, 80, y)
        y -= 14

    c.setFont(font, 14)
    c.drawRightString(width - 90, 230, issuer)
    c.drawRightString(width - 90, 205, issued)
    c.setFont(font, 10)
    c.drawRightString(width - 90, 185, seal)

    _draw_qr(c, verify_url, 80, 110, 110)
    c.setFont(font, 9)
    c.drawString(86, 100, qr_caption)
    c.setFont(font, 7)
    c.drawString(80, 88, verify_url)
    c.setFont(font, 8)
    c.drawCentredString(width / 2, 60, basis)
    c.showPage()
    c.save()
    return buf.getvalue()
