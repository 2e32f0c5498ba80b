"""Staff accounts with their role, API tokens, and the audit log every service writes to."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _

from xiaotu.schools.models import Library


class Role(models.TextChoices):
    ADMIN = "admin", _("管理员")
    LIBRARIAN = "librarian", _("馆员")
    STUDENT_LIBRARIAN = "student_librarian", _("学生馆员")
    TEACHER = "teacher", _("教师")


class User(AbstractUser):
    """A staff login. Pupils never log in here; they are readers (readers.Reader)."""

    library = models.ForeignKey(
        Library, on_delete=models.PROTECT, null=True, blank=True, related_name="staff", verbose_name=_("图书馆")
    )
    role = models.CharField(_("角色"), max_length=32, choices=Role.choices, default=Role.LIBRARIAN)
    display_name = models.CharField(_("姓名"), max_length=50, blank=True)

    class Meta:
        verbose_name = _("工作人员")
        verbose_name_plural = _("工作人员")

    def __str__(self) -> str:
        return self.display_name or self.username

    def has_role(self, *roles: str) -> bool:
        return self.is_active and (self.is_superuser or self.role in roles)


class ApiToken(models.Model):
    """A bearer token for the JSON API. Only its SHA-256 is stored; the token itself is shown once."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("名称"), max_length=100, blank=True)
    digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("API 令牌")
        verbose_name_plural = _("API 令牌")

    def __str__(self) -> str:
        return f"{self.user} {self.name}"


class AuditEvent(models.Model):
    """审计日志 — one row for every change to loans, items and readers, written in the same transaction."""

    # Not indexed alone: the log is read by object or by time, and every desk scan writes each index.
    library = models.ForeignKey(Library, on_delete=models.PROTECT, related_name="+", db_index=False)
    at = models.DateTimeField(db_index=True)
    actor = models.ForeignKey(User, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    action = models.CharField(max_length=50)
    object_type = models.CharField(max_length=50)
    object_id = models.BigIntegerField()
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = _("审计记录")
        verbose_name_plural = _("审计记录")
        indexes = [models.Index(fields=["object_type", "object_id"], name="audit_object_idx")]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.action} {self.object_type}#{self.object_id}"

    def summary(self) -> dict[str, Any]:
        return {"action": self.action, "object": f"{self.object_type}#{self.object_id}", **self.data}
