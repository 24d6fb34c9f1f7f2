"""The signer, byte for byte against the reference implementation (exoscale_auth.ExoscaleV2Auth)."""

from __future__ import annotations

import httpx
import pytest
import requests
from exoscale_auth import ExoscaleV2Auth
from hypothesis import given
from hypothesis import strategies as st

from jupyter_exo_models.core.exoscale.auth import ExoscaleV2Signer, authorization_header

KEY, SECRET = "EXOsandboxkey", "sandbox-secret-value"
EXPIRES = 1_900_000_000


def reference(method: str, url: str, body: bytes | None) -> str:
    prepared = requests.Request(
        method, url, data=body, headers={"Content-Type": "application/json"}
    ).prepare()
    ExoscaleV2Auth(KEY, SECRET)._sign_request(prepared, EXPIRES)
    return prepared.headers["Authorization"]


def ours(method: str, url: str, body: bytes | None) -> str:
    request = httpx.Request(method, url, content=body)
    signer = ExoscaleV2Signer(KEY, SECRET, now=lambda: EXPIRES - 600)
    flow = signer.auth_flow(request)
    signed = next(flow)
    return signed.headers["Authorization"]


CASES = [
    ("GET", "https://api-de-fra-1.exoscale.com/v2/ai/model", None),
    ("GET", "https://api-de-fra-1.exoscale.com/v2/zone", None),
    ("POST", "https://api-de-fra-1.exoscale.com/v2/ai/model", b'{"name": "org/model"}'),
    (
        "POST",
        "https://api-de-fra-1.exoscale.com/v2/ai/model",
        b'{"name": "org/model", "huggingface-token": "hf_x"}',
    ),
    ("DELETE", "https://api-de-fra-1.exoscale.com/v2/ai/model/7f1c2e9a-0000-4000-8000-000000000000", None),
    ("GET", "https://api-de-fra-1.exoscale.com/v2/operation/1?b=2&a=1", None),
    ("GET", "https://api-ch-gva-2.exoscale.com/v2/ai/model?zone=ch-gva-2&name=caf%C3%A9", None),
    ("GET", "https://api-ch-gva-2.exoscale.com/v2/ai/model?x=1&x=2&y=3", None),
    ("PUT", "http://127.0.0.1:8080/de-fra-1/v2/ai/model/abc", b"{}"),
]


@pytest.mark.parametrize("method, url, body", CASES)
def test_matches_reference(method, url, body):
    assert ours(method, url, body) == reference(method, url, body)


@given(
    method=st.sampled_from(["GET", "POST", "DELETE", "PUT"]),
    segments=st.lists(st.from_regex(r"[a-z0-9\-]{1,12}", fullmatch=True), min_size=1, max_size=4),
    query=st.dictionaries(
        st.from_regex(r"[a-z]{1,6}", fullmatch=True), st.text(min_size=0, max_size=10), max_size=3
    ),
    body=st.one_of(st.none(), st.binary(max_size=64)),
)
def test_matches_reference_for_generated_requests(method, segments, query, body):
    url = httpx.URL("https://api-de-fra-1.exoscale.com/v2/" + "/".join(segments), params=query)
    assert ours(method, str(url), body) == reference(method, str(url), body)


def test_header_shape_and_secret_kept_out():
    header = authorization_header(KEY, SECRET, "GET", "https://x/v2/ai/model?b=1&a=2", b"", EXPIRES)
    assert header.startswith(
        f"EXO2-HMAC-SHA256 credential={KEY},signed-query-args=a;b,expires={EXPIRES},signature="
    )
    assert SECRET not in header and SECRET not in repr(ExoscaleV2Signer(KEY, SECRET))
