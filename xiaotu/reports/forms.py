"""Forms of the reports pages: the period picker and the settings with the 规程 table."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from xiaotu.reports.models import ReportSettings, Standard


class ReportSettingsForm(forms.ModelForm[ReportSettings]):
    class Meta:
        model = ReportSettings
        fields = [
            "loans_per_pupil_target",
            "share_tolerance",
            "stars_public",
            "stars_count",
            "stars_show_class",
            "stars_show_count",
            "stars_show_full_name",
        ]


class StandardForm(forms.ModelForm[Standard]):
    class Meta:
        model = Standard
        fields = [
            "books_per_pupil",
            "new_books_per_pupil",
            "periodicals",
            "reference_titles",
            "share_a",
            "share_b",
            "share_social",
            "share_natural",
            "share_z",
        ]

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        shares = [data.get(name) for name in ("share_a", "share_b", "share_social", "share_natural", "share_z")]
        if all(s is not None for s in shares) and sum(shares) > 100:  # type: ignore[arg-type]
            raise forms.ValidationError(_("五大部类比例之和不能超过 100%。"))
        for name in ("books_per_pupil", "new_books_per_pupil"):
            value = data.get(name)
            if value is not None and value < 0:
                self.add_error(name, _("不能为负数。"))
        return data


StandardFormSet = forms.modelformset_factory(Standard, form=StandardForm, extra=0, can_delete=False)
