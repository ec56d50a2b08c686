from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from portal import ratelimit
from portal.cache_signals import signups_version
from portal.models import Locality
from portal.pagecache import public_page

from . import selectors, services
from .forms import ActivitySearchForm, GuestSignupForm, PlaceFilterForm, SignupForm, SuggestionForm
from .models import Category, Registration

PAGE_SIZE = 20
# Search parameters an empty result offers to drop, one at a time, in this order.
FILTERS = ("q", "locality", "date_from", "date_to", "weekday", "time_of_day", "category", "free", "no_signup",
           "accessible", "online")  # fmt: skip


def _page(request: HttpRequest, queryset, per_page: int = PAGE_SIZE):
    return Paginator(queryset, per_page).get_page(request.GET.get("page"))


def _query_without(request: HttpRequest, *names: str) -> str:
    """The current query string without ``page`` and the given parameters (for page and widen links)."""
    query = request.GET.copy()
    for name in ("page", *names):
        query.pop(name, None)
    return query.urlencode()


@public_page
def search(request: HttpRequest) -> HttpResponse:
    """The activity search: a GET form whose results are a paginated list of occasions."""
    form = ActivitySearchForm(
        request.GET, localities=list(Locality.objects.all()), categories=list(Category.objects.all())
    )
    page = None
    if form.is_valid():
        occurrences = selectors.search_occurrences(form.search())
        if form.by_relevance():
            occurrences = selectors.order_by_relevance(occurrences, form.cleaned_data["q"])
        page = _page(request, occurrences)
    widen = [(name, _query_without(request, name)) for name in FILTERS if request.GET.get(name)]
    return render(
        request,
        "activities/search.html",
        {"form": form, "page": page, "query": _query_without(request), "widen": widen},
    )


@public_page(depends_on=lambda request, slug: [signups_version(slug)])  # it shows the places left
def activity_detail(request: HttpRequest, slug: str) -> HttpResponse:
    activity = get_object_or_404(selectors.published_activities(), slug=slug)
    page = _page(request, selectors.bookable_occurrences_of(activity))
    return render(
        request,
        "activities/activity_detail.html",
        {"activity": activity, "page": page, "place": activity.place},
    )


@require_http_methods(["GET", "POST"])
def signup(request: HttpRequest, pk: int) -> HttpResponse:
    """Sign up for one occasion: one button when signed in, name and phone or e-mail as a guest.

    Guest sign-ups that would be stored (or trip the honeypot) count towards the rate limit; signed-in
    people are accountable and not limited, so a shared computer at a meeting place keeps working."""
    occurrence = get_object_or_404(selectors.public_occurrences(), pk=pk)
    guest = not request.user.is_authenticated
    form = (GuestSignupForm if guest else SignupForm)(request.POST or None)
    if request.method == "POST":
        spam = form.is_spam()
        if guest and (spam or form.is_valid()):
            limited = ratelimit.hit(request, ratelimit.GUEST_SIGNUP, key="" if spam else form.reply_to())
            if limited:
                context = {"occurrence": occurrence, "form": form}
                return ratelimit.too_many_requests(request, limited, "activities/signup.html", context)
        if spam:
            ratelimit.honeypot_hit(request, ratelimit.GUEST_SIGNUP if guest else "activities.signup")
            return redirect("activities:detail", slug=occurrence.activity.slug)
        if form.is_valid():
            fields = {} if request.user.is_authenticated else {
                key: form.cleaned_data[key] for key in ("guest_name", "guest_phone", "guest_email")
            }  # fmt: skip
            try:
                registration = services.register(
                    occurrence,
                    user=request.user if request.user.is_authenticated else None,
                    party_size=form.cleaned_data["party_size"],
                    language=request.LANGUAGE_CODE,
                    **fields,
                )
            except services.SignupError as error:
                form.add_error(None, error.messages[0])
            else:
                request.session["signed_up"] = registration.pk
                return redirect("activities:signup-done", pk=occurrence.pk)
    return render(request, "activities/signup.html", {"occurrence": occurrence, "form": form})


def signup_done(request: HttpRequest, pk: int) -> HttpResponse:
    """The receipt page after signing up; shown only in the session that made the sign-up."""
    registration_pk = request.session.get("signed_up")
    if registration_pk is None:
        raise Http404
    registration = get_object_or_404(
        Registration.objects.select_related("occurrence__activity", "user"),
        pk=registration_pk,
        occurrence_id=pk,
    )
    return render(request, "activities/signup_done.html", {"registration": registration})


@login_required
def my_registrations(request: HttpRequest) -> HttpResponse:
    upcoming, past = selectors.upcoming_and_past_registrations(request.user)
    return render(request, "activities/my_registrations.html", {"upcoming": upcoming, "past": past[:50]})


@login_required
@require_POST
def cancel_my_registration(request: HttpRequest, pk: int) -> HttpResponse:
    registration = get_object_or_404(Registration, pk=pk, user=request.user)
    try:
        services.cancel_registration(registration, request=request)
    except services.SignupError as error:
        messages.error(request, error.messages[0])
    else:
        messages.success(request, _("Your sign-up is cancelled. Thank you for letting us know."))
    return redirect("activities:my-registrations")


@require_http_methods(["GET", "POST"])
def cancel_registration(request: HttpRequest, token: str) -> HttpResponse:
    """Cancel a sign-up from the link in its e-mail: GET asks for confirmation, POST cancels."""
    registration = get_object_or_404(
        Registration.objects.select_related(
            "occurrence__activity", "occurrence__place", "occurrence__activity__place"
        ),
        cancel_token=token,
    )
    if request.method == "POST" and registration.status != Registration.Status.CANCELLED:
        try:
            services.cancel_registration(registration, request=request)
        except services.SignupError as error:
            messages.error(request, error.messages[0])
        else:
            messages.success(request, _("Your sign-up is cancelled. Thank you for letting us know."))
        return redirect("activities:cancel-registration", token=token)
    return render(request, "activities/cancel_registration.html", {"registration": registration})


@require_http_methods(["GET", "POST"])
def suggest(request: HttpRequest) -> HttpResponse:
    """Tipsa om en aktivitet: anyone can tell the municipality about an activity, for moderation."""
    form = SuggestionForm(request.POST or None)
    if request.method == "POST":
        spam = form.is_spam()
        if spam or form.is_valid():
            limited = ratelimit.hit(request, ratelimit.SUGGESTION, key="" if spam else form.reply_to())
            if limited:
                return ratelimit.too_many_requests(
                    request, limited, "activities/suggest.html", {"form": form}
                )
            if spam:
                ratelimit.honeypot_hit(request, ratelimit.SUGGESTION)
            else:
                services.suggest_activity(language=request.LANGUAGE_CODE, **form.suggestion_fields())
            return redirect("activities:suggest-thanks")
    return render(request, "activities/suggest.html", {"form": form})


def suggest_thanks(request: HttpRequest) -> HttpResponse:
    return render(request, "activities/suggest_thanks.html")


@public_page
def place_list(request: HttpRequest) -> HttpResponse:
    form = PlaceFilterForm(request.GET or {})
    places = selectors.active_places().order_by("locality__name", "name")
    if form.is_valid():
        data = form.cleaned_data
        if data["locality"]:
            places = places.filter(locality__slug=data["locality"])
        if data["kind"]:
            places = places.filter(kind=data["kind"])
        if data["accessible"]:
            places = places.filter(step_free_entrance=True, accessible_toilet=True)
    else:
        places = places.none()
    return render(
        request,
        "activities/place_list.html",
        {"form": form, "page": _page(request, places), "query": _query_without(request)},
    )


@public_page
def place_detail(request: HttpRequest, slug: str) -> HttpResponse:
    place = get_object_or_404(selectors.active_places(), slug=slug)
    occurrences = selectors.occurrences_at_place(place)[:PAGE_SIZE]
    return render(
        request,
        "activities/place_detail.html",
        {
            "place": place,
            "occurrences": occurrences,
            "tile_url": settings.MAP_TILE_URL,
        },
    )
