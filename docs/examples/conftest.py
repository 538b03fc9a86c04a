"""The host examples are run by tests/test_embedding.py and
tests/test_django_example.py (as ``docs.examples.*``), not imported by the
doctest collection: importing the Django one configures Django for the
whole process."""

collect_ignore = ["fastapi_app.py", "django_app.py"]
