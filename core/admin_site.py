from __future__ import annotations

from django.contrib import admin
from django.contrib.admin.apps import AdminConfig
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _


class SuperuserAdminSite(admin.AdminSite):
    """The admin is the system administrators' tool and sees every dealer, so only
    superusers may enter it; dealership staff work in the application, which scopes every
    page to their dealers."""

    site_header = _("Complaint desk administration")
    site_title = _("Complaint desk")

    def has_permission(self, request: HttpRequest) -> bool:
        return bool(request.user.is_active and request.user.is_superuser)


class SuperuserAdminConfig(AdminConfig):
    default_site = "core.admin_site.SuperuserAdminSite"
