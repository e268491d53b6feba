"""Newsletters (ニュース): a council's issues, their articles written from the records, their managed photos.

Gathered into reports/models.py for Django; the reports app owns them because an article reads every
app's records (an action, a talk, a consultation day) through those apps' selectors.
"""
