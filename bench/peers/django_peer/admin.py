"""The read-only support case list of the Django admin peer."""

from __future__ import annotations

from django.contrib import admin
from django_peer.models import SupportCase


@admin.register(SupportCase)
class SupportCaseAdmin(admin.ModelAdmin):
    list_display = ("case_number", "subject", "status", "priority", "created_at")
    list_filter = ("status", "priority")
    search_fields = ("=case_number",)  # exact (case-insensitive) match
    ordering = ("-created_at", "-id")  # newest first
    list_per_page = 20
    show_full_result_count = False
    actions = None

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
