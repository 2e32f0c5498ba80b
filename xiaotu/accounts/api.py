"""Who is calling the JSON API (a bearer token or the staff session), what their role lets them do, and `/me`."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.conf import settings
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router
from ninja.errors import AuthenticationError, HttpError
from ninja.security import APIKeyCookie, HttpBearer
from ninja.security.base import AuthBase
from ninja.utils import check_csrf

from xiaotu.accounts.models import User
from xiaotu.accounts.permissions import ALL_STAFF, DESK
from xiaotu.accounts.schemas import COMMON_ERRORS, LibraryOut, MeOut
from xiaotu.accounts.services import api_token_user
from xiaotu.schools.models import Library


class ApiError(HttpError):
    """An error the API answers with a stable `code` and a message for people (see xiaotu.api for the body)."""

    def __init__(self, status_code: int, code: str, message: str) -> None:
        super().__init__(status_code, message)
        self.code = code


def require_role(user: User, roles: Sequence[str]) -> User:
    """The user, if their role is one of `roles`; else 403 `forbidden`. Teachers only read; the desk roles write."""
    if not user.has_role(*roles):
        raise ApiError(
            403,
            "forbidden",
            _("你的账号（%(role)s）不能进行这项操作") % {"role": user.get_role_display()},
        )
    return user


class BearerToken(HttpBearer):
    """`Authorization: Bearer xt_…`, a token printed by `xiaotu api-token USERNAME`."""

    def __init__(self, roles: Sequence[str]) -> None:
        self.roles = tuple(roles)
        super().__init__()

    def authenticate(self, request: HttpRequest, token: str) -> User | None:
        user = api_token_user(token)
        if user is None or user.library_id is None:
            return None
        request.user = user
        return require_role(user, self.roles)


class StaffSession(APIKeyCookie):
    """The session of a staff member logged in to xiaotu's own pages; writes also need the CSRF token."""

    param_name = "sessionid"

    def __init__(self, roles: Sequence[str]) -> None:
        self.roles = tuple(roles)
        # CSRF is checked below, and only for a logged-in session: a request with neither token nor session is a 401.
        super().__init__(csrf=False)

    def _get_key(self, request: HttpRequest) -> str | None:
        return request.COOKIES.get(settings.SESSION_COOKIE_NAME)

    def authenticate(self, request: HttpRequest, key: str | None) -> User | None:
        if not key:
            return None  # no session cookie: a token call, which skips the session middleware (xiaotu/wsgi.py)
        user = request.user
        if not isinstance(user, User) or not user.is_active or user.library_id is None:
            return None
        if check_csrf(request) is not None:
            raise ApiError(403, "csrf_failed", _("页面已过期，请刷新页面后重试"))
        return require_role(user, self.roles)


def staff_auth(roles: Sequence[str]) -> list[AuthBase]:
    """The API's two ways in, both limited to staff with one of `roles`."""
    return [BearerToken(roles), StaffSession(roles)]


READ = staff_auth(ALL_STAFF)
DESK_WORK = staff_auth(DESK)


@dataclass(frozen=True)
class Caller:
    """The staff member behind a request and their library: everything the API reads or writes is limited to it."""

    user: User
    library: Library


def api_caller(request: HttpRequest) -> Caller:
    user = request.user
    if not isinstance(user, User) or user.library is None:
        raise AuthenticationError()
    return Caller(user=user, library=user.library)


router = Router(tags=["accounts"])


@router.get("/me", response={200: MeOut, **COMMON_ERRORS}, auth=READ, summary="The caller and their library")
def me(request: HttpRequest) -> MeOut:
    caller = api_caller(request)
    user = caller.user
    return MeOut(
        username=user.username,
        name=str(user),
        role=user.role,
        library=LibraryOut(code=caller.library.code, name=caller.library.name),
    )
