"""Request-scoped dependencies: the session, the caller, the app's long-lived services."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated

import structlog
from fastapi import Depends, Request
from sqlalchemy.ext.asyncio import AsyncSession

from app.auth import Principal
from app.crypto import tokens_equal
from app.db import session_scope
from app.errors import Forbidden, Unauthorized
from app.runtime import Runtime


async def get_runtime(request: Request) -> Runtime:
    # async although it awaits nothing: FastAPI runs a plain `def` dependency in the threadpool,
    # a thread hand-off on every request for an attribute read.
    runtime: Runtime = request.app.state.runtime
    return runtime


RuntimeDep = Annotated[Runtime, Depends(get_runtime)]


async def get_session(runtime: RuntimeDep) -> AsyncIterator[AsyncSession]:
    async with runtime.request_sessions:
        async for session in session_scope(runtime.session_factory):
            yield session


# scope="function": the commit happens before the answer is sent. By default FastAPI ran it
# after: a client could read a 201 for a change not yet committed (or never committed), and a
# fast one (the calculate bench) got 404 for the shop it had just created.
SessionDep = Annotated[AsyncSession, Depends(get_session, scope="function")]


def _bearer(request: Request) -> str:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthorized("Send 'Authorization: Bearer <token>' with the admin or shop token.")
    return token.strip()


async def get_principal(request: Request, runtime: RuntimeDep) -> Principal:
    return await principal_of(request, runtime)


async def principal_of(request: Request, runtime: Runtime) -> Principal:
    """Who calls: the admin, or the shop whose token this is; 401 otherwise."""
    token = _bearer(request)
    admin = runtime.settings.admin_token
    if admin is not None and tokens_equal(token, admin.get_secret_value()):
        return Principal(shop_id=None)
    shop_id = await runtime.lookup.shop_for_token(token)
    if shop_id is None:
        raise Unauthorized(
            "The token is not valid for this bridge: send the admin token or the shop token "
            "as 'Authorization: Bearer <token>'."
        )
    # Every later log line of this request (calculate's too) names the shop.
    structlog.contextvars.bind_contextvars(shop_id=str(shop_id))
    return Principal(shop_id=shop_id)


PrincipalDep = Annotated[Principal, Depends(get_principal)]


async def require_admin(principal: PrincipalDep) -> Principal:
    if not principal.is_admin:
        # A shop token is a valid token, but this operation is the operator's.
        raise Forbidden("This operation needs the admin token.")
    return principal


AdminDep = Annotated[Principal, Depends(require_admin)]
