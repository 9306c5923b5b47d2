from django.http import JsonResponse


def locked_out_response(request, credentials, *args, **kwargs):
    """What a locked-out login gets, in the API's error shape, whichever endpoint it used."""
    return JsonResponse(
        {"error": {"status": 429, "code": "locked_out",
                   "message": "Too many failed logins for this account; try again later or ask an administrator."}},
        status=429,
    )
