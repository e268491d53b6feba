"""Backups that restore and prove it (issue 20): the archive format (`crypto`), the database per engine
(`databases`), the manifest, restore, verification, retention and the drill (`services`), their record
(`models`, `admin`). Commands: `manage.py backup`, `restore`, `restore_drill`; Celery beat runs the
daily backup and the weekly drill (shaho.core.tasks)."""
