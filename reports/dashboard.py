"""The reports' panel of the home page: the reports newly published to the member, to download.

Imported by ReportsConfig.ready() into the registry in shaho.core.dashboard. Reads
`selectors.published_reports` (what the downloads page lists), one query.
"""

from django.urls import reverse
from django.utils.safestring import mark_safe

from shaho.core.dashboard import LOCAL, MEMBER, Link, register
from shaho.core.japanese import format_date
from shaho.core.pictures import Picture, Table

from . import selectors

NEW_REPORTS = 5


@register("reports.published", title="新しく公開された報告書", audiences={MEMBER, LOCAL}, order=20)
def published(ctx):
    jobs = list(selectors.published_reports(user=ctx.user).exclude(file="")[:NEW_REPORTS])
    rows = [
        [
            Link(job.title or job.get_kind_display(), reverse("reports:download", args=[job.token])),
            job.get_kind_display(),
            job.format.upper(),
            format_date(job.published_at),
        ]
        for job in jobs
    ]
    return Picture(
        key="published",
        title="新しく公開された報告書",
        svg=mark_safe(""),
        table=Table(["報告書", "種類", "形式", "公開日"], rows),
        link=reverse("reports:downloads"),
        note="" if jobs else "まだ公開された報告書はありません。公開されると、ここからダウンロードできます。",
    )
