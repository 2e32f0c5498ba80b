"""Reading lists (必读/选读书目) that the librarian curates for the public catalogue."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from xiaotu.catalogue.models import Record
from xiaotu.readers.models import Grade
from xiaotu.schools.models import Library


class ReadingList(models.Model):
    """推荐书目 — a 必读 or 选读 list for one or more grades, shown on the OPAC in the librarian's order."""

    class Kind(models.TextChoices):
        REQUIRED = "required", _("必读")
        OPTIONAL = "optional", _("选读")

    library = models.ForeignKey(Library, on_delete=models.PROTECT, related_name="reading_lists")
    title = models.CharField(_("书目名称"), max_length=100)
    kind = models.CharField(_("类别"), max_length=8, choices=Kind.choices, default=Kind.REQUIRED)
    # Empty means for every grade (a school-wide list).
    grades = models.ManyToManyField(Grade, blank=True, related_name="reading_lists", verbose_name=_("适用年级"))
    note = models.TextField(_("说明"), blank=True)
    position = models.PositiveIntegerField(_("顺序"), default=0)
    # A list being put together stays off the public pages until the librarian shows it.
    published = models.BooleanField(_("在公共检索中显示"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("推荐书目")
        verbose_name_plural = _("推荐书目")
        ordering = ["position", "pk"]

    def __str__(self) -> str:
        return self.title


class ReadingListEntry(models.Model):
    """书目条目 — one book of a reading list, with the librarian's note for the children."""

    reading_list = models.ForeignKey(ReadingList, on_delete=models.CASCADE, related_name="entries")
    record = models.ForeignKey(Record, on_delete=models.PROTECT, related_name="+", verbose_name=_("书目"))
    position = models.PositiveIntegerField(_("顺序"), default=0)
    note = models.CharField(_("推荐语"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("书目条目")
        verbose_name_plural = _("书目条目")
        ordering = ["position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["reading_list", "record"], name="reading_list_entry_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.reading_list}: {self.record}"
