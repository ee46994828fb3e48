"""The console's support cases as an unmanaged model: Django reads the table, never migrates it."""

from __future__ import annotations

from django.db import models

# The console's stored vocabularies (mallconsole/core/states.py: SUPPORT_CASE, CASE_PRIORITIES;
# tests/bench/test_peers.py keeps them equal). With choices the list filters are links, not a
# SELECT DISTINCT over the table on every page.
STATUSES = ("open", "pending", "on_hold", "resolved", "closed")
PRIORITIES = ("low", "normal", "high", "urgent")


class SupportCase(models.Model):
    id = models.CharField(primary_key=True, max_length=36)
    case_number = models.CharField(unique=True)
    subject = models.CharField()
    status = models.CharField(choices=[(s, s) for s in STATUSES])
    priority = models.CharField(choices=[(p, p) for p in PRIORITIES])
    created_at = models.DateTimeField()

    class Meta:
        managed = False
        db_table = "shopping_mall_support_cases"

    def __str__(self):
        return self.case_number
