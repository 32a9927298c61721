"""The files of an application: the answers to its file questions and the signed commitment form.

They are stored under random names (``incubator.uploads.random_name``) and never served from
MEDIA_URL: only here, as attachments (``incubator.uploads.download``), GET only, to those who may
read them; anyone else gets a 404, as if there were no file.

- answer files: the applicant, the call's managers, and the call's jurors (not those who declared
  a conflict of interest) unless the call hides the applicants' identity: a file may name them;
- the signed commitment form: the applicant and the call's managers;
- the call's applicant's guide: everyone once the call is published (a guide is public), only
  the call's managers while it is a draft.
"""

from django.contrib.auth.decorators import login_not_required
from django.core.files.storage import default_storage
from django.http import Http404
from django.views.decorators.http import require_GET

from incubator import audit
from incubator.uploads import download

from ..models import Application, Call, Question


def readable_application(user, pk, *, jury):
    """The application ``pk`` if the user may read its files (``jury``: jurors too), else 404."""
    applications = Application.objects.select_related("call")
    own = applications.of(user).filter(pk=pk).first()
    if own is not None:
        return own
    managed = applications.filter(call__in=Call.objects.managed_by(user), pk=pk).first()
    if managed is not None and user.has_perm("calls.manage_call", managed.call):
        return managed
    if jury:
        judged = applications.for_jury(user).filter(call__hide_identity=False, pk=pk).first()
        if judged is not None:
            return judged
    raise Http404


def answer_files(application):
    """[(question, number, answer)] of the call's file questions that the application answered."""
    rows = []
    for number, question in enumerate(application.call.questions.all(), start=1):
        answer = application.answers.get(str(question.pk))
        if question.kind == Question.Kind.FILE and isinstance(answer, dict) and answer.get("path"):
            rows.append((question, number, answer))
    return rows


def open_stored(name):
    try:
        return default_storage.open(name, "rb")
    except FileNotFoundError as error:
        raise Http404 from error


@require_GET
def answer_file(request, pk, question):
    application = readable_application(request.user, pk, jury=True)
    for row_question, number, answer in answer_files(application):
        # Only a file the portal stored for this call (the answers are written by the server).
        if row_question.pk == question and answer["path"].startswith(f"calls/answers/{application.call_id}/"):
            audit.record(audit.Action.DOCUMENT_DOWNLOADED, application, actor=request.user)
            return download(open_stored(answer["path"]), filename=f"candidature-{application.pk}-reponse-{number}")
    raise Http404


@require_GET
def commitment_file(request, pk):
    application = readable_application(request.user, pk, jury=False)
    if not application.commitment_form:
        raise Http404
    audit.record(audit.Action.DOCUMENT_DOWNLOADED, application, actor=request.user)
    return download(open_stored(application.commitment_form.name), filename=f"engagement-candidature-{application.pk}")


@login_not_required
@require_GET
def guide_file(request, slug):
    call = Call.objects.public().filter(slug=slug).first()
    if call is None:
        call = Call.objects.managed_by(request.user).filter(slug=slug).first()
        if call is None or not request.user.has_perm("calls.manage_call", call):
            raise Http404
    if not call.guide_file:
        raise Http404
    return download(open_stored(call.guide_file.name), filename=f"guide-du-candidat-{call.slug}")
