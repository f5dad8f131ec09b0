"""The official-document layout (GB/T 9704-2012, as far as a generated .docx can follow it) for
every Word 通报: A4 with the standard margins (版心 156 × 225 mm), body in 仿宋_GB2312 三号 on a
fixed 22-line grid, 发文机关标志 in red 方正小标宋, the 文号 and the red separator line, the title,
headings 一、(黑体) （一）(楷体) 1.(仿宋 bold), tables whose header row repeats on every page, and
the page number "— n —" in the footer. Font names only: the reader's Word has the fonts.
"""

from __future__ import annotations

import io
from collections.abc import Sequence

from docx import Document as new_document
from docx.document import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor
from docx.table import Table
from docx.text.paragraph import Paragraph
from docx.text.run import Run

FANGSONG = "仿宋_GB2312"
HEITI = "黑体"
KAITI = "楷体_GB2312"
XIAOBIAOSONG = "方正小标宋简体"
SONGTI = "宋体"
RED = RGBColor(0xFF, 0x00, 0x00)

SIZE_BODY = Pt(16)  # 三号
SIZE_TITLE = Pt(22)  # 二号
SIZE_ISSUER = Pt(36)  # 发文机关标志 (no fixed size in the standard; smaller than 22 mm high)
SIZE_TABLE = Pt(12)  # 小四 in tables
SIZE_PAGE_NUMBER = Pt(14)  # 四号
LINE = Pt(28.95)  # 225 mm / 22 lines
WIDTH = Mm(156)  # the 版心's width
#: the w:pPr children that follow w:pBdr (ECMA-376 order: Word refuses a file out of order)
_AFTER_PBDR = (
    "w:shd", "w:tabs", "w:suppressAutoHyphens", "w:kinsoku", "w:wordWrap", "w:overflowPunct",
    "w:topLinePunct", "w:autoSpaceDE", "w:autoSpaceDN", "w:bidi", "w:adjustRightInd",
    "w:snapToGrid", "w:spacing", "w:ind", "w:contextualSpacing", "w:mirrorIndents",
    "w:suppressOverlap", "w:jc", "w:textDirection", "w:textAlignment", "w:textboxTightWrap",
    "w:outlineLvl", "w:divId", "w:cnfStyle", "w:rPr", "w:sectPr", "w:pPrChange",
)  # fmt: skip


def font(run: Run, name: str, size: Pt | None = None, *, bold: bool = False, color=None) -> Run:
    """Set a run's font for Latin and East Asian text alike (w:eastAsia is what Chinese uses)."""
    run.font.name = name
    run._element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), name)
    if size is not None:
        run.font.size = size
    run.font.bold = bold or None
    if color is not None:
        run.font.color.rgb = color
    return run


def document(title: str, author: str) -> Document:
    """An empty A4 document with the GB/T 9704 page, the body style and the page-number footer."""
    doc = new_document()
    doc.core_properties.title = title
    doc.core_properties.author = author
    doc.core_properties.comments = ""
    section = doc.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(37), Mm(35)
    section.left_margin, section.right_margin = Mm(28), Mm(26)
    section.footer_distance = Mm(28) - Mm(7)  # the page number 7 mm below the 版心
    normal = doc.styles["Normal"]
    normal.font.name = FANGSONG
    normal.font.size = SIZE_BODY
    normal.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), FANGSONG)
    fmt = normal.paragraph_format
    fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    fmt.line_spacing = LINE
    fmt.space_before = fmt.space_after = Pt(0)
    # Chinese text: the document's East Asian language is zh-CN (line breaking, punctuation)
    for lang in doc.styles.element.findall(".//" + qn("w:docDefaults") + "//" + qn("w:lang")):
        lang.set(qn("w:eastAsia"), "zh-CN")
    _page_number_footer(doc)
    return doc


def _page_number_footer(doc: Document) -> None:
    """'— 1 —' centred in the footer: the PAGE field between em dashes, 四号 宋体."""
    p = doc.sections[0].footer.paragraphs[0]
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    font(p.add_run("— "), SONGTI, SIZE_PAGE_NUMBER)
    for kind, text in (("begin", None), ("instr", " PAGE "), ("separate", None), ("text", "1")):
        run = font(p.add_run(), SONGTI, SIZE_PAGE_NUMBER)
        if kind == "instr":
            el = OxmlElement("w:instrText")
            el.set(qn("xml:space"), "preserve")
            el.text = text
        elif kind == "text":
            run.text = text
            continue
        else:
            el = OxmlElement("w:fldChar")
            el.set(qn("w:fldCharType"), kind)
        run._element.append(el)
    end = font(p.add_run(), SONGTI, SIZE_PAGE_NUMBER)
    el = OxmlElement("w:fldChar")
    el.set(qn("w:fldCharType"), "end")
    end._element.append(el)
    font(p.add_run(" —"), SONGTI, SIZE_PAGE_NUMBER)


def _paragraph(doc: Document, align=None, indent: bool = False) -> Paragraph:
    p = doc.add_paragraph()
    if align is not None:
        p.alignment = align
    if indent:
        p.paragraph_format.first_line_indent = Pt(32)  # two characters
    return p


def masthead(doc: Document, issuer: str, doc_number: str) -> None:
    """发文机关标志 (red, centred), the 文号 below it, and the red separator line."""
    p = _paragraph(doc, WD_ALIGN_PARAGRAPH.CENTER)
    p.paragraph_format.line_spacing_rule = WD_LINE_SPACING.SINGLE
    p.paragraph_format.space_after = Pt(24)
    # on one line: at most SIZE_ISSUER, smaller for a long name (CJK glyphs are 1 em wide)
    size = Pt(min(SIZE_ISSUER.pt, int(WIDTH.pt / max(len(issuer), 1)) - 1))
    font(p.add_run(issuer), XIAOBIAOSONG, size, color=RED)
    p = _paragraph(doc, WD_ALIGN_PARAGRAPH.CENTER)
    font(p.add_run(doc_number), FANGSONG, SIZE_BODY)
    border = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    for key, value in (("val", "single"), ("sz", "12"), ("space", "8"), ("color", "FF0000")):
        bottom.set(qn(f"w:{key}"), value)
    border.append(bottom)
    p._p.get_or_add_pPr().insert_element_before(border, *_AFTER_PBDR)
    _paragraph(doc)


def title(doc: Document, text: str) -> None:
    p = _paragraph(doc, WD_ALIGN_PARAGRAPH.CENTER)
    p.paragraph_format.line_spacing = Pt(36)
    p.paragraph_format.space_after = Pt(16)
    font(p.add_run(text), XIAOBIAOSONG, SIZE_TITLE)


def body(doc: Document, text: str, *, indent: bool = True) -> Paragraph:
    p = _paragraph(doc, WD_ALIGN_PARAGRAPH.JUSTIFY, indent=indent)
    font(p.add_run(text), FANGSONG, SIZE_BODY)
    return p


def heading(doc: Document, level: int, number: str, text: str) -> Paragraph:
    """Level 1 '一、' 黑体, level 2 '（一）' 楷体, level 3 '1．' 仿宋 bold; indented two characters."""
    name, bold = {1: (HEITI, False), 2: (KAITI, False), 3: (FANGSONG, True)}[level]
    mark = {1: f"{number}、", 2: f"（{number}）", 3: f"{number}．"}[level]
    p = _paragraph(doc, indent=True)
    p.paragraph_format.keep_with_next = True
    font(p.add_run(mark + text), name, SIZE_BODY, bold=bold)
    return p


def caption(doc: Document, text: str) -> None:
    p = _paragraph(doc, WD_ALIGN_PARAGRAPH.CENTER)
    p.paragraph_format.keep_with_next = True
    font(p.add_run(text), HEITI, SIZE_TABLE)


#: a column at least this wide (mm) holds running text: its body cells are left-aligned
TEXT_COLUMN_MM = 50


def table(
    doc: Document,
    headers: Sequence[str],
    rows: Sequence[Sequence[str]],
    widths_mm: Sequence[float] | None = None,
) -> Table:
    """A bordered table, centred; the header row repeats at the top of every page (w:tblHeader)
    and no row splits across pages. `widths_mm`: the columns' widths (default: equal), a wide
    column's text left-aligned."""
    t = doc.add_table(rows=1 + len(rows), cols=len(headers))
    t.style = "Table Grid"
    t.alignment = WD_TABLE_ALIGNMENT.CENTER
    if widths_mm is not None:
        t.autofit = False
        for column, width in zip(t.columns, widths_mm, strict=True):
            column.width = Mm(width)  # w:gridCol, which LibreOffice reads
            for cell in column.cells:
                cell.width = Mm(width)  # w:tcW, which Word reads
    for r, values in enumerate([list(headers), *map(list, rows)]):
        row = t.rows[r]
        tr_pr = row._tr.get_or_add_trPr()
        cant_split = OxmlElement("w:cantSplit")
        tr_pr.append(cant_split)
        if r == 0:
            header = OxmlElement("w:tblHeader")
            header.set(qn("w:val"), "true")
            tr_pr.append(header)
        for c, value in enumerate(values):
            p = row.cells[c].paragraphs[0]
            wide = r > 0 and widths_mm is not None and widths_mm[c] >= TEXT_COLUMN_MM
            p.alignment = WD_ALIGN_PARAGRAPH.LEFT if wide else WD_ALIGN_PARAGRAPH.CENTER
            p.paragraph_format.line_spacing = Pt(20)
            p.paragraph_format.first_line_indent = None
            font(p.add_run(str(value)), HEITI if r == 0 else FANGSONG, SIZE_TABLE)
    return t


def picture(doc: Document, png: bytes, width_mm: float = 156) -> None:
    p = _paragraph(doc, WD_ALIGN_PARAGRAPH.CENTER)
    p.paragraph_format.line_spacing_rule = WD_LINE_SPACING.SINGLE
    p.add_run().add_picture(io.BytesIO(png), width=Mm(width_mm))


def signature(doc: Document, issuer: str, date_text: str) -> None:
    """发文机关署名 and 成文日期, right-aligned (four characters from the right edge)."""
    _paragraph(doc)
    for text in (issuer, date_text):
        p = _paragraph(doc, WD_ALIGN_PARAGRAPH.RIGHT)
        p.paragraph_format.right_indent = Pt(64)
        font(p.add_run(text), FANGSONG, SIZE_BODY)
