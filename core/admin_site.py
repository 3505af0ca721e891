from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import admin
from django.contrib.admin.apps import AdminConfig
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext_lazy as _

from core.scoping import unscoped


class SuperuserAdminSite(admin.AdminSite):
    """The admin is the system administrators' tool and sees every dealer, so only
    superusers may enter it; dealership staff work in the application, which scopes every
    page to their dealers."""

    site_header = _("Complaint desk administration")
    site_title = _("Complaint desk")

    def has_permission(self, request: HttpRequest) -> bool:
        return bool(request.user.is_active and request.user.is_superuser)

    def admin_view(self, view: Callable[..., Any], cacheable: bool = False) -> Any:
        """Every admin page reads across dealers under the named escape "admin": only for a
        superuser, and rendered inside it (a template may read querysets lazily)."""
        protected = super().admin_view(view, cacheable)

        @wraps(view)
        def inner(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not self.has_permission(request):
                return protected(request, *args, **kwargs)  # the login page, as before
            with unscoped("admin"):
                response = protected(request, *args, **kwargs)
                render = getattr(response, "render", None)
                if callable(render) and not getattr(response, "is_rendered", True):
                    response = render()
            return response

        return inner


class SuperuserAdminConfig(AdminConfig):
    default_site = "core.admin_site.SuperuserAdminSite"
