from django.contrib import admin

from .models import Customer, Dealer, Membership, Region, RepairOrder, Vehicle


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    list_display = ("code", "name")


@admin.register(Dealer)
class DealerAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "region", "timezone", "approval_limit", "currency")
    list_filter = ("region",)
    search_fields = ("code", "name")


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ("user", "role", "dealer", "region")
    list_filter = ("role", "dealer", "region")
    autocomplete_fields = ("user",)


@admin.register(Customer)
class CustomerAdmin(admin.ModelAdmin):
    list_display = ("name", "phone", "dealer", "dms_id", "preferred_channel")
    list_filter = ("dealer",)
    search_fields = ("name", "phone", "email", "dms_id")


@admin.register(Vehicle)
class VehicleAdmin(admin.ModelAdmin):
    list_display = ("vin", "model", "plate", "owner", "dealer")
    list_filter = ("dealer",)
    search_fields = ("vin", "plate", "model")
    raw_id_fields = ("owner",)


@admin.register(RepairOrder)
class RepairOrderAdmin(admin.ModelAdmin):
    list_display = ("number", "opened_on", "vehicle", "dealer")
    list_filter = ("dealer",)
    search_fields = ("number", "vehicle__vin")
    raw_id_fields = ("vehicle",)
