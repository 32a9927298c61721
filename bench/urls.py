"""The portal's URLs plus ``/bare/``: a Django view that answers "ok" through the whole middleware
stack, the yardstick of ``bench/pages.py``."""

from django.contrib.auth.decorators import login_not_required
from django.http import HttpResponse
from django.urls import path
from django.views.decorators.http import require_safe

from incubator.urls import handler400, handler403, handler404, handler500  # noqa: F401
from incubator.urls import urlpatterns as portal_urlpatterns


@login_not_required
@require_safe
def bare(request):
    return HttpResponse("ok", content_type="text/plain; charset=utf-8")


urlpatterns = [path("bare/", bare, name="bench_bare"), *portal_urlpatterns]
