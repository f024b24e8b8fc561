# Mojolicious Cookbook, "EventSource web service" (Mojolicious::Guides::Cookbook, shipped in
# libmojolicious-perl), as printed, minus the browser page (the template and its route).
# Run as the guide runs apps: `perl mojo-eventsource.pl daemon -l http://127.0.0.1:PORT`.
# Ours, after the guide's route: the app logs a tick a second (the guide streams the app's log);
# SURVEY_TICK=0 turns it off.
use Mojolicious::Lite -signatures;

# EventSource for log messages
get '/events' => sub ($c) {

  # Increase inactivity timeout for connection a bit
  $c->inactivity_timeout(300);

  # Change content type and finalize response headers
  $c->res->headers->content_type('text/event-stream');
  $c->write;

  # Subscribe to "message" event and forward "log" events to browser
  my $cb = $c->app->log->on(message => sub ($log, $level, @lines) {
    $c->write("event:log\ndata: [$level] @lines\n\n");
  });

  # Unsubscribe from "message" event again once we are done
  $c->on(finish => sub ($c) {
    $c->app->log->unsubscribe(message => $cb);
  });
};

# Ours: something to stream.
my $tick = 0;
Mojo::IOLoop->recurring(1 => sub { app->log->info('tick ' . ++$tick) }) if ($ENV{SURVEY_TICK} // '1') ne '0';

app->start;
