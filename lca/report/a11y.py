"""Accessibility helpers of the HTML report: scroll regions for tables, ``lang`` on foreign text, ids that wrap.

WCAG 2.2 AA asks that a sideways-scrolling table can be reached by keyboard (2.1.1: the scroll box is
focusable and named), that a passage in another language says so (3.1.2) and that nothing forces a
phone to scroll the whole page sideways (1.4.10, reflow). These helpers do that for every table and
every text taken from the data, so a table or citation added later is served the same way.

>>> print(scroll_regions('<p>x</p>\\n<table class="data">\\n<caption>By <em>gas</em> &amp; more</caption>\\n</table>'))
<p>x</p>
<div class="scroll" tabindex="0" role="region" aria-label="By gas &amp; more"><table class="data">
<caption>By <em>gas</em> &amp; more</caption>
</table></div>
>>> str(lang_spans("Kansai Electric, 数字でみる関西電力 (in figures)"))
'Kansai Electric, <span lang="ja">数字でみる関西電力</span> (in figures)'
>>> str(lang_spans("全国电力平均二氧化碳排放因子", "CN")), str(lang_spans("送配電損失率", "JP-KANSAI"))
('<span lang="zh">全国电力平均二氧化碳排放因子</span>', '<span lang="ja">送配電損失率</span>')
>>> str(breakable("grid.emaps2024.jp-kansai_direct"))
'grid.<wbr>emaps2024.<wbr>jp-<wbr>kansai_<wbr>direct'
"""

from __future__ import annotations

import html
import re

from markupsafe import Markup, escape

_TABLE = re.compile(r"<table\b.*?</table>", re.S)
_CAPTION = re.compile(r"<caption>(.*?)</caption>", re.S)
_TAG = re.compile(r"<[^>]+>")

# Scripts by Unicode block: kana only in Japanese, hangul only in Korean; Han ideographs in Chinese and
# Japanese alike (the data's region decides, else the kana/hangul elsewhere in the same text).
_KANA = "\u3040-\u30ff\u31f0-\u31ff\uff66-\uff9f"
_HANGUL = "\u1100-\u11ff\u3130-\u318f\uac00-\ud7af"
_HAN = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_PUNCT = "\u3000-\u303f\uff01-\uff65"  # CJK punctuation and full-width forms, part of a run, never its start
_RUN = re.compile(f"[{_KANA}{_HANGUL}{_HAN}][{_KANA}{_HANGUL}{_HAN}{_PUNCT}0-9A-Za-z]*")
#: region code (ISO 3166 country, the part before "-") → language of Han-only text from there
_REGION_LANG = {"JP": "ja", "CN": "zh", "TW": "zh-Hant", "HK": "zh-Hant", "KR": "ko"}


def scroll_regions(page: str) -> str:
    """Every ``<table>`` of ``page`` inside a focusable, named scroll box (the table's caption names it).

    Tables are never nested in the report, so a non-greedy match finds each one whole."""
    def wrap(m: re.Match[str]) -> str:
        cap = _CAPTION.search(m.group(0))
        name = " ".join(html.unescape(_TAG.sub("", cap.group(1))).split()) if cap else "Table"
        return (f'<div class="scroll" tabindex="0" role="region" aria-label="{html.escape(name, quote=True)}">'
                f"{m.group(0)}</div>")

    return _TABLE.sub(wrap, page)


def _lang(run: str, text: str, region: str | None) -> str:
    if re.search(f"[{_KANA}]", run):
        return "ja"
    if re.search(f"[{_HANGUL}]", run):
        return "ko"
    country = (region or "").split("-")[0].upper()
    if country in _REGION_LANG:
        return _REGION_LANG[country]
    if re.search(f"[{_KANA}]", text):  # kanji in a text that also has kana: Japanese
        return "ja"
    return "zh"


def lang_spans(text: object, region: str | None = None) -> Markup:
    """``text`` escaped, each run of CJK script in ``<span lang="…">`` (WCAG 3.1.2, language of parts).

    The language comes from the script (kana → Japanese, hangul → Korean) and, for Han ideographs
    alone, from ``region`` (the factor's or grid's region: ``JP-KANSAI`` → Japanese, ``CN`` → Chinese)."""
    if text is None:
        return Markup("")
    s = str(text)
    out, last = [], 0
    for m in _RUN.finditer(s):
        out += [escape(s[last:m.start()]), Markup(f'<span lang="{_lang(m.group(0), s, region)}">'),
                escape(m.group(0)), Markup("</span>")]
        last = m.end()
    out.append(escape(s[last:]))
    return Markup("").join(out)


def breakable(text: object) -> Markup:
    """An id with a line-break opportunity after each ``.``, ``-``, ``_``, ``:`` and ``/`` (never inside a word),
    so a long factor id wraps at its parts on a phone instead of being cut every few characters."""
    return Markup(re.sub(r"([.\-_:/])(?=.)", r"\1<wbr>", str(escape("" if text is None else text))))
