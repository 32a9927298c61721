"""Admin searches over several tables that stay on their indexes.

Django's admin searches each word in every field of ``search_fields`` with one ``OR``: when the
fields live in two tables (an application's problem and its applicant's name), PostgreSQL has to
join the tables whole and test each row, and no index serves the condition. ``IndexedSearchAdmin``
asks the same question field by field: the rows whose key is in the ``UNION`` of one indexed
lookup per field (the trigram indexes of the ``trigram_search`` migrations), for each word. The
rows found are the same as Django's (``icontains`` on each field, every word somewhere), without
duplicates.
"""

from django.utils.text import smart_split, unescape_string_literal


def search_words(search_term):
    """The words of a search as Django's admin splits them: quoted phrases kept whole."""
    words = []
    for bit in smart_split(search_term):
        if bit.startswith(('"', "'")) and bit[0] == bit[-1]:
            bit = unescape_string_literal(bit)
        words.append(bit)
    return words


class IndexedSearchAdmin:
    """For a ``ModelAdmin`` whose ``search_fields`` are plain field paths (``icontains``) over several tables."""

    def get_search_results(self, request, queryset, search_term):
        fields = self.get_search_fields(request)
        words = search_words(search_term)
        if not fields or not words:
            return queryset, False
        model = queryset.model
        for word in words:
            matches = [model._default_manager.filter(**{f"{field}__icontains": word}) for field in fields]
            keys = [match.order_by().values("pk") for match in matches]
            queryset = queryset.filter(pk__in=keys[0].union(*keys[1:]))
        return queryset, False
