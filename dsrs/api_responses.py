"""What every answer on an API path (`/api/`) is, whatever view, middleware or error produced it.

- It is never stored by a browser or a proxy (`Cache-Control: no-store`): API answers carry personal
  data, and a shared cache would hand them to the next caller.
- An error is the API's one JSON shape, never a page: not Django's HTML 404 or 500, and not the
  debug page that DEBUG shows, which prints the request's data and the view's local variables
  unmasked. The error itself is logged as usual (Django's `django.request` logger).
"""

from http import HTTPStatus

from django.http import JsonResponse
from django.utils.cache import add_never_cache_headers

API_PREFIX = "/api/"
_MESSAGES = {
    404: "No such resource.",
    500: "The server failed to answer; the failure is logged under this response's X-Correlation-ID.",
}


def error_response(status: int, *, code: str | None = None, message: str | None = None) -> JsonResponse:
    """An error in the API's one shape (see dsrs/api.py), for answers made outside a DRF view."""
    phrase = HTTPStatus(status).phrase
    return JsonResponse({"error": {"status": status, "code": code or phrase.lower().replace(" ", "_").replace("-", "_"),
                                   "message": message or _MESSAGES.get(status, phrase + ".")}}, status=status)


def _is_json(response) -> bool:
    content_type = response.get("Content-Type", "").split(";")[0].strip()
    return content_type == "application/json" or content_type.endswith("+json")


class ApiResponseMiddleware:
    """Makes every API-path answer `no-store`, and every API-path error JSON in the API's shape."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if not request.path.startswith(API_PREFIX):
            return response
        if response.status_code >= 400 and not _is_json(response):
            data = getattr(response, "data", None)  # a DRF answer rendered as HTML (the browsable API)
            replacement = JsonResponse(data, status=response.status_code) if (
                isinstance(data, dict) and "error" in data) else error_response(response.status_code)
            for header in ("Allow", "Retry-After", "WWW-Authenticate"):
                if header in response:
                    replacement[header] = response[header]
            response = replacement
        if not response.has_header("Cache-Control"):
            add_never_cache_headers(response)
        return response
