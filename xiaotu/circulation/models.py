"""Loan rules (reader type × item category) and loans, open and returned in one table."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from xiaotu.catalogue.models import Item, ItemCategory, Record
from xiaotu.readers.models import Reader, ReaderType, SchoolClass
from xiaotu.schools.models import Library


class LoanRule(models.Model):
    """借阅规则 — one cell of the matrix: how this reader type may borrow this category."""

    library = models.ForeignKey(Library, on_delete=models.PROTECT, related_name="loan_rules")
    reader_type = models.ForeignKey(ReaderType, on_delete=models.CASCADE, verbose_name=_("读者类型"))
    item_category = models.ForeignKey(ItemCategory, on_delete=models.CASCADE, verbose_name=_("流通类型"))
    loan_days = models.PositiveSmallIntegerField(_("借期(天)"), default=30)
    max_loans = models.PositiveSmallIntegerField(_("可借册数"), default=2)
    max_renewals = models.PositiveSmallIntegerField(_("可续借次数"), default=1)
    overdue_blocks = models.BooleanField(_("有超期时停止借书"), default=True)

    class Meta:
        verbose_name = _("借阅规则")
        verbose_name_plural = _("借阅规则")
        constraints = [
            models.UniqueConstraint(fields=["reader_type", "item_category"], name="loan_rule_cell_unique"),
            models.CheckConstraint(condition=models.Q(loan_days__gte=1), name="loan_rule_days_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.reader_type} × {self.item_category}"


class LoanCap(models.Model):
    """总借阅量 — how many books a reader type may hold at once across all categories."""

    library = models.ForeignKey(Library, on_delete=models.PROTECT, related_name="loan_caps")
    reader_type = models.OneToOneField(ReaderType, on_delete=models.CASCADE, verbose_name=_("读者类型"))
    max_total = models.PositiveSmallIntegerField(_("合计可借册数"), default=3)

    class Meta:
        verbose_name = _("总借阅量")
        verbose_name_plural = _("总借阅量")

    def __str__(self) -> str:
        return f"{self.reader_type}: {self.max_total}"


class Loan(models.Model):
    """借阅 — open while returned_at is empty; the database allows one open loan per item."""

    # Every index is written on every check-out, so none is kept that another covers: library and reader are the
    # first columns of the indexes below, and nothing looks loans up by who lent them.
    library = models.ForeignKey(Library, on_delete=models.PROTECT, related_name="loans", db_index=False)
    item = models.ForeignKey(Item, on_delete=models.PROTECT, related_name="loans", verbose_name=_("册"))
    reader = models.ForeignKey(
        Reader, on_delete=models.PROTECT, related_name="loans", verbose_name=_("读者"), db_index=False
    )
    issued_at = models.DateTimeField(_("借出时间"))
    due_on = models.DateField(_("应还日期"))
    returned_at = models.DateTimeField(_("归还时间"), null=True, blank=True)
    renewals = models.PositiveSmallIntegerField(_("续借次数"), default=0)
    # Closed because the book was lost (丢失登记), not brought back: returned_at is when the loss was recorded.
    lost = models.BooleanField(_("丢失"), default=False)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+", db_index=False
    )
    returned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("借阅")
        verbose_name_plural = _("借阅")
        constraints = [
            models.UniqueConstraint(
                fields=["item"], condition=models.Q(returned_at__isnull=True), name="loan_one_open_per_item"
            ),
            models.CheckConstraint(
                condition=models.Q(returned_at__isnull=True) | models.Q(returned_at__gte=models.F("issued_at")),
                name="loan_returned_after_issued",
            ),
        ]
        indexes = [
            models.Index(fields=["reader", "returned_at"], name="loan_reader_open_idx"),
            models.Index(fields=["library", "issued_at"], name="loan_issued_idx"),
            models.Index(
                fields=["library", "due_on"], condition=models.Q(returned_at__isnull=True), name="loan_open_due_idx"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.item.barcode} → {self.reader.name}"

    @property
    def is_open(self) -> bool:
        return self.returned_at is None

    def days_overdue(self, on: dt.date) -> int:
        """Whole days past the due date on the given day (0 when not late)."""
        return max(0, (on - self.due_on).days)


class CirculationSettings(models.Model):
    """流通设置 — one library's numbers for holds, compensation and fines (defaults when the row is missing)."""

    library = models.OneToOneField(Library, on_delete=models.CASCADE, related_name="circulation_settings")
    hold_pickup_days = models.PositiveSmallIntegerField(_("预约保留天数"), default=7)
    hold_limit = models.PositiveSmallIntegerField(_("每位读者可预约种数"), default=3)
    compensation_factor = models.DecimalField(
        _("赔偿倍数"),
        max_digits=4,
        decimal_places=2,
        default=Decimal("1.00"),
        help_text=_("丢失或损坏时按定价的几倍赔偿。"),
    )
    # Most schools charge nothing for lateness: 0 turns the fine off.
    fine_per_day = models.DecimalField(_("超期每天罚款（元）"), max_digits=6, decimal_places=2, default=Decimal("0.00"))
    owing_limit = models.DecimalField(
        _("欠款上限（元）"),
        max_digits=8,
        decimal_places=2,
        default=Decimal("0.00"),
        help_text=_("读者未付的赔偿和罚款超过这个数时，不能再借书。"),
    )

    class Meta:
        verbose_name = _("流通设置")
        verbose_name_plural = _("流通设置")
        constraints = [
            models.CheckConstraint(condition=models.Q(hold_pickup_days__gte=1), name="settings_pickup_days_positive"),
            models.CheckConstraint(condition=models.Q(compensation_factor__gt=0), name="settings_factor_positive"),
            models.CheckConstraint(condition=models.Q(fine_per_day__gte=0), name="settings_fine_not_negative"),
            models.CheckConstraint(condition=models.Q(owing_limit__gte=0), name="settings_limit_not_negative"),
        ]

    def __str__(self) -> str:
        return str(self.library)


class Hold(models.Model):
    """预约 — a reader waits for any copy of a title; a returned copy is kept for them on the hold shelf.

    waiting → ready (a copy assigned, to be fetched by pickup_by) → fulfilled (lent to them), or expired / cancelled.
    The hold-shelf state lives here, not on the item: the copy itself stays 在架 and only this row says whose it is.
    """

    class Status(models.TextChoices):
        WAITING = "waiting", _("排队中")
        READY = "ready", _("已到书，待取")
        FULFILLED = "fulfilled", _("已借出")
        EXPIRED = "expired", _("过期未取")
        CANCELLED = "cancelled", _("已取消")

    library = models.ForeignKey(Library, on_delete=models.PROTECT, related_name="holds")
    record = models.ForeignKey(Record, on_delete=models.PROTECT, related_name="holds", verbose_name=_("书目"))
    reader = models.ForeignKey(Reader, on_delete=models.PROTECT, related_name="holds", verbose_name=_("读者"))
    status = models.CharField(_("状态"), max_length=16, choices=Status.choices, default=Status.WAITING)
    placed_at = models.DateTimeField(_("预约时间"))
    item = models.ForeignKey(
        Item, on_delete=models.PROTECT, null=True, blank=True, related_name="holds", verbose_name=_("保留的册")
    )
    ready_at = models.DateTimeField(_("到书时间"), null=True, blank=True)
    pickup_by = models.DateField(_("保留至"), null=True, blank=True)
    closed_at = models.DateTimeField(_("结束时间"), null=True, blank=True)
    placed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("预约")
        verbose_name_plural = _("预约")
        constraints = [
            models.UniqueConstraint(
                fields=["reader", "record"],
                condition=models.Q(status__in=["waiting", "ready"]),
                name="hold_one_active_per_reader_record",
            ),
            models.UniqueConstraint(
                fields=["item"], condition=models.Q(status="ready"), name="hold_one_ready_per_item"
            ),
            models.CheckConstraint(
                condition=~models.Q(status="ready") | models.Q(item__isnull=False, pickup_by__isnull=False),
                name="hold_ready_has_item",
            ),
        ]
        indexes = [
            # The return desk's one question: who waits first for this title?
            models.Index(
                fields=["record", "placed_at", "id"], condition=models.Q(status="waiting"), name="hold_queue_idx"
            ),
            models.Index(fields=["library", "status", "pickup_by"], name="hold_status_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.reader} → {self.record}"

    @property
    def is_active(self) -> bool:
        return self.status in (self.Status.WAITING, self.Status.READY)


class ReaderNotice(models.Model):
    """读者通知 — something the reader is told (your hold is ready, it expired); the OPAC shows them."""

    class Kind(models.TextChoices):
        HOLD_READY = "hold_ready", _("预约到书")
        HOLD_EXPIRED = "hold_expired", _("预约过期")
        HOLD_CANCELLED = "hold_cancelled", _("预约取消")

    library = models.ForeignKey(Library, on_delete=models.PROTECT, related_name="+")
    reader = models.ForeignKey(Reader, on_delete=models.CASCADE, related_name="notices", verbose_name=_("读者"))
    kind = models.CharField(_("类型"), max_length=32, choices=Kind.choices)
    hold = models.ForeignKey(Hold, on_delete=models.CASCADE, null=True, blank=True, related_name="notices")
    text = models.CharField(_("内容"), max_length=500)
    created_at = models.DateTimeField(_("时间"))
    read_at = models.DateTimeField(_("已读时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("读者通知")
        verbose_name_plural = _("读者通知")
        indexes = [models.Index(fields=["reader", "created_at"], name="notice_reader_idx")]

    def __str__(self) -> str:
        return self.text


class InRoomUse(models.Model):
    """馆内阅览 — a reference book or current periodical read in the room: scanned at the desk instead of lent."""

    library = models.ForeignKey(Library, on_delete=models.PROTECT, related_name="+")
    item = models.ForeignKey(Item, on_delete=models.PROTECT, related_name="in_room_uses", verbose_name=_("册"))
    reader = models.ForeignKey(
        Reader, on_delete=models.PROTECT, null=True, blank=True, related_name="in_room_uses", verbose_name=_("读者")
    )
    at = models.DateTimeField(_("时间"))
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+")

    class Meta:
        verbose_name = _("馆内阅览")
        verbose_name_plural = _("馆内阅览")
        indexes = [models.Index(fields=["library", "at"], name="in_room_use_at_idx")]

    def __str__(self) -> str:
        return f"{self.item_id} @ {self.at:%Y-%m-%d}"


class Shelving(models.Model):
    """归架 — a book handed in that was not on loan (read in the room, left on a table): put back on the shelf."""

    library = models.ForeignKey(Library, on_delete=models.PROTECT, related_name="+")
    item = models.ForeignKey(Item, on_delete=models.PROTECT, related_name="shelvings", verbose_name=_("册"))
    at = models.DateTimeField(_("时间"))
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+")

    class Meta:
        verbose_name = _("归架")
        verbose_name_plural = _("归架")
        indexes = [models.Index(fields=["library", "at"], name="shelving_at_idx")]

    def __str__(self) -> str:
        return f"{self.item_id} @ {self.at:%Y-%m-%d}"


class NoticeChannels(models.Model):
    """通知设置 — where the daily overdue notices by class go: e-mail over the school's SMTP, a chat-group robot."""

    class Security(models.TextChoices):
        NONE = "none", _("不加密")
        STARTTLS = "starttls", "STARTTLS"
        SSL = "ssl", "SSL/TLS"

    class WebhookFormat(models.TextChoices):
        TEXT = "text", _("文本（企业微信、钉钉通用）")
        WECOM_MARKDOWN = "wecom_markdown", _("企业微信 Markdown")
        DINGTALK_MARKDOWN = "dingtalk_markdown", _("钉钉 Markdown")

    library = models.OneToOneField(Library, on_delete=models.CASCADE, related_name="notice_channels")
    send_hour = models.PositiveSmallIntegerField(_("每天发送时间（点）"), default=8)
    email_enabled = models.BooleanField(_("发送电子邮件"), default=False)
    smtp_host = models.CharField(_("SMTP 服务器"), max_length=200, blank=True)
    smtp_port = models.PositiveIntegerField(_("端口"), default=465)
    smtp_security = models.CharField(_("加密方式"), max_length=16, choices=Security.choices, default=Security.SSL)
    smtp_username = models.CharField(_("用户名"), max_length=200, blank=True)
    # Kept as typed: the job must log in with it. Only administrators see the settings page.
    smtp_password = models.CharField(_("密码"), max_length=200, blank=True)
    from_address = models.EmailField(_("发件人地址"), blank=True)
    email_class_teachers = models.BooleanField(_("发给各班班主任"), default=True)
    extra_recipients = models.TextField(_("另外抄送"), blank=True, help_text=_("每行一个电子邮件地址，例如教导处。"))
    webhook_enabled = models.BooleanField(_("发送到群机器人"), default=False)
    webhook_url = models.URLField(_("机器人 Webhook 地址"), max_length=500, blank=True)
    webhook_format = models.CharField(
        _("消息格式"), max_length=24, choices=WebhookFormat.choices, default=WebhookFormat.TEXT
    )

    class Meta:
        verbose_name = _("通知设置")
        verbose_name_plural = _("通知设置")
        constraints = [models.CheckConstraint(condition=models.Q(send_hour__lte=23), name="notice_send_hour_valid")]

    def __str__(self) -> str:
        return str(self.library)

    def extra_addresses(self) -> list[str]:
        return [line.strip() for line in self.extra_recipients.replace(",", "\n").splitlines() if line.strip()]


class NoticeRun(models.Model):
    """One sending of the overdue notices on one channel: what went out, or why not; at most one success a day."""

    class Channel(models.TextChoices):
        EMAIL = "email", _("电子邮件")
        WEBHOOK = "webhook", _("群机器人")

    library = models.ForeignKey(Library, on_delete=models.CASCADE, related_name="+")
    day = models.DateField(_("日期"))
    channel = models.CharField(_("渠道"), max_length=16, choices=Channel.choices)
    ok = models.BooleanField(_("成功"))
    classes = models.PositiveIntegerField(_("班级数"), default=0)
    detail = models.CharField(_("说明"), max_length=500, blank=True)
    at = models.DateTimeField(_("时间"))

    class Meta:
        verbose_name = _("通知发送记录")
        verbose_name_plural = _("通知发送记录")
        constraints = [
            models.UniqueConstraint(
                fields=["library", "day", "channel"], condition=models.Q(ok=True), name="notice_run_once_a_day"
            )
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.channel}"


class Compensation(models.Model):
    """赔偿 — what a reader owes for a lost or damaged book (price × the library's factor), or a fine for lateness.

    owed → paid (money taken), waived (减免), or replaced (the reader brought a copy of the same book).
    """

    class Kind(models.TextChoices):
        LOST = "lost", _("丢失")
        DAMAGED = "damaged", _("损坏")
        FINE = "fine", _("超期罚款")

    class Status(models.TextChoices):
        OWED = "owed", _("未付")
        PAID = "paid", _("已付")
        WAIVED = "waived", _("已减免")
        REPLACED = "replaced", _("已赔书")

    library = models.ForeignKey(Library, on_delete=models.PROTECT, related_name="+")
    reader = models.ForeignKey(Reader, on_delete=models.PROTECT, related_name="compensations", verbose_name=_("读者"))
    item = models.ForeignKey(Item, on_delete=models.PROTECT, related_name="compensations", verbose_name=_("册"))
    loan = models.ForeignKey(Loan, on_delete=models.PROTECT, null=True, blank=True, related_name="compensations")
    kind = models.CharField(_("类型"), max_length=16, choices=Kind.choices)
    amount = models.DecimalField(_("金额（元）"), max_digits=8, decimal_places=2)
    # How the amount was reached, kept because the price and the factor may change later.
    basis = models.CharField(_("计算方法"), max_length=200, blank=True)
    status = models.CharField(_("状态"), max_length=16, choices=Status.choices, default=Status.OWED)
    note = models.CharField(_("备注"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("登记时间"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    settled_at = models.DateTimeField(_("处理时间"), null=True, blank=True)
    settled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("赔偿")
        verbose_name_plural = _("赔偿")
        constraints = [models.CheckConstraint(condition=models.Q(amount__gte=0), name="compensation_not_negative")]
        indexes = [
            # Every check-out asks what the reader still owes.
            models.Index(fields=["reader"], condition=models.Q(status="owed"), name="compensation_owed_idx"),
            models.Index(fields=["library", "status", "created_at"], name="compensation_status_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.reader} {self.amount}"


class GradeLimit(models.Model):
    """按年级限借 — younger pupils fewer books: for a reader type in a range of grades, lower caps than the matrix.

    Only ever lowers: the matrix holds the most any pupil may take, and a grade range takes it down.
    """

    library = models.ForeignKey(Library, on_delete=models.PROTECT, related_name="+")
    reader_type = models.ForeignKey(ReaderType, on_delete=models.CASCADE, verbose_name=_("读者类型"))
    grade_from = models.PositiveSmallIntegerField(_("从年级"))
    grade_to = models.PositiveSmallIntegerField(_("到年级"))
    max_total = models.PositiveSmallIntegerField(_("合计可借册数"), null=True, blank=True)
    max_loans = models.PositiveSmallIntegerField(_("每类可借册数"), null=True, blank=True)

    class Meta:
        verbose_name = _("按年级限借")
        verbose_name_plural = _("按年级限借")
        ordering = ["reader_type_id", "grade_from"]
        constraints = [
            models.CheckConstraint(condition=models.Q(grade_to__gte=models.F("grade_from")), name="grade_limit_range"),
        ]

    def __str__(self) -> str:
        return f"{self.reader_type} {self.grade_from}–{self.grade_to}"


class ClassSlot(models.Model):
    """借阅时间表 — a class's weekly time to come and borrow (每班每周至少一次)."""

    class Weekday(models.IntegerChoices):
        MONDAY = 1, _("星期一")
        TUESDAY = 2, _("星期二")
        WEDNESDAY = 3, _("星期三")
        THURSDAY = 4, _("星期四")
        FRIDAY = 5, _("星期五")
        SATURDAY = 6, _("星期六")
        SUNDAY = 7, _("星期日")

    library = models.ForeignKey(Library, on_delete=models.PROTECT, related_name="+")
    school_class = models.ForeignKey(
        SchoolClass, on_delete=models.CASCADE, related_name="borrowing_slots", verbose_name=_("班级")
    )
    weekday = models.PositiveSmallIntegerField(_("星期"), choices=Weekday.choices)
    starts_at = models.TimeField(_("开始时间"))
    ends_at = models.TimeField(_("结束时间"))

    class Meta:
        verbose_name = _("借阅时间")
        verbose_name_plural = _("借阅时间表")
        ordering = ["weekday", "starts_at"]
        constraints = [
            models.CheckConstraint(condition=models.Q(ends_at__gt=models.F("starts_at")), name="class_slot_ordered"),
            models.UniqueConstraint(fields=["school_class", "weekday", "starts_at"], name="class_slot_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.school_class} {self.get_weekday_display()} {self.starts_at:%H:%M}"


class ClassVisit(models.Model):
    """班级借阅 — a class came to borrow on a day (a class session at the desk); counted against 每周至少一次."""

    library = models.ForeignKey(Library, on_delete=models.PROTECT, related_name="+")
    school_class = models.ForeignKey(
        SchoolClass, on_delete=models.PROTECT, related_name="visits", verbose_name=_("班级")
    )
    day = models.DateField(_("日期"))
    started_at = models.DateTimeField(_("开始时间"))
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+")

    class Meta:
        verbose_name = _("班级借阅")
        verbose_name_plural = _("班级借阅")
        constraints = [models.UniqueConstraint(fields=["school_class", "day"], name="class_visit_once_a_day")]
        indexes = [models.Index(fields=["library", "day"], name="class_visit_day_idx")]

    def __str__(self) -> str:
        return f"{self.school_class} {self.day}"


class Corner(models.Model):
    """班级图书角 — a class borrowing a pile of books as a borrower of its own, its class teacher responsible.

    The borrower is an ordinary reader row (reader type 班级图书角) so that its loans are ordinary loans: one open
    loan per copy, the overdue lists, the audit and a pupil returning a corner book at the desk all just work.
    """

    library = models.ForeignKey(Library, on_delete=models.PROTECT, related_name="+")
    school_class = models.OneToOneField(
        SchoolClass, on_delete=models.PROTECT, related_name="book_corner", verbose_name=_("班级")
    )
    reader = models.OneToOneField(Reader, on_delete=models.PROTECT, related_name="book_corner")
    loan_days = models.PositiveSmallIntegerField(_("借期(天)"), default=60)
    created_at = models.DateTimeField(_("建立时间"))

    class Meta:
        verbose_name = _("班级图书角")
        verbose_name_plural = _("班级图书角")
        constraints = [models.CheckConstraint(condition=models.Q(loan_days__gte=1), name="corner_days_positive")]

    def __str__(self) -> str:
        return self.reader.name


class CornerTransfer(models.Model):
    """图书漂流 — a corner's whole set passed to another class; the loans themselves keep each class's history."""

    library = models.ForeignKey(Library, on_delete=models.PROTECT, related_name="+")
    from_corner = models.ForeignKey(Corner, on_delete=models.PROTECT, related_name="passed_on")
    to_corner = models.ForeignKey(Corner, on_delete=models.PROTECT, related_name="received")
    books = models.PositiveIntegerField(_("册数"))
    at = models.DateTimeField(_("时间"))
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+")

    class Meta:
        verbose_name = _("图书漂流")
        verbose_name_plural = _("图书漂流")
        ordering = ["-at"]

    def __str__(self) -> str:
        return f"{self.from_corner} → {self.to_corner}"


class RoomVisit(models.Model):
    """阅览室签到 — a reader scanned their card at the reading-room door (学生进阅览室每周不少于一次)."""

    library = models.ForeignKey(Library, on_delete=models.PROTECT, related_name="+")
    reader = models.ForeignKey(Reader, on_delete=models.PROTECT, related_name="room_visits", verbose_name=_("读者"))
    # The class at the time of the visit: pupils move up a grade every year, the statistics of a week must not.
    school_class = models.ForeignKey(
        SchoolClass, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("班级")
    )
    at = models.DateTimeField(_("时间"))

    class Meta:
        verbose_name = _("阅览室签到")
        verbose_name_plural = _("阅览室签到")
        indexes = [
            models.Index(fields=["library", "at"], name="room_visit_at_idx"),
            models.Index(fields=["reader", "at"], name="room_visit_reader_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.reader_id} @ {self.at:%Y-%m-%d %H:%M}"
