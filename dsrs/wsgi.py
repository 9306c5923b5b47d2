import os

from django.core.wsgi import get_wsgi_application
from dsrs.observability import configure_tracing

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dsrs.settings")
configure_tracing()
application = get_wsgi_application()
