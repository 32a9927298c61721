"""The list pages of every app: a ListView filtered by a django-filter ``FilterSet``, paginated.

A view sets ``filterset_class`` and writes ``get_base_queryset()`` (the rows the user may see,
``visible_to`` or ``managed_by``, with what the page shows: ``for_list()``); the mixin filters,
paginates by 25 and hands the template ``filter`` (drawn by ``includes/_filters.html``). An
invalid filter value (an unknown choice, a malformed date) answers 400 with the form and its
errors, and no rows, rather than ignoring the filter.

A list whose rows carry costly annotations (the portfolio's flags and columns) also writes
``get_page_rows(ids)``: the page is then cut on the rows' ids alone (the filters and the sort in
SQL, the count without the annotations) and only the page's rows are read with everything the
page shows, so the cost of a page does not grow with the rows left out of it.
"""


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

    def paginate_queryset(self, queryset, page_size):
        if not hasattr(self, "get_page_rows"):
            return super().paginate_queryset(queryset, page_size)
        paginator, page, ids, is_paginated = super().paginate_queryset(queryset.values_list("pk", flat=True), page_size)
        ids = list(ids)
        rows = {row.pk: row for row in self.get_page_rows(ids)}
        page.object_list = [rows[pk] for pk in ids if pk in rows]
        return paginator, page, page.object_list, is_paginated

    def get_context_data(self, **kwargs):
        return super().get_context_data(filter=self.filterset, **kwargs)
