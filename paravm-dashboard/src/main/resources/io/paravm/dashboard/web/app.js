// The ParaVM dashboard's page: it listens to /api/events (server-sent events, a few a second at most)
// and draws what each one says. Everything that came from the VM (host names, tasks, stack traces) is put
// in the page as text (textContent), never as markup. No inline script or style: the page runs under
// Content-Security-Policy: default-src 'self'.
(function () {
  'use strict';
  const token = new URLSearchParams(location.search).get('token') || '';
  const $ = (id) => document.getElementById(id);
  window.paravmCspViolations = [];
  document.addEventListener('securitypolicyviolation', (e) => {
    window.paravmCspViolations.push(e.violatedDirective + ' ' + e.blockedURI);
  });

  function el(tag, text, cls) {
    const e = document.createElement(tag);
    if (text !== undefined && text !== null) e.textContent = String(text);
    if (cls) e.className = cls;
    return e;
  }
  function bytes(n) {
    if (n === null || n === undefined) return '–';
    const u = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
    let i = 0;
    while (n >= 1024 && i < u.length - 1) { n /= 1024; i++; }
    return (i === 0 ? n : n.toFixed(1)) + ' ' + u[i];
  }
  function duration(ms) {
    if (ms === null || ms === undefined) return '';
    if (ms < 1000) return ms + ' ms';
    const s = ms / 1000;
    if (s < 60) return s.toFixed(1) + ' s';
    const m = Math.floor(s / 60);
    if (m < 60) return m + ' min ' + Math.round(s - m * 60) + ' s';
    return Math.floor(m / 60) + ' h ' + (m % 60) + ' min';
  }
  function clock(ms) {
    return new Date(ms).toLocaleTimeString();
  }
  function number(n) {
    return Number(n).toLocaleString();
  }

  // ------------------------------------------------------------------ charts (uPlot)
  let rateChart = null, durationChart = null;
  function chartWidth(id) {
    return Math.max(300, $(id).clientWidth || 400);
  }
  function makeCharts(xs) {
    const axes = [{}, { size: 60 }];
    rateChart = new uPlot({
      width: chartWidth('chart-rate'), height: 220, axes: axes, legend: { show: true },
      series: [{}, { label: 'tasks/s', stroke: '#2e6bb0', fill: 'rgba(46,107,176,.15)', width: 2 }]
    }, [xs, xs.map(() => 0)], $('chart-rate'));
    durationChart = new uPlot({
      width: chartWidth('chart-duration'), height: 220, axes: axes, legend: { show: true },
      series: [{}, { label: 'mean ms', stroke: '#2e8b57', width: 2, spanGaps: false },
               { label: 'longest ms', stroke: '#c07a1a', width: 1, spanGaps: false }]
    }, [xs, xs.map(() => null), xs.map(() => null)], $('chart-duration'));
    window.addEventListener('resize', () => {
      rateChart.setSize({ width: chartWidth('chart-rate'), height: 220 });
      durationChart.setSize({ width: chartWidth('chart-duration'), height: 220 });
    });
  }
  function drawCharts(series) {
    const xs = series.map((p) => p.time / 1000);
    if (!rateChart) makeCharts(xs);
    rateChart.setData([xs, series.map((p) => p.ended)]);
    durationChart.setData([xs, series.map((p) => p.meanMillis), series.map((p) => p.maxMillis)]);
    // For a reader of the page (and its tests): what the charts hold now.
    const ended = series.reduce((a, p) => a + p.ended, 0);
    $('chart-rate').dataset.ended = String(ended);
    $('chart-duration').dataset.points = String(series.filter((p) => p.meanMillis !== null).length);
  }

  // ------------------------------------------------------------------ panels
  function drawFarm(f) {
    const ended = f.completed + f.failed + f.timedOut + f.cancelled;
    $('farm-progress').max = Math.max(1, f.submitted);
    $('farm-progress').value = ended;
    $('farm-completed').textContent = number(f.completed);
    $('farm-failed').textContent = number(f.failed);
    $('farm-failed').classList.toggle('bad', f.failed > 0);
    $('farm-retried').textContent = number(f.retried);
    $('farm-timedout').textContent = number(f.timedOut);
    $('farm-cancelled').textContent = number(f.cancelled);
    $('farm-submitted').textContent = number(f.submitted);
    $('farm-backlog').textContent = number(f.backlog);
    $('farm-rate').textContent = f.tasksPerSecond.toFixed(1);
    $('farm-eta').textContent = f.backlog === 0 ? 'done' : f.etaSeconds === null ? '–' : duration(Math.round(f.etaSeconds * 1000));
  }

  function drawHosts(hosts) {
    const body = document.createElement('tbody');
    for (const h of hosts) {
      let hostRows = 0;
      const hostCell = el('td', h.name, 'host');
      for (const j of h.jvms) {
        const slots = j.slots.length ? j.slots : [null];
        slots.forEach((s, i) => {
          const tr = el('tr');
          tr.dataset.rank = String(j.rank);
          if (hostRows === 0) tr.appendChild(hostCell);
          if (i === 0) {
            const cells = [
              el('td', j.rank + (j.pid ? ' (' + j.pid + ')' : ''), 'rank'),
              el('td', j.cpuLoad === null ? '–' : Math.round(j.cpuLoad * 100) + ' %'),
              el('td', j.heapUsedBytes === null ? '–' : bytes(j.heapUsedBytes) + ' of ' + bytes(j.heapMaxBytes)),
              el('td', j.gcMillis === null ? '–' : duration(j.gcMillis))
            ];
            for (const c of cells) { c.rowSpan = slots.length; tr.appendChild(c); }
          }
          if (s) {
            tr.classList.toggle('free', s.task === null);
            tr.appendChild(el('td', s.id, 'slot'));
            tr.appendChild(el('td', s.task === null ? 'free' : s.task, 'task'));
            tr.appendChild(el('td', s.work, 'work'));
            tr.appendChild(el('td', duration(s.runningMillis), 'running'));
          }
          body.appendChild(tr);
          hostRows++;
        });
      }
      hostCell.rowSpan = hostRows;
    }
    $('hosts').replaceChild(body, $('hosts').tBodies[0]);
  }

  let shownFailures = '';
  function drawFailures(failures) {
    const key = failures.map((f) => f.time + f.task + f.item).join('|');
    $('failures-count').textContent = failures.length ? '(' + failures.length + ', newest first)' : '';
    $('failures-count').classList.toggle('bad', failures.length > 0);
    if (key === shownFailures) return; // keep what the reader opened
    shownFailures = key;
    const box = $('failures');
    box.replaceChildren();
    if (!failures.length) { box.appendChild(el('p', 'none', 'muted')); return; }
    for (const f of failures) {
      const d = el('details', null, 'failure');
      // The line naming the exception says most; else the first line.
      const lines = (f.error || '').split('\n').filter((l) => l.trim() !== '');
      const firstLine = lines.find((l) => /(Exception|Error)\b/.test(l) && !/^\s+at /.test(l)) || lines[0] || '';
      d.appendChild(el('summary', clock(f.time) + ' — ' + (f.item ? f.item + ' on ' : '') + (f.task || '?') + ': ' + firstLine));
      d.appendChild(el('pre', f.error, 'trace'));
      box.appendChild(d);
    }
  }

  function drawLost(lost) {
    const ul = $('lost');
    ul.replaceChildren();
    if (!lost.length) { ul.appendChild(el('li', 'none', 'muted')); return; }
    for (const l of lost) {
      const li = el('li', clock(l.time) + ' — ' + l.kind + ' ' + l.what + ' lost', 'lost-' + l.kind);
      li.dataset.kind = l.kind;
      ul.appendChild(li);
    }
  }

  function drawTraffic(traffic) {
    const body = document.createElement('tbody');
    for (const t of traffic) {
      const tr = el('tr');
      for (const v of [t.rank, number(t.framesSent), bytes(t.bytesSent), number(t.framesReceived), bytes(t.bytesReceived)]) {
        tr.appendChild(el('td', v));
      }
      body.appendChild(tr);
    }
    $('traffic').replaceChild(body, $('traffic').tBodies[0]);
  }

  let updates = 0;
  function draw(s) {
    $('transport').textContent = 'on ' + s.transport;
    $('uptime').textContent = 'watched for ' + duration(s.upMillis);
    $('slots-summary').textContent = s.freeSlots + ' of ' + (s.slots - 1) + ' worker slots free';
    drawFarm(s.farm);
    const t = s.tasks;
    $('vm-tasks').textContent = number(t.spawned) + ' spawned, ' + number(t.finished) + ' finished, ' + number(t.failed)
        + ' failed, ' + number(t.lost) + ' lost';
    drawCharts(s.series);
    drawHosts(s.hosts);
    drawFailures(s.failures);
    drawLost(s.lost);
    drawTraffic(s.traffic);
    document.body.dataset.updates = String(++updates);
    document.body.dataset.time = String(s.time);
  }

  function connect() {
    const source = new EventSource('/api/events?token=' + encodeURIComponent(token));
    source.onopen = () => { $('conn').textContent = 'live'; $('conn').className = 'conn up'; };
    source.onmessage = (m) => draw(JSON.parse(m.data));
    source.onerror = () => {
      $('conn').textContent = 'disconnected (the job may have ended); retrying…';
      $('conn').className = 'conn down';
    };
  }
  connect();
})();
