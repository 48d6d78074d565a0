"""Keras 2's ``RemoteMonitor`` callback: POSTs each epoch's logs to an HTTP server.

Uses ``requests`` when it is installed (as tf-keras, which requires it) and the standard library's urllib
otherwise; neither is imported before the first epoch ends.
"""
import json
import warnings

import numpy as np

from fastkeras.callbacks import Callback


def _plain(value):
    """A JSON-ready Python scalar (or list) for a log value that may be a NumPy or torch scalar."""
    if isinstance(value, (np.ndarray, np.generic)):
        return value.item() if value.size == 1 else value.tolist()
    if hasattr(value, "item") and callable(value.item) and not isinstance(value, (str, bytes)):
        try:
            return value.item()
        except (TypeError, ValueError, RuntimeError):
            pass
    return value


class RemoteMonitor(Callback):
    """Sends ``{"epoch": epoch, **logs}`` to ``root + path`` with an HTTP POST at the end of every epoch.

    By default the body is a form with one field, ``field``, holding the logs as JSON
    (``data=%7B%22epoch%22...``, ``application/x-www-form-urlencoded``); with ``send_as_json=True`` the body is
    the JSON itself (``application/json``). ``headers`` adds HTTP headers. A server that cannot be reached
    (refused, unknown host, timeout after ``timeout`` seconds, a fastkeras attribute, 10 by default) gives a
    warning, not an error: training goes on. A server that answers with an error status is not reported, as
    in tf-keras.

    Args:
        root: the server's URL, e.g. ``"http://localhost:9000"``.
        path: the path appended to ``root``.
        field: the form field holding the JSON (ignored with ``send_as_json=True``).
        headers: dict of extra HTTP headers.
        send_as_json: send the logs as a JSON body instead of a form.
    """

    def __init__(self, root="http://localhost:9000", path="/publish/epoch/end/", field="data", headers=None,
                 send_as_json=False):
        super().__init__()
        self.root = root
        self.path = path
        self.field = field
        self.headers = headers
        self.send_as_json = send_as_json
        self.timeout = 10

    def on_epoch_end(self, epoch, logs=None):
        payload = {"epoch": epoch}
        for key, value in (logs or {}).items():
            payload[key] = _plain(value)
        url = self.root + self.path
        try:
            import requests
        except ImportError:
            requests = None
        if requests is not None:
            try:
                if self.send_as_json:
                    requests.post(url, json=payload, headers=self.headers, timeout=self.timeout)
                else:
                    requests.post(url, {self.field: json.dumps(payload)}, headers=self.headers,
                                  timeout=self.timeout)
            except requests.exceptions.RequestException:
                self._warn_unreachable()
            return
        self._post_with_urllib(url, payload)

    def _post_with_urllib(self, url, payload):
        import urllib.error
        import urllib.parse
        import urllib.request
        if self.send_as_json:
            body = json.dumps(payload).encode("utf-8")
            content_type = "application/json"
        else:
            body = urllib.parse.urlencode({self.field: json.dumps(payload)}).encode("ascii")
            content_type = "application/x-www-form-urlencoded"
        headers = {"Content-Type": content_type}
        headers.update(self.headers or {})
        request = urllib.request.Request(url, data=body, headers=headers, method="POST")
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                response.read()
        except urllib.error.HTTPError:
            pass  # the server answered (with an error status): reached, like requests, which does not raise here
        except (urllib.error.URLError, OSError, ValueError):
            self._warn_unreachable()

    def _warn_unreachable(self):
        warnings.warn(f"Warning: could not reach RemoteMonitor root server at {self.root}", stacklevel=3)
