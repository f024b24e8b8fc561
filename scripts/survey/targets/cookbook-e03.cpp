// The cpp-httplib cookbook's E03 "Handle SSE reconnection", as printed, on Debian's cpp-httplib.
// /events is the chapter's handler (a `static int next_id`, `std::stoi` on Last-Event-ID), with the
// chapter's `retry: 5000` sent "once at the start" (offset 0). /buffered follows the chapter's
// advice to "call since(last_id) to send any events it missed": a producer pushes "event N" into
// the chapter's EventBuffer every second; a stream replays since(Last-Event-ID), then sends new ones.
// Changes, each the smallest that compiles: the printed text lost its template arguments
// (`std::deque> events`, `std::lock_guard lock(mu)`, `std::vector> since`); they are restored as
// std::deque<std::pair<int, std::string>>, std::lock_guard<std::mutex>, std::vector<std::pair<int, std::string>>.
// Ours: main() binds 127.0.0.1 on an ephemeral port and prints "listening <port>"; the producer thread.
#include <httplib.h>

#include <chrono>
#include <cstdio>
#include <deque>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

struct EventBuffer {
  std::mutex mu;
  std::deque<std::pair<int, std::string>> events; // {id, data}
  int next_id = 0;

  void push(const std::string &data) {
    std::lock_guard<std::mutex> lock(mu);
    events.push_back({next_id++, data});
    if (events.size() > 1000) { events.pop_front(); }
  }

  std::vector<std::pair<int, std::string>> since(int id) {
    std::lock_guard<std::mutex> lock(mu);
    std::vector<std::pair<int, std::string>> out;
    for (const auto &e : events) {
      if (e.first >= id) { out.push_back(e); }
    }
    return out;
  }
};

int main() {
  httplib::Server svr;
  static EventBuffer buffer;

  svr.Get("/events", [](const httplib::Request &req, httplib::Response &res) {
    auto last_id = req.get_header_value("Last-Event-ID");
    int start = last_id.empty() ? 0 : std::stoi(last_id) + 1;

    res.set_chunked_content_provider(
      "text/event-stream",
      [start](size_t offset, httplib::DataSink &sink) mutable {
        if (offset == 0) {
          std::string msg = "retry: 5000\n\n"; // reconnect after 5 seconds
          sink.write(msg.data(), msg.size());
        }
        static int next_id = 0;
        if (next_id < start) { next_id = start; }
        std::string msg = "id: " + std::to_string(next_id) + "\n" +
                          "data: event " + std::to_string(next_id) + "\n\n";
        sink.write(msg.data(), msg.size());
        ++next_id;
        std::this_thread::sleep_for(std::chrono::seconds(1));
        return true;
      });
  });

  std::thread([] {
    for (int n = 0;; ++n) {
      buffer.push("event " + std::to_string(n));
      std::this_thread::sleep_for(std::chrono::seconds(1));
    }
  }).detach();

  svr.Get("/buffered", [](const httplib::Request &req, httplib::Response &res) {
    auto last_id = req.get_header_value("Last-Event-ID");
    int from = last_id.empty() ? -1 : std::stoi(last_id);

    res.set_chunked_content_provider(
      "text/event-stream",
      [from](size_t offset, httplib::DataSink &sink) mutable {
        if (offset == 0) {
          std::string msg = "retry: 5000\n\n";
          sink.write(msg.data(), msg.size());
          if (from < 0) {
            // A first connect starts at the live edge.
            auto all = buffer.since(0);
            from = all.empty() ? 0 : all.back().first + 1;
          }
        }
        for (const auto &e : buffer.since(from)) {
          std::string msg = "id: " + std::to_string(e.first) + "\n" + "data: " + e.second + "\n\n";
          sink.write(msg.data(), msg.size());
          from = e.first + 1;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(200));
        return true;
      });
  });

  int port = svr.bind_to_any_port("127.0.0.1");
  std::printf("listening %d\n", port);
  std::fflush(stdout);
  svr.listen_after_bind();
}
