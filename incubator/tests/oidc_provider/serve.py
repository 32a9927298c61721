"""Start the test OpenID Connect provider on 127.0.0.1 (a free port), print ``READY <port>``.

Environment: ``OIDC_PROVIDER_DB`` (a SQLite file, created), ``OIDC_PROVIDER_CLIENT`` (JSON:
client_id, client_secret, redirect_uris, post_logout_redirect_uris) and ``OIDC_PROVIDER_USERS``
(JSON list of {username, password, email, first_name, last_name}).
"""

import json
import os
import sys
from wsgiref.simple_server import WSGIRequestHandler, make_server

import django


class QuietHandler(WSGIRequestHandler):
    def log_message(self, format, *args):
        pass


def main():
    os.environ["DJANGO_SETTINGS_MODULE"] = "incubator.tests.oidc_provider.settings"
    django.setup()
    from django.contrib.auth.models import User  # noqa: PLC0415  (after django.setup())
    from django.core.management import call_command  # noqa: PLC0415  (after django.setup())
    from django.core.wsgi import get_wsgi_application  # noqa: PLC0415  (after django.setup())
    from oauth2_provider.models import Application  # noqa: PLC0415  (after django.setup())

    call_command("migrate", verbosity=0, interactive=False)
    for person in json.loads(os.environ["OIDC_PROVIDER_USERS"]):
        password = person.pop("password")
        user = User.objects.create(**person)
        user.set_password(password)
        user.save()
    client = json.loads(os.environ["OIDC_PROVIDER_CLIENT"])
    Application.objects.create(
        name="Portail des incubateurs",
        client_id=client["client_id"],
        client_secret=client["client_secret"],
        client_type=Application.CLIENT_CONFIDENTIAL,
        authorization_grant_type=Application.GRANT_AUTHORIZATION_CODE,
        algorithm=Application.RS256_ALGORITHM,
        redirect_uris=" ".join(client["redirect_uris"]),
        post_logout_redirect_uris=" ".join(client["post_logout_redirect_uris"]),
        skip_authorization=True,
    )
    server = make_server("127.0.0.1", 0, get_wsgi_application(), handler_class=QuietHandler)
    print(f"READY {server.server_port}", flush=True)
    server.serve_forever()  # until terminated by the test
    return 0


if __name__ == "__main__":
    sys.exit(main())
