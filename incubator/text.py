"""Text helpers shared by the apps."""

from django.utils.text import slugify


def unique_slug(text, *, queryset, fallback, max_length=70, field="slug"):
    """A slug of ``text`` that no row of ``queryset`` holds yet in ``field``: ``-2``, ``-3``... are
    appended to a taken one. ``fallback`` stands in when ``text`` gives no slug (only punctuation,
    emoji...). One query; the column's unique constraint still decides between two writers racing."""
    slug = slugify(text)[:max_length] or fallback
    taken = set(queryset.filter(**{f"{field}__startswith": slug}).values_list(field, flat=True))
    candidate, n = slug, 1
    while candidate in taken:
        n += 1
        candidate = f"{slug}-{n}"
    return candidate
