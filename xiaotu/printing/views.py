"""打印标签 and 标签纸设置: spine and barcode labels as PDF for the browser's print dialog, and the label sheets."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.forms.models import model_to_dict
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from xiaotu.accounts.permissions import LIBRARY_WORK, SETTINGS, role_required, staff_of
from xiaotu.catalogue.forms import item_ids
from xiaotu.catalogue.models import Item
from xiaotu.intake.models import LabelLayout
from xiaotu.printing import services
from xiaotu.printing.forms import LabelForm, LayoutForm, PresetForm
from xiaotu.printing.labels import LabelError
from xiaotu.schools.models import Library


def _pdf(data: bytes, filename: str) -> HttpResponse:
    """Inline, so the browser opens its viewer and the librarian prints from there."""
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response


def _items(library: Library, form: LabelForm, selection: list[int]) -> list[Item]:
    data = form.cleaned_data
    if data["source"] == "batch":
        return services.items_in_batch(library=library, batch=data["batch"])
    if data["source"] == "range":
        return services.items_in_range(library=library, first=data["first"], last=data["last"])
    return services.items_selected(library=library, ids=selection)


@role_required(*LIBRARY_WORK)
@require_http_methods(["GET", "POST"])
def labels(request: HttpRequest) -> HttpResponse:
    """打印标签 — choose the copies and the sheet; the answer is the PDF itself, or the form saying what is wrong.

    Lists send the ticked copies here (POST without `print`, or GET ?item=…) to fill the form in first.
    """
    _user, library = staff_of(request)
    source = request.POST if request.method == "POST" else request.GET
    selection = item_ids(source.getlist("item"))
    options = services.label_options(library=library)
    kind = str(source.get("kind", ""))
    kind = kind if kind in (LabelLayout.Kind.SPINE, LabelLayout.Kind.BARCODE) else str(LabelLayout.Kind.SPINE)
    initial: dict[str, Any] = {
        "kind": kind,
        "source": "selection" if selection else "batch",
        "layout": services.default_layout(library=library, kind=kind),
        "school_name": library.name,
        "start": 1,
    }
    if source.get("batch", "").isdigit():
        initial["batch"] = source["batch"]
    printing = request.method == "POST" and source.get("print") == "1"
    form = LabelForm(source if printing else None, library=library, layouts=options, initial=initial)
    if printing and form.is_valid():
        data = form.cleaned_data
        try:
            layout = services.resolve_layout(library=library, value=data["layout"])
            items = _items(library, form, selection)
            pdf = services.labels_pdf(
                kind=data["kind"], items=items, layout=layout, start=data["start"], school_name=data["school_name"]
            )
        except (LabelError, ValidationError) as error:
            for message in error.messages if isinstance(error, ValidationError) else [str(error)]:
                form.add_error(None, message)
        else:
            return _pdf(pdf, f"{'spine' if data['kind'] == LabelLayout.Kind.SPINE else 'barcode'}-labels.pdf")
    selected = services.items_selected(library=library, ids=selection) if selection else []
    context = {"form": form, "selected": selected, "layouts": options}
    return render(request, "printing/labels.html", context, status=400 if form.errors else 200)


# -- 标签纸设置 (管理员) -----------------------------------------------------------------------------------------------


@role_required(*SETTINGS)
@require_http_methods(["GET", "POST"])
def layout_list(request: HttpRequest) -> HttpResponse:
    """标签纸设置 — the library's label sheets; a new one starts from a common product and is then adjusted."""
    user, library = staff_of(request)
    form = PresetForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            layout = services.layout_from_preset(
                library=library, key=form.cleaned_data["preset"], name=form.cleaned_data["name"], by=user
            )
        except ValidationError as error:
            for message in error.messages:
                form.add_error(None, message)
        else:
            messages.success(request, _("已添加标签纸“%(name)s”，请核对尺寸后试印一张。") % {"name": layout.name})
            return redirect("label_layouts:edit", pk=layout.pk)
    layouts = list(LabelLayout.objects.filter(library=library).order_by("kind", "-is_default", "name"))
    context = {"layouts": layouts, "form": form}
    return render(request, "printing/layouts.html", context, status=400 if form.errors else 200)


@role_required(*SETTINGS)
@require_http_methods(["GET", "POST"])
def layout_edit(request: HttpRequest, pk: int) -> HttpResponse:
    user, library = staff_of(request)
    layout = get_object_or_404(LabelLayout, library=library, pk=pk)
    if request.method == "POST":
        form = LayoutForm(request.POST)
        if form.is_valid():
            try:
                services.layout_save(library=library, layout=layout, values=form.values(), by=user)
            except ValidationError as error:
                for message in error.messages:
                    form.add_error(None, message)
            else:
                messages.success(request, _("标签纸“%(name)s”已保存。") % {"name": layout.name})
                return redirect("label_layouts:edit", pk=layout.pk)
    else:
        form = LayoutForm(initial=model_to_dict(layout, fields=list(services.LAYOUT_FIELDS)))
    status = 400 if form.errors else 200
    return render(request, "printing/layout_edit.html", {"form": form, "layout": layout}, status=status)


@role_required(*SETTINGS)
@require_GET
def layout_test(request: HttpRequest, pk: int) -> HttpResponse:
    """试印: a sheet of sample labels with their outlines, to hold against the label paper."""
    _user, library = staff_of(request)
    layout = get_object_or_404(LabelLayout, library=library, pk=pk)
    try:
        pdf = services.sample_sheet_pdf(
            layout=services.sheet_layout(layout), kind=layout.kind, school_name=library.name
        )
    except (LabelError, ValidationError) as error:
        for message in error.messages if isinstance(error, ValidationError) else [str(error)]:
            messages.error(request, message)
        return redirect("label_layouts:edit", pk=layout.pk)
    return _pdf(pdf, "test-sheet.pdf")


@role_required(*SETTINGS)
@require_POST
def layout_delete(request: HttpRequest, pk: int) -> HttpResponse:
    user, library = staff_of(request)
    layout = get_object_or_404(LabelLayout, library=library, pk=pk)
    services.layout_delete(layout=layout, by=user)
    messages.success(request, _("已删除标签纸“%(name)s”。") % {"name": layout.name})
    return redirect("label_layouts:list")
