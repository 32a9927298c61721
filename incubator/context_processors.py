from django.conf import settings


def portal(request):
    """Values every page needs: the portal's name and the language switch."""
    return {
        "PORTAL_NAME": "Portail des incubateurs",
        "LANGUAGES": settings.LANGUAGES,
        "SITE_URL": settings.SITE_URL,
    }
