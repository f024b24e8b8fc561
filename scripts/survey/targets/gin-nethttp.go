// The seed guide's Gin handler ("SSE with Gin (Go)" and "With Last-Event-ID Support",
// guide-sse-frameworks.md) translated to net/http, standard library only, one line for one line:
// c.Header -> w.Header().Set, c.Writer.Flush() -> flusher.Flush(), c.GetHeader -> r.Header.Get,
// c.Request.Context() -> r.Context(), gin.H -> map[string]interface{}, and c.SSEvent(name, obj)
// -> the bytes Gin's SSE renderer writes for it ("event:name\ndata:<json>\n\n"). r.GET routes only
// GET (other methods get 404, as Gin answers them). The history snippet's handler runs first and
// then "continues with normal SSE handling", as the guide says.
// Changes: the guide's main.go uses json.Marshal without importing encoding/json (it does not
// compile as printed); the import is added. The guide never fills the event store; the app's ticker
// adds each event to it and broadcasts it, one a second.
// Ours: listens on 127.0.0.1, an ephemeral port, prints "listening <port>"; SURVEY_TICK=0 stops the ticker.
package main

import (
	"container/ring"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
)

// Client represents a connected SSE client
type Client struct {
	ID      uint64
	Channel chan string
}

// SSEBroker manages client connections
type SSEBroker struct {
	clients   map[uint64]*Client
	mu        sync.RWMutex
	idCounter uint64
}

func NewSSEBroker() *SSEBroker {
	return &SSEBroker{
		clients: make(map[uint64]*Client),
	}
}

func (b *SSEBroker) AddClient() *Client {
	id := atomic.AddUint64(&b.idCounter, 1)
	client := &Client{
		ID:      id,
		Channel: make(chan string, 100), // Buffered channel
	}

	b.mu.Lock()
	b.clients[id] = client
	b.mu.Unlock()

	return client
}

func (b *SSEBroker) RemoveClient(id uint64) {
	b.mu.Lock()
	if client, ok := b.clients[id]; ok {
		close(client.Channel)
		delete(b.clients, id)
	}
	b.mu.Unlock()
}

func (b *SSEBroker) Broadcast(eventType, data string) {
	message := fmt.Sprintf("event: %s\nid: %d\ndata: %s\n\n",
		eventType, time.Now().UnixMilli(), data)

	b.mu.RLock()
	for _, client := range b.clients {
		select {
		case client.Channel <- message:
		default:
			// Channel full, skip this client
		}
	}
	b.mu.RUnlock()
}

var broker = NewSSEBroker()

type Event struct {
	ID   int64
	Type string
	Data string
}

type EventStore struct {
	events *ring.Ring
	mu     sync.RWMutex
}

func NewEventStore(size int) *EventStore {
	return &EventStore{
		events: ring.New(size),
	}
}

func (s *EventStore) Add(event Event) {
	s.mu.Lock()
	s.events.Value = event
	s.events = s.events.Next()
	s.mu.Unlock()
}

func (s *EventStore) GetSince(lastID int64) []Event {
	var events []Event
	s.mu.RLock()
	s.events.Do(func(v interface{}) {
		if e, ok := v.(Event); ok && e.ID > lastID {
			events = append(events, e)
		}
	})
	s.mu.RUnlock()
	return events
}

var eventStore = NewEventStore(1000)

func sseHandler(w http.ResponseWriter, r *http.Request) {
	flusher := w.(http.Flusher)

	// Check for reconnection
	lastEventID := r.Header.Get("Last-Event-ID")
	if lastEventID != "" {
		id, _ := strconv.ParseInt(lastEventID, 10, 64)
		// Send missed events
		for _, event := range eventStore.GetSince(id) {
			fmt.Fprintf(w, "event: %s\nid: %d\ndata: %s\n\n",
				event.Type, event.ID, event.Data)
		}
		flusher.Flush()
	}

	// Continue with normal SSE handling...
	client := broker.AddClient()
	defer broker.RemoveClient(client.ID)

	// Set SSE headers
	w.Header().Set("Content-Type", "text/event-stream")
	w.Header().Set("Cache-Control", "no-cache")
	w.Header().Set("Connection", "keep-alive")
	w.Header().Set("X-Accel-Buffering", "no")

	// Send connection event (what c.SSEvent("connected", gin.H{"clientId": client.ID}) writes)
	connected, _ := json.Marshal(map[string]interface{}{"clientId": client.ID})
	fmt.Fprintf(w, "event:connected\ndata:%s\n\n", connected)

	// Set retry interval
	fmt.Fprintf(w, "retry: 3000\n\n")
	flusher.Flush()

	// Create heartbeat ticker
	heartbeat := time.NewTicker(30 * time.Second)
	defer heartbeat.Stop()

	clientGone := r.Context().Done()

	for {
		select {
		case <-clientGone:
			return
		case msg, ok := <-client.Channel:
			if !ok {
				return
			}
			fmt.Fprint(w, msg)
			flusher.Flush()
		case <-heartbeat.C:
			fmt.Fprint(w, ": heartbeat\n\n")
			flusher.Flush()
		}
	}
}

func notifyHandler(w http.ResponseWriter, r *http.Request) {
	var data map[string]interface{}
	if err := json.NewDecoder(r.Body).Decode(&data); err != nil {
		w.WriteHeader(http.StatusBadRequest)
		json.NewEncoder(w).Encode(map[string]interface{}{"error": err.Error()})
		return
	}

	// Convert to JSON string
	jsonData, _ := json.Marshal(data)
	broker.Broadcast("notification", string(jsonData))

	json.NewEncoder(w).Encode(map[string]interface{}{"sent": len(broker.clients)})
}

// only answers one method, as Gin's r.GET and r.POST do (404 for the others).
func only(method string, h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if r.Method != method {
			http.NotFound(w, r)
			return
		}
		h(w, r)
	}
}

func main() {
	http.HandleFunc("/events", only(http.MethodGet, sseHandler))
	http.HandleFunc("/notify", only(http.MethodPost, notifyHandler))

	if os.Getenv("SURVEY_TICK") != "0" {
		go func() {
			for tick := 0; ; tick++ {
				time.Sleep(time.Second)
				data := fmt.Sprintf(`{"tick":%d}`, tick)
				eventStore.Add(Event{ID: time.Now().UnixMilli(), Type: "tick", Data: data})
				broker.Broadcast("tick", data)
			}
		}()
	}

	listener, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		panic(err)
	}
	fmt.Printf("listening %d\n", listener.Addr().(*net.TCPAddr).Port)
	panic(http.Serve(listener, nil))
}
