# Serves a Starlette app with uvicorn on 127.0.0.1 and an ephemeral port, and prints
# "listening <port>" once bound (the survey reads it). Ours, shared by the FastAPI targets.
import asyncio
import socket
import sys

import uvicorn


def run(app, on_start=None):
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    # Listen before saying so: connections wait in the backlog until uvicorn accepts them.
    sock.listen(2048)
    config = uvicorn.Config(app, log_level="warning")
    server = uvicorn.Server(config)

    async def main():
        if on_start is not None:
            on_start()
        print(f"listening {sock.getsockname()[1]}", flush=True)
        await server.serve(sockets=[sock])

    asyncio.run(main())
    sys.exit(0)
