"""The JSON API under /api/v1/: one NinjaAPI, a router per app, bearer tokens or the staff session."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import NinjaAPI
from ninja.security import HttpBearer

from xiaotu.accounts.services import api_token_user


class TokenAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> Any:
        user = api_token_user(token)
        if user is None or user.library_id is None:
            return None
        request.user = user
        return user


api = NinjaAPI(title="xiaotu API", version="1", urls_namespace="api", auth=TokenAuth())
