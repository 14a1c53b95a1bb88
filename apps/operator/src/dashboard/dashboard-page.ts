/**
 * The dashboard page: HTML, CSS and a small script in one string. Charts are
 * drawn as inline SVG, so the page works offline.
 */
export function dashboardPage(): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>AVS devnet</title>
<style>
  :root { --bg:#0f1419; --panel:#182029; --text:#e6edf3; --muted:#8b98a5; --ok:#3fb950; --warn:#d29922; --bad:#f85149; --accent:#58a6ff; }
  * { box-sizing: border-box; }
  body { margin:0; font:14px/1.4 system-ui, sans-serif; background:var(--bg); color:var(--text); }
  header { display:flex; gap:24px; align-items:baseline; padding:14px 20px; border-bottom:1px solid #26313d; }
  header h1 { font-size:18px; margin:0; }
  .kpi { color:var(--muted); } .kpi b { color:var(--text); font-size:18px; }
  main { display:grid; grid-template-columns: 1fr 1fr; gap:16px; padding:16px 20px; }
  section { background:var(--panel); border-radius:8px; padding:12px 14px; }
  section.wide { grid-column: 1 / span 2; }
  h2 { font-size:13px; text-transform:uppercase; letter-spacing:.06em; color:var(--muted); margin:0 0 8px; }
  table { width:100%; border-collapse:collapse; }
  th, td { text-align:left; padding:4px 6px; border-bottom:1px solid #26313d; white-space:nowrap; }
  th { color:var(--muted); font-weight:500; }
  .pill { padding:1px 8px; border-radius:10px; font-size:12px; }
  .leader { background:#1f6feb33; color:var(--accent); } .follower { background:#30363d; } .down { background:#f8514933; color:var(--bad); }
  .verified { color:var(--ok); } .expired, .failed { color:var(--bad); } .created, .sent, .aggregated { color:var(--warn); }
  button { background:#da3633; color:white; border:0; border-radius:6px; padding:6px 12px; cursor:pointer; }
  svg { width:100%; height:160px; } .axis { stroke:#30363d; } .line { fill:none; stroke:var(--accent); stroke-width:2; } .bar { fill:var(--ok); }
  #events { font-family: ui-monospace, monospace; font-size:12px; color:var(--muted); max-height:160px; overflow:auto; }
  code { font-size:12px; }
</style>
</head>
<body>
<header>
  <h1>AVS devnet</h1>
  <span class="kpi">leader <b id="leader">–</b></span>
  <span class="kpi">created <b id="created">0</b></span>
  <span class="kpi">answered <b id="answered">0</b></span>
  <span class="kpi">verified on-chain <b id="verified">0</b></span>
  <span class="kpi">p50 <b id="p50">–</b></span>
  <span class="kpi">throughput <b id="tput">0</b>/s</span>
  <span style="flex:1"></span>
  <button id="kill" title="SIGKILL the leader; it restarts from its data directory">Kill leader</button>
</header>
<main>
  <section class="wide"><h2>Operators</h2>
    <table><thead><tr><th>operator</th><th>role</th><th>term</th><th>commit</th><th>applied</th><th>health</th><th>restarts</th><th>address</th></tr></thead><tbody id="operators"></tbody></table>
  </section>
  <section><h2>Task latency (ms, request → verified on-chain)</h2><svg id="latency" viewBox="0 0 400 160" preserveAspectRatio="none"></svg></section>
  <section><h2>Verified tasks per second</h2><svg id="throughput" viewBox="0 0 400 160" preserveAspectRatio="none"></svg></section>
  <section class="wide"><h2>Recent tasks</h2>
    <table><thead><tr><th>#</th><th>task</th><th>status</th><th>signers</th><th>signed stake</th><th>result</th><th>latency</th><th>transaction</th></tr></thead><tbody id="tasks"></tbody></table>
  </section>
  <section><h2>Leader history</h2><table><tbody id="leaders"></tbody></table></section>
  <section><h2>Events</h2><div id="events"></div></section>
</main>
<script>
const $ = (id) => document.getElementById(id);
const esc = (s) => String(s).replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]);
const ms = (v) => (Number.isFinite(v) ? Math.round(v) + ' ms' : '–');
function line(svg, points) {
  if (points.length < 2) { svg.innerHTML = ''; return; }
  const xs = points.map((p) => p[0]), ys = points.map((p) => p[1]);
  const x0 = Math.min(...xs), x1 = Math.max(...xs) || 1, y1 = Math.max(...ys, 1);
  const d = points.map((p, i) => (i ? 'L' : 'M') + ((p[0] - x0) / (x1 - x0 || 1) * 390 + 5).toFixed(1) + ' ' + (155 - p[1] / y1 * 145).toFixed(1)).join(' ');
  svg.innerHTML = '<line class="axis" x1="5" y1="155" x2="395" y2="155"/><text x="8" y="14" fill="#8b98a5" font-size="11">' + Math.round(y1) + ' ms</text><path class="line" d="' + d + '"/>';
}
function bars(svg, points) {
  const y1 = Math.max(1, ...points.map((p) => p[1])), w = 390 / Math.max(points.length, 1);
  svg.innerHTML = '<line class="axis" x1="5" y1="155" x2="395" y2="155"/><text x="8" y="14" fill="#8b98a5" font-size="11">' + y1 + '/s</text>' +
    points.map((p, i) => '<rect class="bar" x="' + (5 + i * w).toFixed(1) + '" width="' + Math.max(w - 1, 1).toFixed(1) + '" y="' + (155 - p[1] / y1 * 145).toFixed(1) + '" height="' + (p[1] / y1 * 145).toFixed(1) + '"/>').join('');
}
function render(s) {
  const leader = s.operators.find((o) => o.role === 'leader' && o.up);
  $('leader').textContent = leader ? leader.name + ' (term ' + leader.term + ')' : 'electing…';
  $('created').textContent = s.totals.created;
  $('answered').textContent = s.totals.answered;
  $('verified').textContent = s.totals.verified;
  $('p50').textContent = ms(s.latency.p50);
  $('tput').textContent = s.throughput.toFixed(1);
  $('operators').innerHTML = s.operators.map((o) => '<tr data-operator="' + esc(o.name) + '"><td>' + esc(o.name) + '</td><td><span class="pill ' + (o.up ? (o.role === 'leader' ? 'leader' : 'follower') : 'down') + '">' + esc(o.role) + '</span></td><td>' + o.term + '</td><td>' + o.commit + '</td><td>' + o.applied + '</td><td>' + (o.up ? '<span class="verified">healthy</span>' : '<span class="failed">unreachable</span>') + '</td><td>' + o.restarts + '</td><td><code>' + esc(o.address) + '</code></td></tr>').join('');
  $('tasks').innerHTML = s.tasks.map((t) => '<tr data-task="' + t.taskIndex + '" data-status="' + t.status + '"><td>' + t.taskIndex + '</td><td>' + esc(t.label) + '</td><td class="' + t.status + '">' + t.status + '</td><td>' + (t.signers ?? '') + '</td><td>' + esc(t.signedStake ?? '') + '</td><td>' + esc(t.result ?? '') + '</td><td>' + (t.latencyMs !== undefined ? ms(t.latencyMs) : '') + '</td><td><code>' + esc((t.txHash ?? '').slice(0, 18)) + '</code></td></tr>').join('');
  $('leaders').innerHTML = s.leaders.slice().reverse().map((l) => '<tr><td>' + new Date(l.atMs).toLocaleTimeString() + '</td><td>' + esc(l.leader) + '</td><td>term ' + l.term + '</td></tr>').join('');
  $('events').innerHTML = s.events.slice().reverse().map(esc).join('<br>');
  line($('latency'), s.latencySeries);
  bars($('throughput'), s.throughputSeries);
}
const source = new EventSource('/api/events');
source.addEventListener('state', (e) => render(JSON.parse(e.data)));
const token = new URLSearchParams(location.hash.slice(1)).get('token') || '';
$('kill').onclick = () => fetch('/api/chaos/kill-leader', { method: 'POST', headers: { 'x-dashboard-token': token } });
</script>
</body>
</html>`;
}
