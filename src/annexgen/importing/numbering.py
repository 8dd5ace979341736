"""What Word shows of a paragraph that its text does not hold: the automatic list label, bold.

Clerks number headings with Word's automatic numbering (`w:numPr` → word/numbering.xml)
as often as they type "一、". `Formatting.labels` computes the label Word displays for
every numbered paragraph, counting through the document as Word does:

- the numbering is the paragraph's own `w:numPr` or its style's (through `w:basedOn`;
  without `w:ilvl`, the level whose `w:pStyle` names the style); `w:numId` 0 is none;
- counters belong to the abstract numbering (the `w:num`s of one `w:abstractNum`, or of
  one numbering style, continue each other), one per level, starting at `w:start`; using
  a level restarts the deeper ones (with `w:lvlRestart`: those naming it or a level above);
- a `w:num`'s `w:lvlOverride` redefines a level (`w:lvl`) and restarts it at
  `w:startOverride` the first time that instance numbers at that level;
- `w:lvlText` ("%1、", "（%2）", "%1.%2") is filled with each level's counter in its
  `w:numFmt`; bullets and `none` give no label; `w:isLgl` prints every number in decimal.

The label goes directly before the text ("一、部门基本情况"), as a clerk types it: the
suffix Word puts after it (tab, space) is layout.

`Formatting.bold` tells a paragraph all of whose text is bold: `w:b` on the run, else its
character and paragraph styles (toggling each other, as Word's toggle properties do), else
the document defaults.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace

from lxml import etree

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
MC = "http://schemas.openxmlformats.org/markup-compatibility/2006"
LEVELS = 9
_SKIP = {f"{{{W}}}del", f"{{{W}}}moveFrom", f"{{{MC}}}Fallback", f"{{{W}}}txbxContent"}
_PLACEHOLDER = re.compile(r"%([1-9])")


def _w(name: str) -> str:
    return f"{{{W}}}{name}"


def _val(el: etree._Element | None, name: str = "val") -> str | None:
    return el.get(_w(name)) if el is not None else None


def _int(el: etree._Element | None, default: int | None = None, name: str = "val") -> int | None:
    try:
        return int(_val(el, name) or "")
    except ValueError:
        return default


def _on(el: etree._Element | None) -> bool | None:
    """A toggle element's value: absent None; w:val 0/false/off False; anything else True."""
    if el is None:
        return None
    return (_val(el) or "true").lower() not in ("0", "false", "off", "none")


# --- number formats -------------------------------------------------------------------------

_CN_DIGITS = "〇一二三四五六七八九"
_LEGAL_DIGITS = "零壹贰叁肆伍陆柒捌玖"
_FULL_WIDTH = str.maketrans("0123456789", "０１２３４５６７８９")
_STEMS = "甲乙丙丁戊己庚辛壬癸"
_BRANCHES = "子丑寅卯辰巳午未申酉戌亥"
_ROMAN = ((1000, "m"), (900, "cm"), (500, "d"), (400, "cd"), (100, "c"), (90, "xc"), (50, "l"), (40, "xl"),
          (10, "x"), (9, "ix"), (5, "v"), (4, "iv"), (1, "i"))


def _chinese_thousand(n: int, digits: str = _CN_DIGITS, units: str = "十百千") -> str:
    """一百零一, 二千三百, 十一 (up to 9999; larger numbers digit by digit)."""
    if n >= 10000:
        return "".join(digits[int(d)] for d in str(n))
    out, zero = "", False
    for power, unit in ((1000, units[2]), (100, units[1]), (10, units[0]), (1, "")):
        d = n // power % 10
        if d:
            out += ("零" if zero and out else "") + digits[d] + unit
            zero = False
        elif out:
            zero = True
    if out.startswith(digits[1] + units[0]) and n < 20:
        out = out[1:]  # 十一, not 一十一
    return out or digits[0]


def _chinese_counting(n: int) -> str:
    """一 … 十, 十一, 二十一 under a hundred; digit by digit above (一〇一)."""
    return _chinese_thousand(n) if 0 <= n < 100 else "".join(_CN_DIGITS[int(d)] for d in str(n))


_CIRCLED = ((1, 20, 0x2460), (21, 35, 0x3251), (36, 50, 0x32B1))  # ①…⑳, ㉑…㉟, ㊱…㊿


def _enclosed(n: int, ranges: tuple[tuple[int, int, int], ...]) -> str:
    for low, high, first in ranges:
        if low <= n <= high:
            return chr(first + n - low)
    return str(n)


def _letters(n: int, a: str) -> str:
    return chr(ord(a) + (n - 1) % 26) * ((n - 1) // 26 + 1) if n > 0 else str(n)


def _roman(n: int) -> str:
    out = ""
    for value, numeral in _ROMAN:
        out, n = out + numeral * (n // value), n % value
    return out or str(n)


_FORMATS = {
    "decimal": str,
    "decimalHalfWidth": str,
    "decimalZero": lambda n: f"{n:02d}" if 0 <= n < 10 else str(n),
    "decimalFullWidth": lambda n: str(n).translate(_FULL_WIDTH),
    "decimalFullWidth2": lambda n: str(n).translate(_FULL_WIDTH),
    "chineseCounting": _chinese_counting,
    "chineseCountingThousand": _chinese_thousand,
    "japaneseCounting": _chinese_thousand,
    "chineseLegalSimplified": lambda n: _chinese_thousand(n, _LEGAL_DIGITS, "拾佰仟"),
    "ideographTraditional": lambda n: _STEMS[(n - 1) % 10] if n > 0 else str(n),
    "ideographZodiac": lambda n: _BRANCHES[(n - 1) % 12] if n > 0 else str(n),
    "decimalEnclosedCircle": lambda n: _enclosed(n, _CIRCLED),
    "decimalEnclosedCircleChinese": lambda n: _enclosed(n, _CIRCLED),
    "ideographEnclosedCircle": lambda n: _enclosed(n, ((1, 10, 0x3280),)),
    "decimalEnclosedParen": lambda n: _enclosed(n, ((1, 20, 0x2474),)),
    "decimalEnclosedFullstop": lambda n: _enclosed(n, ((1, 20, 0x2488),)),
    "lowerLetter": lambda n: _letters(n, "a"),
    "upperLetter": lambda n: _letters(n, "A"),
    "lowerRoman": _roman,
    "upperRoman": lambda n: _roman(n).upper(),
}
NO_LABEL = {"bullet", "none"}
MAX_LABEL_TEXT = 64  # a longer w:lvlText (a hostile file, repeated on every paragraph) is cut
MAX_NUMBER = 32767  # Word's largest start value: beyond it (a hostile file) a number is printed in decimal


def format_number(n: int, fmt: str) -> str:
    """`n` as Word prints it in numFmt `fmt` (an unknown format in decimal; bullet and none as nothing)."""
    if fmt in NO_LABEL:
        return ""
    return _FORMATS.get(fmt, str)(n) if 0 <= n <= MAX_NUMBER else str(n)


# --- numbering.xml --------------------------------------------------------------------------


@dataclass(frozen=True)
class Level:
    """One level of a list: start value, number format, label pattern, restart rule, linked style."""

    start: int = 0
    fmt: str = "decimal"
    text: str = ""
    restart: int | None = None  # w:lvlRestart (1-based level; 0 never); None: after any level above
    style: str = ""  # w:pStyle: the paragraph style numbered at this level
    legal: bool = False


def _level(lvl: etree._Element) -> Level:
    fmt = lvl.find(_w("numFmt"))
    if fmt is None:  # a custom format offered in alternate content: its fallback
        fmt = lvl.find(f"{{{MC}}}AlternateContent/{{{MC}}}Fallback/{_w('numFmt')}")
    text = lvl.find(_w("lvlText"))
    return Level(
        start=_int(lvl.find(_w("start")), 0) or 0,
        fmt=_val(fmt) or "decimal",
        text=(_val(text) or "")[:MAX_LABEL_TEXT],
        restart=_int(lvl.find(_w("lvlRestart"))),
        style=_val(lvl.find(_w("pStyle"))) or "",
        legal=bool(_on(lvl.find(_w("isLgl")))),
    )


def _levels(parent: etree._Element) -> dict[int, Level]:
    out = {}
    for lvl in parent.findall(_w("lvl")):
        ilvl = _int(lvl, -1, "ilvl")
        if ilvl is not None and 0 <= ilvl < LEVELS:
            out[ilvl] = _level(lvl)
    return out


@dataclass
class Instance:
    """A w:num: its abstract numbering, levels it redefines, start overrides."""

    abstract: str
    levels: dict[int, Level] = field(default_factory=dict)
    starts: dict[int, int] = field(default_factory=dict)


# --- styles.xml -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Style:
    """A style's name, parent, numbering and bold (None: not set by this style)."""

    name: str = ""
    based_on: str = ""
    num_id: str | None = None
    ilvl: int | None = None
    bold: bool | None = None


class Formatting:
    """The styles and numbering of one document (empty when a part is missing or broken)."""

    def __init__(self, styles: etree._Element | None = None, numbering: etree._Element | None = None) -> None:
        self.paragraph_styles: dict[str, Style] = {}
        self.character_styles: dict[str, Style] = {}
        self.numbering_styles: dict[str, Style] = {}
        self.default_paragraph = ""
        self.default_bold = False
        self.abstracts: dict[str, dict[int, Level]] = {}
        self.instances: dict[str, Instance] = {}
        if styles is not None:
            self._read_styles(styles)
        if numbering is not None:
            self._read_numbering(numbering)

    @classmethod
    def parse(cls, styles: bytes | None, numbering: bytes | None, parser: etree.XMLParser) -> "Formatting":
        """From the parts' bytes; a broken part counts as missing."""
        def tree(xml: bytes | None) -> etree._Element | None:
            try:
                return etree.fromstring(xml, parser) if xml else None
            except etree.XMLSyntaxError:
                return None
        return cls(tree(styles), tree(numbering))

    def _read_styles(self, root: etree._Element) -> None:
        self.default_bold = bool(_on(root.find(f"{_w('docDefaults')}/{_w('rPrDefault')}/{_w('rPr')}/{_w('b')}")))
        for style in root.iter(_w("style")):
            sid, kind = style.get(_w("styleId")), style.get(_w("type"))
            if not sid:
                continue
            num = style.find(f"{_w('pPr')}/{_w('numPr')}")
            entry = Style(
                name=_val(style.find(_w("name"))) or "",
                based_on=_val(style.find(_w("basedOn"))) or "",
                num_id=_val(num.find(_w("numId"))) if num is not None else None,
                ilvl=_int(num.find(_w("ilvl"))) if num is not None else None,
                bold=_on(style.find(f"{_w('rPr')}/{_w('b')}")),
            )
            if kind == "paragraph":
                self.paragraph_styles[sid] = entry
                if style.get(_w("default")) in ("1", "true", "on"):
                    self.default_paragraph = self.default_paragraph or sid
            elif kind in ("character", "numbering"):
                getattr(self, f"{kind}_styles")[sid] = entry

    def _read_numbering(self, root: etree._Element) -> None:
        links: dict[str, str] = {}
        for a in root.iter(_w("abstractNum")):
            aid = a.get(_w("abstractNumId"))
            if aid is None:
                continue
            self.abstracts[aid] = _levels(a)
            link = _val(a.find(_w("numStyleLink")))
            if link:
                links[aid] = link
        for num in root.iter(_w("num")):
            nid, aid = num.get(_w("numId")), _val(num.find(_w("abstractNumId")))
            if nid is None or aid is None:
                continue
            inst = Instance(aid)
            for over in num.findall(_w("lvlOverride")):
                ilvl, start = _int(over, None, "ilvl"), _int(over.find(_w("startOverride")))
                if ilvl is not None and start is not None:
                    inst.starts[ilvl] = start
                inst.levels.update({k: v for k, v in _levels(over).items() if k == ilvl})
            self.instances[nid] = inst
        for inst in self.instances.values():  # a list that is a numbering style's (w:numStyleLink) is that style's list
            style = self.numbering_styles.get(links.get(inst.abstract, ""))
            target = self.instances.get(style.num_id or "") if style is not None else None
            if target is not None and target.abstract not in links:
                inst.abstract = target.abstract

    # --- styles ---

    def _chain(self, styles: dict[str, Style], sid: str) -> list[Style]:
        out, seen = [], set()
        while sid and sid not in seen and sid in styles and len(out) < 32:
            seen.add(sid)
            out.append(styles[sid])
            sid = styles[sid].based_on
        return out

    def style_name(self, sid: str) -> str:
        """A paragraph style's name (its id when styles.xml names none; '' for none)."""
        style = self.paragraph_styles.get(sid)
        return style.name if style is not None and style.name else sid

    def _paragraph_style(self, p: etree._Element) -> str:
        return _val(p.find(f"{_w('pPr')}/{_w('pStyle')}")) or self.default_paragraph

    def bold(self, p: etree._Element) -> bool:
        """Whether every run of `p` with visible text is bold (False for a paragraph without text)."""
        pstyle = next((s.bold for s in self._chain(self.paragraph_styles, self._paragraph_style(p)) if s.bold is not None), None)
        seen = False
        for run in _runs(p):
            if not "".join(t.text or "" for t in run.iter(_w("t"))).strip():
                continue
            seen = True
            rpr = run.find(_w("rPr"))
            direct = _on(rpr.find(_w("b"))) if rpr is not None else None
            if direct is None:
                rstyle = _val(rpr.find(_w("rStyle"))) if rpr is not None else None
                cstyle = next((s.bold for s in self._chain(self.character_styles, rstyle or "") if s.bold is not None), None)
                base = pstyle if pstyle is not None else self.default_bold
                direct = base != bool(cstyle)  # toggle properties: a bold character style in a bold paragraph style is not bold
            if not direct:
                return False
        return seen

    # --- numbering ---

    def _numbering_of(self, p: etree._Element) -> tuple[str, int] | None:
        """(numId, ilvl) of a paragraph, from its own numPr or its style's; None when not numbered."""
        num = p.find(f"{_w('pPr')}/{_w('numPr')}")
        nid = _val(num.find(_w("numId"))) if num is not None else None
        ilvl = _int(num.find(_w("ilvl"))) if num is not None else None
        sid = self._paragraph_style(p)
        if nid is None or ilvl is None:
            for style in self._chain(self.paragraph_styles, sid):
                nid = nid if nid is not None else style.num_id
                ilvl = ilvl if ilvl is not None else style.ilvl
        if nid is None or nid == "0" or nid not in self.instances:
            return None
        if ilvl is None:
            levels = self.abstracts.get(self.instances[nid].abstract, {})
            ilvl = next((k for k, lv in sorted(levels.items()) if lv.style and lv.style == sid), 0)
        return nid, ilvl if 0 <= ilvl < LEVELS else 0

    def _effective(self, nid: str) -> dict[int, Level]:
        inst = self.instances[nid]
        levels = {**self.abstracts.get(inst.abstract, {}), **inst.levels}
        return {k: (replace(lv, start=inst.starts[k]) if k in inst.starts else lv) for k, lv in levels.items()}

    def labels(self, body: etree._Element) -> dict[etree._Element, tuple[str, int]]:
        """Every numbered paragraph of `body` (tables and text boxes too: they count) → (label, 0-based level)."""
        out: dict[etree._Element, tuple[str, int]] = {}
        if not self.instances:
            return out
        counters: dict[str, list[int | None]] = {}
        fresh: set[tuple[str, int]] = set()  # (numId, level) whose start override has been applied
        for p in _paragraphs(body):
            found = self._numbering_of(p)
            if found is None:
                continue
            nid, ilvl = found
            levels = self._effective(nid)
            if ilvl not in levels:
                continue
            count = counters.setdefault(self.instances[nid].abstract, [None] * LEVELS)
            if ilvl in self.instances[nid].starts and (nid, ilvl) not in fresh:
                fresh.add((nid, ilvl))
                count[ilvl] = None
            count[ilvl] = levels[ilvl].start if count[ilvl] is None else count[ilvl] + 1
            for deeper in range(ilvl + 1, LEVELS):
                rule = levels[deeper].restart if deeper in levels else None
                if rule is None or rule > deeper:
                    rule = deeper  # by default a level restarts after the level above it (or any higher)
                if rule and ilvl <= rule - 1:
                    count[deeper] = None
            out[p] = (_label(levels, ilvl, count), ilvl)
        return out


def _label(levels: dict[int, Level], ilvl: int, count: list[int | None]) -> str:
    own = levels[ilvl]
    if own.fmt in NO_LABEL:
        return ""

    def fill(m: re.Match[str]) -> str:
        k = int(m.group(1)) - 1
        lv = levels.get(k, Level())
        value = count[k] if count[k] is not None else lv.start
        return format_number(value, "decimal" if own.legal and lv.fmt not in NO_LABEL else lv.fmt)

    return _PLACEHOLDER.sub(fill, own.text)


def _paragraphs(node: etree._Element):
    """Paragraphs in document order, those in tables and text boxes too; deletions and fallback copies left out."""
    for child in node:
        if not isinstance(child.tag, str) or child.tag in (_w("del"), _w("moveFrom"), f"{{{MC}}}Fallback"):
            continue
        if child.tag == _w("p"):
            yield child
        yield from _paragraphs(child)


def _runs(node: etree._Element):
    """The runs shown in a paragraph (hyperlinks, fields, content controls read through)."""
    for child in node:
        if not isinstance(child.tag, str) or child.tag in _SKIP:
            continue
        if child.tag == _w("r"):
            yield child
        elif child.tag not in (_w("pPr"), _w("rPr")):
            yield from _runs(child)
