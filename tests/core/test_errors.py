"""The error tree: every public error type has a stable code, says its message and fix, and survives
pickling."""

from __future__ import annotations

import pickle

import pytest

import jupyter_exo_models as jem
from jupyter_exo_models.core import errors
from jupyter_exo_models.core.exoscale.models import Model
from jupyter_exo_models.core.fixes import Action
from jupyter_exo_models.core.preflight import CheckResult, PreflightReport

REPORT = PreflightReport(
    "org/model",
    "de-fra-1",
    (
        CheckResult(
            "gated-access",
            "fail",
            "not accepted",
            "accept at https://huggingface.co/org/model",
            action=Action("accept-terms", {"url": "https://huggingface.co/org/model"}),
        ),
        CheckResult("size", "pass", "1 GB"),
    ),
)
MODEL = Model("7f1c2e9a-0000-4000-8000-000000000001", "org/model", "error", "de-fra-1", 10)
ACTION = Action("delete-model", {"model": "org/model", "id": MODEL.id, "zone": "de-fra-1"})


def example(cls: type[errors.ExoModelsError]) -> errors.ExoModelsError:
    if cls is errors.PreflightFailed:
        return cls(REPORT)
    if cls is errors.LoopStopped:
        return cls()
    if cls is errors.ModelInUseError:
        return cls(
            "in use",
            deployments=["demo-deployment"],
            fix="delete it",
            action=Action("delete-deployments", {"names": ["demo-deployment"], "zone": "de-fra-1"}),
            status=412,
            title="Precondition",
        )
    if cls is errors.ImportFailed:
        return cls("failed", fix="accept the terms", action=ACTION, model=MODEL, cause="gated-access")
    if issubclass(cls, errors.ExoscaleAPIError):
        return cls(
            "refused",
            fix="retry",
            action=Action("retry-later", {"seconds": 3.0}),
            status=422,
            title="Invalid",
            detail="bad",
            problem_type="#/x",
            errors=[{"detail": "bad", "pointer": "/name"}],
            retry_after=3.0,
            not_sent=True,
        )
    return cls("what went wrong", fix="what to do", action=ACTION)


PUBLIC = [getattr(errors, name) for name in jem.ERRORS]


def test_every_error_type_of_the_module_is_public():
    defined = {
        name
        for name, value in vars(errors).items()
        if isinstance(value, type) and issubclass(value, errors.ExoModelsError)
    }
    assert defined == set(jem.ERRORS)
    assert all(getattr(jem, name) is getattr(errors, name) for name in jem.ERRORS)


@pytest.mark.parametrize("cls", PUBLIC, ids=lambda cls: cls.__name__)
def test_every_error_pickles_and_keeps_what_it_says(cls):
    error = example(cls)
    copy = pickle.loads(pickle.dumps(error))
    assert type(copy) is cls and copy.args == error.args and str(copy) == str(error)
    assert copy.to_dict() == error.to_dict() and vars(copy).keys() == vars(error).keys()
    assert copy.action == error.action and (cls is errors.LoopStopped) == (copy.action is None)
    assert copy.to_dict()["action"] == (error.action.to_dict() if error.action else None)


def test_codes_are_stable_kebab_case_and_distinct():
    codes = [cls.code for cls in PUBLIC]
    assert all(code.replace("-", "").isalpha() and code == code.lower() for code in codes)
    assert len(set(codes)) == len(codes)
    assert example(errors.AuthenticationError).to_dict()["code"] == "credentials-rejected"
    assert example(errors.InvalidModelIdError).to_dict()["code"] == "repo-id"  # the check id it fails


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("preflight_sync", "preflight"),
        ("attach_sync", "attach"),
        ("start_import_sync", "start_import"),
        ("preflight_many_sync", "preflight_many"),
    ],
)
def test_the_old_sync_names_still_work_and_say_what_to_use(old, new):
    from jupyter_exo_models.core import api

    with pytest.warns(DeprecationWarning, match=f"use {new} "):
        assert getattr(api, old) is getattr(api, new)
    assert getattr(jem, new) is getattr(api, new)
