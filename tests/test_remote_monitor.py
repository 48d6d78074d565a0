"""RemoteMonitor against a local http.server (urllib path) and a stand-in ``requests`` module (requests path)."""
import http.server
import json
import socket
import sys
import threading
import types
import urllib.parse
import warnings

import numpy as np
import pytest

import fastkeras as keras


class _Recorder(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        self.server.requests.append({"path": self.path, "headers": dict(self.headers), "body": body})
        status = self.server.status
        self.send_response(status)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):  # keep the test output clean
        pass


@pytest.fixture
def server():
    httpd = http.server.HTTPServer(("127.0.0.1", 0), _Recorder)
    httpd.timeout = 5
    httpd.requests = []
    httpd.status = 200
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    yield httpd
    httpd.shutdown()
    httpd.server_close()
    thread.join(5)


@pytest.fixture
def no_requests(monkeypatch):
    monkeypatch.setitem(sys.modules, "requests", None)  # `import requests` raises ImportError: urllib is used


def _root(httpd):
    return f"http://127.0.0.1:{httpd.server_address[1]}"


def _fit(callback, epochs=2):
    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.layers.Dense(1, input_shape=(3,))])
    model.compile("sgd", "mse", metrics=["mae"])
    x = np.random.RandomState(0).rand(8, 3).astype("float32")
    return model.fit(x, x[:, :1], epochs=epochs, batch_size=4, verbose=0, callbacks=[callback])


def test_defaults_match_tf_keras():
    monitor = keras.callbacks.RemoteMonitor()
    assert (monitor.root, monitor.path, monitor.field, monitor.headers, monitor.send_as_json) == \
        ("http://localhost:9000", "/publish/epoch/end/", "data", None, False)


def test_form_post_each_epoch(server, no_requests):
    history = _fit(keras.callbacks.RemoteMonitor(root=_root(server), headers={"X-Run": "abc"}))
    assert len(server.requests) == 2
    for epoch, req in enumerate(server.requests):
        assert req["path"] == "/publish/epoch/end/"
        assert req["headers"]["Content-Type"] == "application/x-www-form-urlencoded"
        assert req["headers"]["X-Run"] == "abc"
        form = urllib.parse.parse_qs(req["body"].decode("ascii"))
        assert list(form) == ["data"]
        sent = json.loads(form["data"][0])
        assert sent == {"epoch": epoch, "loss": history.history["loss"][epoch],
                        "mae": history.history["mae"][epoch]}


def test_json_post_custom_path_and_field(server, no_requests):
    monitor = keras.callbacks.RemoteMonitor(root=_root(server), path="/ep", field="ignored", send_as_json=True)
    monitor.on_epoch_end(3, {"loss": np.float32(0.5), "acc": np.array(0.25), "lr": 1e-3})
    (req,) = server.requests
    assert req["path"] == "/ep"
    assert req["headers"]["Content-Type"] == "application/json"
    assert json.loads(req["body"]) == {"epoch": 3, "loss": 0.5, "acc": 0.25, "lr": 1e-3}


def test_error_status_is_not_reported(server, no_requests):
    server.status = 500
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        keras.callbacks.RemoteMonitor(root=_root(server)).on_epoch_end(0, {"loss": 1.0})
    assert len(server.requests) == 1


def test_unreachable_server_warns_and_training_goes_on(no_requests):
    with socket.socket() as s:  # a port nothing listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    monitor = keras.callbacks.RemoteMonitor(root=f"http://127.0.0.1:{port}")
    with pytest.warns(UserWarning, match="could not reach RemoteMonitor root server at http://127.0.0.1"):
        history = _fit(monitor, epochs=2)
    assert len(history.history["loss"]) == 2


def test_uses_requests_when_installed(monkeypatch):
    calls = []

    class RequestException(Exception):
        pass

    def post(url, data=None, json=None, **kwargs):
        calls.append((url, data, json, kwargs))
        if url.startswith("http://down"):
            raise RequestException("refused")

    fake = types.ModuleType("requests")
    fake.post = post
    fake.exceptions = types.SimpleNamespace(RequestException=RequestException)
    monkeypatch.setitem(sys.modules, "requests", fake)

    keras.callbacks.RemoteMonitor(root="http://up", headers={"A": "b"}).on_epoch_end(1, {"loss": np.float64(2.0)})
    url, data, body, kwargs = calls[-1]
    assert url == "http://up/publish/epoch/end/" and body is None and kwargs["headers"] == {"A": "b"}
    assert json.loads(data["data"]) == {"epoch": 1, "loss": 2.0}

    keras.callbacks.RemoteMonitor(root="http://up", send_as_json=True).on_epoch_end(0, {"loss": 1.5})
    url, data, body, kwargs = calls[-1]
    assert data is None and body == {"epoch": 0, "loss": 1.5}

    with pytest.warns(UserWarning, match="could not reach RemoteMonitor root server at http://down"):
        keras.callbacks.RemoteMonitor(root="http://down").on_epoch_end(0, {})
