"""Uploaded media on the local file system (the default, without MEDIA_S3_BUCKET)."""

import re

from django.core.files.storage import FileSystemStorage

# A stored name whose address is the base URL followed by the name as it is: segments of
# letters, digits, _ and -, with dots but none leading (so no "." or ".." segment), which
# neither quoting (filepath_to_uri) nor urljoin's resolving changes. The names this site
# stores (heroes/..., renditions/<stem>/card-400x225-500500.avif) are all such names.
_PLAIN_NAME = re.compile(r"[A-Za-z0-9_-][A-Za-z0-9_.-]*(?:/[A-Za-z0-9_-][A-Za-z0-9_.-]*)*")


class MediaStorage(FileSystemStorage):
    """FileSystemStorage whose ``url`` joins a plain name to the base URL itself: Django's
    quotes the name and resolves it against the base with ``urljoin`` (13 µs a name,
    about 1 µs here), and a page with a picture asks for about fifteen addresses (its
    srcsets in three formats, the social image). Any other name goes to Django's own
    ``url``; tests/test_images.py checks that both give the same address for any name."""

    def url(self, name):
        base = self.base_url
        if base is not None and name and _PLAIN_NAME.fullmatch(name):
            return base + name
        return super().url(name)
