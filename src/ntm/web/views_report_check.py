"""*Kiểm tra văn bản đã công bố*: a published text pasted in, each figure it states about a
province's communes shown with its verdict (`ntm.reports.check`), the record's figure and a
link to the province page that shows it. Read by whoever reads the province; the text is
posted (it may be long), and nothing is stored."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods

from ntm.accounts import permissions
from ntm.reports.check import LABELS, Status, check_text
from ntm.results.query import ChoiceError, parse_day
from ntm.units.models import Unit, UnitKind
from ntm.web.views import get_visible_unit_or_404

MAX_TEXT = 100_000  # characters: a long press release is some 10.000
STYLE = {Status.MATCHES: "status-ok", Status.DIFFERS: "status-bad", Status.UNCHECKED: "status-warn"}


class CheckForm(forms.Form):
    text = forms.CharField(
        label=_("Published text"), widget=forms.Textarea(attrs={"rows": 12}), max_length=MAX_TEXT
    )
    province = forms.ModelChoiceField(label=_("Province"), queryset=Unit.objects.none())
    date = forms.CharField(
        label=_("Date of the figures (dd/mm/yyyy; empty: today)"), required=False, max_length=10
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["province"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = (
            permissions.visible_units(user).filter(kind=UnitKind.PROVINCE).order_by("name_key")
        )

    def clean_date(self) -> dt.date:
        try:
            day = parse_day(self.cleaned_data["date"], name=str(_("The date")))
        except ChoiceError as e:
            raise forms.ValidationError(str(e)) from None
        return day or timezone.localdate()


@login_required
@require_http_methods(["GET", "POST"])
def report_check(request: HttpRequest, pk: int) -> HttpResponse:
    unit = get_visible_unit_or_404(request, pk, UnitKind.PROVINCE)
    if request.method != "POST":
        form = CheckForm(user=request.user, initial={"province": unit.pk})
        return render(request, "web/report_check.html", {"unit": unit, "form": form})
    form = CheckForm(request.POST, user=request.user)
    if not form.is_valid():
        context = {"unit": unit, "form": form}
        return render(request, "web/report_check.html", context, status=400)
    province, day = form.cleaned_data["province"], form.cleaned_data["date"]
    verdicts = check_text(form.cleaned_data["text"], province, day)
    rows = [
        {"v": v, "label": LABELS[v.status], "style": STYLE[v.status], "url": v.url(province)}
        for v in verdicts
    ]
    counts = {status: sum(1 for v in verdicts if v.status == status) for status in STYLE}
    return render(
        request,
        "web/report_check.html",
        {
            "unit": unit,
            "form": form,
            "checked": province,
            "day": day,
            "rows": rows,
            "counts": [(LABELS[s], STYLE[s], n) for s, n in counts.items()],
        },
    )
