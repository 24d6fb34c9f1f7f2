"""Calling the server extension's REST API in tests (jp_fetch), every answer checked for secrets."""

from __future__ import annotations

import json

from hostile import ECHOED_EXO_SECRET
from tornado.httpclient import HTTPClientError

from jupyter_exo_models.sandbox import DEMO

BASE = "jupyter-exo-models"
CANARY_SECRET = "canary-exoscale-secret-must-not-leak-0001"
SECRETS = [DEMO.hf_token, DEMO.exo_secret, DEMO.hf_revoked, CANARY_SECRET, ECHOED_EXO_SECRET]


async def call(jp_fetch, path, method="GET", body=None, **params):
    try:
        response = await jp_fetch(
            BASE,
            *path.split("/"),
            method=method,
            params=params or None,
            body=None if body is None else (body if isinstance(body, bytes) else json.dumps(body)),
            allow_nonstandard_methods=True,
        )
    except HTTPClientError as exc:
        assert exc.response is not None, exc
        response = exc.response
    text = response.body.decode()
    for secret in SECRETS:  # every answer of every test, error paths included
        assert secret not in text, path
    return response.code, json.loads(text) if text else None
