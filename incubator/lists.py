"""The list pages of every app: a ListView filtered by a django-filter ``FilterSet``, paginated.

A view sets ``filterset_class`` and writes ``get_base_queryset()`` (the rows the user may see,
``visible_to`` or ``managed_by``, with what the page shows: ``for_list()``); the mixin filters,
paginates by 25 and hands the template ``filter`` (drawn by ``includes/_filters.html``). An
invalid filter value (an unknown choice, a malformed date) answers 400 with the form and its
errors, and no rows, rather than ignoring the filter.

A list whose rows carry costly annotations (the portfolio's flags and columns) also writes
``get_page_rows(ids)``: the page is then cut on the rows' ids alone (the filters and the sort in
SQL) and counted in the same query (a window count, ``IdsPaginator``), and only the page's rows
are read with everything the page shows, so the cost of a page does not grow with the rows left
out of it. Its queryset must hold each row once (no join that repeats rows: a subquery instead).
The rows are read when the template first uses them (``PageRows``): when the piece of the page
that draws them is kept in the cache (``{% kept %}``), they are not read. The ids and the count are
kept too, under the same person, address and version of the data (``kept_ids``): a kept page
reads none of the list's rows.
"""

from collections.abc import Sequence
from functools import reduce
from operator import or_

from django.conf import settings
from django.core.paginator import EmptyPage, PageNotAnInteger, Paginator
from django.db.models import Count, Q, Window
from django.utils.functional import cached_property

from incubator import versions


def each_word_in(queryset, value, fields):
    """The rows of ``queryset`` where each word of ``value`` is in one of ``fields`` (a list
    filter's search: "marie dupont" finds Marie Dupont)."""
    for word in value.split():
        queryset = queryset.filter(reduce(or_, (Q(**{f"{field}__icontains": word}) for field in fields)))
    return queryset


class IdsPaginator(Paginator):
    """Pages of a queryset's ids, each page and the number of all rows read in one query (a
    window count over the filtered rows): no separate ``COUNT``. Beyond the last page, the count
    is asked on its own to tell an empty list from a page out of range."""

    def __init__(self, *args, keep=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.keep = keep  # keep(number, read) -> read(), maybe kept: ``FilteredListMixin.kept_ids``

    def page(self, number):
        try:
            number = int(number)
        except (TypeError, ValueError):
            raise PageNotAnInteger(self.error_messages["invalid_page"]) from None
        if number < 1:
            raise EmptyPage(self.error_messages["min_page"])
        bottom = (number - 1) * self.per_page

        def read():
            rows = self.object_list.annotate(_total=Window(Count("pk"))).values_list("pk", "_total")
            rows = list(rows[bottom : bottom + self.per_page])
            return [pk for pk, _total in rows], (rows[0][1] if rows else 0)

        ids, total = self.keep(number, read) if self.keep else read()
        if ids:
            self.__dict__["count"] = total  # Paginator.count is a cached_property
        elif number > 1 or not self.allow_empty_first_page:
            number = self.validate_number(number)  # the count on its own: raises EmptyPage
        else:
            self.__dict__["count"] = 0
        return self._get_page(ids, number, self)


class PageRows(Sequence):
    """The rows of a page's ids (``read(ids)``, in any order), in the ids' order, read at first use."""

    def __init__(self, ids, read):
        self.ids = ids
        self.read = read

    @cached_property
    def rows(self):
        rows = {row.pk: row for row in self.read(self.ids)}
        return [rows[pk] for pk in self.ids if pk in rows]

    def __getitem__(self, index):
        return self.rows[index]

    def __len__(self):
        return len(self.rows)


class FilteredListMixin:
    """A ListView whose queryset goes through a FilterSet; an invalid filter answers 400."""

    filterset_class = None
    paginate_by = 25

    def get_filterset(self, queryset):
        return self.filterset_class(self.request.GET or None, queryset=queryset)

    def get_queryset(self):
        self.filterset = self.get_filterset(self.get_base_queryset())
        if self.filterset.is_bound and not self.filterset.is_valid():
            return self.filterset.queryset.none()
        return self.filterset.qs

    def render_to_response(self, context, **kwargs):
        if self.filterset.is_bound and not self.filterset.is_valid():
            kwargs["status"] = 400
        return super().render_to_response(context, **kwargs)

    def get_paginator(self, queryset, per_page, **kwargs):
        if hasattr(self, "get_page_rows"):
            return IdsPaginator(queryset, per_page, keep=self.kept_ids, **kwargs)
        return super().get_paginator(queryset, per_page, **kwargs)

    def kept_ids(self, number, read):
        """The page's ids and the number of rows, kept as the page's pieces are (per person, address
        and ``versions.WRITES``: ``versions.page_key``), so that a kept page costs no query of its
        rows however many the list has."""
        key = versions.page_key(self.request, "ids", type(self).__name__, str(number))
        return read() if key is None else versions.kept(key, read, settings.KEPT_FRAGMENT_TIMEOUT)

    def paginate_queryset(self, queryset, page_size):
        if not hasattr(self, "get_page_rows"):
            return super().paginate_queryset(queryset, page_size)
        paginator, page, ids, is_paginated = super().paginate_queryset(queryset, page_size)
        page.object_list = PageRows(list(ids), self.get_page_rows)
        return paginator, page, page.object_list, is_paginated

    def get_context_data(self, **kwargs):
        return super().get_context_data(filter=self.filterset, **kwargs)
