"""The JSON API under /api/v1/: one NinjaAPI, a router per app, and one error body — `{"code", "message"}` — for all.

Status codes: 400 malformed_json · 401 unauthorized · 403 forbidden / csrf_failed · 404 reader_not_found,
item_not_found, record_not_found, hold_not_found, not_found · 409 the service's refusal code (LoanRefused) ·
413 request_too_large · 422 invalid_input (with `errors`, one per field) · 503 busy · 500 internal_error, the last
resort, logged.
"""

from __future__ import annotations

import contextlib
import logging
from typing import Any

from django.core.exceptions import RequestDataTooBig, SuspiciousOperation
from django.db import OperationalError
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext
from ninja import NinjaAPI, Router
from ninja.errors import HttpError, ValidationError

from xiaotu.accounts.api import READ, ApiError
from xiaotu.accounts.api import router as accounts_router
from xiaotu.catalogue.api import router as catalogue_router
from xiaotu.circulation.api import router as circulation_router
from xiaotu.circulation.errors import LoanRefused
from xiaotu.circulation.holds_api import router as holds_router
from xiaotu.readers.api import router as readers_router
from xiaotu.search.api import router as search_router
from xiaotu.stocktake.api import router as stocktake_router

logger = logging.getLogger(__name__)

api = NinjaAPI(
    title="xiaotu API",
    version="1",
    description="校图 JSON API. `Authorization: Bearer TOKEN` with a token from `xiaotu api-token USERNAME`.",
    urls_namespace="api",
    auth=READ,
)
api.add_router("/", accounts_router)
api.add_router("/circulation/", circulation_router)
api.add_router("/circulation/holds", holds_router)
api.add_router("/readers", readers_router)
api.add_router("/items", catalogue_router)
api.add_router("/stocktakes", stocktake_router)
api.add_router("/", search_router)

# Unknown barcodes are not found; every other refusal is a conflict with the state of the library.
NOT_FOUND_CODES = {"reader_not_found", "item_not_found", "record_not_found", "hold_not_found"}

# Errors ninja raises as a bare HttpError, by status; it raises a 400 only when the body is not JSON.
HTTP_ERRORS = {
    400: ("malformed_json", gettext_lazy("请求内容不是有效的 JSON")),
    401: ("unauthorized", gettext_lazy("请提供有效的 API 令牌（Authorization: Bearer 令牌）")),
    403: ("forbidden", gettext_lazy("没有权限进行这项操作")),
    404: ("not_found", gettext_lazy("没有这个地址")),
    429: ("throttled", gettext_lazy("请求太频繁，请稍后再试")),
}

# Why a field failed, by pydantic error type; `%(…)s` come from the error's context.
FIELD_MESSAGES = {
    "missing": gettext_lazy("缺少这一项"),
    "extra_forbidden": gettext_lazy("不认识这一项"),
    "model_type": gettext_lazy("应为 JSON 对象"),
    "model_attributes_type": gettext_lazy("应为 JSON 对象"),
    "dict_type": gettext_lazy("应为 JSON 对象"),
    "string_type": gettext_lazy("应为文本"),
    "string_unicode": gettext_lazy("不是有效的文本"),
    "string_too_short": gettext_lazy("不能为空"),
    "string_too_long": gettext_lazy("不能超过 %(max_length)s 个字符"),
    "barcode_characters": gettext_lazy("条码中不能有不可见字符或控制字符"),
    "control_characters": gettext_lazy("不能包含控制字符"),
    "int_type": gettext_lazy("应为整数"),
    "int_parsing": gettext_lazy("应为整数"),
    "int_from_float": gettext_lazy("应为整数"),
    "greater_than_equal": gettext_lazy("不能小于 %(ge)s"),
    "less_than_equal": gettext_lazy("不能大于 %(le)s"),
    "enum": gettext_lazy("应为以下之一：%(expected)s"),
    "one_title": gettext_lazy("请给出书目编号 record 或图书条码 item，二者选一"),
}


def error_response(request: HttpRequest, status: int, code: str, message: str, **extra: Any) -> HttpResponse:
    return api.create_response(request, {"code": code, "message": message, **extra}, status=status)


@api.exception_handler(LoanRefused)
def loan_refused(request: HttpRequest, exc: LoanRefused) -> HttpResponse:
    return error_response(request, 404 if exc.code in NOT_FOUND_CODES else 409, exc.code, exc.message)


def _field_error(error: dict[str, Any]) -> dict[str, str]:
    source, *path = [str(part) for part in error["loc"]]
    if source == "body":
        path = path[1:]  # the handler's parameter name (payload), which the client never sees
    message = str(error["msg"])
    if template := FIELD_MESSAGES.get(error["type"]):
        # A context this table did not expect keeps pydantic's own words.
        with contextlib.suppress(KeyError, TypeError, ValueError):
            message = str(template) % error.get("ctx", {})
    return {"field": ".".join(path) or source, "type": error["type"], "message": message}


@api.exception_handler(ValidationError)
def invalid_input(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    errors = [_field_error(error) for error in exc.errors]
    colon, semicolon = pgettext("label separator", "："), pgettext("list separator", "；")
    summary = semicolon.join(f"{e['field']}{colon}{e['message']}" for e in errors[:5])
    return error_response(
        request, 422, "invalid_input", _("请求数据有误：%(errors)s") % {"errors": summary}, errors=errors
    )


@api.exception_handler(HttpError)
def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    if isinstance(exc, ApiError):
        return error_response(request, exc.status_code, exc.code, exc.message)
    code, message = HTTP_ERRORS.get(exc.status_code, ("http_error", exc.message))
    response = error_response(request, exc.status_code, code, str(message))
    if exc.status_code == 401:
        response["WWW-Authenticate"] = 'Bearer realm="xiaotu"'
    return response


@api.exception_handler(Http404)
def not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return error_response(request, 404, "not_found", str(HTTP_ERRORS[404][1]))


@api.exception_handler(RequestDataTooBig)
def too_large(request: HttpRequest, exc: RequestDataTooBig) -> HttpResponse:
    return error_response(request, 413, "request_too_large", _("请求内容太大"))


@api.exception_handler(SuspiciousOperation)
def suspicious(request: HttpRequest, exc: SuspiciousOperation) -> HttpResponse:
    logger.warning("API request refused as suspicious: %s", exc)
    return error_response(request, 400, "bad_request", _("请求无效"))


@api.exception_handler(OperationalError)
def busy(request: HttpRequest, exc: OperationalError) -> HttpResponse:
    # A lock that timed out or a deadlock that was broken: nothing was written, and the same request may succeed now.
    logger.exception("API request failed in the database")
    return error_response(request, 503, "busy", _("系统繁忙，请稍后重试"))


@api.exception_handler(Exception)
def internal_error(request: HttpRequest, exc: Exception) -> HttpResponse:
    """The last resort: a bug. Logged with its traceback; the client gets JSON, never Django's HTML page."""
    logger.exception("API request failed: %s %s", request.method, request.path)
    return error_response(request, 500, "internal_error", _("服务器内部错误，已记录，请联系管理员"))


# Registered last, so that only paths no router knows reach it: JSON clients get JSON for a wrong URL too.
unknown = Router()


@unknown.api_operation(["GET", "POST", "PUT", "PATCH", "DELETE"], "/{path:rest}", auth=None, include_in_schema=False)
def unknown_path(request: HttpRequest, rest: str) -> HttpResponse:
    raise Http404


api.add_router("/", unknown)
