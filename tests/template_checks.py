import logging


class MissingTemplateVariable(Exception):
    pass


class RaiseOnMissingVariable(logging.Filter):
    """Turn Django's 'missing template variable' debug log into an error in tests."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.msg.startswith("Exception while resolving variable"):
            variable, template = record.args
            # Django's own admin templates probe optional variables on purpose.
            if "admin/" in str(template) or "django/forms" in str(template):
                return False
            raise MissingTemplateVariable(f"{variable!r} is missing in {template}")
        return False
