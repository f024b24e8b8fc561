# The seed guide's second FastAPI example ("Using asyncio for Better Performance",
# guide-sse-frameworks.md) on Starlette + uvicorn, line for line: FastAPI's StreamingResponse *is*
# Starlette's; @app.get becomes a Starlette route. The guide shows no publisher for this one; the app
# publishes one event per second through SSEManager.broadcast().
# Ours: 127.0.0.1, an ephemeral port printed as "listening <port>" (_serve.py); SURVEY_TICK=0 stops the ticker.
import json
import os
import time
from asyncio import Event, create_task, sleep, wait_for, TimeoutError as AsyncTimeoutError

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import StreamingResponse
from starlette.routing import Route

from _serve import run


class SSEManager:
    """Manages SSE connections and broadcasting."""

    def __init__(self):
        self.clients: dict = {}
        self.counter = 0

    def add_client(self) -> int:
        self.counter += 1
        self.clients[self.counter] = {
            "messages": [],
            "event": Event()
        }
        return self.counter

    def remove_client(self, client_id: int):
        if client_id in self.clients:
            del self.clients[client_id]

    async def send(self, client_id: int, event_type: str, data: dict):
        if client_id in self.clients:
            event_id = int(time.time() * 1000)
            message = f"event: {event_type}\nid: {event_id}\ndata: {json.dumps(data)}\n\n"
            self.clients[client_id]["messages"].append(message)
            self.clients[client_id]["event"].set()

    async def broadcast(self, event_type: str, data: dict):
        for client_id in list(self.clients.keys()):
            await self.send(client_id, event_type, data)


manager = SSEManager()


async def event_stream(client_id: int, request: Request):
    """Generate events with efficient waiting."""
    client = manager.clients.get(client_id)
    if not client:
        return

    yield f"event: connected\ndata: {json.dumps({'clientId': client_id})}\n\n"
    yield "retry: 3000\n\n"

    try:
        while True:
            if await request.is_disconnected():
                break

            try:
                # Wait for event or timeout after 30s for heartbeat
                await wait_for(client["event"].wait(), timeout=30.0)
                client["event"].clear()

                # Send all pending messages
                while client["messages"]:
                    yield client["messages"].pop(0)

            except AsyncTimeoutError:
                yield ": heartbeat\n\n"
    finally:
        manager.remove_client(client_id)


async def events(request: Request):
    client_id = manager.add_client()
    return StreamingResponse(
        event_stream(client_id, request),
        media_type="text/event-stream"
    )


async def ticker():
    tick = 0
    while True:
        await sleep(1)
        await manager.broadcast("tick", {"tick": tick})
        tick += 1


app = Starlette(routes=[Route("/events", events, methods=["GET"])])

if __name__ == "__main__":
    run(app, None if os.environ.get("SURVEY_TICK") == "0" else lambda: create_task(ticker()))
