from __future__ import annotations

from django.contrib.auth import views as auth_views
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

from xiaotu.accounts.forms import LoginForm
from xiaotu.accounts.models import Role


class LoginView(auth_views.LoginView):
    form_class = LoginForm
    template_name = "accounts/login.html"
    redirect_authenticated_user = True


def home(request: HttpRequest) -> HttpResponse:
    """Send each role to the page it works on."""
    if not request.user.is_authenticated:
        return redirect("accounts:login")
    if request.user.role == Role.TEACHER and not request.user.is_superuser:
        return redirect("circulation:my_class")
    return redirect("circulation:desk")
