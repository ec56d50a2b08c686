"""Coordinators' pages for the reference data activities build on: meeting places, categories, localities."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from accounts.access import role_required
from accounts.roles import Role
from portal.models import Locality

from . import authoring
from .forms_backoffice import CategoryForm, LocalityForm, MeetingPlaceForm
from .models import Category, MeetingPlace

PAGE_SIZE = 25


def _edit_page(request: HttpRequest, form, save, template: str, success_url: str, **context) -> HttpResponse:
    """Validate ``form``, hand its unsaved instance to ``save`` and go to ``success_url``."""
    if request.method == "POST" and form.is_valid():
        try:
            save(form.save(commit=False), user=request.user, request=request)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            form.save_m2m()
            messages.success(request, _("Saved."))
            return redirect(success_url)
    return render(request, template, {"form": form, **context})


@require_GET
@role_required(Role.COORDINATOR)
def place_list(request: HttpRequest) -> HttpResponse:
    text = request.GET.get("q", "").strip()
    places = MeetingPlace.objects.select_related("locality").order_by("name", "pk")
    if text:
        places = places.filter(Q(name__icontains=text) | Q(locality__name__icontains=text))
    page = Paginator(places, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "activities/backoffice/place_list.html",
        {"page": page, "q": text, "query": f"q={text}" if text else ""},
    )


@role_required(Role.COORDINATOR)
def place_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    place = get_object_or_404(MeetingPlace, pk=pk) if pk else MeetingPlace()
    form = MeetingPlaceForm(request.POST or None, request.FILES or None, instance=place)
    return _edit_page(
        request,
        form,
        authoring.save_meeting_place,
        "activities/backoffice/place_form.html",
        "activities_backoffice:places",
        place=place,
    )


@role_required(Role.COORDINATOR)
def place_delete(request: HttpRequest, pk: int) -> HttpResponse:
    place = get_object_or_404(MeetingPlace, pk=pk)
    if request.method == "POST":
        try:
            authoring.delete_meeting_place(place, user=request.user, request=request)
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
            return redirect("activities_backoffice:place-edit", place.pk)
        messages.success(request, _("The meeting place is removed."))
        return redirect("activities_backoffice:places")
    return render(request, "activities/backoffice/place_delete.html", {"place": place})


@require_GET
@role_required(Role.COORDINATOR)
def category_list(request: HttpRequest) -> HttpResponse:
    categories = Category.objects.annotate(activity_count=Count("activities")).order_by("position", "slug")
    return render(request, "activities/backoffice/category_list.html", {"categories": categories})


@role_required(Role.COORDINATOR)
def category_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    category = get_object_or_404(Category, pk=pk) if pk else Category()
    form = CategoryForm(request.POST or None, instance=category)
    return _edit_page(
        request,
        form,
        authoring.save_category,
        "activities/backoffice/category_form.html",
        "activities_backoffice:categories",
        category=category,
    )


@require_GET
@role_required(Role.COORDINATOR)
def locality_list(request: HttpRequest) -> HttpResponse:
    localities = Locality.objects.annotate(place_count=Count("meeting_places")).order_by("name")
    return render(request, "activities/backoffice/locality_list.html", {"localities": localities})


@role_required(Role.COORDINATOR)
def locality_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    locality = get_object_or_404(Locality, pk=pk) if pk else Locality()
    form = LocalityForm(request.POST or None, instance=locality)
    return _edit_page(
        request,
        form,
        authoring.save_locality,
        "activities/backoffice/locality_form.html",
        "activities_backoffice:localities",
        locality=locality,
    )
