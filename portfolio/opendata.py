"""The open data, served like a file: ``/api/startups.json``, ``/api/incubators.json`` and
``/api/statistiques.json`` (the figures of the statistics page, ``portfolio.statistics``).

Each document is built once per change, as bytes and as a gzip copy, and kept in Django's cache
(Redis in production) with its ``ETag`` and ``Last-Modified``; a request reads it from there and
answers 304 to a client that already has it. Its shape is in ``docs/opendata.md``.

A document is rebuilt when its key changes. The key is made of:

- the open data's version, a token in the cache replaced by a signal whenever a row the
  documents show is saved or deleted (``WATCHED``: products, their phases, their events,
  sponsors and incubators, organisations; the links between them), right away and again once the
  transaction commits (a build in between may have read the old rows);
- a fingerprint read from the database at each request (one small query: the latest
  ``updated_at`` of the products, of the incubators), which also sees the writes that send no
  signal but move that date, such as ``Startup.touch()``;
- the scheme and host of the request, which the documents' URLs carry.

Other writes that send no signal (a ``QuerySet.update()`` that leaves the date alone, raw SQL)
show at the latest when the cached copy expires (``CACHE_TIMEOUT``). The public endpoints are rate-limited per client
(``incubator.middleware.PublicAPIRateLimitMiddleware``, ``OPEN_DATA_RATE_LIMIT``).
"""

import datetime
import hashlib
import json
import logging
import re
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.core.cache import cache
from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import Max
from django.http import HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import get_conditional_response, patch_cache_control, patch_vary_headers
from django.utils.http import http_date
from django.utils.text import compress_string
from django.views.decorators.http import require_safe

from incubator import registry, versions
from incubator.middleware import public_api
from incubator.models import Incubator, Organisation

from . import statistics
from .models import PhasePeriod, ProductEvent, Startup

logger = logging.getLogger(__name__)

# The open data's version (``incubator.versions``): replaced at every save or delete of a row the
# documents show.
OPEN_DATA = versions.DataVersion("opendata")
VERSION_KEY = OPEN_DATA.key
# How long a built document stays in the cache: the longest a write that sends no signal and
# leaves the fingerprint alone can go unseen.
CACHE_TIMEOUT = 60 * 60
ACCEPTS_GZIP = re.compile(r"\bgzip\b")  # as django.middleware.gzip reads Accept-Encoding

# The models whose rows the documents show; their saves and deletes change the version.
WATCHED = [Startup, PhasePeriod, ProductEvent, Incubator, Organisation]
WATCHED_LINKS = [Startup.sponsors.through, Startup.other_incubators.through]

current_version = OPEN_DATA.current
bump_version = OPEN_DATA.bump
# For the writes that send no signal (bulk writes): their service calls it.
data_changed = OPEN_DATA.changed
# The apps that add what the documents show call it from their ``AppConfig.ready()``.
watch = OPEN_DATA.watch


def connect_signals():
    """Called by ``PortfolioConfig.ready()``."""
    OPEN_DATA.watch(*WATCHED)
    OPEN_DATA.watch_links(*WATCHED_LINKS)


# --- The documents -----------------------------------------------------------------------------


def grouped(pairs):
    """[(key, value)] -> {key: [values]}, in order."""
    groups = {}
    for key, value in pairs:
        groups.setdefault(key, []).append(value)
    return groups


def event_json(kind, date, promotion, amount, year, note):
    """A public event: its kind and date (``null`` when only its number or year is known), the
    facts of its kind, its note."""
    facts = {"kind": kind, "date": date and date.isoformat(), "note": note}
    if promotion is not None:
        facts.update(promotion=promotion, amount_eur=amount)
    if year is not None:
        facts["year"] = year
    return facts


def in_time_line_order(row):
    """A product's events as its time line orders them: by day, a label on its year's first day,
    an undated FAST promotion last (``ProductEvent.sort_day``), then as recorded."""
    startup_id, _kind, date, promotion, _amount, year, _note = row
    return startup_id, date or (datetime.date(year, 1, 1) if year else datetime.date.max), promotion or 0


def build_startups(request):
    """Every published product (``docs/opendata.md``): five queries, whatever their number, and
    those of the fields upper apps add."""
    startups = Startup.objects.published().order_by("name", "pk")
    published = {"startup__is_published": True}
    sponsors = grouped(
        Startup.sponsors.through.objects.filter(**published)
        .order_by("startup_id", "organisation__acronym")
        .values_list("startup_id", "organisation__acronym")
    )
    partners = grouped(
        Startup.other_incubators.through.objects.filter(**published)
        .order_by("startup_id", "incubator__title", "incubator__slug")
        .values_list("startup_id", "incubator__slug")
    )
    periods = grouped(
        (startup_id, {"phase": phase, "start": start.isoformat(), "end": end and end.isoformat()})
        for startup_id, phase, start, end in PhasePeriod.objects.filter(**published)
        .order_by("startup_id", "start")
        .values_list("startup_id", "phase", "start", "end")
    )
    # Public events only (``ProductEvent.objects.public()``): a committee is no event here.
    events = grouped(
        (startup_id, event_json(*facts))
        for startup_id, *facts in sorted(
            ProductEvent.objects.public()
            .order_by("startup_id", "pk")
            .values_list("startup_id", "kind", "date", "fast_promotion", "amount_eur", "label_year", "note"),
            key=in_time_line_order,
        )
    )
    # What upper apps add (``registry.OpenDataField``): the standards' statuses.
    extra = [(field.key, field.fetch(startups)) for field in registry.open_data_fields()]
    rows = startups.values_list(
        "pk",
        "slug",
        "name",
        "pitch",
        "phase",
        "incubator__slug",
        "website",
        "repository",
        "accessibility_status",
        "dsfr_status",
        "user_types",
        "themes",
        "updated_at",
    )
    return {
        "startups": [
            {
                "slug": slug,
                "name": name,
                "pitch": pitch,
                "phase": phase,
                "incubator": incubator,
                "other_incubators": partners.get(pk, []),
                "sponsors": sponsors.get(pk, []),
                "website": website,
                "repository": repository,
                "accessibility_status": accessibility,
                "dsfr_status": dsfr,
                "user_types": user_types,
                "themes": themes,
                "phases": periods.get(pk, []),
                **{key: value_of(pk) for key, value_of in extra},
                "events": events.get(pk, []),
                "updated_at": updated_at.isoformat(),
                "url": request.build_absolute_uri(reverse("portfolio:public_detail", kwargs={"slug": slug})),
            }
            for (
                pk,
                slug,
                name,
                pitch,
                phase,
                incubator,
                website,
                repository,
                accessibility,
                dsfr,
                user_types,
                themes,
                updated_at,
            ) in rows
        ]
    }


def build_incubators(request):
    """Every active incubator: one query."""
    incubators = Incubator.objects.active().for_list()
    return {
        "incubators": [
            {
                "slug": incubator.slug,
                "title": incubator.title,
                "owner": {"acronym": incubator.owner.acronym, "name": incubator.owner.name},
                "contact_email": incubator.contact_email,
                "website": incubator.website,
                "address": incubator.address,
                "short_description": incubator.short_description,
                "url": request.build_absolute_uri(incubator.get_absolute_url()),
            }
            for incubator in incubators
        ]
    }


def build_statistics(request):
    """The statistics page's figures (``portfolio.statistics``): two queries. They read the published
    products and their periods only, so the products' version and fingerprint keep them fresh; the
    current year's column moves at the new year when the cached copy expires, or at the next change."""
    return statistics.network_statistics().as_json()


def fingerprint(queryset):
    """The latest ``updated_at`` of a document's main rows: one query, an index read for the
    products (``startup_updated_idx``), whatever their number."""
    return queryset.aggregate(latest=Max("updated_at"))["latest"]


@dataclass(frozen=True)
class Document:
    name: str
    build: object  # request -> the data
    rows: object  # () -> the queryset whose fingerprint is taken


STARTUPS = Document("startups", build_startups, lambda: Startup.objects.published())
INCUBATORS = Document("incubators", build_incubators, lambda: Incubator.objects.active())
STATISTICS = Document("statistics", build_statistics, lambda: Startup.objects.published())


# --- Serving -------------------------------------------------------------------------------------


def meta_key(document, request):
    base = request.build_absolute_uri("/")
    return f"opendata:{document.name}:{hashlib.sha256(base.encode()).hexdigest()[:16]}"


def body_key(meta, encoding):
    return f"opendata:body:{meta['etag_hash']}:{encoding}"


def build(document, request, key, previous):
    """Build the document, store its two bodies and its metadata; return (metadata, bodies)."""
    body = json.dumps(document.build(request), cls=DjangoJSONEncoder).encode()
    etag_hash = hashlib.sha256(body).hexdigest()[:32]
    unchanged = previous is not None and previous["etag_hash"] == etag_hash
    meta = {
        "key": key,
        "etag_hash": etag_hash,
        # Rebuilt to the same bytes (another version, an expired copy): the same date.
        "last_modified": previous["last_modified"] if unchanged else int(timezone.now().timestamp()),
    }
    bodies = {"identity": body, "gzip": compress_string(body)}
    cache.set_many(
        {meta_key(document, request): meta, **{body_key(meta, name): value for name, value in bodies.items()}},
        timeout=CACHE_TIMEOUT,
    )
    return meta, bodies


def with_validators(response, meta):
    response["ETag"] = f'W/"{meta["etag_hash"]}"'  # weak: the same for the gzip copy
    response["Last-Modified"] = http_date(meta["last_modified"])
    return response


def serve(request, document):
    """The document's response: 304 when the client has it, gzip when the client takes it."""
    cached_key = meta_key(document, request)
    found = cache.get_many([VERSION_KEY, cached_key])
    version = found.get(VERSION_KEY) or current_version()
    key = (version, fingerprint(document.rows()))
    meta = found.get(cached_key)
    bodies = {}
    if meta is None or meta["key"] != key:
        meta, bodies = build(document, request, key, meta)

    response = with_validators(HttpResponse(content_type="application/json"), meta)
    patch_cache_control(response, public=True, max_age=settings.OPEN_DATA_MAX_AGE)
    patch_vary_headers(response, ("Accept-Encoding",))
    conditional = get_conditional_response(
        request, etag=response["ETag"], last_modified=meta["last_modified"], response=response
    )
    if conditional is not response:
        return conditional

    encoding = "gzip" if ACCEPTS_GZIP.search(request.headers.get("Accept-Encoding", "")) else "identity"
    body = bodies.get(encoding) or cache.get(body_key(meta, encoding))
    if body is None:  # evicted before its metadata
        meta, bodies = build(document, request, key, meta)
        body = bodies[encoding]
        with_validators(response, meta)
    if encoding == "gzip":
        response["Content-Encoding"] = "gzip"
    response.content = body
    return response


@public_api
@login_not_required
@require_safe
def startups_json(request):
    return serve(request, STARTUPS)


@public_api
@login_not_required
@require_safe
def incubators_json(request):
    return serve(request, INCUBATORS)


@public_api
@login_not_required
@require_safe
def statistics_json(request):
    return serve(request, STATISTICS)
