// Bulwark dashboard: everything from /bulwark/status and /bulwark/events, drawn by hand (SVG), no external request.
(function () {
  'use strict';

  var SVG = 'http://www.w3.org/2000/svg';
  var MAX_TICKS = 300;
  var MAX_LOG = 200;
  var ticks = [];
  var tiles = new Map();          // breaker name -> {el, state, transitions, last}
  var tickMs = 1000;

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) { e.className = cls; }
    if (text !== undefined) { e.textContent = text; }
    return e;
  }

  function time(t) {
    var d = new Date(t);
    return d.toLocaleTimeString([], {hour12: false});
  }

  // ---- breakers

  function tile(name) {
    var t = tiles.get(name);
    if (t) { return t; }
    var box = document.getElementById('breakers');
    var empty = box.querySelector('.empty');
    if (empty) { empty.remove(); }
    var e = el('div', 'tile state-closed');
    e.setAttribute('data-name', name);
    e.setAttribute('data-state', 'closed');
    e.appendChild(el('div', 'name', name)).setAttribute('title', name);
    e.appendChild(el('div', 'state', 'closed'));
    e.appendChild(el('div', 'counts', ''));
    e.appendChild(el('div', 'transition', 'no transition yet'));
    var names = Array.from(tiles.keys()).concat([name]).sort();
    var before = names[names.indexOf(name) + 1];
    box.insertBefore(e, before ? tiles.get(before).el : null);
    t = {el: e, state: 'closed', transitions: 0};
    tiles.set(name, t);
    return t;
  }

  function setState(name, state) {
    var t = tile(name);
    if (t.state === state) { return; }
    t.state = state;
    t.el.className = 'tile state-' + state;
    t.el.setAttribute('data-state', state);
    t.el.querySelector('.state').textContent = state.replace('_', '-');
  }

  function transition(name, from, to, trigger, at) {
    var t = tile(name);
    t.transitions += 1;
    t.el.querySelector('.transition').textContent =
        t.transitions + ' transition' + (t.transitions > 1 ? 's' : '') + ', last ' + from + ' → ' + to +
        (trigger ? ' (' + trigger + ')' : '') + ' at ' + time(at);
    setState(name, to);
  }

  function removeTile(name) {
    var t = tiles.get(name);
    if (t) { t.el.remove(); tiles.delete(name); }
  }

  function renderBreakers(list) {
    var seen = new Set();
    list.forEach(function (b) {
      seen.add(b.name);
      var t = tile(b.name);
      setState(b.name, b.state);
      t.el.querySelector('.counts').textContent = 'ok ' + b.ok + ' · failed ' + b.melts + ' · rejected ' + b.rejected +
          ' · ' + Math.round(b.failure_rate) + ' % failures';
    });
    Array.from(tiles.keys()).forEach(function (name) { if (!seen.has(name)) { removeTile(name); } });
  }

  // ---- charts

  function clear(svg) { while (svg.firstChild) { svg.removeChild(svg.firstChild); } }

  function svgEl(tag, attrs) {
    var e = document.createElementNS(SVG, tag);
    Object.keys(attrs).forEach(function (k) { e.setAttribute(k, attrs[k]); });
    return e;
  }

  // series: [{cls, points: [[t, v], ...]}]
  function chart(id, series, unit) {
    var svg = document.getElementById(id);
    clear(svg);
    var W = 600, H = 170, L = 44, R = 8, T = 8, B = 20;
    var now = ticks.length ? ticks[ticks.length - 1].t : Date.now();
    var span = Math.max(20000, Math.min(MAX_TICKS, ticks.length) * tickMs);
    var t0 = now - span;
    var max = 0;
    series.forEach(function (s) { s.points.forEach(function (p) { if (p[1] !== null && p[1] > max) { max = p[1]; } }); });
    max = max <= 0 ? 1 : max * 1.1;
    svg.appendChild(svgEl('line', {x1: L, y1: H - B, x2: W - R, y2: H - B, 'class': 'axis'}));
    svg.appendChild(svgEl('line', {x1: L, y1: T, x2: L, y2: H - B, 'class': 'axis'}));
    var top = svgEl('text', {x: 2, y: T + 8});
    top.textContent = (max >= 10 ? Math.round(max) : max.toFixed(2)) + (unit || '');
    svg.appendChild(top);
    var zero = svgEl('text', {x: 2, y: H - B});
    zero.textContent = '0';
    svg.appendChild(zero);
    var left = svgEl('text', {x: L, y: H - 4});
    left.textContent = time(t0);
    svg.appendChild(left);
    var right = svgEl('text', {x: W - R - 48, y: H - 4});
    right.textContent = time(now);
    svg.appendChild(right);
    series.forEach(function (s) {
      var pts = s.points.filter(function (p) { return p[1] !== null && p[0] >= t0; }).map(function (p) {
        var x = L + (p[0] - t0) / span * (W - L - R);
        var y = H - B - p[1] / max * (H - T - B);
        return x.toFixed(1) + ',' + y.toFixed(1);
      });
      if (pts.length) {
        svg.appendChild(svgEl('polyline', {points: pts.join(' '), 'class': s.cls, 'data-points': pts.length}));
      }
    });
  }

  function drawCharts() {
    var outcomes = ['success', 'fallback', 'rejected', 'failure'].map(function (o) {
      return {cls: o, points: ticks.map(function (k) {
        var sum = 0;
        Object.keys(k.protections || {}).forEach(function (key) { sum += k.protections[key][o] || 0; });
        return [k.t, sum];
      })};
    });
    chart('outcomes-chart', outcomes);
    var latency = ['p50_ms', 'p99_ms'].map(function (p) {
      return {cls: p.substring(0, 3), points: ticks.map(function (k) {
        var worst = null;
        Object.keys(k.protections || {}).forEach(function (key) {
          var v = k.protections[key][p];
          if (v !== null && v !== undefined && (worst === null || v > worst)) { worst = v; }
        });
        return [k.t, worst];
      })};
    });
    chart('latency-chart', latency, ' ms');
    chart('denials-chart', ['allowed', 'denied'].map(function (d) {
      return {cls: d, points: ticks.map(function (k) { return [k.t, k[d] || 0]; })};
    }));
  }

  function renderTop(rows) {
    var body = document.querySelector('#top-denied tbody');
    clear(body);
    (rows || []).forEach(function (r) {
      var tr = el('tr');
      tr.appendChild(el('td', '', r.entity));
      tr.appendChild(el('td', 'num', String(r.denied)));
      body.appendChild(tr);
    });
    if (!rows || !rows.length) {
      var tr = el('tr');
      tr.appendChild(el('td', 'empty', 'no denial yet'));
      body.appendChild(tr);
    }
  }

  function percent(share) { return Math.round(share * 100) + ' %'; }

  function renderMemory(m, shed) {
    if (!m) { return; }
    var share = m.heap_max > 0 ? m.heap_used / m.heap_max : 0;
    var bar = document.getElementById('heap-bar');
    bar.className = 'fill w' + Math.min(10, Math.round(share * 10));
    document.getElementById('heap-text').textContent = 'heap ' + Math.round(m.heap_used / 1048576) + ' MiB of ' +
        Math.round(m.heap_max / 1048576) + ' MiB (' + percent(share) + ')' +
        (m.occupancy_after_gc !== undefined ? ' · after GC ' + percent(m.occupancy_after_gc) : '');
    var pressure = document.getElementById('pressure');
    pressure.textContent = m.level;
    pressure.className = 'badge pressure-' + m.level;
    if (shed !== undefined) {
      document.getElementById('shed').textContent = shed + ' shed in the last tick';
    }
  }

  function checkList(id, checks) {
    var list = document.getElementById(id);
    clear(list);
    var names = Object.keys(checks || {});
    names.forEach(function (n) {
      var c = checks[n];
      var li = el('li');
      li.setAttribute('data-check', n);
      li.setAttribute('data-status', c.status);
      li.appendChild(el('span', 'st ' + c.status, c.status));
      li.appendChild(document.createTextNode(n));
      var d = c.details || {};
      var why = d.reason || d.error;
      if (why) { li.appendChild(el('span', 'why', why)); }
      list.appendChild(li);
    });
    if (!names.length) { list.appendChild(el('li', 'empty', 'no check')); }
  }

  function renderHealth(h) {
    if (!h) { return; }
    var ready = document.getElementById('ready');
    ready.textContent = h.ready;
    ready.className = 'badge ' + h.ready;
    var live = document.getElementById('live');
    live.textContent = h.live;
    live.className = 'badge ' + h.live;
    checkList('health', h.checks);
    checkList('live-health', h.live_checks);
  }

  // a pool is any component status with PoolStatus's figures (bulwark-pool), at the top or one level down
  function isPool(v) {
    return v !== null && typeof v === 'object' && typeof v.active === 'number' && typeof v.maxSize === 'number' &&
        typeof v.idle === 'number' && typeof v.waiters === 'number';
  }

  function findPools(components) {
    var found = [];
    Object.keys(components || {}).forEach(function (n) {
      var c = components[n];
      if (isPool(c)) { found.push(c); return; }
      if (c !== null && typeof c === 'object') {
        Object.keys(c).forEach(function (k) {
          var v = c[k];
          if (isPool(v)) { found.push(v); }
          if (v !== null && typeof v === 'object' && !Array.isArray(v)) {
            Object.keys(v).forEach(function (j) { if (isPool(v[j])) { found.push(v[j]); } });
          }
        });
      }
    });
    return found;
  }

  function renderPools(components) {
    var box = document.getElementById('pools');
    var pools = findPools(components);
    if (!pools.length) { return; }
    clear(box);
    pools.forEach(function (p) {
      var max = p.maxSize + (p.maxOverflow || 0);
      var share = max > 0 ? p.active / max : 0;
      var row = el('div', 'pool');
      row.setAttribute('data-pool', p.name);
      row.appendChild(el('div', 'name', p.name + ': ' + p.active + ' of ' + max + ' active, ' + p.idle + ' idle, ' +
          p.waiters + ' waiting'));
      var bar = el('div', 'bar');
      bar.appendChild(el('div', 'fill w' + Math.min(10, Math.round(share * 10))));
      row.appendChild(bar);
      row.appendChild(el('div', 'hint', (p.timeouts || 0) + ' timeouts · ' + (p.rejections || 0) + ' refused · ' +
          (p.leaks || 0) + ' leaks' + (p.breaker ? ' · breaker ' + p.breaker : '')));
      box.appendChild(row);
    });
  }

  function render(status) {
    tickMs = status.live && status.live.tick_ms ? status.live.tick_ms : tickMs;
    renderBreakers(status.breakers || []);
    renderHealth(status.health);
    renderMemory(status.memory);
    renderPools(status.components);
    document.getElementById('uptime').textContent = Math.round(status.uptime_ms / 1000) + ' s';
    if (status.live) {
      if (!ticks.length && status.live.history) { ticks = status.live.history.slice(-MAX_TICKS); drawCharts(); }
      renderTop(status.live.top_denied);
    }
  }

  function refresh() {
    return fetch('/bulwark/status', {cache: 'no-store'}).then(function (r) { return r.json(); }).then(render)
        .catch(function () { document.getElementById('conn').textContent = 'status unavailable'; });
  }

  // ---- event log

  function summary(ev) {
    var md = ev.metadata || {};
    var parts = [];
    Object.keys(md).forEach(function (k) {
      var v = md[k];
      if (v !== null && typeof v === 'object') { v = JSON.stringify(v); }
      parts.push(k + '=' + v);
    });
    Object.keys(ev.measurements || {}).forEach(function (k) { parts.push(k + '=' + ev.measurements[k]); });
    return parts.join(' ');
  }

  function log(ev) {
    var list = document.getElementById('event-log');
    var li = el('li', ev.event.replace(/.*\./, ''));
    li.setAttribute('data-event', ev.event);
    li.appendChild(el('span', 'time', time(ev.t)));
    li.appendChild(el('span', 'ev', ev.event));
    li.appendChild(el('span', 'md', summary(ev)));
    list.insertBefore(li, list.firstChild);
    while (list.children.length > MAX_LOG) { list.removeChild(list.lastChild); }
  }

  function onEvent(ev) {
    log(ev);
    var md = ev.metadata || {};
    if (ev.event === 'circuit_breaker.state_change') {
      transition(md.name, md.from, md.to, md.trigger, ev.t);
    } else if (ev.event === 'circuit_breaker.fuse_installed') {
      tile(md.name);
    } else if (ev.event === 'circuit_breaker.fuse_removed') {
      removeTile(md.name);
    }
  }

  function onTick(tick) {
    ticks.push(tick);
    if (ticks.length > MAX_TICKS) { ticks.shift(); }
    Object.keys(tick.breakers || {}).forEach(function (name) { setState(name, tick.breakers[name]); });
    renderTop(tick.top_denied);
    renderMemory(tick.memory, tick.shed);
    renderHealth(tick.health);
    drawCharts();
  }

  function connect() {
    var conn = document.getElementById('conn');
    var source = new EventSource('/bulwark/events');
    source.onopen = function () { conn.textContent = 'live'; conn.className = 'conn on'; };
    source.onerror = function () { conn.textContent = 'reconnecting'; conn.className = 'conn off'; };
    source.onmessage = function (m) { onEvent(JSON.parse(m.data)); };
    source.addEventListener('tick', function (m) { onTick(JSON.parse(m.data)); });
    source.addEventListener('heartbeat', function () { conn.textContent = 'live'; conn.className = 'conn on'; });
  }

  document.addEventListener('DOMContentLoaded', function () {
    drawCharts();
    renderTop([]);
    refresh().then(connect);
    setInterval(refresh, 5000);
  });
}());
