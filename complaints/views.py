from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from . import selectors


@login_required
def home(request: HttpRequest) -> HttpResponse:
    complaints = selectors.complaint_list(actor=request.user, filters={"open": True})[:50]
    return render(request, "complaints/home.html", {"complaints": complaints})
