"""factory_boy factories: each builds a valid row of a small school, sharing one library unless told otherwise."""

from __future__ import annotations

import factory

from xiaotu.accounts.models import Role, User
from xiaotu.catalogue.models import Item, ItemCategory, Record
from xiaotu.circulation.models import LoanCap, LoanRule
from xiaotu.readers.models import Grade, Reader, ReaderType, SchoolClass
from xiaotu.schools.models import Library, Location


class LibraryFactory(factory.django.DjangoModelFactory[Library]):
    class Meta:
        model = Library
        django_get_or_create = ("code",)

    code = "test-school"
    name = "实验小学图书馆"


class LocationFactory(factory.django.DjangoModelFactory[Location]):
    class Meta:
        model = Location
        django_get_or_create = ("library", "code")

    library = factory.SubFactory(LibraryFactory)
    code = "main"
    name = "借阅室"


class ItemCategoryFactory(factory.django.DjangoModelFactory[ItemCategory]):
    class Meta:
        model = ItemCategory
        django_get_or_create = ("library", "code")

    library = factory.SubFactory(LibraryFactory)
    code = "book"
    name = "普通图书"
    reference_only = False


class ReaderTypeFactory(factory.django.DjangoModelFactory[ReaderType]):
    class Meta:
        model = ReaderType
        django_get_or_create = ("library", "code")

    library = factory.SubFactory(LibraryFactory)
    code = "student"
    name = "学生"


class GradeFactory(factory.django.DjangoModelFactory[Grade]):
    class Meta:
        model = Grade
        django_get_or_create = ("library", "number")

    library = factory.SubFactory(LibraryFactory)
    number = 3
    name = "三年级"


class SchoolClassFactory(factory.django.DjangoModelFactory[SchoolClass]):
    class Meta:
        model = SchoolClass
        django_get_or_create = ("grade", "number")

    library = factory.SelfAttribute("grade.library")
    grade = factory.SubFactory(GradeFactory)
    number = 2
    name = factory.LazyAttribute(lambda o: f"{o.grade.name}({o.number})班")


class ReaderFactory(factory.django.DjangoModelFactory[Reader]):
    class Meta:
        model = Reader
        skip_postgeneration_save = True

    library = factory.SubFactory(LibraryFactory)
    card_barcode = factory.Sequence(lambda n: f"R{n:06d}")
    name = factory.Iterator(["张小明", "李华", "王芳", "刘洋", "陈静"])
    name_pinyin = ""
    name_initials = ""
    reader_type = factory.SubFactory(ReaderTypeFactory, library=factory.SelfAttribute("..library"))
    school_class = factory.SubFactory(SchoolClassFactory, grade__library=factory.SelfAttribute("...library"))
    student_number = factory.Sequence(lambda n: f"2023{n:04d}")

    @factory.post_generation
    def pinyin(obj: Reader, create: bool, extracted: object, **kwargs: object) -> None:
        from xiaotu.pinyin import name_initials, name_pinyin

        obj.name_pinyin, obj.name_initials = name_pinyin(obj.name), name_initials(obj.name)
        if create:
            obj.save(update_fields=["name_pinyin", "name_initials"])


class RecordFactory(factory.django.DjangoModelFactory[Record]):
    class Meta:
        model = Record

    library = factory.SubFactory(LibraryFactory)
    title = factory.Iterator(["西游记", "十万个为什么", "草房子", "昆虫记", "小王子"])
    author = "吴承恩"
    publisher = "人民文学出版社"
    clc_class = "I242.4"


class ItemFactory(factory.django.DjangoModelFactory[Item]):
    class Meta:
        model = Item

    library = factory.SubFactory(LibraryFactory)
    record = factory.SubFactory(RecordFactory, library=factory.SelfAttribute("..library"))
    barcode = factory.Sequence(lambda n: f"T{n:07d}")
    accession_number = factory.Sequence(lambda n: f"{n:07d}")
    call_number = "I242.4/1"
    location = factory.SubFactory(LocationFactory, library=factory.SelfAttribute("..library"))
    category = factory.SubFactory(ItemCategoryFactory, library=factory.SelfAttribute("..library"))
    status = Item.Status.AVAILABLE


class LoanRuleFactory(factory.django.DjangoModelFactory[LoanRule]):
    class Meta:
        model = LoanRule
        django_get_or_create = ("reader_type", "item_category")

    library = factory.SubFactory(LibraryFactory)
    reader_type = factory.SubFactory(ReaderTypeFactory, library=factory.SelfAttribute("..library"))
    item_category = factory.SubFactory(ItemCategoryFactory, library=factory.SelfAttribute("..library"))
    loan_days = 14
    max_loans = 2
    max_renewals = 1
    overdue_blocks = True


class LoanCapFactory(factory.django.DjangoModelFactory[LoanCap]):
    class Meta:
        model = LoanCap
        django_get_or_create = ("reader_type",)

    library = factory.SubFactory(LibraryFactory)
    reader_type = factory.SubFactory(ReaderTypeFactory, library=factory.SelfAttribute("..library"))
    max_total = 3


class UserFactory(factory.django.DjangoModelFactory[User]):
    class Meta:
        model = User
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"staff{n}")
    library = factory.SubFactory(LibraryFactory)
    role = Role.LIBRARIAN
    password = factory.django.Password("pw-for-tests")
