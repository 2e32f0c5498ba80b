"""What `xiaotu serve` prints under its address: the demo logins, while they still have the demo password."""

from __future__ import annotations

from django.utils.translation import gettext as _

DEMO_PASSWORD = "xiaotu123"
DEMO_LOGINS = [("admin", "管理员"), ("librarian", "馆员"), ("xiaoguan", "学生馆员"), ("teacher", "教师")]


def login_hint() -> str:
    from xiaotu.accounts.models import User

    users = {u.username: u for u in User.objects.filter(username__in=[name for name, _ in DEMO_LOGINS])}
    lines = [
        f"  {role}: {name} / {DEMO_PASSWORD}"
        for name, role in DEMO_LOGINS
        if name in users and users[name].check_password(DEMO_PASSWORD)
    ]
    if not lines:
        return ""
    return "\n".join([_("演示账号（请在正式使用前修改密码）："), *lines])
