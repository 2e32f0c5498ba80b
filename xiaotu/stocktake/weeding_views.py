"""剔旧, 注销 and 修补 pages: candidate lists, withdrawal batches and their approval, the register, the repair desk.

Proposing a withdrawal and repairs are the librarian's; approving or turning down a batch is the 管理员's alone.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from xiaotu.accounts.models import Role
from xiaotu.accounts.permissions import LIBRARY_WORK, SETTINGS, role_required
from xiaotu.catalogue.models import Item
from xiaotu.stocktake import repairs as repair_services
from xiaotu.stocktake import reports, weeding
from xiaotu.stocktake.forms import CandidateForm, RepairForm, WithdrawalForm, item_ids
from xiaotu.stocktake.models import Repair, WithdrawalBatch
from xiaotu.stocktake.services import StocktakeRefused
from xiaotu.stocktake.views import download, staff

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@role_required(*LIBRARY_WORK)
@require_http_methods(["GET", "POST"])
def candidates(request: HttpRequest) -> HttpResponse:
    """GET: the candidates for the criteria; POST: the chosen ones become a withdrawal batch awaiting approval."""
    user, library = staff(request)
    if request.method == "POST":
        withdrawal = WithdrawalForm(request.POST)
        chosen = list(Item.objects.filter(library=library, pk__in=item_ids(request.POST.getlist("item"))))
        if withdrawal.is_valid():
            try:
                batch = weeding.withdrawal_batch_create(
                    library=library,
                    items=chosen,
                    reason=withdrawal.cleaned_data["reason"],
                    note=withdrawal.cleaned_data["note"],
                    by=user,
                )
            except StocktakeRefused as refused:
                messages.error(request, refused.message)
            else:
                messages.success(request, _("注销单 %(number)s 已提交，等待管理员审批。") % {"number": batch.number})
                return redirect("stocktake:batch", pk=batch.pk)
        else:
            messages.error(request, _("请选择注销原因。"))
        return redirect(f"{request.path}?{request.POST.get('query', '')}")
    form = CandidateForm(request.GET or None, library=library)
    found = None
    if form.is_valid():
        data = form.cleaned_data
        criteria = weeding.Criteria(
            unborrowed_years=(data["years"] or 5) if "unborrowed" in data["criteria"] else None,
            damaged="damaged" in data["criteria"],
            superseded="superseded" in data["criteria"],
            class_prefix=data["class_prefix"],
            location=data["location"],
        )
        found = list(weeding.weeding_candidates(library=library, criteria=criteria)[: weeding.MAX_CANDIDATES])
    return render(
        request,
        "stocktake/weeding.html",
        {
            "form": form,
            "found": found,
            "limit": weeding.MAX_CANDIDATES,
            "withdrawal": WithdrawalForm(),
            "query": request.GET.urlencode(),
        },
    )


@role_required(*LIBRARY_WORK)
@require_GET
def batch_list(request: HttpRequest) -> HttpResponse:
    _user, library = staff(request)
    batches = Paginator(
        WithdrawalBatch.objects.filter(library=library).select_related("created_by", "decided_by"), 50
    ).get_page(request.GET.get("page"))
    return render(request, "stocktake/batches.html", {"page": batches})


@role_required(*LIBRARY_WORK)
@require_GET
def batch_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user, library = staff(request)
    batch = get_object_or_404(
        WithdrawalBatch.objects.select_related("created_by", "decided_by"), pk=pk, library=library
    )
    lines = batch.lines.select_related("item__record", "item__location").order_by("item__call_number")
    return render(
        request,
        "stocktake/batch.html",
        {"batch": batch, "lines": lines, "can_decide": user.has_role(Role.ADMIN) and batch.status == "draft"},
    )


@role_required(*SETTINGS)
@require_POST
def batch_decide(request: HttpRequest, pk: int) -> HttpResponse:
    user, library = staff(request)
    batch = get_object_or_404(WithdrawalBatch, pk=pk, library=library)
    approve = request.POST.get("decision") == "approve"
    try:
        if approve:
            weeding.withdrawal_batch_approve(batch=batch, by=user)
            messages.success(request, _("已批准：这些书已注销，不再在书目检索中出现。"))
        else:
            weeding.withdrawal_batch_reject(batch=batch, by=user)
            messages.success(request, _("已退回，图书状态没有改变。"))
    except StocktakeRefused as refused:
        messages.error(request, refused.message)
    return redirect("stocktake:batch", pk=pk)


def _year(request: HttpRequest) -> int | None:
    value = request.GET.get("year", "")
    return int(value) if value.isdigit() and 1900 < int(value) < 3000 else None


@role_required(*LIBRARY_WORK)
@require_GET
def register(request: HttpRequest) -> HttpResponse:
    _user, library = staff(request)
    year = _year(request)
    lines = Paginator(weeding.register_lines(library=library, year=year), 100).get_page(request.GET.get("page"))
    years = range(timezone.localdate().year, timezone.localdate().year - 10, -1)
    return render(request, "stocktake/register.html", {"page": lines, "year": year, "years": years})


@role_required(*LIBRARY_WORK)
@require_GET
def register_pdf(request: HttpRequest) -> HttpResponse:
    _user, library = staff(request)
    year = _year(request)
    data = reports.register_pdf(library=library, lines=weeding.register_lines(library=library, year=year), year=year)
    return download(data, f"withdrawals-{year or 'all'}.pdf", "application/pdf")


@role_required(*LIBRARY_WORK)
@require_GET
def register_xlsx(request: HttpRequest) -> HttpResponse:
    _user, library = staff(request)
    year = _year(request)
    data = reports.register_xlsx(lines=weeding.register_lines(library=library, year=year))
    return download(data, f"withdrawals-{year or 'all'}.xlsx", XLSX)


@role_required(*LIBRARY_WORK)
@require_http_methods(["GET", "POST"])
def repairs(request: HttpRequest) -> HttpResponse:
    """修补台: scan a book with one of four actions; the open repairs and the counts per term below."""
    user, library = staff(request)
    form = RepairForm(request.POST or None, initial={"action": request.GET.get("action", "send")})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            item = repair_services.repair_item(library=library, barcode=data["barcode"])
            if data["action"] == "damaged":
                repair_services.item_mark_damaged(item=item, by=user)
                done = _("已登记破损：《%(title)s》")
            elif data["action"] == "send":
                repair_services.repair_send(item=item, problem=data["problem"], by=user)
                done = _("已送修：《%(title)s》")
            else:
                mended = data["action"] == "mended"
                repair_services.repair_return(item=item, mended=mended, by=user)
                done = _("已修好归架：《%(title)s》") if mended else _("无法修补，已标记为破损：《%(title)s》")
        except StocktakeRefused as refused:
            messages.error(request, refused.message)
        else:
            messages.success(request, done % {"title": item.record.title})
        return redirect(f"{request.path}?action={data['action']}")
    open_repairs = (
        Repair.objects.filter(library=library, returned_at__isnull=True)
        .select_related("item__record", "sent_by")
        .order_by("sent_at")[:200]
    )
    recent = (
        Repair.objects.filter(library=library, returned_at__isnull=False)
        .select_related("item__record")
        .order_by("-returned_at")[:20]
    )
    return render(
        request,
        "stocktake/repairs.html",
        {
            "form": form,
            "open_repairs": open_repairs,
            "recent": recent,
            "counts": repair_services.repair_counts(library=library),
        },
    )
