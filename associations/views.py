"""The public association directory: only active associations that agreed to be listed."""

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext_lazy as _

from activities.selectors import published_activities
from portal.models import Locality
from portal.pagecache import public_page
from portal.paging import page_of, query_without

from .models import Association

PAGE_SIZE = 20


class DirectoryFilterForm(forms.Form):
    locality = forms.ChoiceField(label=_("Locality"), required=False)
    kind = forms.ChoiceField(
        label=_("Kind of association"),
        required=False,
        choices=[("", _("All kinds")), *Association.Kind.choices],
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["locality"].choices = [
            ("", _("All localities")),
            *((loc.slug, loc.name) for loc in Locality.objects.all()),
        ]


def listed_associations():
    return (
        Association.objects.filter(is_active=True, show_in_directory=True)
        .only("name", "slug", "kind", "purpose", "email", "phone", "website", "logo", "logo_alt")
        .prefetch_related("localities")
    )


@public_page
def directory(request: HttpRequest) -> HttpResponse:
    form = DirectoryFilterForm(request.GET or {})
    associations = listed_associations()
    if form.is_valid():
        if form.cleaned_data["locality"]:
            associations = associations.filter(localities__slug=form.cleaned_data["locality"])
        if form.cleaned_data["kind"]:
            associations = associations.filter(kind=form.cleaned_data["kind"])
    else:
        associations = associations.none()
    page = page_of(request, associations.distinct(), PAGE_SIZE)
    return render(
        request, "associations/directory.html", {"form": form, "page": page, "query": query_without(request)}
    )


@public_page
def detail(request: HttpRequest, slug: str) -> HttpResponse:
    association = get_object_or_404(listed_associations(), slug=slug)
    activities = published_activities().filter(organiser_association=association)
    return render(request, "associations/detail.html", {"association": association, "activities": activities})
