from django.contrib import admin

from haven.bot.models import Outbox


@admin.register(Outbox)
class OutboxAdmin(admin.ModelAdmin[Outbox]):
    list_display = ("dedupe_key", "status", "attempts", "next_attempt_at", "last_error")
    list_filter = ("status",)
    exclude = ("text",)
