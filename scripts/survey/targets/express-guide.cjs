// The seed guide's Express pattern ("SSE with Express.js" and "Handling Last-Event-ID for
// Reconnection", guide-sse-frameworks.md), on Express 5, as one handler: the second snippet's
// headers, replay and `retry: 3000`, then "the rest of connection handling" from the first snippet
// (the connected event whose id is the client number, the client map, the 30 s heartbeat).
// The app publishes one event per second through the guide's broadcastWithHistory(), ids Date.now().
// Ours: the port (PORT, 0 = ephemeral, printed as "listening <port>") and SURVEY_TICK=0, which stops
// the app's ticker so the survey can watch an idle stream. Nothing else.
const express = require('express');
const app = express();

// Store connected clients for broadcasting
const clients = new Map();
let clientId = 0;

const eventHistory = [];
const MAX_HISTORY = 1000;

app.get('/events', (req, res) => {
    res.setHeader('Content-Type', 'text/event-stream');
    res.setHeader('Cache-Control', 'no-cache');
    res.setHeader('Connection', 'keep-alive');

    // Check for reconnection
    const lastEventId = req.headers['last-event-id'];
    if (lastEventId) {
        // Send missed events
        const missedEvents = eventHistory.filter(e => e.id > parseInt(lastEventId));
        for (const event of missedEvents) {
            res.write(`event: ${event.type}\nid: ${event.id}\ndata: ${JSON.stringify(event.data)}\n\n`);
        }
    }

    // Set retry interval (3 seconds)
    res.write('retry: 3000\n\n');

    // ... rest of connection handling (the first snippet)
    const id = ++clientId;
    res.write(`event: connected\nid: ${id}\ndata: {"clientId": ${id}}\n\n`);

    clients.set(id, res);

    req.on('close', () => {
        clients.delete(id);
        console.log(`Client ${id} disconnected`);
    });

    // Send heartbeat every 30 seconds to keep connection alive
    const heartbeat = setInterval(() => {
        res.write(': heartbeat\n\n');
    }, 30000);

    req.on('close', () => clearInterval(heartbeat));
});

// Broadcast to all connected clients
function broadcast(event, data) {
    const payload = `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
    for (const [id, client] of clients) {
        client.write(payload);
    }
}

function broadcastWithHistory(type, data) {
    const id = Date.now();
    const event = { id, type, data };

    // Store in history
    eventHistory.push(event);
    if (eventHistory.length > MAX_HISTORY) {
        eventHistory.shift();
    }

    // Send to clients
    const payload = `event: ${type}\nid: ${id}\ndata: ${JSON.stringify(data)}\n\n`;
    for (const client of clients.values()) {
        client.write(payload);
    }
}

// Example: endpoint that triggers events
app.post('/notify', express.json(), (req, res) => {
    broadcast('notification', req.body);
    res.json({ sent: clients.size });
});

// The app's own events: one a second.
let tick = 0;
if (process.env.SURVEY_TICK !== '0') {
    setInterval(() => broadcastWithHistory('tick', { tick: tick++ }), 1000);
}

const server = app.listen(Number(process.env.PORT || 0), '127.0.0.1', () => {
    console.log(`listening ${server.address().port}`);
});
