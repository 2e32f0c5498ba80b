from __future__ import annotations

from django.http import HttpRequest, HttpResponse

from xiaotu.accounts.models import Role
from xiaotu.accounts.permissions import DESK, role_required


@role_required(*DESK)
def desk(request: HttpRequest) -> HttpResponse:
    return HttpResponse("desk")


@role_required(Role.TEACHER, Role.ADMIN)
def my_class(request: HttpRequest) -> HttpResponse:
    return HttpResponse("my class")
