"""拼音 of names and titles, for searching by full pinyin or its initials."""

from __future__ import annotations

from pypinyin import Style, lazy_pinyin


def full_pinyin(text: str) -> str:
    """'张三' -> 'zhangsan'; Latin letters and digits pass through, lower-cased."""
    return "".join(lazy_pinyin(text, errors="default")).lower().replace(" ", "")


def initials(text: str) -> str:
    """'张三' -> 'zs'; used for the search pupils and desk staff type most."""
    return "".join(p[:1] for p in lazy_pinyin(text, style=Style.FIRST_LETTER, errors="default") if p).lower()
