// The cpp-httplib cookbook's E01 "Implement an SSE server", as printed, on Debian's cpp-httplib.
// Two handlers from the chapter: /events ("Basic SSE server") and /time ("A continuous stream"),
// and the chapter's thread pool line. The heartbeat fragment is not used: it names a tick_count
// the chapter never declares.
// Changes, each the smallest that compiles on Debian 12's cpp-httplib 0.11.4:
//   - `new httplib::ThreadPool(8, 128)` -> `new httplib::ThreadPool(8)`: 0.11.4 has no dynamic pool
//     (one constructor argument), so the pool is a fixed 8 threads.
//   - /time: `req.is_connection_closed()` does not exist in 0.11.4; the check is dropped (a failed
//     sink.write ends the provider anyway).
// Ours: main() binds 127.0.0.1 on an ephemeral port and prints "listening <port>".
#include <httplib.h>

#include <chrono>
#include <cstdio>
#include <ctime>
#include <string>
#include <thread>

int main() {
  httplib::Server svr;

  svr.new_task_queue = [] { return new httplib::ThreadPool(8); };

  svr.Get("/events", [](const httplib::Request &req, httplib::Response &res) {
    res.set_chunked_content_provider(
      "text/event-stream",
      [](size_t offset, httplib::DataSink &sink) {
        std::string message = "data: hello\n\n";
        sink.write(message.data(), message.size());
        std::this_thread::sleep_for(std::chrono::seconds(1));
        return true;
      });
  });

  svr.Get("/time", [](const httplib::Request &req, httplib::Response &res) {
    res.set_chunked_content_provider(
      "text/event-stream",
      [&req](size_t offset, httplib::DataSink &sink) {
        auto now = std::chrono::system_clock::now();
        auto t = std::chrono::system_clock::to_time_t(now);
        std::string msg = "data: " + std::string(std::ctime(&t)) + "\n";
        sink.write(msg.data(), msg.size());
        std::this_thread::sleep_for(std::chrono::seconds(1));
        return true;
      });
  });

  int port = svr.bind_to_any_port("127.0.0.1");
  std::printf("listening %d\n", port);
  std::fflush(stdout);
  svr.listen_after_bind();
}
