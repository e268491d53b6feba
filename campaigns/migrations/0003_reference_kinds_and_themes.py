"""The action kinds and campaign themes every install starts with (data staff can extend)."""

from django.db import migrations

THEMES = ["国保", "介護", "医療", "年金", "生活保護", "保険証", "子ども", "税・財源", "障害者", "憲法25条"]

# code, name, study session, negotiation, street action
KINDS = [
    ("street", "宣伝行動", False, False, True),
    ("study", "学習会", True, False, False),
    ("rally", "集会", False, False, False),
    ("symposium", "シンポジウム", True, False, False),
    ("exchange", "交流集会", True, False, False),
    ("general_meeting", "総会", False, False, False),
    ("block_meeting", "ブロック会議", False, False, False),
    ("steering", "運営委員会", False, False, False),
    ("negotiation", "要請・交渉", False, True, False),
    ("talk", "懇談", False, True, False),
    ("submission", "署名提出行動", False, False, False),
    ("press", "記者会見", False, False, False),
    ("diet", "国会行動", False, False, False),
    ("parade", "パレード", False, False, True),
    ("standing", "スタンディング", False, False, True),
    ("consultation", "相談会", False, False, False),
    ("other", "その他", False, False, False),
]


def forward(apps, schema_editor):
    Theme = apps.get_model("campaigns", "Theme")
    ActionKind = apps.get_model("campaigns", "ActionKind")
    for order, name in enumerate(THEMES, start=1):
        Theme.objects.get_or_create(name=name, defaults={"order": order * 10})
    for order, (code, name, study, negotiation, street) in enumerate(KINDS, start=1):
        ActionKind.objects.get_or_create(
            code=code,
            defaults={
                "name": name,
                "is_study_session": study,
                "is_negotiation": negotiation,
                "is_street_action": street,
                "order": order * 10,
            },
        )


class Migration(migrations.Migration):
    dependencies = [("campaigns", "0002_actions")]

    operations = [migrations.RunPython(forward, migrations.RunPython.noop)]
