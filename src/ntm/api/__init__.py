"""The JSON API (django-ninja) under /api/: units, criteria sets, values, evaluations and
statistics, with the same permission rules as the pages (`ntm.accounts.permissions`)."""
