from django.http import HttpRequest, HttpResponse

from . import views


class HealthProbeMiddleware:
    """Answer the health probes before host validation and HTTPS redirects.

    Load balancers and container healthchecks call them by IP address over plain HTTP; the probes reveal
    nothing and change nothing, so they need neither an allowed Host header nor TLS.
    """

    PROBES = {"/healthz": views.healthz, "/readyz": views.readyz}

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        probe = self.PROBES.get(request.path_info)
        if probe is not None:
            return probe(request)
        return self.get_response(request)
