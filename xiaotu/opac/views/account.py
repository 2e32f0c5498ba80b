"""我的借阅 — a reader signs in with card and password, sees their loans and history, renews, signs out."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from xiaotu.circulation.errors import LoanRefused
from xiaotu.circulation.holds import reader_holds, reader_notices
from xiaotu.circulation.models import Loan
from xiaotu.circulation.selectors import open_loans
from xiaotu.circulation.services import renew
from xiaotu.opac import services, signin
from xiaotu.opac.forms import PasswordChangeForm, SignInForm
from xiaotu.opac.views.common import Opac, opac_page
from xiaotu.readers.selectors import loan_history

HISTORY_PAGE_SIZE = 20
NOTICES = 5


def _next_page(request: HttpRequest, opac: Opac) -> str | None:
    """Where to go after signing in: only somewhere in this library's OPAC, never another site."""
    wanted = request.POST.get("next") or request.GET.get("next") or ""
    home = reverse("opac:home", kwargs={"library_id": opac.library.pk})
    return wanted if wanted.startswith(home) and "//" not in wanted and "\\" not in wanted else None


def reader_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Send a visitor who is not signed in (or whose sign-in lapsed) to the sign-in page, then back."""

    @wraps(view)
    def wrapped(request: HttpRequest, opac: Opac, *args: Any, **kwargs: Any) -> HttpResponse:
        if opac.kiosk:
            return redirect("opac:home", library_id=opac.library.pk)
        if opac.reader is None:
            return redirect("opac:sign_in", library_id=opac.library.pk)
        return view(request, opac, *args, **kwargs)

    return wrapped


@never_cache
@require_http_methods(["GET", "POST"])
@opac_page
def sign_in(request: HttpRequest, opac: Opac) -> HttpResponse:
    if opac.kiosk:
        return redirect("opac:home", library_id=opac.library.pk)
    if opac.reader is not None:
        return redirect("opac:account", library_id=opac.library.pk)
    form = SignInForm(request.POST or None, library=opac.library, request=request)
    wanted = _next_page(request, opac)
    if request.method == "POST" and form.is_valid() and form.reader is not None:
        signin.sign_in(request, form.reader)
        return redirect(wanted or reverse("opac:account", kwargs={"library_id": opac.library.pk}))
    status = 400 if form.errors else 200
    return render(request, "opac/sign_in.html", {"opac": opac, "form": form, "next": wanted}, status=status)


@require_POST
@opac_page
def sign_out(request: HttpRequest, opac: Opac) -> HttpResponse:
    signin.sign_out(request)
    return redirect("opac:home", library_id=opac.library.pk)


@never_cache
@require_GET
@opac_page
@reader_required
def account(request: HttpRequest, opac: Opac) -> HttpResponse:
    """我的借阅 — the books out now, soonest due first, late ones marked, each with its renew button; the reader's
    holds with their place in the queue; and what the library told them lately."""
    assert opac.reader is not None
    today = timezone.localdate()
    loans = [(loan, loan.days_overdue(today)) for loan in open_loans(opac.reader)]
    context = {
        "opac": opac,
        "loans": loans,
        "holds": list(reader_holds(opac.reader)),
        "notices": list(reader_notices(opac.reader, limit=NOTICES)),
    }
    return render(request, "opac/account.html", context)


@never_cache
@require_GET
@opac_page
@reader_required
def history(request: HttpRequest, opac: Opac) -> HttpResponse:
    """借阅历史 — every loan, newest first, 20 a page."""
    assert opac.reader is not None
    page = Paginator(loan_history(opac.reader), HISTORY_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "opac/history.html", {"opac": opac, "page": page})


@require_POST
@opac_page
@reader_required
def renew_loan(request: HttpRequest, opac: Opac, loan_id: int) -> HttpResponse:
    """续借 — only the reader's own open loan; the desk's rules decide, and their refusal is shown as it is."""
    loan = (
        Loan.objects.filter(pk=loan_id, reader=opac.reader, returned_at__isnull=True)
        .select_related("item__record")
        .first()
    )
    if loan is None:
        raise Http404
    try:
        renewed = renew(item=loan.item, by=None)
    except LoanRefused as refusal:
        messages.error(request, refusal.message)
    else:
        messages.success(
            request,
            _("《%(title)s》已续借，新的应还日期是 %(due)s。")
            % {"title": loan.item.record.title, "due": renewed.due_on.isoformat()},
        )
    return redirect("opac:account", library_id=opac.library.pk)


@never_cache
@require_http_methods(["GET", "POST"])
@opac_page
@reader_required
def change_password(request: HttpRequest, opac: Opac) -> HttpResponse:
    """修改密码 — the reader picks their own; this browser stays signed in, other sessions end."""
    assert opac.reader is not None
    form = PasswordChangeForm(request.POST or None, reader=opac.reader, request=request)
    if request.method == "POST" and form.is_valid():
        try:
            reader = services.reader_password_change(reader=opac.reader, new_password=form.cleaned_data["new"])
        except services.OpacRefused as refusal:
            form.add_error("new", refusal.message)
        else:
            signin.sign_in(request, reader)
            messages.success(request, _("密码已修改，下次登录请用新密码。"))
            return redirect("opac:account", library_id=opac.library.pk)
    status = 400 if form.errors else 200
    return render(request, "opac/change_password.html", {"opac": opac, "form": form}, status=status)
