from django.contrib import admin

from haven.bot.models import Outbox, SafetyAlert


@admin.register(SafetyAlert)
class SafetyAlertAdmin(admin.ModelAdmin[SafetyAlert]):
    list_display = ("created_at", "user", "proposal", "handled_at")
    list_filter = ("handled_at",)
    readonly_fields = ("checkin", "user", "proposal", "created_at")


@admin.register(Outbox)
class OutboxAdmin(admin.ModelAdmin[Outbox]):
    list_display = ("dedupe_key", "status", "attempts", "next_attempt_at", "last_error")
    list_filter = ("status",)
    exclude = ("text",)
