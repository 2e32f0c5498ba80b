"""The school year: every class moves up a grade (升级), the top grade graduates (毕业), pupils transfer in and out.

plan_promotion reads and changes nothing; apply_promotion does the whole step in one transaction. Graduates with
books still out stay, in their graduated class, as 毕业未离校 until graduation_complete lets them go.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from xiaotu.accounts.models import AuditEvent, User
from xiaotu.accounts.services import audit_record
from xiaotu.circulation.models import Loan
from xiaotu.readers.lostcards import check_card_number, next_card_barcode
from xiaotu.readers.models import Grade, Reader, ReaderType, SchoolClass
from xiaotu.readers.services import reader_create
from xiaotu.readers.structure import follow_name
from xiaotu.schools.models import Library

PROMOTION = "year.promotion"
# Two promotions this close together are one too many, whatever the calendar says.
MIN_DAYS_BETWEEN_PROMOTIONS = 180
# Pupils still at school: they move with their class, and they are the ones who graduate.
PRESENT = (Reader.Status.ACTIVE, Reader.Status.SUSPENDED)
GONE = (Reader.Status.GRADUATED, Reader.Status.LEFT)


def school_year_of(on: dt.date) -> int:
    """The school year a promotion on this day is for, by the year it starts: from June the coming one."""
    return on.year if on.month >= 6 else on.year - 1


def school_year_label(start: int) -> str:
    return f"{start}–{start + 1}"


@dataclass(frozen=True)
class ClassMove:
    """A class moving up: 三年级(2)班 in 三年级 becomes 四年级(2)班 in 四年级."""

    school_class: SchoolClass
    to_grade: Grade
    new_name: str
    # False when the name has no grade in it (实验班): it is kept and may be changed afterwards.
    name_follows: bool
    pupils: int


@dataclass(frozen=True)
class Graduate:
    """A pupil of a graduating class, with the books they still have out (titles and due dates)."""

    reader: Reader
    loans: list[Loan]


@dataclass(frozen=True)
class GraduatingClass:
    school_class: SchoolClass
    leaving: list[Reader]
    blocked: list[Graduate]

    @property
    def pupils(self) -> int:
        return len(self.leaving) + len(self.blocked)


@dataclass(frozen=True)
class StrandedClass:
    """A class that cannot move up because the school has no grade above it yet."""

    school_class: SchoolClass
    next_number: int


@dataclass(frozen=True)
class PromotionPlan:
    """升级预览 — what apply_promotion would do on `on`, and what stops it."""

    library: Library
    on: dt.date
    school_year: int
    moves: list[ClassMove]
    graduating: list[GraduatingClass]
    stranded: list[StrandedClass]
    # The earlier promotion that makes this one a second one for the same school year.
    earlier: dt.date | None
    # The structure the plan was made from; apply_promotion refuses if it changed since.
    fingerprint: str

    @property
    def school_year_label(self) -> str:
        return school_year_label(self.school_year)

    @property
    def conflicts(self) -> list[str]:
        problems = []
        if self.earlier is not None:
            problems.append(_("本学年已经在 %(date)s 升级过一次，不能再升级。") % {"date": self.earlier.isoformat()})
        if not self.moves and not self.graduating:
            problems.append(_("还没有在校的班级，没有可以升级的。"))
        for stranded in self.stranded:
            problems.append(
                _("%(name)s 要升入第 %(n)d 年级，但学校还没有这个年级：请先在“学校结构”中设置年级。")
                % {"name": stranded.school_class.name, "n": stranded.next_number}
            )
        return problems

    @property
    def ready(self) -> bool:
        return not self.conflicts

    @property
    def pupils_moving(self) -> int:
        return sum(m.pupils for m in self.moves)

    @property
    def graduates_leaving(self) -> int:
        return sum(len(g.leaving) for g in self.graduating)

    @property
    def graduates_blocked(self) -> int:
        return sum(len(g.blocked) for g in self.graduating)


@dataclass(frozen=True)
class PromotionResult:
    moved: int
    graduated_classes: int
    graduates: int
    blocked: int


def graduating_grade_numbers(library: Library, numbers: Iterable[int]) -> set[int]:
    """The grades whose classes graduate: the school's top grade, and 初三 too in a 完全中学 (高一 is formed anew
    from 中考; in a 九年一贯制 school 六年级 simply moves on to 七年级)."""
    numbers = set(numbers)
    if not numbers:
        return set()
    ends = {max(numbers)}
    if library.level == Library.Level.COMPLETE and 9 in numbers and max(numbers) > 9:
        ends.add(9)
    return ends


def _earlier_promotion(library: Library, on: dt.date) -> dt.date | None:
    """A promotion already done for the school year of `on` (or within half a year of it), from the audit log."""
    events = AuditEvent.objects.filter(library=library, action=PROMOTION, object_type="library", object_id=library.pk)
    for data in events.order_by("-at").values_list("data", flat=True):
        try:
            done = dt.date.fromisoformat(str(data.get("on", "")))
        except ValueError:
            continue
        if school_year_of(done) == school_year_of(on) or abs((on - done).days) < MIN_DAYS_BETWEEN_PROMOTIONS:
            return done
    return None


def _fingerprint(library: Library, grades: Sequence[Grade], classes: Sequence[SchoolClass]) -> str:
    """The structure the plan was made from, in a few characters the confirm page carries back."""
    text = "|".join(
        [library.level]
        + [f"g{g.pk}:{g.number}:{g.name}" for g in grades]
        + [f"c{c.pk}:{c.grade_id}:{c.number}:{c.name}" for c in classes]
    )
    return hashlib.sha256(text.encode()).hexdigest()[:20]


def _graduates(classes: Sequence[SchoolClass]) -> list[GraduatingClass]:
    """Each class's pupils in school, split by whether they still have books out: two queries in all."""
    pupils = list(
        Reader.objects.filter(school_class__in=classes, status__in=PRESENT)
        .select_related("reader_type")
        .order_by("student_number", "name_pinyin", "pk")
    )
    loans: dict[int, list[Loan]] = {}
    for loan in (
        Loan.objects.filter(reader__in=pupils, returned_at__isnull=True)
        .select_related("item__record")
        .order_by("due_on", "pk")
    ):
        loans.setdefault(loan.reader_id, []).append(loan)
    result = []
    for school_class in classes:
        mine = [p for p in pupils if p.school_class_id == school_class.pk]
        result.append(
            GraduatingClass(
                school_class=school_class,
                leaving=[p for p in mine if p.pk not in loans],
                blocked=[Graduate(reader=p, loans=loans[p.pk]) for p in mine if p.pk in loans],
            )
        )
    return result


def plan_promotion(library: Library, *, on: dt.date | None = None) -> PromotionPlan:
    """升级预览 — read only: where every active class moves, who graduates, who cannot leave yet and why."""
    on = on or timezone.localdate()
    grades = list(Grade.objects.filter(library=library).order_by("number"))
    by_number = {g.number: g for g in grades}
    classes = list(
        SchoolClass.objects.filter(library=library, active=True)
        .select_related("grade", "teacher")
        .annotate(pupils=Count("readers", filter=Q(readers__status__in=PRESENT)))
        .order_by("grade__number", "number", "pk")
    )
    ends = graduating_grade_numbers(library, by_number)
    moves, stranded, leaving_classes = [], [], []
    for school_class in classes:
        number = school_class.grade.number
        if number in ends:
            leaving_classes.append(school_class)
            continue
        target = by_number.get(number + 1)
        if target is None:
            stranded.append(StrandedClass(school_class=school_class, next_number=number + 1))
            continue
        new_name, follows = follow_name(
            school_class.name,
            number=school_class.number,
            old_grade=(number, school_class.grade.name),
            new_grade=(target.number, target.name),
        )
        pupils: int = school_class.pupils
        moves.append(
            ClassMove(
                school_class=school_class, to_grade=target, new_name=new_name, name_follows=follows, pupils=pupils
            )
        )
    return PromotionPlan(
        library=library,
        on=on,
        school_year=school_year_of(on),
        moves=moves,
        graduating=_graduates(leaving_classes),
        stranded=stranded,
        earlier=_earlier_promotion(library, on),
        fingerprint=_fingerprint(library, grades, classes),
    )


def _lock_graduating_readers(library: Library) -> None:
    """Lock the graduating pupils (reader rows first, as the desk does) so no loan slips in while they are sorted."""
    numbers = list(Grade.objects.filter(library=library).values_list("number", flat=True))
    ends = graduating_grade_numbers(library, numbers)
    class_ids = list(
        SchoolClass.objects.filter(library=library, active=True, grade__number__in=ends).values_list("pk", flat=True)
    )
    list(Reader.objects.select_for_update().filter(school_class__in=class_ids).order_by("pk").values_list("pk"))


def apply_promotion(
    *, plan: PromotionPlan, by: User | None, on: dt.date, at: dt.datetime | None = None
) -> PromotionResult:
    """升级 — in one transaction: the graduating classes close, every other class moves up a grade (the top grade
    first, so the active-class unique constraint holds at every step), graduates without books out leave.

    Refused (ValidationError, nothing changed) when the school's structure changed since the plan was shown, when
    this school year was already promoted, or when a class has no grade to move into.
    """
    at = at or timezone.now()
    library = plan.library
    with transaction.atomic():
        list(Library.objects.select_for_update().filter(pk=library.pk).values_list("pk"))
        _lock_graduating_readers(library)
        fresh = plan_promotion(library, on=on)
        if fresh.fingerprint != plan.fingerprint:
            raise ValidationError(_("预览之后班级或年级有了变化，请重新预览后再确认。"), code="stale_plan")
        if fresh.conflicts:
            raise ValidationError(fresh.conflicts, code="conflicts")

        graduating: dict[int, list[GraduatingClass]] = {}
        for g in fresh.graduating:
            graduating.setdefault(g.school_class.grade.number, []).append(g)
        moving: dict[int, list[ClassMove]] = {}
        for move in fresh.moves:
            moving.setdefault(move.school_class.grade.number, []).append(move)
        graduates = blocked = 0
        # From the top grade down: each grade's numbers are free by the time the grade below moves into them.
        for number in sorted(set(graduating) | set(moving), reverse=True):
            for g in graduating.get(number, []):
                _graduate_class(g, on=on, by=by, at=at)
                graduates += len(g.leaving)
                blocked += len(g.blocked)
            for move in moving.get(number, []):
                _move_class(move, by=by, at=at)
        result = PromotionResult(
            moved=len(fresh.moves), graduated_classes=len(fresh.graduating), graduates=graduates, blocked=blocked
        )
        audit_record(
            library=library,
            actor=by,
            action=PROMOTION,
            obj=library,
            data={
                "on": on.isoformat(),
                "school_year": fresh.school_year,
                "moved": result.moved,
                "graduated_classes": result.graduated_classes,
                "graduates": graduates,
                "blocked": blocked,
            },
            at=at,
        )
    return result


def _graduate_class(g: GraduatingClass, *, on: dt.date, by: User | None, at: dt.datetime) -> None:
    school_class = g.school_class
    SchoolClass.objects.filter(pk=school_class.pk).update(active=False, graduated_on=on)
    school_class.active, school_class.graduated_on = False, on
    audit_record(
        library=school_class.library,
        actor=by,
        action="class.graduate",
        obj=school_class,
        data={
            "on": on.isoformat(),
            "grade": school_class.grade.number,
            "graduates": len(g.leaving),
            "blocked": [b.reader.pk for b in g.blocked],
        },
        at=at,
    )
    leaving = [r.pk for r in g.leaving]
    Reader.objects.filter(pk__in=leaving).update(status=Reader.Status.GRADUATED, left_on=on)
    for reader in g.leaving:
        audit_record(
            library=school_class.library,
            actor=by,
            action="reader.graduate",
            obj=reader,
            data={"from": reader.status, "class": school_class.name, "left_on": on.isoformat()},
            at=at,
        )
        reader.status, reader.left_on = Reader.Status.GRADUATED, on


def _move_class(move: ClassMove, *, by: User | None, at: dt.datetime) -> None:
    school_class = move.school_class
    old_grade, old_name = school_class.grade, school_class.name
    SchoolClass.objects.filter(pk=school_class.pk).update(grade=move.to_grade, name=move.new_name)
    school_class.grade, school_class.name = move.to_grade, move.new_name
    audit_record(
        library=school_class.library,
        actor=by,
        action="class.promote",
        obj=school_class,
        data={"from_grade": old_grade.number, "to_grade": move.to_grade.number, "from": old_name, "to": move.new_name},
        at=at,
    )


# -- 毕业未离校: graduates who still have books out ------------------------------------------------------------------


@dataclass(frozen=True)
class PendingClass:
    school_class: SchoolClass
    pupils: list[Graduate]


def graduates_pending(library: Library) -> list[PendingClass]:
    """毕业未离校 — pupils still in school in a class that graduated, class by class, with their open loans."""
    classes = list(
        SchoolClass.objects.filter(
            library=library,
            active=False,
            graduated_on__isnull=False,
            readers__status__in=PRESENT,
        )
        .select_related("grade")
        .distinct()
        .order_by("-graduated_on", "grade__number", "number", "pk")
    )
    return [
        PendingClass(school_class=g.school_class, pupils=[*g.blocked, *(Graduate(r, []) for r in g.leaving)])
        for g in _graduates(classes)
    ]


def _is_pending(reader: Reader) -> bool:
    school_class = reader.school_class
    return (
        reader.status in PRESENT
        and school_class is not None
        and not school_class.active
        and school_class.graduated_on is not None
    )


def open_loans_message(reader: Reader, loans: Sequence[Loan]) -> str:
    """ "张小明 还有 2 本书未还：《西游记》（应还 2026-06-20）、…" — why a reader cannot leave yet."""
    titles = "、".join(
        _("《%(title)s》（应还 %(due)s）") % {"title": loan.item.record.title, "due": loan.due_on.isoformat()}
        for loan in loans
    )
    return _("%(name)s 还有 %(n)d 本书未还：%(titles)s。请先归还，或登记丢失。") % {
        "name": reader.name,
        "n": len(loans),
        "titles": titles,
    }


def _open_loans(reader: Reader) -> list[Loan]:
    return list(
        Loan.objects.filter(reader=reader, returned_at__isnull=True).select_related("item__record").order_by("due_on")
    )


def _locked(reader: Reader) -> Reader:
    list(Reader.objects.select_for_update().filter(pk=reader.pk).values_list("pk"))
    return Reader.objects.select_related("library", "school_class", "school_class__grade").get(pk=reader.pk)


def graduation_complete(
    *, reader: Reader, by: User | None, on: dt.date | None = None, at: dt.datetime | None = None
) -> Reader:
    """办理离校 — a 毕业未离校 pupil who has returned their books (or had the losses recorded) graduates."""
    at = at or timezone.now()
    on = on or timezone.localdate()
    with transaction.atomic():
        reader = _locked(reader)
        if not _is_pending(reader):
            raise ValidationError(_("%(name)s 不在毕业未离校名单中。") % {"name": reader.name}, code="not_pending")
        if loans := _open_loans(reader):
            raise ValidationError(open_loans_message(reader, loans), code="reader_has_loans")
        old = reader.status
        Reader.objects.filter(pk=reader.pk).update(status=Reader.Status.GRADUATED, left_on=on)
        reader.status, reader.left_on = Reader.Status.GRADUATED, on
        assert reader.school_class is not None
        audit_record(
            library=reader.library,
            actor=by,
            action="reader.graduate",
            obj=reader,
            data={"from": old, "class": reader.school_class.name, "left_on": on.isoformat(), "after_books": True},
            at=at,
        )
    return reader


def graduation_complete_cleared(
    *, library: Library, by: User | None, on: dt.date | None = None, at: dt.datetime | None = None
) -> list[Reader]:
    """办理离校 for every 毕业未离校 pupil who has no book out any more, all at once; returns them."""
    done = []
    with transaction.atomic():
        for pending in graduates_pending(library):
            for graduate in pending.pupils:
                if not graduate.loans:
                    done.append(graduation_complete(reader=graduate.reader, by=by, on=on, at=at))
    return done


# -- 转入、转出、暂停、恢复 --------------------------------------------------------------------------------


def reader_change_status(
    *,
    reader: Reader,
    status: str,
    by: User | None,
    on: dt.date | None = None,
    note: str = "",
    at: dt.datetime | None = None,
) -> Reader:
    """暂停, 恢复, 毕业, 离校 — graduated and left set left_on and wait until no book is out; active and suspended
    clear it. The same status again changes nothing."""
    at = at or timezone.now()
    if status not in Reader.Status.values:
        raise ValidationError(_("未知的读者状态。"), code="status")
    new = Reader.Status(status)
    with transaction.atomic():
        reader = _locked(reader)
        if reader.erased_at is not None:
            raise ValidationError(_("这位读者的个人信息已删除，不能再改状态。"), code="erased")
        old = reader.status
        if old == new:
            return reader
        left_on = None
        if new in GONE:
            if loans := _open_loans(reader):
                raise ValidationError(open_loans_message(reader, loans), code="reader_has_loans")
            left_on = on or timezone.localdate()
        Reader.objects.filter(pk=reader.pk).update(status=new, left_on=left_on)
        reader.status, reader.left_on = new, left_on
        data: dict[str, str | None] = {"from": old, "to": new, "left_on": left_on.isoformat() if left_on else None}
        if note:
            data["note"] = note
        audit_record(library=reader.library, actor=by, action="reader.status", obj=reader, data=data, at=at)
    return reader


def reader_transfer_out(*, reader: Reader, by: User | None, on: dt.date | None = None) -> Reader:
    """转出 — the pupil leaves the school: status left from `on`; refused with the list of books still out."""
    return reader_change_status(reader=reader, status=Reader.Status.LEFT, by=by, on=on, note="transfer_out")


@dataclass(frozen=True)
class TransferIn:
    reader: Reader
    # True when a reader who had left came back (found by 学号) and was put in the class again.
    returned: bool


def reader_transfer_in(
    *,
    library: Library,
    school_class: SchoolClass,
    name: str,
    reader_type: ReaderType,
    student_number: str = "",
    gender: str = "",
    card_barcode: str = "",
    by: User | None,
    at: dt.datetime | None = None,
) -> TransferIn:
    """转入 — a new pupil joins a class with a new card (typed, or the next number of the pattern); a pupil who had
    left and comes back (the same 学号) gets their old record, card and history back."""
    at = at or timezone.now()
    name = " ".join(name.split())
    student_number = student_number.strip()
    if not name:
        raise ValidationError(_("请填写姓名。"), code="name")
    if len(name) > 50:
        raise ValidationError(_("姓名最多 50 个字。"), code="name")
    if len(student_number) > 32:
        raise ValidationError(_("学号最多 32 个字符。"), code="student_number")
    if gender not in Reader.Gender.values:
        raise ValidationError(_("性别只能是男、女或不填。"), code="gender")
    if school_class.library_id != library.pk or not school_class.active:
        raise ValidationError(_("请选择一个在校的班级。"), code="class")
    if reader_type.library_id != library.pk or reader_type.kind != ReaderType.Kind.STUDENT:
        raise ValidationError(_("请选择学生类的读者类型。"), code="reader_type")
    with transaction.atomic():
        list(Library.objects.select_for_update().filter(pk=library.pk).values_list("pk"))
        earlier = (
            Reader.objects.filter(library=library, student_number=student_number).first() if student_number else None
        )
        if earlier is not None:
            return TransferIn(
                reader=_come_back(earlier, school_class=school_class, name=name, card=card_barcode, by=by, at=at),
                returned=True,
            )
        card = (
            check_card_number(library=library, barcode=card_barcode)
            if card_barcode.strip()
            else next_card_barcode(library=library, reader_type=reader_type)
        )
        reader = reader_create(
            library=library,
            card_barcode=card,
            name=name,
            reader_type=reader_type,
            school_class=school_class,
            student_number=student_number,
            gender=gender,
            by=by,
            at=at,
        )
        audit_record(
            library=library,
            actor=by,
            action="reader.transfer_in",
            obj=reader,
            data={"class": school_class.name, "card": reader.card_barcode},
            at=at,
        )
    return TransferIn(reader=reader, returned=False)


def _come_back(
    reader: Reader, *, school_class: SchoolClass, name: str, card: str, by: User | None, at: dt.datetime
) -> Reader:
    number = reader.student_number
    if reader.erased_at is not None:
        raise ValidationError(
            _("学号 %(number)s 属于一位个人信息已删除的读者，请换一个学号。") % {"number": number},
            code="student_number",
        )
    if reader.status in PRESENT:
        where = reader.school_class.name if reader.school_class else _("无班级")
        raise ValidationError(
            _("学号 %(number)s 已是在校读者 %(name)s（%(class)s）的学号。")
            % {"number": number, "name": reader.name, "class": where},
            code="student_number",
        )
    if reader.name != name:
        raise ValidationError(
            _("学号 %(number)s 属于已离校的读者「%(name)s」，与填写的姓名不一致，请核对。")
            % {"number": number, "name": reader.name},
            code="student_number",
        )
    typed = card.strip()
    if typed and "".join(typed.split()).upper() != reader.card_barcode:
        raise ValidationError(
            _("%(name)s 原来的借书证号是 %(card)s，转入后继续使用；如需换新证，请转入后到“补办借书证”办理。")
            % {"name": reader.name, "card": reader.card_barcode},
            code="card_number",
        )
    old = reader.status
    Reader.objects.filter(pk=reader.pk).update(school_class=school_class, status=Reader.Status.ACTIVE, left_on=None)
    reader.school_class, reader.status, reader.left_on = school_class, Reader.Status.ACTIVE, None
    audit_record(
        library=reader.library,
        actor=by,
        action="reader.transfer_in",
        obj=reader,
        data={"class": school_class.name, "card": reader.card_barcode, "from": old, "returned": True},
        at=at,
    )
    return reader
