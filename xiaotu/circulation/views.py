"""Circulation pages: the desk (借还台), a class teacher's view of their class, and the loan rule matrix."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from xiaotu.accounts.models import Role, User
from xiaotu.accounts.permissions import DESK, SETTINGS, role_required
from xiaotu.catalogue.models import ItemCategory
from xiaotu.circulation.forms import LoanRulesForm
from xiaotu.circulation.models import LoanCap, LoanRule
from xiaotu.circulation.rules import loan_rules_save
from xiaotu.readers.models import ReaderType
from xiaotu.schools.models import Library


def _staff(request: HttpRequest) -> tuple[User, Library]:
    """The signed-in member of staff and their library; role_required has already checked both exist."""
    user = request.user
    assert isinstance(user, User) and user.library is not None
    return user, user.library


@role_required(*DESK)
def desk(request: HttpRequest) -> HttpResponse:
    return HttpResponse("desk")


@role_required(Role.TEACHER, Role.ADMIN)
def my_class(request: HttpRequest) -> HttpResponse:
    return HttpResponse("my class")


@role_required(*SETTINGS)
@require_http_methods(["GET", "POST"])
def loan_rules(request: HttpRequest) -> HttpResponse:
    """借阅规则 — the matrix of reader types × item categories, saved all at once."""
    user, library = _staff(request)
    form = LoanRulesForm(
        request.POST if request.method == "POST" else None,
        reader_types=ReaderType.objects.filter(library=library).order_by("pk"),
        categories=ItemCategory.objects.filter(library=library).order_by("reference_only", "pk"),
        rules=LoanRule.objects.filter(library=library),
        caps=LoanCap.objects.filter(library=library),
    )
    if request.method == "POST" and form.is_valid():
        try:
            changed = loan_rules_save(library=library, cells=form.cells(), caps=form.caps(), by=user)
        except ValidationError as error:
            for message in error.messages:
                form.add_error(None, message)
        else:
            if changed:
                messages.success(request, _("借阅规则已保存（%(n)d 处修改）。") % {"n": changed})
            else:
                messages.info(request, _("没有修改。"))
            return redirect("loan_rules:edit")
    return render(request, "circulation/loan_rules.html", {"form": form}, status=400 if form.errors else 200)
