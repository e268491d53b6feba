"""Django's Japanese formats, with a space between the date and the time (shaho.core.japanese.format_datetime's
「2026年12月6日 18:01」; Django's own is 「2026年12月6日18:01」). Everything else comes from django/conf/locale/ja.
"""

DATETIME_FORMAT = "Y年n月j日 G:i"
SHORT_DATETIME_FORMAT = "Y/m/d G:i"
