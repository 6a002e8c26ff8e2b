"""A limit on failed admin sign-ins, per account and per address.

After LOGIN_FAILURE_LIMIT failures within LOGIN_LOCK_SECONDS, further attempts for that
account, or from that address, are refused with a clear message until the window passes
or an administrator runs `manage.py unlock_login`. Counts live in the cache (Redis in
production, so every app server sees them).
"""

from django import forms
from django.conf import settings
from django.contrib.admin.forms import AdminAuthenticationForm
from django.core.cache import cache


def _keys(username: str, address: str) -> list[str]:
    return [f"login-failures:user:{username.strip().lower()}", f"login-failures:ip:{address}"]


def client_address(request) -> str:
    # Behind the TLS proxy, gunicorn's forwarded_allow_ips makes REMOTE_ADDR the client's.
    return request.META.get("REMOTE_ADDR", "unknown")


def is_locked(username: str, address: str) -> bool:
    counts = cache.get_many(_keys(username, address))
    return any(count >= settings.LOGIN_FAILURE_LIMIT for count in counts.values())


def record_failure(username: str, address: str) -> None:
    for key in _keys(username, address):
        if cache.add(key, 1, settings.LOGIN_LOCK_SECONDS):
            continue
        try:
            cache.incr(key)
        except ValueError:
            cache.set(key, 1, settings.LOGIN_LOCK_SECONDS)


def clear(*, username: str = "", address: str = "") -> None:
    if username:
        cache.delete(_keys(username, "")[0])
    if address:
        cache.delete(_keys("", address)[1])


class LimitedAdminAuthenticationForm(AdminAuthenticationForm):
    error_messages = {
        **AdminAuthenticationForm.error_messages,
        "locked": (
            "Too many failed sign-ins for this account or from this address. Wait "
            "%(minutes)s minutes and try again, or ask an administrator to unlock it."
        ),
    }

    def clean(self):
        username = self.cleaned_data.get("username") or ""
        address = client_address(self.request) if self.request else "unknown"
        if is_locked(username, address):
            raise forms.ValidationError(
                self.error_messages["locked"],
                code="locked",
                params={"minutes": settings.LOGIN_LOCK_SECONDS // 60},
            )
        try:
            cleaned = super().clean()
        except forms.ValidationError:
            record_failure(username, address)
            raise
        clear(username=username)
        return cleaned
