from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.utils.translation import gettext_lazy as _

from dealers.models import Membership

from .models import User


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    fields = ("role", "dealer", "region")


@admin.register(User)
class CaseUserAdmin(UserAdmin):
    inlines = [MembershipInline]
    fieldsets = (
        *(UserAdmin.fieldsets or ()),
        (_("Preferences"), {"fields": ("language", "phone")}),
    )
    list_display = ("username", "first_name", "last_name", "email", "is_active", "is_staff")
