"""Whatever a client sends to POST /v1/messages, the answer is never a server error."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.integration.conftest import Running

FIELDS = [
    "to",
    "text",
    "messages",
    "sender",
    "send_at",
    "validity",
    "client_ref",
    "urgent",
    "test",
    "estimate",
    "smart_encoding",
    "transliterate",
    "single",
]
scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=False),
    st.text(max_size=40),
    st.sampled_from(["+48500600700", "500 600 700", "2026-12-24T18:00:00+01:00", "€[{", "😀"]),
)
values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner),
    max_leaves=12,
)
bodies = st.dictionaries(st.sampled_from(FIELDS) | st.text(max_size=8), values, max_size=6)
# Fuzzing runs on SQLite only: the door's parsing does not depend on the engine.
pytestmark = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
FUZZ = settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)


@FUZZ
@given(body=bodies)
async def test_any_json_object_gets_an_answer_below_500(gw: Running, body: dict[str, Any]) -> None:
    response = await gw.client.post(
        "/v1/messages", content=json.dumps(body), headers={"content-type": "application/json"}
    )
    assert response.status_code < 500, response.text
    if response.status_code >= 400:
        assert response.json()["error"]["code"]


@FUZZ
@given(raw=st.binary(max_size=300))
async def test_any_bytes_get_an_answer_below_500(gw: Running, raw: bytes) -> None:
    response = await gw.client.post(
        "/v1/messages", content=raw, headers={"content-type": "application/json"}
    )
    assert response.status_code < 500, response.text
