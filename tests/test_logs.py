"""Structured logs (issue 17): JSON lines with the request id, no personal data."""

import io
import json
import logging

from units.logs import JsonFormatter, RequestIdFilter


def _capture():
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(RequestIdFilter())
    handler.setFormatter(JsonFormatter())
    logger = logging.getLogger("familjestod.request")
    logger.addHandler(handler)
    saved = logger.level
    logger.setLevel(logging.INFO)
    return stream, lambda: (logger.removeHandler(handler), logger.setLevel(saved))


def test_a_request_is_logged_as_json_with_its_id_and_no_personal_data(alice_client, unit_a):
    stream, done = _capture()
    try:
        response = alice_client.get(f"/{unit_a.slug}/sessions/?q=Anna+Andersson", HTTP_X_REQUEST_ID="abc-123",
                                    REMOTE_ADDR="10.1.2.3")
    finally:
        done()
    assert response["X-Request-ID"] == "abc-123"
    line = json.loads(stream.getvalue().strip().splitlines()[-1])
    assert line["request_id"] == "abc-123" and line["status"] == 200 and line["method"] == "GET"
    assert line["route"] == "<slug:unit_slug>/sessions/"
    text = stream.getvalue()
    for personal in ("alice", "Anna", "Andersson", "10.1.2.3", "sessionid"):
        assert personal not in text


def test_an_id_that_is_not_a_plain_token_is_replaced(client, db):
    response = client.get("/healthz", HTTP_X_REQUEST_ID="x\nforged log line")
    assert "\n" not in response["X-Request-ID"] and len(response["X-Request-ID"]) == 32
