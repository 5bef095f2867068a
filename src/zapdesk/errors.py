"""Typed domain errors and the one set of handlers that renders every error as `{"detail", "code"}`."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match

log = logging.getLogger(__name__)


class DomainError(Exception):
    status_code = 400
    code = "bad_request"

    def __init__(self, detail: str, *, code: str | None = None, headers: dict[str, str] | None = None) -> None:
        super().__init__(detail)
        self.detail = detail
        if code is not None:
            self.code = code
        self.headers = headers


class Invalid(DomainError):
    """422. With `errors`, it names the fields at fault the way request validation does (`field_error`)."""

    status_code = 422
    code = "invalid"

    def __init__(self, detail: str, *, code: str | None = None, errors: Sequence[dict[str, Any]] = ()) -> None:
        super().__init__(detail, code=code)
        self.errors = list(errors)


class Unauthorized(DomainError):
    status_code = 401
    code = "unauthorized"

    def __init__(self, detail: str = "Authentication required.", *, code: str | None = None) -> None:
        super().__init__(detail, code=code, headers={"WWW-Authenticate": "Bearer"})


class Forbidden(DomainError):
    status_code = 403
    code = "forbidden"


class NotFound(DomainError):
    status_code = 404
    code = "not_found"


class Conflict(DomainError):
    status_code = 409
    code = "conflict"


class PayloadTooLarge(DomainError):
    status_code = 413
    code = "payload_too_large"


class TooManyRequests(DomainError):
    status_code = 429
    code = "too_many_requests"

    def __init__(self, detail: str, *, retry_after: int) -> None:
        super().__init__(detail, headers={"Retry-After": str(max(1, retry_after))})


class ServiceUnavailable(DomainError):
    status_code = 503
    code = "unavailable"


ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    status: {"description": description, "model": None}
    for status, description in {
        400: "Bad request",
        401: "Not authenticated",
        403: "Not allowed",
        404: "Not found",
        409: "Conflicts with the current state: a name taken, a referenced id that does not exist, a wrong status",
        413: "Request body too large",  # any route: the body size limit applies before routing
        422: "Invalid input",
        429: "Too many requests",
    }.items()
}

# Routes taking a file add this: an empty file, or one outside the allow-list, is refused before it is kept.
UNSUPPORTED_FILE_RESPONSE: dict[int | str, dict[str, Any]] = {
    415: {"description": "An empty file, or a type outside the allow-list", "model": None}
}

# The `code` of errors raised by the framework (unknown route, wrong method, body too large) rather than by us.
HTTP_ERROR_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "payload_too_large",
    415: "unsupported_media_type",
    422: "invalid",
    429: "too_many_requests",
}


def error_body(detail: str, code: str, **extra: Any) -> dict[str, Any]:
    return {"detail": detail, "code": code, **extra}


def describe_validation_errors(errors: list[Any]) -> str:
    """Turn Pydantic's error list into one sentence a person can act on."""
    parts = []
    for error in errors[:5]:
        location = ".".join(str(part) for part in error.get("loc", ()) if part not in ("body", "query", "path"))
        message = str(error.get("msg", "is invalid"))
        parts.append(f"{location}: {message}" if location else message)
    return "; ".join(parts) or "The request is invalid."


def _safe_error(error: dict[str, Any]) -> dict[str, Any]:
    """One validation error without the input; with the limits it names (`min_length`, `le`, …) as `ctx`, so that
    clients can word it in their own language by its `type`."""
    context = {
        key: value
        for key, value in (error.get("ctx") or {}).items()
        if isinstance(value, str | int | float) and not isinstance(value, bool)
    }
    return {"loc": list(error.get("loc", ())), "msg": str(error.get("msg")), "type": error.get("type"), "ctx": context}


_METHODS = ("DELETE", "GET", "HEAD", "OPTIONS", "PATCH", "POST", "PUT", "TRACE")


def allowed_methods(request: Request) -> list[str]:
    """Every method some route of the app answers on the request's path (asked of the routes themselves)."""
    routes = request.app.router.routes
    return [
        method
        for method in _METHODS
        if any(route.matches({**request.scope, "method": method})[0] is Match.FULL for route in routes)
    ]


def field_error(loc: Sequence[str | int], type_: str, msg: str, **ctx: str | int) -> dict[str, Any]:
    """One field at fault, shaped as request validation reports it (the UI words it by `type`, with `ctx`)."""
    return {"loc": list(loc), "msg": msg, "type": type_, "ctx": ctx}


def field_errors(errors: Sequence[Any], *, prefix: Sequence[str | int] = ()) -> list[dict[str, Any]]:
    """Pydantic's errors from validating part of a request, located under `prefix` (e.g. `("body", "value")`)."""
    located = [{**error, "loc": (*prefix, *error.get("loc", ()))} for error in errors]
    return [_safe_error(error) for error in located]


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(DomainError)
    async def _domain(_request: Request, exc: DomainError) -> JSONResponse:
        extra = {"errors": exc.errors} if isinstance(exc, Invalid) and exc.errors else {}
        return JSONResponse(error_body(exc.detail, exc.code, **extra), status_code=exc.status_code, headers=exc.headers)

    @app.exception_handler(RequestValidationError)
    async def _validation(_request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = list(exc.errors())
        if any(error.get("type") == "json_invalid" for error in errors):
            return JSONResponse(error_body("The request body is not valid JSON.", "invalid_json"), status_code=400)
        safe = [_safe_error(error) for error in errors]
        return JSONResponse(error_body(describe_validation_errors(errors), "invalid", errors=safe), status_code=422)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        detail = exc.detail if isinstance(exc.detail, str) else "Request failed."
        code = HTTP_ERROR_CODES.get(exc.status_code, "error")
        headers = dict(exc.headers or {})
        if exc.status_code == 405:
            # Starlette names the methods of the first route that matched the path; the path has them all.
            headers["Allow"] = ", ".join(allowed_methods(request))
        return JSONResponse(error_body(detail, code), status_code=exc.status_code, headers=headers)

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled error on %s %s", request.method, request.url.path)
        return JSONResponse(
            error_body("Something went wrong on our side. Please try again.", "internal_error"),
            status_code=500,
        )
