// Go's net/http, as its docs show for streaming: http.Flusher, one buffered channel per client,
// each event formatted once and handed to every client. A peer of `npm run bench -- --peers`:
// prints `listening <port>` and serves until SIGTERM.
package main

import (
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strconv"
	"sync"
	"syscall"
)

type broker struct {
	mu      sync.Mutex
	clients map[chan []byte]struct{}
	lastID  int
}

func (b *broker) publish(data, event string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.lastID++
	msg := "id: " + strconv.Itoa(b.lastID) + "\ndata: " + data + "\n\n"
	if event != "" {
		msg = "event: " + event + "\n" + msg
	}
	bytes := []byte(msg)
	for ch := range b.clients {
		ch <- bytes
	}
}

func (b *broker) events(w http.ResponseWriter, r *http.Request) {
	flusher, ok := w.(http.Flusher)
	if !ok {
		http.Error(w, "streaming unsupported", http.StatusInternalServerError)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "text/event-stream")
	h.Set("Cache-Control", "no-cache")
	h.Set("Connection", "keep-alive")
	w.WriteHeader(http.StatusOK)
	flusher.Flush()
	// Room for a burst of 100 events, so the publisher does not wait for a reader.
	ch := make(chan []byte, 128)
	b.mu.Lock()
	b.clients[ch] = struct{}{}
	b.mu.Unlock()
	defer func() {
		b.mu.Lock()
		delete(b.clients, ch)
		b.mu.Unlock()
	}()
	for {
		select {
		case <-r.Context().Done():
			return
		case msg := <-ch:
			w.Write(msg)
			// Whatever else is queued goes out in the same flush.
		drain:
			for {
				select {
				case more := <-ch:
					w.Write(more)
				default:
					break drain
				}
			}
			flusher.Flush()
		}
	}
}

func (b *broker) publishRoute(burst bool) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost {
			http.Error(w, "use POST", http.StatusMethodNotAllowed)
			return
		}
		var input struct {
			Data  string `json:"data"`
			Event string `json:"event"`
			Count int    `json:"count"`
		}
		if err := json.NewDecoder(r.Body).Decode(&input); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		count := 1
		if burst {
			count = input.Count
		}
		for i := 0; i < count; i++ {
			b.publish(input.Data, input.Event)
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusAccepted)
		w.Write([]byte("{}"))
	}
}

func main() {
	b := &broker{clients: map[chan []byte]struct{}{}}
	mux := http.NewServeMux()
	mux.HandleFunc("/events", b.events)
	mux.HandleFunc("/publish", b.publishRoute(false))
	mux.HandleFunc("/bench/burst", b.publishRoute(true))
	listener, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	fmt.Printf("listening %d\n", listener.Addr().(*net.TCPAddr).Port)
	go func() {
		stop := make(chan os.Signal, 1)
		signal.Notify(stop, syscall.SIGTERM)
		<-stop
		os.Exit(0)
	}()
	http.Serve(listener, mux)
}
