/**
 * The demo page served at `/`: plain HTML and a few lines of script, no build step. It shows
 * `/time`, `/named` and `/feed` through the browser's own `EventSource` and lets you publish.
 * Event data is only ever inserted as text (`textContent`), never as HTML.
 */
export const DEMO_PAGE = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>sse-reference demo</title>
<style>
  body { font: 15px/1.4 system-ui, sans-serif; margin: 1.5rem; color: #1d2330; background: #f6f7f9; }
  h1 { font-size: 1.3rem; margin: 0 0 1rem; }
  main { display: grid; grid-template-columns: repeat(auto-fit, minmax(18rem, 1fr)); gap: 1rem; }
  section { background: #fff; border: 1px solid #d9dde5; border-radius: 8px; padding: .8rem 1rem; }
  h2 { font-size: 1rem; margin: 0 0 .4rem; display: flex; justify-content: space-between; }
  .state { font-size: .8rem; font-weight: normal; padding: 0 .4rem; border-radius: 4px; background: #eee; }
  .state.open { background: #d6f5dd; } .state.connecting { background: #fdf2c8; }
  ol { list-style: none; margin: 0; padding: 0; max-height: 14rem; overflow: auto; font: 13px ui-monospace, monospace; }
  li { white-space: pre-wrap; word-break: break-all; padding: 2px 0; border-bottom: 1px solid #eef0f3; }
  .type { color: #6b4fbb; } .reset { color: #b03030; }
  form { display: grid; gap: .4rem; margin-top: .6rem; }
  input, textarea, button { font: inherit; }
</style>
</head>
<body>
<h1>sse-reference: live streams through <code>EventSource</code></h1>
<main>
  <section><h2>/time <span class="state" id="time-state">…</span></h2><ol id="time-log"></ol></section>
  <section><h2>/named <span class="state" id="named-state">…</span></h2><ol id="named-log"></ol></section>
  <section><h2>/feed <span class="state" id="feed-state">…</span></h2><ol id="feed-log"></ol>
    <form id="publish">
      <input id="publish-event" placeholder="event name (optional)">
      <textarea id="publish-data" rows="3" placeholder="data (may span lines)"></textarea>
      <input id="publish-token" type="password" placeholder="publish token (only if the server has one)" autocomplete="off">
      <button>Publish to /feed</button>
      <output id="publish-result"></output>
    </form>
  </section>
</main>
<script>
  const LIMIT = 50;
  const STATES = ['connecting', 'open', 'closed'];
  window.received = { time: [], named: [], feed: [] };
  function log(name, text, cls) {
    const li = document.createElement('li');
    if (cls) li.className = cls;
    li.textContent = text;
    const list = document.getElementById(name + '-log');
    list.prepend(li);
    while (list.children.length > LIMIT) list.lastChild.remove();
  }
  // #region watch
  function watch(name, types) {
    const source = new EventSource('/' + name);
    const state = document.getElementById(name + '-state');
    const show = () => { state.textContent = STATES[source.readyState]; state.className = 'state ' + STATES[source.readyState]; };
    source.onopen = show;
    source.onerror = show;
    const record = (event) => {
      window.received[name].push({ type: event.type, data: event.data, id: event.lastEventId });
      const prefix = event.type === 'message' ? '' : event.type + ': ';
      log(name, (event.lastEventId ? '#' + event.lastEventId.split('-')[1] + ' ' : '') + prefix + event.data,
        event.type === 'reset' ? 'reset' : event.type === 'message' ? '' : 'type');
    };
    source.onmessage = record;
    for (const type of types) source.addEventListener(type, record);
    return source;
  }
  // #endregion watch
  // #region sources
  window.sources = {
    time: watch('time', []),
    named: watch('named', ['greeting', 'tick', 'status']),
    feed: watch('feed', ['reset', 'note']),
  };
  // #endregion sources
  document.getElementById('publish').addEventListener('submit', async (event) => {
    event.preventDefault();
    const name = document.getElementById('publish-event').value;
    const body = { data: document.getElementById('publish-data').value };
    if (name) body.event = name;
    // With --publish-local the server takes publishes from this machine without a token; with a token, it is sent.
    const token = document.getElementById('publish-token').value;
    const headers = { 'content-type': 'application/json', ...(token ? { authorization: 'Bearer ' + token } : {}) };
    const res = await fetch('/publish', { method: 'POST', headers, body: JSON.stringify(body) });
    document.getElementById('publish-result').textContent = res.status + ' ' + await res.text();
  });
</script>
</body>
</html>
`;
