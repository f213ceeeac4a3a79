import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "omnipoint.config.settings")
application = get_wsgi_application()

from omnipoint.core.secrets import require_secrets  # noqa: E402 - needs the settings loaded

require_secrets()  # a server without its secrets does not start
