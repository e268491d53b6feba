"""The closing block of `make run`: the address, the demo accounts, how to log in, who answers calls.

Printed last before the server's own lines (by `seed_demo --url` in the Makefile's run target, or on its
own by `demo_accounts`). Passwords made in the same run are shown again here, since the table further
up has scrolled away by the time the server starts; otherwise the block says the exact command to type.
"""

import os

from consultations.models import Responder
from councils.models import User
from demo.federation import ACCOUNTS, PASSWORD_ENV, RESET_COMMAND, display_width, pad


def closing_lines(*, url="", passwords=None):
    """The lines of the block; `passwords` are those made in this run (username → password), if any."""
    passwords = passwords or {}
    usernames = [a[0] for a in ACCOUNTS]
    users = {u.username: u for u in User.objects.filter(username__in=usernames).select_related("council")}
    lines = [""]
    if url:
        lines.append(f"アドレス: {url}（管理画面は {url.rstrip('/')}/admin/）")
    if not users:
        lines.append("デモ用アカウントはまだありません: .venv/bin/python manage.py seed_demo で作成します。")
        return lines
    fixed = bool(os.environ.get(PASSWORD_ENV))
    rows = [("ユーザー名", "パスワード", "役割", "所属")]
    for name in usernames:
        user = users.get(name)
        if user is None:
            continue
        if fixed:
            password = f"（{PASSWORD_ENV}）"
        else:
            password = passwords.get(name, "（作成したときに表示したもの）")
        role = "システム管理者" if user.is_superuser else str(user.get_role_display())
        rows.append((name, password, role, user.council.name if user.council_id else ""))
    lines.append("デモ用アカウント:")
    widths = [max(display_width(r[i]) for r in rows) for i in range(3)]
    for row in rows:
        lines.append("  " + "  ".join([*(pad(cell, w) for cell, w in zip(row, widths, strict=False)), row[3]]))
    if fixed:
        lines.append(f"パスワード: 環境変数 {PASSWORD_ENV} の値（すべてのデモ用アカウントで同じ）")
    elif set(users) - set(passwords):
        lines.append(
            "パスワードを忘れたときは、このフォルダーで次のコマンドを実行すると新しいパスワードを設定して表示します:"
        )
        lines.append(f"  {RESET_COMMAND}")
    lines.extend(_responder_lines(users))
    return lines


def _responder_lines(users):
    """Which demo account answers calls at a station (the call form is only offered to a station's responders)."""
    responders = (
        Responder.objects.filter(user__in=users.values())
        .select_related("user", "station__council", "station__day")
        .order_by("-station__day__date")
    )
    return [
        f"電話相談の相談員（相談記録の入力）: {r.user.username}（{r.station.council} "
        f"{r.station.day.date:%Y年}{r.station.day.date.month}月{r.station.day.date.day}日の会場）"
        for r in responders
    ]
