from __future__ import annotations

import os

from django.apps import AppConfig
from django.conf import settings
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "core"
    # The admin groups the staff accounts under this name.
    verbose_name = _("Accounts")

    def ready(self) -> None:
        from django.contrib.auth.signals import user_login_failed
        from django.core.signals import request_finished

        from .audit import register_actions
        from .login_guard import AUDIT_ACTIONS, record_login_failure
        from .logs import log_context_end
        from .models import AuditEntry
        from .scoping import ScopeRule, register

        # Only through core.audit.audit_entry_list, which narrows it to managers.
        register(AuditEntry, ScopeRule("dealer_id"))
        register_actions(
            {
                "admin.user.password_set": _(
                    "%(actor)s set a new password for %(object)s in the admin"
                )
            }
        )
        register_actions(AUDIT_ACTIONS)
        # After axes' receiver (axes is listed before core in INSTALLED_APPS), which marks a
        # request that this failure locked out.
        user_login_failed.connect(record_login_failure, dispatch_uid="core.login_failure")
        # The log lines' request context (core.logs) ends with the response.
        request_finished.connect(log_context_end, dispatch_uid="core.log_context_end")
        # kombu's filesystem transport needs its folders before the first message is sent,
        # by the web process as much as by the worker and beat.
        options = getattr(settings, "CELERY_BROKER_TRANSPORT_OPTIONS", {}) or {}
        for key in ("data_folder_in", "data_folder_out", "processed_folder", "control_folder"):
            if key in options:
                os.makedirs(options[key], exist_ok=True)
