"""The school's structure: grades (年级) for its level, classes (班级) named the way schools write them, 班主任."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from xiaotu.accounts.models import Role, User
from xiaotu.accounts.services import audit_record
from xiaotu.readers.models import Grade, Reader, SchoolClass
from xiaotu.schools.models import Library

MAX_CLASSES_AT_ONCE = 30
MAX_CLASS_NUMBER = 99
GRADE_NAME_LENGTH = 20
CLASS_NAME_LENGTH = 30

CHINESE_NUMBERS = "一二三四五六七八九"
# 小学 一年级…六年级; 初中 written 七年级…九年级 or 初一…初三 (the school chooses); 高中 高一…高三.
PRIMARY_NAMES = {n: f"{CHINESE_NUMBERS[n - 1]}年级" for n in range(1, 7)}
JUNIOR_NAMES = {
    "grade": {n: f"{CHINESE_NUMBERS[n - 1]}年级" for n in range(7, 10)},
    "chu": {7: "初一", 8: "初二", 9: "初三"},
}
SENIOR_NAMES = {10: "高一", 11: "高二", 12: "高三"}
LEVEL_GRADES = {
    Library.Level.PRIMARY: range(1, 7),
    Library.Level.JUNIOR: range(7, 10),
    Library.Level.SENIOR: range(10, 13),
    Library.Level.NINE_YEAR: range(1, 10),
    Library.Level.COMPLETE: range(7, 13),
}
JUNIOR_STYLES = {"grade": gettext_lazy("七年级、八年级、九年级"), "chu": gettext_lazy("初一、初二、初三")}

# Class names are built from a pattern with these placeholders; the presets are how schools write them.
PLACEHOLDERS = ("{年级}", "{年级简称}", "{年级号}", "{班号}", "{两位班号}")
PRESET_PATTERNS = ("{年级}({班号})班", "{年级简称}({班号})班", "{年级号}{两位班号}班", "{年级}{班号}班")
DEFAULT_PATTERN = PRESET_PATTERNS[0]
_PLACEHOLDER = re.compile(r"\{[^{}]*\}")


def default_grade_names(level: str, *, junior_style: str = "grade") -> dict[int, str]:
    """The usual names of the level's grades, numbered 1–12 across levels."""
    junior = JUNIOR_NAMES.get(junior_style, JUNIOR_NAMES["grade"])
    names = {**PRIMARY_NAMES, **junior, **SENIOR_NAMES}
    return {n: names[n] for n in LEVEL_GRADES[Library.Level(level)]}


def short_grade_name(name: str) -> str:
    """三年级 → 三 (for 三(2)班); 初一 and 高一 are already short."""
    return name[: -len("年级")] if name.endswith("年级") and len(name) > len("年级") else name


def check_pattern(pattern: str) -> str:
    """The pattern, stripped, or ValidationError saying what is wrong with it."""
    pattern = pattern.strip()
    if not pattern:
        raise ValidationError(_("请填写班级命名格式，例如 {年级}({班号})班。"))
    unknown = [p for p in _PLACEHOLDER.findall(pattern) if p not in PLACEHOLDERS]
    if unknown:
        raise ValidationError(
            _("命名格式中的 %(unknown)s 不认识；可用的有 %(known)s。")
            % {"unknown": "、".join(unknown), "known": "、".join(PLACEHOLDERS)}
        )
    if "{班号}" not in pattern and "{两位班号}" not in pattern:
        raise ValidationError(_("命名格式中要有 {班号} 或 {两位班号}，否则同一年级的班级会同名。"))
    return pattern


def class_name(pattern: str, *, grade_name: str, grade_number: int, number: int) -> str:
    """三年级(2)班, 三(2)班 or 302班 — the pattern filled in for one class."""
    values = {
        "{年级}": grade_name,
        "{年级简称}": short_grade_name(grade_name),
        "{年级号}": str(grade_number),
        "{班号}": str(number),
        "{两位班号}": f"{number:02d}",
    }
    return _PLACEHOLDER.sub(lambda m: values.get(m.group(0), m.group(0)), pattern)


def follow_name(name: str, *, number: int, old_grade: tuple[int, str], new_grade: tuple[int, str]) -> tuple[str, bool]:
    """The class's name after its grade changes (三年级(2)班 → 四年级(2)班), and whether it could follow.

    A name made from a preset is rebuilt with the same preset; otherwise the old grade's name inside it is replaced.
    A name with no grade in it (实验班) cannot follow and is kept.
    """
    (old_number, old_name), (new_number, new_name) = old_grade, new_grade
    for pattern in PRESET_PATTERNS:
        if class_name(pattern, grade_name=old_name, grade_number=old_number, number=number) == name:
            return class_name(pattern, grade_name=new_name, grade_number=new_number, number=number), True
    if old_name and old_name in name:
        return name.replace(old_name, new_name, 1), True
    return name, False


def _check_class_name(name: str) -> str:
    name = name.strip()
    if not name:
        raise ValidationError(_("请填写班级名称。"))
    if len(name) > CLASS_NAME_LENGTH:
        raise ValidationError(_("班级名称最多 %(n)d 个字。") % {"n": CLASS_NAME_LENGTH})
    return name


def _check_grade_name(name: str) -> str:
    name = name.strip()
    if not name:
        raise ValidationError(_("请填写年级名称。"))
    if len(name) > GRADE_NAME_LENGTH:
        raise ValidationError(_("年级名称最多 %(n)d 个字。") % {"n": GRADE_NAME_LENGTH})
    return name


def _lock_library(library: Library) -> None:
    """Structure changes of one school run one after another (SQLite's IMMEDIATE transaction already does this)."""
    list(Library.objects.select_for_update().filter(pk=library.pk).values_list("pk"))


@dataclass
class GradesSetup:
    """What setting up the grades did: created, renamed, removed (unused) and kept (still has classes)."""

    created: list[Grade] = field(default_factory=list)
    renamed: list[Grade] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    kept: list[Grade] = field(default_factory=list)


def _rename_grade(grade: Grade, name: str, *, by: User | None, at: dt.datetime) -> None:
    """Rename the grade and the names of its active classes that follow it (七年级(1)班 → 初一(1)班)."""
    old = grade.name
    grade.name = name
    grade.save(update_fields=["name"])
    for school_class in SchoolClass.objects.filter(grade=grade, active=True):
        new_name, follows = follow_name(
            school_class.name, number=school_class.number, old_grade=(grade.number, old), new_grade=(grade.number, name)
        )
        if follows and new_name != school_class.name:
            _set_class_name(school_class, new_name[:CLASS_NAME_LENGTH], by=by, at=at)
    audit_record(
        library=grade.library, actor=by, action="grade.rename", obj=grade, data={"from": old, "to": name}, at=at
    )


def _set_class_name(school_class: SchoolClass, name: str, *, by: User | None, at: dt.datetime) -> None:
    old = school_class.name
    school_class.name = name
    school_class.save(update_fields=["name"])
    audit_record(
        library=school_class.library,
        actor=by,
        action="class.rename",
        obj=school_class,
        data={"from": old, "to": name},
        at=at,
    )


def grades_setup(
    *, library: Library, level: str, junior_style: str = "grade", by: User | None, at: dt.datetime | None = None
) -> GradesSetup:
    """设置年级 — give the school exactly the grades of its level, with the usual names, in one step.

    Existing grades are renamed (their classes' names follow); grades outside the level are removed when no class
    ever used them, and kept otherwise. The library's level is set too.
    """
    at = at or timezone.now()
    if level not in Library.Level.values:
        raise ValidationError(_("请选择学段。"))
    level = Library.Level(level)
    if junior_style not in JUNIOR_NAMES:
        raise ValidationError(_("请选择初中年级的叫法。"))
    names = default_grade_names(level, junior_style=junior_style)
    result = GradesSetup()
    with transaction.atomic():
        _lock_library(library)
        existing = {g.number: g for g in Grade.objects.filter(library=library)}
        for number, name in names.items():
            grade = existing.get(number)
            if grade is None:
                grade = Grade.objects.create(library=library, number=number, name=name)
                result.created.append(grade)
                audit_record(library=library, actor=by, action="grade.create", obj=grade, data={"name": name}, at=at)
            elif grade.name != name:
                _rename_grade(grade, name, by=by, at=at)
                result.renamed.append(grade)
        used = set(SchoolClass.objects.filter(library=library).values_list("grade_id", flat=True))
        for number, grade in sorted(existing.items()):
            if number in names:
                continue
            if grade.pk in used:
                result.kept.append(grade)
            else:
                audit_record(
                    library=library, actor=by, action="grade.delete", obj=grade, data={"name": grade.name}, at=at
                )
                result.removed.append(grade.name)
                grade.delete()
        if library.level != level:
            audit_record(
                library=library,
                actor=by,
                action="library.level",
                obj=library,
                data={"from": library.level, "to": level},
                at=at,
            )
            Library.objects.filter(pk=library.pk).update(level=level)
            library.level = level
    return result


def grades_rename(
    *, library: Library, names: Mapping[int, str], by: User | None, at: dt.datetime | None = None
) -> list[Grade]:
    """The school's own grade names, by grade id; class names follow. All or nothing; returns the renamed grades."""
    at = at or timezone.now()
    with transaction.atomic():
        _lock_library(library)
        grades = {g.pk: g for g in Grade.objects.filter(library=library)}
        if any(pk not in grades for pk in names):
            raise ValidationError(_("年级不属于本馆，请刷新页面后重试。"))
        wanted = {pk: _check_grade_name(name) for pk, name in names.items()}
        final = {pk: wanted.get(pk, g.name) for pk, g in grades.items()}
        seen: dict[str, int] = {}
        for pk, name in sorted(final.items(), key=lambda kv: grades[kv[0]].number):
            if name in seen:
                raise ValidationError(_("两个年级不能都叫「%(name)s」。") % {"name": name})
            seen[name] = pk
        renamed = []
        for pk, name in wanted.items():
            if grades[pk].name != name:
                _rename_grade(grades[pk], name, by=by, at=at)
                renamed.append(grades[pk])
    return renamed


def _check_unique_name(library: Library, name: str, *, exclude: int | None = None) -> None:
    clash = SchoolClass.objects.filter(library=library, active=True, name=name)
    if exclude is not None:
        clash = clash.exclude(pk=exclude)
    if clash.exists():
        raise ValidationError(_("已经有一个在校的班级叫「%(name)s」。") % {"name": name})


def classes_add(
    *, grade: Grade, count: int, pattern: str = DEFAULT_PATTERN, by: User | None, at: dt.datetime | None = None
) -> list[SchoolClass]:
    """添加班级 — N classes at once, numbered on from the grade's highest class: 三年级(5)班…(8)班."""
    at = at or timezone.now()
    if not 1 <= count <= MAX_CLASSES_AT_ONCE:
        raise ValidationError(_("一次可添加 1 到 %(n)d 个班。") % {"n": MAX_CLASSES_AT_ONCE})
    pattern = check_pattern(pattern)
    with transaction.atomic():
        _lock_library(grade.library)
        highest = SchoolClass.objects.filter(grade=grade, active=True).aggregate(n=Max("number"))["n"] or 0
        numbers = range(highest + 1, highest + count + 1)
        if numbers[-1] > MAX_CLASS_NUMBER:
            raise ValidationError(_("一个年级最多 %(n)d 个班。") % {"n": MAX_CLASS_NUMBER})
        created = []
        for number in numbers:
            name = _check_class_name(
                class_name(pattern, grade_name=grade.name, grade_number=grade.number, number=number)
            )
            _check_unique_name(grade.library, name)
            school_class = SchoolClass.objects.create(library=grade.library, grade=grade, number=number, name=name)
            audit_record(
                library=grade.library,
                actor=by,
                action="class.create",
                obj=school_class,
                data={"grade": grade.number, "number": number, "name": name},
                at=at,
            )
            created.append(school_class)
    return created


def class_rename(
    *, school_class: SchoolClass, name: str, by: User | None, at: dt.datetime | None = None
) -> SchoolClass:
    at = at or timezone.now()
    name = _check_class_name(name)
    with transaction.atomic():
        _lock_library(school_class.library)
        if name != school_class.name:
            if school_class.active:
                _check_unique_name(school_class.library, name, exclude=school_class.pk)
            _set_class_name(school_class, name, by=by, at=at)
    return school_class


def class_set_teacher(
    *, school_class: SchoolClass, teacher: User | None, by: User | None, at: dt.datetime | None = None
) -> SchoolClass:
    """班主任 — a 教师 login of the same library, or None for no class teacher."""
    at = at or timezone.now()
    if teacher is not None and (
        teacher.library_id != school_class.library_id or teacher.role != Role.TEACHER or not teacher.is_active
    ):
        raise ValidationError(_("班主任应是本馆“教师”角色的在用账号。"))
    with transaction.atomic():
        old = school_class.teacher_id
        new = teacher.pk if teacher else None
        if old != new:
            SchoolClass.objects.filter(pk=school_class.pk).update(teacher=teacher)
            school_class.teacher = teacher
            audit_record(
                library=school_class.library,
                actor=by,
                action="class.teacher",
                obj=school_class,
                data={"from": old, "to": new},
                at=at,
            )
    return school_class


PRESENT = (Reader.Status.ACTIVE, Reader.Status.SUSPENDED)


def class_deactivate(*, school_class: SchoolClass, by: User | None, at: dt.datetime | None = None) -> SchoolClass:
    """停用 — an empty class (no pupil still at school in it) takes no more pupils and frees its number."""
    at = at or timezone.now()
    with transaction.atomic():
        _lock_library(school_class.library)
        if not school_class.active:
            raise ValidationError(_("班级「%(name)s」已经停用。") % {"name": school_class.name})
        pupils = Reader.objects.filter(school_class=school_class, status__in=PRESENT).count()
        if pupils:
            raise ValidationError(
                _("班级「%(name)s」还有 %(n)d 名在校学生，请先把他们转到其他班级或办理离校。")
                % {"name": school_class.name, "n": pupils}
            )
        SchoolClass.objects.filter(pk=school_class.pk).update(active=False)
        school_class.active = False
        audit_record(
            library=school_class.library, actor=by, action="class.deactivate", obj=school_class, data={}, at=at
        )
    return school_class


def class_reactivate(*, school_class: SchoolClass, by: User | None, at: dt.datetime | None = None) -> SchoolClass:
    """Undo a deactivation; a class that graduated stays graduated."""
    at = at or timezone.now()
    with transaction.atomic():
        _lock_library(school_class.library)
        if school_class.active:
            return school_class
        if school_class.graduated_on is not None:
            raise ValidationError(_("毕业的班级不能恢复。"))
        taken = SchoolClass.objects.filter(grade=school_class.grade, number=school_class.number, active=True).first()
        if taken is not None:
            raise ValidationError(
                _("%(grade)s已有 %(number)d 班（%(name)s），不能恢复。")
                % {"grade": school_class.grade.name, "number": school_class.number, "name": taken.name}
            )
        _check_unique_name(school_class.library, school_class.name, exclude=school_class.pk)
        SchoolClass.objects.filter(pk=school_class.pk).update(active=True)
        school_class.active = True
        audit_record(
            library=school_class.library, actor=by, action="class.reactivate", obj=school_class, data={}, at=at
        )
    return school_class
