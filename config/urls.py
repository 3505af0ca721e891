from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.views.i18n import JavaScriptCatalog

from core.views import favicon, health, live, ready

urlpatterns = [
    path("admin/", admin.site.urls),
    # Answered by core.middleware.HealthCheckMiddleware before any other middleware; named
    # here so they can be reversed.
    path("health/", health, name="health"),
    path("health/live", live, name="health-live"),
    path("health/ready", ready, name="health-ready"),
    path("api/", include("config.api_urls")),
    # Browsers ask for /favicon.ico whatever the page says (and the admin's pages say nothing).
    path("favicon.ico", favicon),
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path(
        "accounts/password/",
        auth_views.PasswordChangeView.as_view(),
        name="password_change",
    ),
    path(
        "accounts/password/done/",
        auth_views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
    path("i18n/", include("django.conf.urls.i18n")),
    path("jsi18n/", JavaScriptCatalog.as_view(), name="javascript-catalog"),
    path("customers/", include("dealers.urls")),
    path("followups/", include("followups.urls")),
    path("", include("evidence.urls")),
    path("", include("repairs.urls")),
    path("messaging/", include("messaging.urls")),
    path("learning/", include("learning.urls")),
    path("analytics/", include("analytics.urls")),
    path("", include("complaints.urls")),
]

# JSON for the API, Django's page elsewhere.
handler404 = "integrations.problems.page_not_found"
handler500 = "integrations.problems.server_error"
