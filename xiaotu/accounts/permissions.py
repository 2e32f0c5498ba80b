"""Who may open which page: every view states its roles and the server checks them on every request."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import TYPE_CHECKING, Any, TypeVar, cast

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse

from xiaotu.accounts.models import Role, User

if TYPE_CHECKING:
    from xiaotu.schools.models import Library

ALL_STAFF = (Role.ADMIN, Role.LIBRARIAN, Role.STUDENT_LIBRARIAN, Role.TEACHER)
DESK = (Role.ADMIN, Role.LIBRARIAN, Role.STUDENT_LIBRARIAN)
LIBRARY_WORK = (Role.ADMIN, Role.LIBRARIAN)
SETTINGS = (Role.ADMIN,)

View = TypeVar("View", bound=Callable[..., HttpResponse])


def role_required(*roles: str) -> Callable[[View], View]:
    """Log in first; then 403 unless the user has one of the roles and belongs to a library."""

    def decorator(view: View) -> View:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            user = request.user
            if not user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not user.has_role(*roles) or user.library_id is None:
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return cast(View, wrapped)

    return decorator


def staff_of(request: HttpRequest) -> tuple[User, Library]:
    """The signed-in member of staff and their library, in a view behind role_required (which checked both)."""
    user = request.user
    assert isinstance(user, User) and user.library is not None
    return user, user.library
