# The seed guide's first FastAPI example ("SSE with FastAPI (Python)", guide-sse-frameworks.md) on
# Starlette + uvicorn, line for line: FastAPI's StreamingResponse *is* Starlette's; @app.get and
# @app.post become Starlette routes; the /notify body `data: dict` is read with request.json().
# The app publishes one event per second through the guide's broadcast().
# Ours: 127.0.0.1, an ephemeral port printed as "listening <port>" (_serve.py); SURVEY_TICK=0 stops the ticker.
import asyncio
import json
import os
import time
from asyncio import Queue, create_task, sleep
from typing import Dict

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, StreamingResponse
from starlette.routing import Route

from _serve import run

# Store connected clients
clients: Dict[int, Queue] = {}
client_counter = 0


async def event_generator(client_id: int, request: Request):
    """Generate SSE events for a client."""
    queue = clients[client_id]

    # Send connection event
    yield f"event: connected\nid: {client_id}\ndata: {json.dumps({'clientId': client_id})}\n\n"

    # Set retry interval
    yield "retry: 3000\n\n"

    try:
        while True:
            # Check if client disconnected
            if await request.is_disconnected():
                break

            # Wait for message with timeout (for heartbeat)
            try:
                # Non-blocking check for new messages
                if not queue.empty():
                    message = await queue.get()
                    yield message
                else:
                    # Send heartbeat comment every 30 seconds
                    yield ": heartbeat\n\n"
                    await sleep(30)
            except Exception:
                break
    finally:
        # Cleanup on disconnect
        if client_id in clients:
            del clients[client_id]


async def sse_endpoint(request: Request):
    global client_counter
    client_counter += 1
    client_id = client_counter

    # Create queue for this client
    clients[client_id] = Queue()

    return StreamingResponse(
        event_generator(client_id, request),
        media_type="text/event-stream",
        headers={
            "Cache-Control": "no-cache",
            "Connection": "keep-alive",
            "X-Accel-Buffering": "no",  # Disable nginx buffering
        }
    )


async def broadcast(event_type: str, data: dict):
    """Send event to all connected clients."""
    event_id = int(time.time() * 1000)
    message = f"event: {event_type}\nid: {event_id}\ndata: {json.dumps(data)}\n\n"

    for queue in clients.values():
        await queue.put(message)


async def notify(request: Request):
    data = await request.json()
    await broadcast("notification", data)
    return JSONResponse({"sent": len(clients)})


async def ticker():
    tick = 0
    while True:
        await sleep(1)
        await broadcast("tick", {"tick": tick})
        tick += 1


app = Starlette(routes=[
    Route("/events", sse_endpoint, methods=["GET"]),
    Route("/notify", notify, methods=["POST"]),
])

if __name__ == "__main__":
    run(app, None if os.environ.get("SURVEY_TICK") == "0" else lambda: create_task(ticker()))
