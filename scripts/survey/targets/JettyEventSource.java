// Jetty 9.4's own SSE support, org.eclipse.jetty.servlets.EventSourceServlet, used as its Javadoc says:
// "This servlet must be subclassed to implement abstract method newEventSource(HttpServletRequest)
// to return an instance of EventSource that allows application to listen for event source events
// and to emit event source events." Served by embedded Jetty as Jetty 9.4's "Embedding Jetty"
// chapter shows it (a Server, a ServletContextHandler, addServlet, start, join).
// Changes: the holder is marked async-supported (EventSourceServlet calls startAsync(), which a
// servlet holder refuses by default: the Javadoc does not say so); the app keeps the emitters it
// is given and sends each a tick a second (the Javadoc leaves what to send to the application).
// Ours: 127.0.0.1, an ephemeral port printed as "listening <port>"; SURVEY_TICK=0 turns the ticker off.
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import javax.servlet.http.HttpServletRequest;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.servlet.ServletContextHandler;
import org.eclipse.jetty.servlet.ServletHolder;
import org.eclipse.jetty.servlets.EventSource;
import org.eclipse.jetty.servlets.EventSourceServlet;

public class JettyEventSource {
  static final Set<EventSource.Emitter> emitters = ConcurrentHashMap.newKeySet();

  public static class TickServlet extends EventSourceServlet {
    @Override
    protected EventSource newEventSource(HttpServletRequest request) {
      return new EventSource() {
        private Emitter emitter;

        @Override
        public void onOpen(Emitter emitter) {
          this.emitter = emitter;
          emitters.add(emitter);
        }

        @Override
        public void onClose() {
          emitters.remove(emitter);
        }
      };
    }
  }

  public static void main(String[] args) throws Exception {
    Server server = new Server(new InetSocketAddress("127.0.0.1", Integer.parseInt(System.getenv().getOrDefault("PORT", "0"))));
    ServletContextHandler context = new ServletContextHandler(ServletContextHandler.SESSIONS);
    context.setContextPath("/");
    server.setHandler(context);
    ServletHolder holder = context.addServlet(TickServlet.class, "/events");
    holder.setAsyncSupported(true);
    server.start();
    System.out.println("listening " + ((ServerConnector) server.getConnectors()[0]).getLocalPort());
    if (!"0".equals(System.getenv("SURVEY_TICK"))) {
      Thread ticker = new Thread(() -> {
        for (long tick = 1; ; tick++) {
          try {
            Thread.sleep(1000);
          } catch (InterruptedException e) {
            return;
          }
          for (EventSource.Emitter emitter : emitters) {
            try {
              emitter.data("tick " + tick);
            } catch (IOException e) {
              emitter.close();
              emitters.remove(emitter);
            }
          }
        }
      });
      ticker.setDaemon(true);
      ticker.start();
    }
    server.join();
  }
}
