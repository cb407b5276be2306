"""Requests through an ASGI app (no server, no network), with a chosen client address."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
from fastapi import FastAPI


def call(
    app: FastAPI, method: str, url: str, client_ip: str = "198.51.100.7", **kwargs: Any
) -> httpx.Response:
    async def go() -> httpx.Response:
        transport = httpx.ASGITransport(app=app, client=(client_ip, 50000))
        async with httpx.AsyncClient(transport=transport, base_url="http://hub.test") as client:
            return await client.request(method, url, **kwargs)

    return asyncio.run(go())
