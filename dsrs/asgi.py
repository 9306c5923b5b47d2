import os

from django.core.asgi import get_asgi_application
from dsrs.observability import configure_tracing

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dsrs.settings")
configure_tracing()
application = get_asgi_application()
