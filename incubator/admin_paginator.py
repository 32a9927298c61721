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
Django's) instead of rendering a form widget's template for it. Its ``LargeTableChangeList``
writes the rows in one pass, cell for cell the markup of ``admin_list.items_for_result``: what
depends on the column only (the field, its class, the address of the change page) is worked out
once a page, a cell that depends on its value only (a status, a yes/no, a related row) once a
value, and each row is one string for the template instead of one per cell
(``templates/admin/large_table_change_list.html``). A popup, an editable list or a list linking
on another key keeps Django's own rendering.

The date hierarchy of an unfiltered list (``date_choices``) on an indexed date-time field reads
the months that have rows off the field's index, one month after the other (a recursive query,
a step per month), instead of Django's MIN/MAX and its ``DISTINCT`` over every row: one query
whose cost does not grow with the table, then Django's choices (the years, or the months of the
only year, or the days of the only month with Django's own query).

The admin's sidebar (every model of the site, some 40 links) is rendered once for the same
links, names, page and language, then read from the cache (``nav_sidebar_key``): the key is a
digest of everything the template prints, so a user with other permissions, another page or
another language gets their own.
"""

import datetime
import hashlib

import django
from django.conf import settings
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.admin.templatetags.admin_list import ResultList, result_headers
from django.contrib.admin.templatetags.admin_urls import add_preserved_filters
from django.contrib.admin.utils import (
    FieldIsAForeignKeyColumnName,
    _get_non_gfk_field,
    display_for_field,
    display_for_value,
    lookup_field,
)
from django.contrib.admin.views.main import PAGE_VAR, ChangeList
from django.core.exceptions import FieldDoesNotExist, ObjectDoesNotExist
from django.core.paginator import Paginator
from django.db import connections, models
from django.db.models.constants import LOOKUP_SEP
from django.urls import NoReverseMatch, reverse
from django.utils import formats, timezone, translation
from django.utils.functional import cached_property
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import mark_safe
from django.utils.text import capfirst
from django.utils.translation import gettext

# Django's own msgids (its catalogue translates them): not marked here, so not in the portal's.
ACTION_LABEL = "Select this object for an action - {}"
ALL_DATES = "All dates"

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


# Stands for the primary key in the address of the change page, worked out once a page.
PK_PLACEHOLDER = "0123456789"
INTEGER_KEYS = (models.AutoField, models.BigAutoField, models.IntegerField, models.BigIntegerField)


class LargeTableChangeList(ChangeList):
    """Django's changelist whose rows are written in one pass (see the module)."""

    @cached_property
    def writes_rows(self):
        """Whether ``rows()`` may stand for Django's cells: not a popup, an editable list or ``to_field``."""
        return not (self.is_popup or self.formset is not None or self.list_editable or self.to_field)

    def results_context(self):
        """What ``admin_list.result_list`` gives ``change_list_results.html``, the rows written here."""
        headers = list(result_headers(self))
        return {
            "cl": self,
            "result_hidden_fields": [],
            "result_headers": headers,
            "num_sorted_fields": sum(1 for h in headers if h["sortable"] and h["sorted"]),
            "results": self.rows(),
        }

    def rows(self):
        """Each row of the page as a ``ResultList`` of one string: its cells, as Django writes them."""
        columns = list(self.columns())
        rows = []
        for result in self.result_list:
            # Every value is escaped in its cell (``cell``) unless already safe, as format_html does.
            rows.append(ResultList(None, [mark_safe("".join([cell(result) for cell in columns]))]))  # noqa: S308
        return rows

    def links_in(self, field_name, is_first):
        # admin_list.items_for_result's link_in_col.
        if self.list_display_links is None:
            return False
        if is_first and not self.list_display_links:
            return True
        return field_name in self.list_display_links

    def columns(self):
        """One function a column, ``cell(result) -> markup``."""
        empty = self.model_admin.get_empty_value_display()
        first = True
        for index, field_name in enumerate(self.list_display):
            link = self.links_in(field_name, first)
            tag = None
            if link:
                tag = "th" if first else "td"
                first = False
            if field_name == "action_checkbox" and tag is None and self.checks_with_ours():
                yield self.checkbox_column()
            else:
                yield self.column(index, field_name, empty, tag)

    def checks_with_ours(self):
        return type(self.model_admin).action_checkbox is LargeTableAdmin.action_checkbox

    def checkbox_column(self):
        """``LargeTableAdmin.action_checkbox`` in its cell, its label translated once a page."""
        label = gettext(ACTION_LABEL)
        name = conditional_escape(ACTION_CHECKBOX_NAME)

        def cell(result):
            box = (
                f'<input type="checkbox" name="{name}" value="{conditional_escape(str(result.pk))}"'
                f' class="action-select" aria-label="{label.format(conditional_escape(str(result)))}">'
            )
            return f'<td class="action-checkbox">{box}</td>'

        return cell

    def column(self, index, field_name, empty, tag):
        try:
            field = _get_non_gfk_field(self.lookup_opts, field_name)
        except (FieldDoesNotExist, FieldIsAForeignKeyColumnName):
            field = None
        if field is None or field.auto_created:
            return self.computed_column(field_name, empty, tag)
        # A column's name is not escaped, as items_for_result does not (mark_safe there).
        plain_class = f' class="field-{field_name}"'
        row_class = plain_class
        if isinstance(field, (models.DateField, models.TimeField, models.ForeignKey)):
            row_class = f' class="field-{field_name} nowrap"'
        relation = isinstance(field.remote_field, models.ManyToOneRel)

        def shown(result):
            try:
                value = getattr(result, field_name)
            except ObjectDoesNotExist:
                return plain_class, empty
            if isinstance(value, str) and value.strip() == "":
                value = ""
            if relation:
                return row_class, empty if value is None else value
            return row_class, display_for_field(value, field, empty, avoid_link=tag is not None)

        cell = self.cell(tag, shown)
        if tag is None and (relation or field.flatchoices or isinstance(field, models.BooleanField)):
            # The same value, the same cell: a related row by its key, a status by its code.
            key = field.attname if relation else field_name
            seen = {}

            def cached(result):
                value = getattr(result, key)
                if value not in seen:
                    seen[value] = cell(result)
                return seen[value]

            return cached
        return cell

    def computed_column(self, field_name, empty, tag):
        """A column of the admin or the model (a method, a property, the selection box): Django's steps."""
        default_classes = ["action-checkbox"] if field_name == "action_checkbox" else [f"field-{field_name}"]

        def shown(result):
            try:
                _field, attr, value = lookup_field(field_name, result, self.model_admin)
            except ObjectDoesNotExist:
                return f' class="field-{field_name}"', empty
            classes = list(default_classes)
            if isinstance(value, str) and value.strip() == "":
                value = ""
            boolean = getattr(attr, "boolean", False)
            if isinstance(attr, property) and hasattr(attr, "fget"):
                boolean = getattr(attr.fget, "boolean", False)
            text = display_for_value(value, getattr(attr, "empty_value_display", empty), boolean)
            if isinstance(value, (datetime.date, datetime.time)):
                classes.append("nowrap")
            return f' class="{" ".join(classes)}"', text

        return self.cell(tag, shown)

    def cell(self, tag, shown):
        """``cell(result)``: ``shown(result) -> (class attribute, content)`` in its cell, linked if ``tag``."""
        if tag is None:

            def plain(result):
                row_class, text = shown(result)
                return f"<td{row_class}>{conditional_escape(text)}</td>"

            return plain
        address_of = self.change_address()

        def linked(result):
            row_class, text = shown(result)
            if address_of is None:
                return f"<{tag}{row_class}>{conditional_escape(text)}</{tag}>"
            link = f'<a href="{conditional_escape(address_of(result))}">{conditional_escape(text)}</a>'
            return f"<{tag}{row_class}>{link}</{tag}>"

        return linked

    def change_address(self):
        """``address_of(result)``: its change page with the list's filters (None: the page has no address)."""
        context = {"preserved_filters": self.preserved_filters, "opts": self.opts}
        if not isinstance(self.lookup_opts.pk, INTEGER_KEYS):
            try:
                self.url_for_pk(PK_PLACEHOLDER)
            except NoReverseMatch:
                return None
            return lambda result: add_preserved_filters(context, self.url_for_result(result))
        try:
            url = add_preserved_filters(context, self.url_for_pk(PK_PLACEHOLDER))
        except NoReverseMatch:
            return None
        address, mark, query = url.partition("?")
        start, end = address.split(PK_PLACEHOLDER)
        end = f"{end}{mark}{query}"
        return lambda result: f"{start}{getattr(result, self.pk_attname)}{end}"

    def date_choices(self):
        """The context of Django's ``date_hierarchy`` tag for an unfiltered list, or None (Django's tag)."""
        name = self.date_hierarchy
        if not name or LOOKUP_SEP in name or not settings.USE_TZ or self.queryset.query.where:
            return None
        if any(key.startswith(f"{name}__") for key in self.params):
            return None
        field = self.model._meta.get_field(name)
        connection = connections[self.queryset.db]
        if connection.vendor != "postgresql" or not isinstance(field, models.DateTimeField):
            return None
        if not leads_an_index(field):
            return None  # without an index, each step of the scan would read the table
        months = months_with_rows(connection, self.model._meta.db_table, field.column)
        fields = {part: f"{name}__{part}" for part in ("year", "month", "day")}

        def link(filters):
            return self.get_query_string({fields[part]: value for part, value in filters.items()}, [f"{name}__"])

        if not months or months[0].year != months[-1].year:
            years = sorted({month.year for month in months})
            return {
                "show": True,
                "back": None,
                "choices": [{"link": link({"year": str(year)}), "title": str(year)} for year in years],
            }
        year = months[0].year
        if months[0] != months[-1]:
            return {
                "show": True,
                "back": {"link": link({}), "title": gettext(ALL_DATES)},
                "choices": [
                    {
                        "link": link({"year": year, "month": month.month}),
                        "title": capfirst(formats.date_format(month, "YEAR_MONTH_FORMAT")),
                    }
                    for month in months
                ],
            }
        month = months[0].month
        return {
            "show": True,
            "back": {"link": link({"year": year}), "title": str(year)},
            "choices": [
                {
                    "link": link({"year": year, "month": month, "day": day.day}),
                    "title": capfirst(formats.date_format(day, "MONTH_DAY_FORMAT")),
                }
                for day in self.queryset.datetimes(name, "day")
            ],
        }

    def url_for_pk(self, pk):
        return reverse(
            f"admin:{self.opts.app_label}_{self.opts.model_name}_change",
            args=(pk,),
            current_app=self.model_admin.admin_site.name,
        )


def nav_sidebar_key(available_apps, path):
    """A digest of what ``admin/nav_sidebar.html`` prints: the apps' and models' names and links, the
    page (the current one is marked) and the language (its words, Django's version for their catalogue)."""
    parts = [django.get_version(), translation.get_language(), path]
    for app in available_apps:
        parts.append((app["app_label"], app["app_url"], str(app["name"])))
        for model in app["models"]:
            parts.append((model["object_name"], str(model["name"]), model["admin_url"], model["add_url"]))
    return hashlib.sha256(repr(parts).encode()).hexdigest()


def leads_an_index(field):
    """Whether a B-tree index of the model starts with ``field`` (``db_index``, ``unique`` or ``Meta.indexes``)."""
    if field.db_index or field.unique:
        return True
    return any(index.fields and index.fields[0].lstrip("-") == field.name for index in field.model._meta.indexes)


def months_with_rows(connection, table, column):
    """The months (the first day, in the current time zone) in which ``table.column`` has values, in order.

    A loose index scan: the first value, then the first value from the next month on, and so on,
    each step a probe of the column's index.
    """
    table, column = connection.ops.quote_name(table), connection.ops.quote_name(column)
    local = f"date_trunc('month', MIN({column}) AT TIME ZONE %(zone)s)"
    # The names are quoted by the connection, the time zone is a parameter.
    sql = (
        f"WITH RECURSIVE months(first_day) AS (SELECT {local} FROM {table} UNION ALL"  # noqa: S608
        f" SELECT (SELECT {local} FROM {table} WHERE {column} >= ((first_day + interval '1 month')"
        " AT TIME ZONE %(zone)s)) FROM months WHERE first_day IS NOT NULL)"
        " SELECT first_day FROM months WHERE first_day IS NOT NULL"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, {"zone": timezone.get_current_timezone_name()})
        return [row[0].date() for row in cursor.fetchall()]


class LargeTableAdmin:
    """For the ``ModelAdmin`` of a table that grows with the network: one count, estimated when unfiltered."""

    show_full_result_count = False
    list_per_page = 50
    paginator = EstimatedCountPaginator
    change_list_template = "admin/large_table_change_list.html"

    def get_changelist(self, request, **kwargs):
        return LargeTableChangeList

    def changelist_view(self, request, extra_context=None):
        response = super().changelist_view(request, extra_context)
        context = getattr(response, "context_data", None)
        if context is not None and "available_apps" in context:
            context["nav_sidebar_key"] = nav_sidebar_key(context["available_apps"], request.path)
        return response

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
