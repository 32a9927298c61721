"""Admin changelists of big tables: counted without reading the whole table.

A changelist counts its rows to paginate (``SELECT COUNT(*)``, a read of the whole table on
PostgreSQL) and, by default, counts them a second time without its filters ("3 of 10,000").
``LargeTableAdmin`` drops the second count (``show_full_result_count = False``) and paginates with
``EstimatedCountPaginator``: on PostgreSQL, an unfiltered list of a table over ``ESTIMATE_ABOVE``
rows takes its length from the planner's statistics (``pg_class.reltuples``, which ANALYZE and
autovacuum keep within a few percent). Everything else is counted exactly: a filtered or searched
list, a small table, a table never analysed, SQLite, and the last pages of a list, where the
exact number decides what the page holds.

The admin renders each cell in Python: at 100 rows a page, that is most of a changelist's time.
``LargeTableAdmin`` shows 50, and writes each row's selection checkbox itself (the same markup as
Django's) instead of rendering a form widget's template for it.
"""

from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.admin.views.main import PAGE_VAR
from django.core.paginator import Paginator
from django.db import connections
from django.utils.functional import cached_property
from django.utils.html import format_html
from django.utils.translation import gettext

# Django's own msgid (its catalogue translates it): not marked here, so not in the portal's.
ACTION_LABEL = "Select this object for an action - {}"

ESTIMATE_ABOVE = 10_000


def estimated_rows(queryset):
    """The planner's row count of the queryset's table if the queryset reads the whole table, else None."""
    query = queryset.query
    connection = connections[queryset.db]
    if connection.vendor != "postgresql" or query.where or query.distinct or query.combinator:
        return None
    if query.group_by is not None or query.low_mark or query.high_mark is not None:
        return None
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT reltuples FROM pg_class WHERE oid = to_regclass(%s)",
            [connection.ops.quote_name(queryset.model._meta.db_table)],
        )
        row = cursor.fetchone()
    # -1: never analysed (PostgreSQL 14 and later); 0 may mean the same before.
    return int(row[0]) if row and row[0] > 0 else None


class EstimatedCountPaginator(Paginator):
    """A paginator whose count is the table's estimate where that is safe (see the module)."""

    def __init__(self, object_list, per_page, orphans=0, allow_empty_first_page=True, *, page_number=None):
        super().__init__(object_list, per_page, orphans, allow_empty_first_page)
        try:
            self.page_number = int(page_number or 1)
        except ValueError:
            self.page_number = 1

    @cached_property
    def count(self):
        estimate = estimated_rows(self.object_list)
        if estimate is None or estimate <= ESTIMATE_ABOVE:
            return super().count
        if self.page_number * self.per_page >= estimate * 0.9:
            return super().count  # near the end: the exact number of rows and pages
        return estimate


class LargeTableAdmin:
    """For the ``ModelAdmin`` of a table that grows with the network: one count, estimated when unfiltered."""

    show_full_result_count = False
    list_per_page = 50
    paginator = EstimatedCountPaginator

    def get_paginator(self, request, queryset, per_page, orphans=0, allow_empty_first_page=True):
        return self.paginator(
            queryset, per_page, orphans, allow_empty_first_page, page_number=request.GET.get(PAGE_VAR)
        )

    def action_checkbox(self, obj):
        """Django's selection checkbox, the same markup, without rendering a widget template per row."""
        label = format_html(gettext(ACTION_LABEL), str(obj))
        return format_html(
            '<input type="checkbox" name="{}" value="{}" class="action-select" aria-label="{}">',
            ACTION_CHECKBOX_NAME,
            str(obj.pk),
            label,
        )
