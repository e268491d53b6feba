"""The read API's shared parts (issue 21): tokens bound to a council, their authentication, usage log and rate
limits, pagination with a total order, CSV/xlsx renderers, conditional requests, one JSON error shape and the base
view class every app's `api/views.py` builds on. Bottom layer: imports no app (a council is "councils.Council").

How to add an endpoint: docs/api.md.
"""
