"""WSGI entry point (gunicorn xinfeng.wsgi)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "xinfeng.settings")
application = get_wsgi_application()
