"""Reflex's upload endpoint reads a whole body before any handler runs: the guard in front of it turns away
strangers and oversized bodies first, without reading them."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from starlette.testclient import TestClient
from starlette.types import Receive, Scope, Send

from catalog_ui.api import UNCHECKED_UPLOAD, guard_uploads
from catalog_ui.services.auth import SESSION_COOKIE
from catalog_ui.settings import get_settings


class Backend:
    """Stands in for Reflex's backend: reads the whole body, answers with its size."""

    def __init__(self) -> None:
        self.calls: list[str] = []

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        self.calls.append(scope["path"])
        size, ended = 0, "complete"
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                ended = "cut off"
                break
            size += len(message.get("body", b""))
            if not message.get("more_body"):
                break
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": f"{size} {ended}".encode()})


@pytest.fixture
def one_mb_limit(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("MAX_UPLOAD_MB", "1")
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def test_a_stranger_cannot_make_the_server_read_an_upload(engine, one_mb_limit) -> None:
    backend = Backend()
    client = TestClient(guard_uploads(backend))
    refused = client.post("/_upload", content=b"x" * 1000)
    forged = TestClient(guard_uploads(backend), cookies={SESSION_COOKIE: "forged"}).post(
        "/_upload", content=b"x" * 1000
    )
    assert (refused.status_code, refused.text) == (401, "Sign in to upload a report.")
    assert forged.status_code == 401
    assert backend.calls == []


def test_a_signed_in_upload_within_the_limit_goes_through(engine, one_mb_limit, token: str) -> None:
    backend = Backend()
    client = TestClient(guard_uploads(backend), cookies={SESSION_COOKIE: token})
    answer = client.post("/_upload", content=b"x" * 1000)
    assert (answer.status_code, answer.text) == (200, "1000 complete")


def test_an_oversized_upload_is_refused_before_it_is_read(engine, one_mb_limit, token: str) -> None:
    backend = Backend()
    client = TestClient(guard_uploads(backend), cookies={SESSION_COOKIE: token})
    declared = client.post("/_upload", content=b"x" * (2 << 20))
    assert (declared.status_code, declared.text) == (
        413,
        "Reports up to 1 MB can be uploaded here; put larger ones in the S3 bucket.",
    )
    assert backend.calls == []

    def chunks() -> Iterator[bytes]:  # no Content-Length: the body is cut off once it passes the limit
        for _ in range(40):
            yield b"x" * (64 << 10)

    streamed = client.post("/_upload", content=chunks())
    assert streamed.text.endswith("cut off")
    assert int(streamed.text.split()[0]) <= (1 << 20) + (64 << 10)


def test_other_requests_pass_untouched(engine, one_mb_limit) -> None:
    backend = Backend()
    client = TestClient(guard_uploads(backend))
    assert client.post("/_event", content=b"x" * 10).text == "10 complete"
    assert client.get("/_upload").status_code == 200
    assert backend.calls == ["/_event", "/_upload"]


def test_with_the_database_down_an_upload_is_refused_with_a_message_the_page_shows(database_down) -> None:
    backend = Backend()
    client = TestClient(guard_uploads(backend), cookies={SESSION_COOKIE: "a-session"})

    plain = client.post("/_upload", content=b"x" * 1000)
    from_the_page = client.post(
        "/_upload", content=b"x" * 1000, headers={"Reflex-Event-Handler": "reports_state.upload_report"}
    )

    assert (plain.status_code, plain.text) == (503, UNCHECKED_UPLOAD)
    # The page's uploader applies the state updates streamed in the answer: one shows the message.
    assert from_the_page.status_code == 503
    (update,) = [json.loads(line) for line in from_the_page.text.splitlines()]
    event, refused = update["events"]
    assert event["name"] == "_call_function"
    assert '["error"]' in event["payload"]["function"] and UNCHECKED_UPLOAD in event["payload"]["function"]
    # and the uploader's state hears that its upload ended (its button waited for a handler that never ran)
    assert refused["name"] == "reports_state.upload_refused"
    assert backend.calls == []
