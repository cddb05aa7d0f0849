"""Forms of the values pages: one cell of the grid, workflow acts, evidence, comments, import."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django import forms
from django.conf import settings
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from ntm.criteria.loader import bundled_set_ids, load_set
from ntm.criteria.schema import Measure
from ntm.exchange.sheets import Say
from ntm.exchange.workbook import CellError, parse_number, year_outside
from ntm.values import files
from ntm.values.models import LAST_YEAR, DeclaredStatus, Stage
from ntm.values.services import MAX_COMMENT, Entry
from ntm.web.inputs import said

YES_NO_CHOICES = (("", "—"), ("1", "Đạt"), ("0", "Chưa đạt"))


def _number(text: str) -> float | None:
    """A number typed the Vietnamese way (1.234,5) or plainly (1234.5)."""
    try:
        return parse_number(text)
    except CellError as exc:
        raise forms.ValidationError(said(exc.reason)) from None


class CellForm(forms.Form):
    """One stage of one value. Which fields count depends on the measure's kind."""

    value = forms.CharField(required=False, max_length=50)
    numerator = forms.CharField(required=False, max_length=50)
    denominator = forms.CharField(required=False, max_length=50)
    yes_no = forms.ChoiceField(required=False, choices=YES_NO_CHOICES)
    not_applicable = forms.BooleanField(required=False)
    version = forms.IntegerField(min_value=0)

    def __init__(self, *args: Any, measure: Measure, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.measure = measure

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.errors:
            return data
        kind = self.measure.kind
        if data.get("not_applicable"):
            data["entry"] = Entry(not_applicable=True)
        elif kind == "share":
            data["entry"] = Entry(
                numerator=_number(data.get("numerator", "")),
                denominator=_number(data.get("denominator", "")),
            )
        elif kind == "yesno":
            answer = data.get("yes_no", "")
            data["entry"] = Entry(value=float(answer) if answer else None)
        else:
            data["entry"] = Entry(value=_number(data.get("value", "")))
        return data


class WorkflowForm(forms.Form):
    action = forms.ChoiceField(choices=[(a, a) for a in ("submit", "approve", "return", "reopen")])
    # Bounded by the service, which says so (the form would call the action unknown).
    reason = forms.CharField(required=False, widget=forms.Textarea)
    # Submit or approve with gaps in the completeness shown (the service asks for it).
    confirm = forms.BooleanField(required=False)


class DeclareForm(forms.Form):
    status = forms.ChoiceField(required=False, choices=(("", "—"), *DeclaredStatus.choices))


class DecideForm(forms.Form):
    status = forms.ChoiceField(required=False, choices=(("", "—"), *DeclaredStatus.choices))
    # Required and bounded by the service, which says so.
    reason = forms.CharField(required=False, widget=forms.Textarea)
    back = forms.ChoiceField(required=False, choices=(("", ""), ("entry", "entry")))


class EvidenceForm(forms.Form):
    file = forms.FileField(label=_("File"))
    description = forms.CharField(
        label=_("Description"),
        required=False,
        max_length=500,
        error_messages={"max_length": _("The description is longer than 500 characters.")},
    )


class CommentForm(forms.Form):
    """Shown on the value page (the browser keeps to its length); `services.add_comment`
    checks what is posted."""

    text = forms.CharField(label=_("Comment"), max_length=MAX_COMMENT, widget=forms.Textarea)


def _set_choices() -> list[tuple[str, str]]:
    return [
        (i, f"{i} — {load_set(i).name_vi}")
        for i in bundled_set_ids()
        if load_set(i).level == "commune"
    ]


class ImportForm(forms.Form):
    file = forms.FileField(label=_("File (.xlsx or .csv)"))
    set_id = forms.ChoiceField(label=_("Criteria set"), choices=())
    year = forms.IntegerField(label=_("Year"), min_value=2010, max_value=LAST_YEAR)
    stage = forms.ChoiceField(label=_("Stage"), choices=Stage.choices, initial=Stage.CLAIMED)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["set_id"].choices = _set_choices()  # type: ignore[attr-defined]

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        limit = int(getattr(settings, "NTM_IMPORT_MAX_BYTES", 20 * 1024 * 1024))
        if Path(upload.name).suffix.lower() not in {".xlsx", ".csv"}:
            raise forms.ValidationError(_("Only .xlsx and .csv files are accepted."))
        if upload.size > limit:
            name = files.clean_name(upload.name)
            raise forms.ValidationError(
                files.too_large(upload.size, limit).about(name, get_language())
            )
        return upload


class LevelTemplateForm(forms.Form):
    """The criterion-level template asked for: a set and a year it judges."""

    set_id = forms.ChoiceField(label=_("Criteria set"), choices=())
    year = forms.IntegerField(label=_("Year"), min_value=2010, max_value=LAST_YEAR)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        # Beside the import form on one page: its own element ids, the same field names.
        kwargs.setdefault("auto_id", "template_%s")
        super().__init__(*args, **kwargs)
        self.fields["set_id"].choices = _set_choices()  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.errors:
            return data
        outside = year_outside(load_set(data["set_id"]), data["year"])
        if outside is not None:
            raise forms.ValidationError(said(Say(outside.reason, outside.reason_en)))
        return data


class RequireCompleteForm(forms.Form):
    require = forms.ChoiceField(choices=(("yes", "yes"), ("no", "no")))


class MarkReadForm(forms.Form):
    id = forms.IntegerField(required=False, min_value=1)
