"""Django admin over the console's support cases (``start("django-admin", ...)``): an unmanaged
model of the existing table; Django's own tables live in the ``django_peer`` schema."""
