"""编目 pages: catalogue by ISBN, the staff list (书目检索), a record and its copies, edits, the 中图法 picker and the
联合目录 servers. Each view checks its input, makes one call into a service or selector, and renders."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.middleware import HtmxDetails

from xiaotu.accounts.permissions import LIBRARY_WORK, SETTINGS, role_required, staff_of
from xiaotu.catalogue import selectors, services
from xiaotu.catalogue.clc import load_table, normalize_class
from xiaotu.catalogue.forms import (
    DAILY_BATCH,
    CopiesForm,
    IsbnForm,
    ItemForm,
    ItemSearchForm,
    ItemsEditForm,
    RecordForm,
    RemoteCatalogueForm,
    ServerTestForm,
    item_ids,
)
from xiaotu.catalogue.models import Record
from xiaotu.intake import cataloguing
from xiaotu.intake.models import Batch, RemoteCatalogue
from xiaotu.schools.models import Library

PAGE_SIZE = 50
BATCH_SESSION_KEY = "catalogue.batch"


class HtmxRequest(HttpRequest):
    """What django-htmx's middleware adds: `request.htmx` is true for requests htmx sends."""

    htmx: HtmxDetails


def _next_url(request: HttpRequest, default: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return default


# -- 按 ISBN 编目 ----------------------------------------------------------------------------------------------------


def _copies_form(request: HttpRequest, library: Library, data: Any = None, *, prefix: str | None = None) -> CopiesForm:
    """The copies form with the batch the librarian used last preselected (it stays open until they pick another)."""
    batches = cataloguing.recent_batches(library=library)
    remembered = request.session.get(BATCH_SESSION_KEY)
    if remembered and all(str(b.pk) != str(remembered) for b in batches):
        batches += list(Batch.objects.filter(library=library, pk=remembered)) if str(remembered).isdigit() else []
    initial = {"batch": str(remembered) if any(str(b.pk) == str(remembered) for b in batches) else DAILY_BATCH}
    return CopiesForm(data, library=library, batches=batches, initial=initial, prefix=prefix)


def _remember_batch(request: HttpRequest, result: cataloguing.Catalogued) -> None:
    if result.batch is not None:
        request.session[BATCH_SESSION_KEY] = result.batch.pk


def _saved_message(result: cataloguing.Catalogued) -> str:
    values = {
        "title": result.record.title,
        "call_number": result.record.call_number or _("（未分类，没有索书号）"),
        "n": len(result.items),
        "accessions": result.accession_span,
    }
    if result.created:
        return _("已编目《%(title)s》：索书号 %(call_number)s，%(n)d 册，登录号 %(accessions)s。") % values
    return _("《%(title)s》已在馆藏中，已加入 %(n)d 册复本：索书号 %(call_number)s，登录号 %(accessions)s。") % values


def _clc_caption(code: str) -> dict[str, Any] | None:
    """The class name and its broader classes, for showing a chosen class under the picker."""
    if not code:
        return None
    table = load_table()
    entry = table.get(code)
    return {"code": normalize_class(code), "entry": entry, "parents": table.parents(code)}


@role_required(*LIBRARY_WORK)
@require_GET
def isbn_page(request: HtmxRequest) -> HttpResponse:
    """按 ISBN 编目: scan an ISBN; see it here, in other libraries, or get the short form."""
    _user, library = staff_of(request)
    context: dict[str, Any] = {"isbn_form": IsbnForm(), "servers": 0}
    status = 200
    done = request.GET.get("done", "")
    if done.isdigit() and len(done) < 19:
        context["done"] = Record.objects.filter(library=library, pk=int(done)).first()
        wanted = item_ids(request.GET.getlist("item"))
        context["done_items"] = [i.pk for i in context["done"].items.filter(pk__in=wanted)] if context["done"] else []
    if "isbn" in request.GET:
        form = IsbnForm(request.GET)
        context["isbn_form"] = form
        if form.is_valid():
            context.update(_lookup(request, library, form.cleaned_data["isbn"]))
        else:
            status = 400
    template = "catalogue/_isbn_result.html" if request.htmx else "catalogue/isbn.html"
    return render(request, template, context, status=status)


def _lookup(request: HttpRequest, library: Library, isbn: cataloguing.Isbn) -> dict[str, Any]:
    context: dict[str, Any] = {"isbn": isbn}
    local = cataloguing.local_records(library=library, isbn=isbn)
    if local:
        context["local"] = [(record, selectors.record_items(record)) for record in local]
        context["copies_form"] = _copies_form(request, library)
        return context
    manual = request.GET.get("manual") == "1"
    outcome = cataloguing.RemoteOutcome() if manual else cataloguing.remote_lookup(library=library, isbn=isbn)
    context["remote"] = outcome
    context["servers"] = RemoteCatalogue.objects.filter(library=library, enabled=True).count()
    if manual or not outcome.candidates:
        context["record_form"] = RecordForm(initial={"isbn": isbn.isbn13})
        context["copies_form"] = _copies_form(request, library)
    return context


@role_required(*LIBRARY_WORK)
@require_POST
def record_review(request: HttpRequest) -> HttpResponse:
    """核对书目: another library's record, picked from the list, in the form to check and save."""
    _user, library = staff_of(request)
    isbn = _posted_isbn(request)
    try:
        server, incoming = cataloguing.candidate_from_token(request.POST.get("token", ""), isbn=isbn)
    except cataloguing.CatalogueRefused as refusal:
        messages.error(request, refusal.message)
        return redirect("catalogue:isbn")
    context = {
        "record_form": RecordForm(initial=RecordForm.initial_for(incoming)),
        "copies_form": _copies_form(request, library),
        "token": request.POST.get("token", ""),
        "server": server,
        "isbn": isbn,
        "clc": _clc_caption(incoming.clc_class),
    }
    return render(request, "catalogue/record_new.html", context)


def _posted_isbn(request: HttpRequest) -> cataloguing.Isbn | None:
    try:
        return cataloguing.check_isbn(request.POST.get("scanned", "")[:60])
    except cataloguing.CatalogueRefused:
        return None


@role_required(*LIBRARY_WORK)
@require_POST
def record_new(request: HttpRequest) -> HttpResponse:
    """Save the short form or a reviewed record as a new record with its copies."""
    user, library = staff_of(request)
    record_form = RecordForm(request.POST)
    copies_form = _copies_form(request, library, request.POST)
    token = request.POST.get("token", "")
    isbn = _posted_isbn(request)
    server = ""
    if record_form.is_valid() and copies_form.is_valid():
        try:
            base = None
            if token:
                server, base = cataloguing.candidate_from_token(token, isbn=isbn)
            result = cataloguing.catalogue_record(
                library=library,
                incoming=record_form.incoming(base),
                copies=copies_form.cleaned_data["copies"],
                location=copies_form.cleaned_data["location"],
                category=copies_form.cleaned_data["category"],
                batch=copies_form.batch_choice(),
                call_number=record_form.cleaned_data["call_number"],
                source=f"remote:{server}" if server else "hand",
                by=user,
            )
        except cataloguing.CatalogueRefused as refusal:
            field = "call_number" if refusal.code.startswith("call_number") else None
            record_form.add_error(field, refusal.message)
        else:
            _remember_batch(request, result)
            messages.success(request, _saved_message(result))
            new = "".join(f"&item={item.pk}" for item in result.items)
            return redirect(f"{reverse('catalogue:isbn')}?done={result.record.pk}{new}")
    context = {
        "record_form": record_form,
        "copies_form": copies_form,
        "token": token,
        "server": server or request.POST.get("server", ""),
        "isbn": isbn,
        "clc": _clc_caption(record_form.data.get("clc_class", "") if not record_form.errors.get("clc_class") else ""),
    }
    return render(request, "catalogue/record_new.html", context, status=400)


@role_required(*LIBRARY_WORK)
@require_POST
def copies_add(request: HttpRequest, pk: int) -> HttpResponse:
    """Add copies to a record (from its page, or when the scanned ISBN is already here)."""
    user, library = staff_of(request)
    record = get_object_or_404(Record, library=library, pk=pk)
    form = _copies_form(request, library, request.POST)
    back = _next_url(request, reverse("catalogue:record", args=[record.pk]))
    if form.is_valid():
        try:
            result = cataloguing.copies_add(
                record=record,
                copies=form.cleaned_data["copies"],
                location=form.cleaned_data["location"],
                category=form.cleaned_data["category"],
                batch=form.batch_choice(),
                by=user,
            )
        except cataloguing.CatalogueRefused as refusal:
            messages.error(request, refusal.message)
        else:
            _remember_batch(request, result)
            messages.success(request, _saved_message(result))
            return HttpResponseRedirect(back)
    else:
        messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
    return HttpResponseRedirect(back)


@role_required(*LIBRARY_WORK)
@require_GET
def clc_search(request: HttpRequest) -> HttpResponse:
    """The class picker's list: 中图法 classes by code, name, 拼音 or initials, each with its broader classes."""
    query = (request.GET.get("q") or request.GET.get("clc_class") or "")[:50]
    table = load_table()
    found = [(entry, list(reversed(table.parents(entry.code)))) for entry in table.search(query, limit=12)]
    return render(request, "catalogue/_clc_options.html", {"found": found, "query": query})


# -- 书目检索 --------------------------------------------------------------------------------------------------------


@role_required(*LIBRARY_WORK)
@require_GET
def item_list(request: HttpRequest) -> HttpResponse:
    """书目检索 — the staff list of copies, filtered, 50 a page, with boxes to tick for labels and batch edits."""
    _user, library = staff_of(request)
    form = ItemSearchForm(request.GET, library=library)
    status = 200
    if form.is_valid():
        data = form.cleaned_data
        items = selectors.staff_items(
            library=library,
            q=data["q"],
            status=data["status"],
            location_id=data["location"].pk if data["location"] else None,
            batch_id=data["batch"].pk if data["batch"] else None,
        )
    else:
        items = selectors.staff_items(library=library).none()
        status = 400
    page = Paginator(items, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "form": form,
        "page": page,
        "query": query.urlencode(),
        "edit_form": ItemsEditForm(library=library),
        "here": request.get_full_path(),
    }
    return render(request, "catalogue/item_list.html", context, status=status)


# -- a record and its copies ------------------------------------------------------------------------------------------


@role_required(*LIBRARY_WORK)
@require_GET
def record_detail(request: HttpRequest, pk: int) -> HttpResponse:
    _user, library = staff_of(request)
    record = get_object_or_404(Record, library=library, pk=pk)
    context = {
        "record": record,
        "items": selectors.record_items(record),
        "clc": _clc_caption(record.clc_class),
        "copies_form": _copies_form(request, library),
        "edit_form": ItemsEditForm(library=library),
        "here": request.get_full_path(),
    }
    return render(request, "catalogue/record.html", context)


@role_required(*LIBRARY_WORK)
@require_http_methods(["GET", "POST"])
def record_edit(request: HttpRequest, pk: int) -> HttpResponse:
    user, library = staff_of(request)
    record = get_object_or_404(Record, library=library, pk=pk)
    if request.method == "POST":
        form = RecordForm(request.POST)
        if form.is_valid():
            try:
                services.record_update(
                    record=record, changes=form.changes(), renumber=request.POST.get("renumber") == "1", by=user
                )
            except services.EditRefused as refusal:
                field = "call_number" if refusal.code == "call_number_taken" else None
                form.add_error(field, refusal.message)
            else:
                record.refresh_from_db()
                messages.success(
                    request,
                    _("《%(title)s》已保存，索书号 %(call_number)s。")
                    % {"title": record.title, "call_number": record.call_number or "—"},
                )
                return redirect("catalogue:record", pk=record.pk)
    else:
        form = RecordForm(initial=RecordForm.initial_for(record))
    code = form.data.get("clc_class", "") if form.is_bound and not form.errors.get("clc_class") else record.clc_class
    context = {"record": record, "record_form": form, "clc": _clc_caption(code if form.is_bound else record.clc_class)}
    return render(request, "catalogue/record_edit.html", context, status=400 if form.errors else 200)


@role_required(*LIBRARY_WORK)
@require_http_methods(["GET", "POST"])
def item_edit(request: HttpRequest, pk: int) -> HttpResponse:
    user, library = staff_of(request)
    item = selectors.item_detail(library=library, pk=pk)
    if item is None:
        raise Http404
    if request.method == "POST":
        form = ItemForm(request.POST, item=item)
        if form.is_valid():
            try:
                services.item_update(item=item, changes=form.changes(), by=user)
            except services.EditRefused as refusal:
                form.add_error("status" if refusal.code.startswith("status") else None, refusal.message)
            else:
                messages.success(request, _("%(barcode)s 已保存。") % {"barcode": item.barcode})
                return redirect("catalogue:record", pk=item.record_id)
    else:
        form = ItemForm(item=item)
    context = {"item": item, "form": form}
    return render(request, "catalogue/item_edit.html", context, status=400 if form.errors else 200)


@role_required(*LIBRARY_WORK)
@require_http_methods(["GET", "POST"])
def items_edit(request: HttpRequest) -> HttpResponse:
    """批量修改 — the copies ticked on a list get one location, category or status, all or none of them."""
    user, library = staff_of(request)
    source = request.POST if request.method == "POST" else request.GET
    items = selectors.items_by_ids(library=library, ids=item_ids(source.getlist("item")))
    back = _next_url(request, reverse("catalogue:list"))
    apply = request.method == "POST" and source.get("step") != "choose"
    form = ItemsEditForm(source if apply else None, library=library)
    if apply and not items:
        form.add_error(None, _("请先勾选要修改的册。"))
    elif apply and form.is_valid():
        try:
            services.items_update(items=items, changes=form.changes(), by=user)
        except services.EditRefused as refusal:
            form.add_error(None, refusal.message)
        else:
            messages.success(request, _("已修改 %(n)d 册。") % {"n": len(items)})
            return HttpResponseRedirect(back)
    context = {"items": items, "form": form, "back": back}
    return render(request, "catalogue/items_edit.html", context, status=400 if form.errors else 200)


# -- 联合目录设置 (管理员) ---------------------------------------------------------------------------------------------


def _servers_page(
    request: HttpRequest,
    library: Library,
    *,
    form: RemoteCatalogueForm | None = None,
    tested: tuple[RemoteCatalogue, cataloguing.ServerTest] | None = None,
    status: int = 200,
) -> HttpResponse:
    context = {
        "servers": list(RemoteCatalogue.objects.filter(library=library).order_by("position", "pk")),
        "form": form or RemoteCatalogueForm(initial={"enabled": True, "port": 210, "database": "Default"}),
        "tested": tested,
        "test_isbn": cataloguing.TEST_ISBN,
    }
    return render(request, "catalogue/remote_catalogues.html", context, status=status)


def _refused(form: RemoteCatalogueForm, error: ValidationError) -> None:
    for message in error.messages:
        form.add_error(None, message)


@role_required(*SETTINGS)
@require_http_methods(["GET", "POST"])
def remote_list(request: HttpRequest) -> HttpResponse:
    """联合目录设置 — the SRU and Z39.50 servers asked for an ISBN not in the catalogue, in order; add one here."""
    user, library = staff_of(request)
    if request.method == "GET":
        return _servers_page(request, library)
    form = RemoteCatalogueForm(request.POST)
    if form.is_valid():
        try:
            server = cataloguing.remote_catalogue_save(library=library, catalogue=None, values=form.values(), by=user)
        except ValidationError as error:
            _refused(form, error)
        else:
            messages.success(request, _("已添加服务器“%(name)s”。可以点“测试”检查它能否连通。") % {"name": server.name})
            return redirect("remote_catalogues:list")
    return _servers_page(request, library, form=form, status=400)


@role_required(*SETTINGS)
@require_http_methods(["GET", "POST"])
def remote_edit(request: HttpRequest, pk: int) -> HttpResponse:
    user, library = staff_of(request)
    server = get_object_or_404(RemoteCatalogue, library=library, pk=pk)
    if request.method == "POST":
        form = RemoteCatalogueForm(request.POST, keep_password=True)
        if form.is_valid():
            try:
                cataloguing.remote_catalogue_save(library=library, catalogue=server, values=form.values(), by=user)
            except ValidationError as error:
                _refused(form, error)
            else:
                messages.success(request, _("服务器“%(name)s”已保存。") % {"name": server.name})
                return redirect("remote_catalogues:list")
    else:
        initial = {name: getattr(server, name) for name in cataloguing.REMOTE_FIELDS if name != "password"}
        form = RemoteCatalogueForm(initial=initial, keep_password=True)
    status = 400 if form.errors else 200
    return render(request, "catalogue/remote_catalogue_edit.html", {"form": form, "server": server}, status=status)


@role_required(*SETTINGS)
@require_POST
def remote_action(request: HttpRequest, pk: int) -> HttpResponse:
    """上移 / 下移 / 停用 / 启用 / 删除 one server."""
    user, library = staff_of(request)
    server = get_object_or_404(RemoteCatalogue, library=library, pk=pk)
    action = request.POST.get("action", "")
    if action in ("up", "down"):
        cataloguing.remote_catalogue_move(catalogue=server, step=-1 if action == "up" else 1, by=user)
    elif action in ("enable", "disable"):
        cataloguing.remote_catalogue_save(
            library=library, catalogue=server, values={"enabled": action == "enable"}, by=user
        )
        if action == "disable":
            messages.success(request, _("已停用“%(name)s”，编目时不再询问它。") % {"name": server.name})
        else:
            messages.success(request, _("已启用“%(name)s”。") % {"name": server.name})
    elif action == "delete":
        cataloguing.remote_catalogue_delete(catalogue=server, by=user)
        messages.success(request, _("已删除服务器“%(name)s”。") % {"name": server.name})
    else:
        raise Http404
    return redirect("remote_catalogues:list")


@role_required(*SETTINGS)
@require_POST
def remote_test(request: HttpRequest, pk: int) -> HttpResponse:
    """测试: ask the server for a known ISBN and say, in words, whether it answered."""
    _user, library = staff_of(request)
    server = get_object_or_404(RemoteCatalogue, library=library, pk=pk)
    form = ServerTestForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
        return redirect("remote_catalogues:list")
    isbn = cataloguing.check_isbn(form.cleaned_data["isbn"] or cataloguing.TEST_ISBN)
    outcome = cataloguing.remote_catalogue_test(catalogue=server, isbn=isbn)
    return _servers_page(request, library, tested=(server, outcome))
