from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from .selectors import home_summary


@login_required
def home(request):
    """Each account's own page: its council, its role, and what later issues add (tallies, reports)."""
    return render(request, "councils/home.html", home_summary(user=request.user))
