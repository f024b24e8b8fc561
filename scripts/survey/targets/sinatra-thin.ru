# Sinatra's README, "Streaming Responses": the keep_open example (config.ru), as printed, on thin.
# The README runs it on Rainbows! with `use :EventMachine`; Rainbows! is not in Debian, so thin
# (EventMachine as well, Debian's package) serves it: `thin -R sinatra-thin.ru -a 127.0.0.1 -p PORT start`.
# Ours, after the README's code: the app sends a tick a second to every open connection exactly as
# the README's `post '/'` does (write, then close); SURVEY_TICK=0 turns it off.
require 'sinatra/base'

class App < Sinatra::Base
  connections = []

  get '/subscribe', provides: 'text/event-stream'  do
    # register a client's interest in server events
    stream(:keep_open) do |out|
      connections << out
      # purge dead connections
      connections.reject!(&:closed?)
    end
  end

  post '/' do
    connections.each do |out|
      # notify client that a new message has arrived
      out << "data: #{params[:msg]}\n\n"

      # indicate client to connect again
      out.close
    end

    204 # response without entity body
  end

  # Ours: what `post '/'` does with msg=tick N, once a second.
  if ENV['SURVEY_TICK'] != '0'
    tick = 0
    EM.next_tick do
      EM.add_periodic_timer(1) do
        tick += 1
        connections.each do |out|
          out << "data: tick #{tick}\n\n"
          out.close
        end
      end
    end
  end
end

run App
