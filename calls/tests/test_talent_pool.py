"""The talent pool (issue 14 item 5): an application the call does not keep is anonymised
``retention.application_days()`` after the call closes, or ``retention.talent_pool_days()`` after
when its applicant consented. The consent is a box of the application form, unticked unless given,
recorded with its date, withdrawn from the application's page; the retention and the privacy page
read the same setting."""

import datetime
import io

import pytest
import time_machine
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from calls.models import Application
from calls.tests.factories import ApplicationFactory, CallFactory
from calls.tests.test_apply import COMPLETE
from incubator import personal_data, retention
from incubator.tests.factories import UserFactory

pytestmark = pytest.mark.django_db

S = Application.Status
DAY = datetime.timedelta(days=1)


@pytest.fixture
def call(db):
    return CallFactory(slug="appel-vivier")


@pytest.fixture
def applicant(db):
    return UserFactory(email="vivier@example.gouv.fr")


def apply_url(call):
    return reverse("calls:apply", kwargs={"slug": call.slug})


def withdraw_url(application):
    return reverse("calls:talent_pool_withdraw", kwargs={"pk": application.pk})


def checkbox(html):
    """The talent pool's checkbox as the form renders it."""
    start = html.index('name="talent_pool"')
    return html[html.rindex("<input", 0, start) : html.index(">", start) + 1]


# The form ------------------------------------------------------------------------------------------


def test_the_box_is_offered_unticked_and_optional(client, call, applicant):
    client.force_login(applicant)

    html = client.get(apply_url(call)).content.decode()

    box = checkbox(html)
    assert 'type="checkbox"' in box
    assert "checked" not in box
    assert "required" not in box
    assert escape(str(retention.days_text(retention.talent_pool_days()))) in html
    response = client.post(apply_url(call), {**COMPLETE, "action": "submit"})
    assert response.status_code == 302
    assert Application.objects.get(applicant=applicant).talent_pool_consent_at is None


def test_ticking_the_box_records_the_consent_with_its_date_and_keeps_the_first_date(client, call, applicant):
    client.force_login(applicant)
    first = timezone.now().replace(microsecond=0)

    with time_machine.travel(first, tick=False):
        client.post(apply_url(call), {"action": "save", "problem": "Un début", "talent_pool": "on"})
    with time_machine.travel(first + DAY, tick=False):
        response = client.post(apply_url(call), {**COMPLETE, "talent_pool": "on", "action": "submit"})

    assert response.status_code == 302
    application = Application.objects.get(applicant=applicant)
    assert application.status == S.SUBMITTED
    assert application.talent_pool_consent_at == first
    assert "checked" in checkbox(client.get(apply_url(call)).content.decode())


def test_unticking_the_box_in_the_form_withdraws_the_consent(client, call, applicant):
    application = ApplicationFactory(call=call, applicant=applicant, talent_pool_consent_at=timezone.now())
    client.force_login(applicant)

    client.post(apply_url(call), {"action": "save", "problem": "Un début"})

    application.refresh_from_db()
    assert application.talent_pool_consent_at is None


# The application's page and the withdrawal -------------------------------------------------------


def test_the_application_page_says_the_consent_and_offers_its_withdrawal(client, applicant):
    given = timezone.now() - 3 * DAY
    application = ApplicationFactory(applicant=applicant, status=S.NOT_SHORTLISTED, talent_pool_consent_at=given)
    client.force_login(applicant)

    html = client.get(application.get_absolute_url()).content.decode()

    assert f'action="{withdraw_url(application)}"' in html
    assert html.count("<h1") == 1


def test_withdrawing_the_consent_from_the_page_is_recorded_in_the_history(client, applicant):
    application = ApplicationFactory(applicant=applicant, status=S.NOT_SELECTED, talent_pool_consent_at=timezone.now())
    client.force_login(applicant)

    response = client.post(withdraw_url(application))

    assert response.status_code == 302
    assert response.url == application.get_absolute_url()
    application.refresh_from_db()
    assert application.talent_pool_consent_at is None
    last = application.history.order_by("-history_date", "-history_id").first()
    assert (last.talent_pool_consent_at, last.history_user_id) == (None, applicant.pk)
    assert f'action="{withdraw_url(application)}"' not in client.get(application.get_absolute_url()).text
    # A second POST changes nothing and says so.
    assert client.post(withdraw_url(application), follow=True).status_code == 200
    assert application.history.count() == 2


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("anonymous", 302),
        ("applicant_a", 302),
        ("applicant_b", 404),
        ("member_a", 404),
        ("member_b", 404),
        ("network_admin", 404),
    ],
)
def test_withdrawal_access_only_the_applicant_changes_it(sign_in, personas, incubator_a, persona, status):
    users = {**personas, "applicant_a": UserFactory(), "applicant_b": UserFactory()}
    given = timezone.now()
    application = ApplicationFactory(
        call=CallFactory(incubator=incubator_a), applicant=users["applicant_a"], talent_pool_consent_at=given
    )
    client = sign_in(users[persona])

    response = client.post(withdraw_url(application))

    assert response.status_code == status
    application.refresh_from_db()
    assert (application.talent_pool_consent_at is None) is (persona == "applicant_a")
    if persona == "anonymous":
        assert response.url.startswith(reverse("account_login"))


def test_withdrawal_refuses_a_get(client, applicant):
    application = ApplicationFactory(applicant=applicant, talent_pool_consent_at=timezone.now())
    client.force_login(applicant)

    assert client.get(withdraw_url(application)).status_code == 405
    application.refresh_from_db()
    assert application.in_talent_pool


# Retention --------------------------------------------------------------------------------------


@pytest.fixture
def pool():
    """A call closing in 20 days: for each status the call does not keep, an application with the
    consent and one without; a laureate with the consent; a draft with the consent."""
    call = CallFactory()
    consent = timezone.now()
    made = {}
    for status in (S.NOT_SHORTLISTED, S.NOT_SELECTED, S.INELIGIBLE, S.WITHDRAWN):
        made[status, False] = ApplicationFactory(call=call, status=status)
        made[status, True] = ApplicationFactory(call=call, status=status, talent_pool_consent_at=consent)
    made[S.LAUREATE, True] = ApplicationFactory(call=call, status=S.LAUREATE, talent_pool_consent_at=consent)
    return call, made


def anonymised(application):
    application.refresh_from_db()
    return (application.administration, application.problem) == ("", "")


def purge_at(moment, **kwargs):
    with time_machine.travel(moment, tick=False):
        return personal_data.purge_all(**kwargs)["calls"]


def test_past_the_usual_period_only_the_applications_without_consent_are_anonymised(pool):
    call, made = pool

    report = purge_at(call.closes_at + (retention.application_days() + 1) * DAY)
    again = purge_at(call.closes_at + (retention.application_days() + 1) * DAY)

    assert report == {"drafts_deleted": 0, "applications_anonymised": 4}
    assert again == {"drafts_deleted": 0, "applications_anonymised": 0}
    for (status, consent), application in made.items():
        assert anonymised(application) is (status != S.LAUREATE and not consent), (status, consent)
        assert application.in_talent_pool is consent, (status, consent)


def test_a_consenting_application_is_kept_until_its_longer_period_then_anonymised(pool):
    call, made = pool

    before = purge_at(call.closes_at + (retention.talent_pool_days() - 1) * DAY)
    assert before["applications_anonymised"] == 4  # those without the consent
    assert not anonymised(made[S.NOT_SELECTED, True])

    report = purge_at(call.closes_at + (retention.talent_pool_days() + 1) * DAY)
    again = purge_at(call.closes_at + (retention.talent_pool_days() + 1) * DAY)

    assert report == {"drafts_deleted": 0, "applications_anonymised": 4}
    assert again["applications_anonymised"] == 0
    for (status, _consent), application in made.items():
        assert anonymised(application) is (status != S.LAUREATE), status
        if status != S.LAUREATE:
            assert not application.in_talent_pool  # an anonymised application is in no pool
            assert not application.history.exclude(talent_pool_consent_at=None).exists()
    assert made[S.LAUREATE, True].in_talent_pool


def test_a_withdrawn_consent_lets_the_next_purge_anonymise_past_the_usual_period(pool, client):
    call, made = pool
    application = made[S.WITHDRAWN, True]
    moment = call.closes_at + (retention.application_days() + 10) * DAY
    purge_at(moment)
    assert not anonymised(application)

    with time_machine.travel(moment + DAY, tick=False):
        client.force_login(application.applicant)
        assert client.post(withdraw_url(application)).status_code == 302
    report = purge_at(moment + DAY)

    assert report["applications_anonymised"] == 1
    assert anonymised(application)


def test_the_dry_run_changes_nothing_and_counts_only_what_is_past_its_period(pool):
    call, made = pool
    out = io.StringIO()

    with time_machine.travel(call.closes_at + (retention.application_days() + 1) * DAY, tick=False):
        call_command("purge_personal_data", "--dry-run", stdout=out)

    assert "calls.applications_anonymised: 4 would be purged" in out.getvalue()
    assert not any(anonymised(application) for application in made.values())


def test_the_setting_sets_the_longer_period_never_shorter_than_the_usual_one(settings, pool):
    call, _made = pool
    settings.TALENT_POOL_RETENTION_DAYS = 200

    assert retention.talent_pool_days() == 200
    assert purge_at(call.closes_at + 201 * DAY)["applications_anonymised"] == 8
    settings.TALENT_POOL_RETENTION_DAYS = 10
    assert retention.talent_pool_days() == retention.application_days()


def test_the_privacy_page_says_the_talent_pool_its_period_and_its_legal_basis(client, settings):
    settings.TALENT_POOL_RETENTION_DAYS = 540

    text = client.get(reverse("incubator:privacy")).content.decode()

    assert escape(str(retention.days_text(540))) in text
    assert escape(str(personal_data.LegalBasis.CONSENT.label)) in text
    category = next(c for _p, c in personal_data.categories() if c.key == "talent_pool")
    assert escape(str(category.label)) in text


def test_the_export_holds_the_consent_and_the_erasure_withdraws_it(applicant):
    given = timezone.now().replace(microsecond=0)
    application = ApplicationFactory(applicant=applicant, status=S.NOT_SELECTED, talent_pool_consent_at=given)

    exported = personal_data.export_all(applicant)["calls"]["applications"][0]
    personal_data.erase_all(applicant, actor=applicant)

    assert exported["talent_pool_consent_at"] == given.isoformat()
    application.refresh_from_db()
    assert application.talent_pool_consent_at is None
