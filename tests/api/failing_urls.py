"""The project's URLs and one API view that fails with personal data in its local variables."""

from django.urls import path
from rest_framework.views import APIView

from dsrs.urls import urlpatterns as project_urlpatterns

PHONE = "09171234567"


class FailingApi(APIView):
    def get(self, request):
        phone_number = PHONE  # what the debug page would print among the local variables
        raise RuntimeError(f"a bug while showing {phone_number}")


urlpatterns = [path("api/v1/failing", FailingApi.as_view()), *project_urlpatterns]
