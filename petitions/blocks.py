"""Blocks of petitions for documents: the signatures a prefecture handed in during a period.

Imported by PetitionsConfig.ready(): the blocks go into the registry in shaho.core.blocks. Rows come
from petitions.selectors, only what the document's requester may see.
"""

from shaho.core.blocks import Block, register

from . import selectors


@register(
    "petition.submissions",
    label="都道府県の期間中の署名の提出（同じ日の全国の提出数と並べて）",
    params={"prefecture": "prefecture", "start": "date", "end": "date"},
    example="{{ petition.submissions prefecture=14 start=2023-11-01 end=2023-12-31 }}",
)
def submissions(ctx, *, prefecture=None, start=None, end=None):
    if prefecture is None:
        raise ValueError("prefecture= に都道府県を指定してください。")
    start, end = start or ctx.date, end or ctx.date
    if end < start:
        raise ValueError("end= は start= より後の日付にしてください。")
    rows = selectors.prefecture_submissions(prefecture=prefecture, start=start, end=end, user=ctx.user)
    return Block(template="petitions/blocks/submissions.html", context={"rows": rows}, empty=not rows)
