"""Django's PostgreSQL backend, with a cheaper health check and query parsing
(see base.py)."""
