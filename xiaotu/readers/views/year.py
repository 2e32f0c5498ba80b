"""Reader pages: the school's structure, the new school year (升级, 毕业未离校), transfers, and lost cards.

Structure changes and the promotion itself are for 管理员; 馆员 see the structure and the preview, and do the
everyday work (graduates' books, transfers, suspensions, new cards). Each view parses its input, calls one service in
structure.py, year.py or lostcards.py, and renders.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, TypeVar

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Model, Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, URLPattern, path, reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from xiaotu.accounts.models import Role, User
from xiaotu.accounts.permissions import LIBRARY_WORK, SETTINGS, role_required, staff_of
from xiaotu.circulation.errors import LoanRefused
from xiaotu.circulation.models import Loan
from xiaotu.circulation.selectors import reader_search
from xiaotu.circulation.services import loan_declare_lost
from xiaotu.readers import lostcards, structure, year
from xiaotu.readers.models import Grade, Reader, ReaderType, SchoolClass
from xiaotu.readers.selectors import loan_counts
from xiaotu.readers.views.year_forms import (
    STATUS_ACTIONS,
    CardReplaceForm,
    ClassEditForm,
    ClassesAddForm,
    GradeNamesForm,
    GradesSetupForm,
    PromotionConfirmForm,
    PromotionDateForm,
    SearchForm,
    StatusForm,
    TransferInForm,
    first_error,
)
from xiaotu.schools.models import Library

M = TypeVar("M", bound=Model)
MAX_PK = 2**62
SHOW_LOANS_UP_TO = 3


def _own(queryset: QuerySet[M], pk: int) -> M:
    """The row of this library, or 404 (also for ids no database column could hold)."""
    if not 0 < pk < MAX_PK:
        raise Http404
    row = queryset.filter(pk=pk).first()
    if row is None:
        raise Http404
    return row


def _refused(form: Any, error: ValidationError) -> None:
    for message in error.messages:
        form.add_error(None, message)


# -- 学校结构 ------------------------------------------------------------------------------------------------------


def _teachers(library: Library) -> QuerySet[User]:
    return User.objects.filter(library=library, role=Role.TEACHER, is_active=True).order_by("display_name", "username")


def _structure_page(
    request: HttpRequest,
    user: User,
    library: Library,
    *,
    setup_form: GradesSetupForm | None = None,
    names_form: GradeNamesForm | None = None,
    add_form: ClassesAddForm | None = None,
    status: int = 200,
) -> HttpResponse:
    grades = list(Grade.objects.filter(library=library).order_by("number"))
    classes = list(
        SchoolClass.objects.filter(library=library)
        .select_related("grade", "teacher")
        .annotate(pupils=Count("readers", filter=Q(readers__status__in=year.PRESENT)))
        .order_by("grade__number", "number", "pk")
    )
    rows = [(g, [c for c in classes if c.grade_id == g.pk and c.active]) for g in grades]
    grades_qs = Grade.objects.filter(library=library).order_by("number")
    context: dict[str, Any] = {
        "rows": rows,
        "closed": [c for c in classes if not c.active],
        "level": library.get_level_display(),
        "active_classes": sum(1 for c in classes if c.active),
        "pupils": sum(c.pupils for c in classes if c.active),
        "setup_form": setup_form or GradesSetupForm(initial={"level": library.level, "junior_style": _style(grades)}),
        "names_form": names_form or GradeNamesForm(grades=grades),
        "add_form": add_form or ClassesAddForm(grades=grades_qs),
        "placeholders": structure.PLACEHOLDERS,
        "can_change": user.has_role(*SETTINGS),
    }
    return render(request, "readers/year/structure.html", context, status=status)


def _style(grades: list[Grade]) -> str:
    return "chu" if any(g.name.startswith("初") for g in grades) else "grade"


@role_required(*LIBRARY_WORK)
@require_GET
def structure_page(request: HttpRequest) -> HttpResponse:
    user, library = staff_of(request)
    return _structure_page(request, user, library)


@role_required(*SETTINGS)
@require_POST
def structure_grades(request: HttpRequest) -> HttpResponse:
    user, library = staff_of(request)
    form = GradesSetupForm(request.POST)
    if form.is_valid():
        try:
            done = structure.grades_setup(
                library=library,
                level=form.cleaned_data["level"],
                junior_style=form.cleaned_data["junior_style"],
                by=user,
            )
        except ValidationError as error:
            _refused(form, error)
        else:
            parts = [_("年级已按“%(level)s”设置。") % {"level": library.get_level_display()}]
            if done.created:
                parts.append(_("新增 %(n)d 个年级。") % {"n": len(done.created)})
            if done.renamed:
                parts.append(_("%(n)d 个年级改了名称。") % {"n": len(done.renamed)})
            if done.removed:
                parts.append(_("删除了没有用过的年级：%(names)s。") % {"names": "、".join(done.removed)})
            messages.success(request, "".join(parts))
            if done.kept:
                messages.warning(
                    request,
                    _("%(names)s 还有班级，保留未删。") % {"names": "、".join(g.name for g in done.kept)},
                )
            return redirect("readers:structure_page")
    return _structure_page(request, user, library, setup_form=form, status=400)


@role_required(*SETTINGS)
@require_POST
def structure_grade_names(request: HttpRequest) -> HttpResponse:
    user, library = staff_of(request)
    form = GradeNamesForm(request.POST, grades=Grade.objects.filter(library=library).order_by("number"))
    if form.is_valid():
        try:
            renamed = structure.grades_rename(library=library, names=form.names(), by=user)
        except ValidationError as error:
            _refused(form, error)
        else:
            if renamed:
                messages.success(request, _("已修改 %(n)d 个年级的名称，班级名称随之更新。") % {"n": len(renamed)})
            else:
                messages.info(request, _("没有修改。"))
            return redirect("readers:structure_page")
    return _structure_page(request, user, library, names_form=form, status=400)


@role_required(*SETTINGS)
@require_POST
def structure_classes_add(request: HttpRequest) -> HttpResponse:
    user, library = staff_of(request)
    form = ClassesAddForm(request.POST, grades=Grade.objects.filter(library=library).order_by("number"))
    if form.is_valid():
        try:
            created = structure.classes_add(
                grade=form.cleaned_data["grade"],
                count=form.cleaned_data["count"],
                pattern=form.chosen_pattern(),
                by=user,
            )
        except ValidationError as error:
            _refused(form, error)
        else:
            names = [c.name for c in created]
            shown = names[0] if len(names) == 1 else f"{names[0]} … {names[-1]}"
            messages.success(request, _("已添加 %(n)d 个班：%(names)s。") % {"n": len(names), "names": shown})
            return redirect("readers:structure_page")
    return _structure_page(request, user, library, add_form=form, status=400)


@role_required(*LIBRARY_WORK)
@require_http_methods(["GET", "POST"])
def structure_class_edit(request: HttpRequest, pk: int) -> HttpResponse:
    user, library = staff_of(request)
    school_class = _own(SchoolClass.objects.filter(library=library).select_related("grade", "teacher"), pk)
    can_change = user.has_role(*SETTINGS)
    teachers = _teachers(library)
    if request.method == "POST":
        if not can_change:
            raise PermissionDenied
        form = ClassEditForm(request.POST, teachers=teachers)
        if form.is_valid():
            try:
                structure.class_rename(school_class=school_class, name=form.cleaned_data["name"], by=user)
                structure.class_set_teacher(school_class=school_class, teacher=form.cleaned_data["teacher"], by=user)
            except ValidationError as error:
                _refused(form, error)
            else:
                messages.success(request, _("班级「%(name)s」已保存。") % {"name": school_class.name})
                return redirect("readers:structure_page")
    else:
        form = ClassEditForm(initial={"name": school_class.name, "teacher": school_class.teacher_id}, teachers=teachers)
    pupils = Reader.objects.filter(school_class=school_class, status__in=year.PRESENT).count()
    context = {"form": form, "school_class": school_class, "pupils": pupils, "can_change": can_change}
    return render(request, "readers/year/class_edit.html", context, status=400 if form.errors else 200)


@role_required(*SETTINGS)
@require_POST
def structure_class_deactivate(request: HttpRequest, pk: int) -> HttpResponse:
    user, library = staff_of(request)
    school_class = _own(SchoolClass.objects.filter(library=library), pk)
    try:
        structure.class_deactivate(school_class=school_class, by=user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("班级「%(name)s」已停用。") % {"name": school_class.name})
    return redirect("readers:structure_page")


@role_required(*SETTINGS)
@require_POST
def structure_class_reactivate(request: HttpRequest, pk: int) -> HttpResponse:
    user, library = staff_of(request)
    school_class = _own(SchoolClass.objects.filter(library=library).select_related("grade"), pk)
    try:
        structure.class_reactivate(school_class=school_class, by=user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("班级「%(name)s」已恢复。") % {"name": school_class.name})
    return redirect("readers:structure_page")


# -- 新学年: 升级预览, 确认, 毕业未离校 -------------------------------------------------------------------------------


def _promotion_date(data: Any) -> tuple[PromotionDateForm, dt.date]:
    """The day the promotion is for (?on=), today when not given; a bad date falls back to today with its error."""
    form = PromotionDateForm(data if data.get("on") else {"on": timezone.localdate().isoformat()})
    return form, (form.cleaned_data["on"] if form.is_valid() else timezone.localdate())


@role_required(*LIBRARY_WORK)
@require_GET
def year_preview(request: HttpRequest) -> HttpResponse:
    """升级预览 — nothing changes here: what moves where, who graduates, who cannot leave yet and why."""
    user, library = staff_of(request)
    date_form, on = _promotion_date(request.GET)
    plan = year.plan_promotion(library, on=on)
    context = {
        "plan": plan,
        "date_form": date_form,
        "can_apply": user.has_role(*SETTINGS),
    }
    return render(request, "readers/year/preview.html", context, status=400 if date_form.errors else 200)


@role_required(*SETTINGS)
@require_http_methods(["GET", "POST"])
def year_confirm(request: HttpRequest) -> HttpResponse:
    """确认升级 — the plan's totals once more, a tick box, and the one button that changes everything."""
    user, library = staff_of(request)
    if request.method == "GET":
        _date_form, on = _promotion_date(request.GET)
        plan = year.plan_promotion(library, on=on)
        form = PromotionConfirmForm(initial={"on": on, "plan": plan.fingerprint})
        return render(request, "readers/year/confirm.html", {"plan": plan, "form": form})
    form = PromotionConfirmForm(request.POST)
    valid = form.is_valid()
    on = form.cleaned_data.get("on") or timezone.localdate()
    plan = year.plan_promotion(library, on=on)
    if valid:
        if form.cleaned_data["plan"] != plan.fingerprint:
            return _stale(request, on)
        try:
            result = year.apply_promotion(plan=plan, by=user, on=on)
        except ValidationError as error:
            if getattr(error, "code", None) == "stale_plan":
                return _stale(request, on)
            _refused(form, error)
        else:
            messages.success(
                request,
                _(
                    "升级完成：%(moved)d 个班升入新年级，%(classes)d 个班毕业，%(graduates)d 名学生毕业离校，"
                    "%(blocked)d 名学生还有书未还（毕业未离校）。"
                )
                % {
                    "moved": result.moved,
                    "classes": result.graduated_classes,
                    "graduates": result.graduates,
                    "blocked": result.blocked,
                },
            )
            return redirect("readers:year_graduates" if result.blocked else "readers:structure_page")
    return render(request, "readers/year/confirm.html", {"plan": plan, "form": form}, status=400)


def _stale(request: HttpRequest, on: dt.date) -> HttpResponse:
    """The structure changed between the preview and the click: show the new preview instead of guessing."""
    messages.error(request, _("预览之后班级或年级有了变化，请核对新的预览后再确认。"))
    return redirect(f"{reverse('readers:year_preview')}?{urlencode({'on': on.isoformat()})}")


@role_required(*LIBRARY_WORK)
@require_GET
def year_graduates(request: HttpRequest) -> HttpResponse:
    """毕业未离校 — graduates with books out, class by class, with buttons to record a loss or let them leave."""
    _user, library = staff_of(request)
    pending = year.graduates_pending(library)
    context = {
        "pending": pending,
        "today": timezone.localdate(),
        "cleared": sum(1 for p in pending for g in p.pupils if not g.loans),
    }
    return render(request, "readers/year/graduates.html", context)


@role_required(*LIBRARY_WORK)
@require_POST
def year_graduate_complete(request: HttpRequest, pk: int) -> HttpResponse:
    user, library = staff_of(request)
    reader = _own(Reader.objects.filter(library=library), pk)
    try:
        year.graduation_complete(reader=reader, by=user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("%(name)s 已办理毕业离校。") % {"name": reader.name})
    return redirect("readers:year_graduates")


@role_required(*LIBRARY_WORK)
@require_POST
def year_graduates_complete_cleared(request: HttpRequest) -> HttpResponse:
    user, library = staff_of(request)
    done = year.graduation_complete_cleared(library=library, by=user)
    if done:
        messages.success(request, _("已为 %(n)d 名书已还清的学生办理毕业离校。") % {"n": len(done)})
    else:
        messages.info(request, _("没有书已还清、等待办理离校的学生。"))
    return redirect("readers:year_graduates")


@role_required(*LIBRARY_WORK)
@require_http_methods(["GET", "POST"])
def year_loan_lost(request: HttpRequest, pk: int) -> HttpResponse:
    """丢失登记 for a book a leaving pupil cannot bring back: asks once more, then closes the loan as lost."""
    user, library = staff_of(request)
    loan = _own(Loan.objects.filter(library=library).select_related("reader", "item__record"), pk)
    back = _back_to(loan.reader)
    if loan.returned_at is not None:
        messages.info(request, _("《%(title)s》的这次借阅已经结束。") % {"title": loan.item.record.title})
        return redirect(back)
    if request.method == "POST":
        try:
            loan_declare_lost(loan=loan, by=user)
        except LoanRefused as refusal:
            messages.error(request, refusal.message)
        else:
            messages.success(
                request,
                _("已登记 %(name)s 丢失《%(title)s》。赔偿请按本馆规定办理。")
                % {"name": loan.reader.name, "title": loan.item.record.title},
            )
        return redirect(back)
    return render(request, "readers/year/loan_lost.html", {"loan": loan, "back": back})


def _back_to(reader: Reader) -> str:
    school_class = reader.school_class
    if school_class is not None and not school_class.active and school_class.graduated_on is not None:
        return reverse("readers:year_graduates")
    return f"{reverse('readers:year_transfers')}?{urlencode({'q': reader.card_barcode})}"


# -- 转入、转出、暂停、恢复 --------------------------------------------------------------------------------


def _transfer_form(library: Library, data: Any = None) -> TransferInForm:
    return TransferInForm(
        data,
        classes=SchoolClass.objects.filter(library=library, active=True).order_by("grade__number", "number"),
        reader_types=ReaderType.objects.filter(library=library, kind=ReaderType.Kind.STUDENT).order_by("pk"),
    )


def _transfers_page(
    request: HttpRequest, library: Library, *, transfer_form: TransferInForm | None = None, status: int = 200
) -> HttpResponse:
    search = SearchForm(request.GET)
    q = search.cleaned_data["q"] if search.is_valid() else ""
    found = list(reader_search(library=library, q=q)) if q else []
    counts = loan_counts(readers=found, today=timezone.localdate())
    # A reader looked up by card (or one of very few) shows their books, with a way to record a loss before leaving.
    loans: dict[int, list[Loan]] = {}
    if 0 < len(found) <= SHOW_LOANS_UP_TO:
        for loan in (
            Loan.objects.filter(reader__in=found, returned_at__isnull=True)
            .select_related("item__record")
            .order_by("due_on", "pk")
        ):
            loans.setdefault(loan.reader_id, []).append(loan)
    context = {
        "search": search,
        "q": q,
        "found": [(r, counts.get(r.pk), loans.get(r.pk, [])) for r in found],
        "transfer_form": transfer_form or _transfer_form(library),
        "today": timezone.localdate(),
    }
    return render(request, "readers/year/transfers.html", context, status=status)


@role_required(*LIBRARY_WORK)
@require_GET
def year_transfers(request: HttpRequest) -> HttpResponse:
    _user, library = staff_of(request)
    return _transfers_page(request, library)


@role_required(*LIBRARY_WORK)
@require_POST
def year_transfer_in(request: HttpRequest) -> HttpResponse:
    user, library = staff_of(request)
    form = _transfer_form(library, request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            done = year.reader_transfer_in(
                library=library,
                school_class=data["school_class"],
                name=data["name"],
                reader_type=data["reader_type"],
                student_number=data["student_number"],
                gender=data["gender"],
                card_barcode=data["card_barcode"],
                by=user,
            )
        except ValidationError as error:
            _refused(form, error)
        else:
            reader = done.reader
            text = (
                _("%(name)s 已重新转入 %(class)s，继续使用借书证 %(card)s。")
                if done.returned
                else _("%(name)s 已转入 %(class)s，借书证号 %(card)s。")
            )
            assert reader.school_class is not None
            messages.success(
                request, text % {"name": reader.name, "class": reader.school_class.name, "card": reader.card_barcode}
            )
            return redirect(f"{reverse('readers:year_transfers')}?{urlencode({'q': reader.card_barcode})}")
    return _transfers_page(request, library, transfer_form=form, status=400)


@role_required(*LIBRARY_WORK)
@require_POST
def year_reader_status(request: HttpRequest, pk: int) -> HttpResponse:
    """转出 (离校), 暂停 or 恢复 one reader from the transfers page."""
    user, library = staff_of(request)
    reader = _own(Reader.objects.filter(library=library), pk)
    form = StatusForm(request.POST)
    back = f"{reverse('readers:year_transfers')}?{urlencode({'q': reader.card_barcode})}"
    if not form.is_valid():
        messages.error(request, first_error(form))
        return redirect(back)
    action = form.cleaned_data["action"]
    try:
        if action == "leave":
            year.reader_transfer_out(reader=reader, by=user, on=form.cleaned_data["on"])
        else:
            year.reader_change_status(reader=reader, status=STATUS_ACTIONS[action], by=user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        done = {
            "leave": _("%(name)s 已办理转出（离校）。"),
            "suspend": _("%(name)s 的借书证已暂停。"),
            "activate": _("%(name)s 已恢复为正常状态。"),
        }[action]
        messages.success(request, done % {"name": reader.name})
    return redirect(back)


# -- 补办借书证 ----------------------------------------------------------------------------------------------------


def card_print_url(reader: Reader) -> str | None:
    """The card printing page of the reader pages, when it exists."""
    try:
        return f"{reverse('readers:card_print')}?{urlencode({'reader': reader.pk})}"
    except NoReverseMatch:
        return None


@role_required(*LIBRARY_WORK)
@require_http_methods(["GET", "POST"])
def year_card_replace(request: HttpRequest) -> HttpResponse:
    """补办借书证 — find the reader, say why, scan the new card (or let the number be generated), confirm."""
    user, library = staff_of(request)
    search = SearchForm(request.GET)
    q = search.cleaned_data["q"] if search.is_valid() else ""
    chosen = request.GET.get("reader", "")
    reader = (
        _own(Reader.objects.filter(library=library), int(chosen)) if chosen.isdigit() and len(chosen) < 19 else None
    )
    if chosen and reader is None:
        raise Http404
    form = CardReplaceForm(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        if reader is None:
            raise Http404
        if form.is_valid():
            old = reader.card_barcode
            try:
                lostcards.card_replace(
                    reader=reader,
                    new_barcode=form.cleaned_data["new_barcode"] or None,
                    reason=form.cleaned_data["reason"],
                    by=user,
                )
            except ValidationError as error:
                _refused(form, error)
            else:
                reader.refresh_from_db(fields=["card_barcode"])
                messages.success(
                    request,
                    _("已为 %(name)s 补办借书证：旧证 %(old)s 已停用，新证号 %(new)s。")
                    % {"name": reader.name, "old": old, "new": reader.card_barcode},
                )
                return redirect(f"{reverse('readers:year_card_replace')}?{urlencode({'reader': reader.pk, 'done': 1})}")
    found = list(reader_search(library=library, q=q)) if q and reader is None else []
    context = {
        "search": search,
        "q": q,
        "found": found,
        "reader": reader,
        "form": form,
        "suggested": _suggested(reader),
        "done": request.GET.get("done") == "1" and reader is not None,
        "print_url": card_print_url(reader) if reader else None,
        "history": lostcards.retired_cards(library=library),
    }
    return render(request, "readers/year/card_replace.html", context, status=400 if form.errors else 200)


def _suggested(reader: Reader | None) -> str:
    if reader is None:
        return ""
    try:
        return lostcards.next_card_barcode(library=reader.library, reader_type=reader.reader_type)
    except ValidationError:
        return ""


urlpatterns: list[URLPattern] = [
    path("structure/", structure_page, name="structure_page"),
    path("structure/grades/", structure_grades, name="structure_grades"),
    path("structure/grade-names/", structure_grade_names, name="structure_grade_names"),
    path("structure/classes/add/", structure_classes_add, name="structure_classes_add"),
    path("structure/classes/<int:pk>/", structure_class_edit, name="structure_class_edit"),
    path("structure/classes/<int:pk>/deactivate/", structure_class_deactivate, name="structure_class_deactivate"),
    path("structure/classes/<int:pk>/reactivate/", structure_class_reactivate, name="structure_class_reactivate"),
    path("year/", year_preview, name="year_preview"),
    path("year/confirm/", year_confirm, name="year_confirm"),
    path("year/graduates/", year_graduates, name="year_graduates"),
    path("year/graduates/<int:pk>/complete/", year_graduate_complete, name="year_graduate_complete"),
    path("year/graduates/complete/", year_graduates_complete_cleared, name="year_graduates_complete_cleared"),
    path("year/loans/<int:pk>/lost/", year_loan_lost, name="year_loan_lost"),
    path("year/transfers/", year_transfers, name="year_transfers"),
    path("year/transfers/in/", year_transfer_in, name="year_transfer_in"),
    path("year/readers/<int:pk>/status/", year_reader_status, name="year_reader_status"),
    path("lost-cards/", year_card_replace, name="year_card_replace"),
]
