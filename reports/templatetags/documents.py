"""Template filters for the PDF documents."""

import re

from django import template
from django.utils.html import escape
from django.utils.safestring import mark_safe

register = template.Library()

# Where a title may break: at its spaces, and after the punctuation that ends a phrase in Japanese.
_SPACE = re.compile(r"([ \u3000]+)")
_AFTER_PUNCTUATION = re.compile(r"(?<=[・、）」』】])|(?=[（「『【])(?<![（「『【])")


@register.filter
def keep_words(text):
    """`text` as words that never break inside (集約一覧表 stays whole); lines break only between them.

    WeasyPrint has no `word-break: keep-all`, so each word is a `nowrap` span and the break
    opportunities are the title's own spaces and a <wbr> after 「・」「、」「）」.
    """
    parts = []
    for piece in _SPACE.split(str(text or "")):
        if not piece:
            continue
        if _SPACE.fullmatch(piece):
            parts.append(escape(piece))
            continue
        words = [w for w in _AFTER_PUNCTUATION.split(piece) if w]
        parts.append("<wbr>".join(f'<span class="nobr">{escape(w)}</span>' for w in words))
    return mark_safe("".join(parts))
