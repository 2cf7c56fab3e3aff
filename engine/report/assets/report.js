// dtwin report: draws a run's or a sweep's results from the JSON embedded in this page
// (engine/report/report.cpp writes it) with Chart.js. No network, no other script.
// When everything has been drawn, <body data-status> is "ok" (or "error", with the errors in
// #errors) and each chart's <figure data-inked> counts the pixels it painted: the browser test
// (tests/report) reads both.
(function () {
  'use strict';
  const started = performance.now();
  const errors = [];
  function fail(msg) {
    errors.push(msg);
    const pre = document.getElementById('errors');
    pre.hidden = false;
    pre.textContent = 'This report could not be drawn completely:\n' + errors.join('\n');
    document.body.dataset.status = 'error';
  }
  window.addEventListener('error', (e) => fail(String(e.message || e)));

  const D = JSON.parse(document.getElementById('dtwin-data').textContent);
  for (const f of D.series)
    if (!f.t) {  // evenly spaced: start, step, and the last row's own time
      f.t = new Array(f.n);
      for (let i = 0; i < f.n; ++i) f.t[i] = f.t_start + i * f.t_step;
      if (f.n) f.t[f.n - 1] = f.t_last;
    }
  const M = D.meta;
  const root = document.getElementById('report');
  const charts = [];
  // Okabe & Ito's colour-blind-safe palette, then darker shades
  const palette = ['#0072B2', '#E69F00', '#009E73', '#CC79A7', '#56B4E9', '#D55E00', '#F0E442',
    '#000000', '#1b5e20', '#6a1b9a', '#8d6e63', '#546e7a'];
  const colour = (i) => palette[i % palette.length];

  Chart.defaults.animation = false;
  Chart.defaults.responsive = true;
  Chart.defaults.maintainAspectRatio = false;
  Chart.defaults.font.family = 'system-ui, "DejaVu Sans", sans-serif';

  function el(tag, attrs, ...children) {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (k === 'class') e.className = v;
      else if (k === 'text') e.textContent = v;
      else if (k.startsWith('on')) e.addEventListener(k.slice(2), v);
      else e.setAttribute(k, v);
    }
    for (const c of children) if (c != null) e.append(c);
    return e;
  }

  function fmt(v) {
    if (v == null || !isFinite(v)) return '–';
    const a = Math.abs(v);
    if (a !== 0 && (a >= 1e7 || a < 1e-3)) return v.toExponential(3);
    const s = a >= 1000 ? v.toFixed(0) : v.toPrecision(4);
    return s.includes('.') && !s.includes('e') ? s.replace(/\.?0+$/, '') : s;
  }
  function fmtStat(s) {
    if (!s) return '–';
    const [mean, lo, hi] = s;
    if (lo == null || hi == null || lo === hi) return fmt(mean);
    return fmt(mean) + ' ± ' + fmt((hi - lo) / 2);
  }
  const unitOf = (key) => (M.keys.find((k) => k.key === key) || {}).unit || '';
  const withUnit = (key) => {
    const u = unitOf(key);
    return u && u !== '1' ? key + ' [' + u + ']' : key;
  };
  const names = M.variants.map((v) => v.name);
  // a sweep point's label: its parameters by their last name ("tSpNight=16.5, co2SpDay=800")
  const shortParam = (p) => p.slice(p.lastIndexOf('.') + 1);
  const labels = M.variants.map((v) => (v.params ? Object.entries(v.params).map(([k, x]) => shortParam(k) + '=' + x).join(', ') : v.name));

  // A chart in a <figure> with its title in the DOM (the canvas has none of its own).
  function figure(parent, title, height, config, note) {
    const canvas = el('canvas');
    const box = el('div', { class: 'chart', style: 'height:' + height + 'px' }, canvas);
    const fig = el('figure', { 'data-title': title }, el('figcaption', { text: title }), box);
    if (note) fig.append(el('p', { class: 'note', text: note }));
    parent.append(fig);
    try {
      const c = new Chart(canvas, config);
      c.$figure = fig;
      charts.push(c);
      return c;
    } catch (e) {
      fail(title + ': ' + e.message);
      return null;
    }
  }

  // 95% CI whiskers over bars or points: a dataset carries `ci` [[lo, hi] or null per point]
  const whiskers = {
    id: 'dtwinWhiskers',
    afterDatasetsDraw(chart) {
      const ctx = chart.ctx;
      const horizontal = chart.options.indexAxis === 'y';
      const vs = horizontal ? chart.scales.x : chart.scales.y;
      chart.data.datasets.forEach((ds, i) => {
        const meta = chart.getDatasetMeta(i);
        if (!ds.ci || meta.hidden) return;
        meta.data.forEach((e, j) => {
          const ci = ds.ci[j];
          if (!ci || ci[0] == null || ci[1] == null || ci[0] === ci[1]) return;
          const a = vs.getPixelForValue(ci[0]);
          const b = vs.getPixelForValue(ci[1]);
          const c = horizontal ? e.y : e.x;
          const w = 5;
          ctx.save();
          ctx.strokeStyle = '#222';
          ctx.lineWidth = 1.5;
          ctx.beginPath();
          if (horizontal) {
            ctx.moveTo(a, c); ctx.lineTo(b, c);
            ctx.moveTo(a, c - w); ctx.lineTo(a, c + w);
            ctx.moveTo(b, c - w); ctx.lineTo(b, c + w);
          } else {
            ctx.moveTo(c, a); ctx.lineTo(c, b);
            ctx.moveTo(c - w, a); ctx.lineTo(c + w, a);
            ctx.moveTo(c - w, b); ctx.lineTo(c + w, b);
          }
          ctx.stroke();
          ctx.restore();
        });
      });
    },
  };
  const ciTooltip = (unit) => ({
    callbacks: {
      label(item) {
        const ds = item.dataset;
        const v = item.parsed[item.chart.options.indexAxis === 'y' ? 'x' : 'y'];
        const ci = ds.ci && ds.ci[item.dataIndex];
        let s = (ds.label ? ds.label + ': ' : '') + fmt(v) + (unit && unit !== '1' ? ' ' + unit : '');
        if (ci && ci[0] != null && ci[0] !== ci[1]) s += '  (95% CI ' + fmt(ci[0]) + ' to ' + fmt(ci[1]) + ')';
        return s;
      },
    },
  });
  function range(values, cis, zero) {
    let lo = zero ? 0 : Infinity, hi = zero ? 0 : -Infinity;
    values.forEach((v, i) => {
      for (const x of [v, ...(cis[i] || [])]) if (x != null && isFinite(x)) { lo = Math.min(lo, x); hi = Math.max(hi, x); }
    });
    return isFinite(lo) ? [lo, hi] : [0, 1];
  }

  // ---- the run ----
  function header() {
    root.append(el('h1', { text: M.title }));
    const reps = M.variants.map((v) => v.runs);
    const same = reps.every((r) => r === reps[0]);
    const rows = [
      ['scenario file', M.file],
      ['made by', (M.source === 'sweep' ? 'dtwin sweep' : 'dtwin run') + ', dtwin ' + M.version],
      ['seed', String(M.seed)],
      ['variants', M.variants.length + (M.variants.length > 1 ? ' (the first is the baseline)' : '')],
      ['replications', same ? String(reps[0]) + ' per variant' : reps.join(', ')],
      ['simulated', fmtDuration(M.duration_s - M.warmup_s) + (M.warmup_s > 0 ? ' after a warm-up of ' + fmtDuration(M.warmup_s) : '')],
    ];
    const f0 = D.series[0];
    if (f0 && f0.calendar && f0.t.length) {  // the dates the run covers, on its weather's clock
      const day = (t) => new Date(f0.t0_ms + t * 1000).toISOString().slice(0, 10);
      rows.push(['dates', day(0) + ' to ' + day(M.duration_s) + ' (local time of the weather file)']);
    }
    const t = el('table', { class: 'facts' });
    for (const [k, v] of rows) t.append(el('tr', null, el('th', { text: k }), el('td', { text: v })));
    root.append(t);
    if (M.confidence && reps.some((r) => r > 1)) root.append(el('p', { class: 'note', text: 'Whiskers and ± are ' + M.confidence + '.' }));
  }
  function fmtDuration(s) {
    if (s >= 86400 * 2) return fmt(s / 86400) + ' d';
    if (s >= 7200) return fmt(s / 3600) + ' h';
    if (s >= 120) return fmt(s / 60) + ' min';
    return fmt(s) + ' s';
  }

  function verdicts() {
    if (!M.verdicts.length) return;
    const sec = el('section', { id: 'expectations' });
    const failed = M.verdicts.filter((v) => !v.passed).length;
    sec.append(el('h2', { text: 'Expectations' }),
      el('p', { class: failed ? 'bad' : 'good', text: (M.verdicts.length - failed) + ' of ' + M.verdicts.length + ' expectations held' + (failed ? '; ' + failed + ' did not (dtwin exits with status 4)' : '') }));
    const t = el('table', { class: 'grid' }, el('tr', null, ...['variant', 'expectation', 'verdict', 'why'].map((h) => el('th', { text: h }))));
    for (const v of M.verdicts)
      t.append(el('tr', { class: v.passed ? 'pass' : 'fail' }, el('td', { text: v.variant }),
        el('td', { text: v.key + ' ' + v.op + ' ' + fmt(v.bound) + (v.unit && v.unit !== '1' ? ' ' + v.unit : '') }),
        el('td', { text: v.is }), el('td', { text: v.detail })));
    sec.append(t);
    root.append(sec);
  }

  function kpiBars(parent, key) {
    const st = M.stats[key];
    const means = st.map((s) => (s ? s[0] : null));
    const cis = st.map((s) => (s ? [s[1], s[2]] : null));
    const [lo, hi] = range(means, cis, true);
    figure(parent, withUnit(key), 60 + 28 * names.length, {
      type: 'bar',
      data: { labels, datasets: [{ data: means, ci: cis, backgroundColor: names.map((_, i) => colour(i)) }] },
      options: {
        indexAxis: 'y',
        plugins: { legend: { display: false }, tooltip: ciTooltip(unitOf(key)) },
        scales: { x: { suggestedMin: lo, suggestedMax: hi, title: { display: true, text: unitOf(key) || '' } } },
      },
      plugins: [whiskers],
    });
  }
  function deltaBars(parent, key) {
    const dl = M.deltas[key].slice(1);
    const means = dl.map((s) => (s ? s[0] : null));
    const cis = dl.map((s) => (s ? [s[1], s[2]] : null));
    const [lo, hi] = range(means, cis, true);
    const pad = (hi - lo) * 0.05 || 1;
    figure(parent, 'Δ ' + withUnit(key) + ' against ' + names[0], 60 + 28 * (names.length - 1), {
      type: 'bar',
      data: { labels: labels.slice(1), datasets: [{ data: means, ci: cis, backgroundColor: means.map((m, i) => (cis[i] && cis[i][0] > 0 ? '#009E73' : cis[i] && cis[i][1] < 0 ? '#D55E00' : '#999999')) }] },
      options: {
        indexAxis: 'y',
        plugins: { legend: { display: false }, tooltip: ciTooltip(unitOf(key)) },
        scales: { x: { suggestedMin: lo - pad, suggestedMax: hi + pad, title: { display: true, text: 'difference' + (unitOf(key) && unitOf(key) !== '1' ? ' [' + unitOf(key) + ']' : '') } } },
      },
      plugins: [whiskers],
    });
  }

  function kpis() {
    const sec = el('section', { id: 'kpis' });
    root.append(sec);  // charts are sized from their place in the page: attach first
    sec.append(el('h2', { text: 'Key figures by variant' }));
    const grid = el('div', { class: 'cards' });
    sec.append(grid);
    for (const key of M.headline) kpiBars(grid, key);
    if (names.length > 1 && M.headline.some((k) => M.deltas[k].slice(1).some((d) => d))) {
      const ds = el('section', { id: 'deltas' });
      root.append(ds);
      ds.append(el('h2', { text: 'Paired differences against the baseline (' + names[0] + ')' }),
        el('p', { class: 'note', text: M.variants.every((v) => v.runs < 2)
          ? 'One run per variant: the differences are single runs, without intervals (replications give them).'
          : 'Replication r of a variant against replication r of the baseline (common random numbers). Green: the whole interval above zero; orange: below; grey: it contains zero.' }));
      const g = el('div', { class: 'cards' });
      ds.append(g);
      for (const key of M.headline) deltaBars(g, key);
    }
    // every figure as a table
    const all = el('details', null, el('summary', { text: 'Every figure (' + M.keys.length + ' metrics)' }));
    const t = el('table', { class: 'grid numbers' }, el('tr', null, el('th', { text: 'metric' }), ...names.map((n) => el('th', { text: n }))));
    for (const k of M.keys)
      t.append(el('tr', null, el('td', { text: withUnit(k.key) }), ...M.stats[k.key].map((s) => el('td', { text: fmtStat(s) }))));
    all.append(t);
    root.append(all);
  }

  const STATES = ['working', 'setup', 'starved', 'blocked', 'down', 'off'];
  const STATE_COLOURS = { working: '#009E73', setup: '#56B4E9', starved: '#F0E442', blocked: '#E69F00', down: '#D55E00', off: '#999999' };
  function stations() {
    const ids = [];
    for (const k of M.keys) {
      const m = /^(.*)\.working_frac$/.exec(k.key);
      if (m) ids.push(m[1]);
    }
    if (!ids.length) return;
    const sec = el('section', { id: 'stations' });
    sec.append(el('h2', { text: 'Stations: where the time goes' }));
    const select = el('select', { 'aria-label': 'variant' }, ...names.map((n, i) => el('option', { value: String(i), text: n })));
    sec.append(el('label', { class: 'control' }, 'variant ', select));
    const bn = M.findings.find((f) => f.key === 'bottleneck');
    const bnText = el('p', { class: 'finding' });
    sec.append(bnText);
    root.append(sec);
    const data = (vi) => STATES.filter((s) => ids.some((id) => M.stats[id + '.' + s + '_frac'])).map((s) => ({
      label: s,
      backgroundColor: STATE_COLOURS[s],
      data: ids.map((id) => { const st = M.stats[id + '.' + s + '_frac']; return st && st[vi] ? 100 * st[vi][0] : 0; }),
    }));
    const showBn = (vi) => {
      const v = bn && bn.values[vi];
      bnText.textContent = v && v.id ? 'Bottleneck of ' + names[vi] + ': ' + v.id + ' (in ' + fmt(100 * v.share) + ' % of the replications; ' + bn.method + ')' : '';
    };
    showBn(0);
    const chart = figure(sec, 'State of each station, % of the measured time', 80 + 30 * ids.length, {
      type: 'bar',
      data: { labels: ids, datasets: data(0) },
      options: {
        indexAxis: 'y',
        plugins: { tooltip: { callbacks: { label: (i) => i.dataset.label + ': ' + fmt(i.parsed.x) + ' %' } } },
        scales: { x: { stacked: true, min: 0, max: 100, title: { display: true, text: '% of time' } }, y: { stacked: true } },
      },
    });
    select.addEventListener('change', () => {
      const vi = Number(select.value);
      chart.data.datasets = data(vi);
      chart.update('none');
      showBn(vi);
    });
    if (bn && names.length > 1) {
      const t = el('table', { class: 'grid' }, el('tr', null, el('th', { text: 'variant' }), el('th', { text: 'bottleneck' }), el('th', { text: 'share of replications' })));
      bn.values.forEach((v, i) => t.append(el('tr', null, el('td', { text: names[i] }), el('td', { text: v ? v.id : '–' }), el('td', { text: v ? fmt(100 * v.share) + ' %' : '–' }))));
      sec.append(t);
    }
  }

  // a sweep: KPI over the first parameter, a line per value of the others
  function sweep() {
    const pts = M.variants.map((v, i) => ({ i, p: v.params })).filter((x) => x.p);
    if (pts.length < 2) return;
    const pnames = Object.keys(pts[0].p);
    const p0 = pnames[0];
    const sec = el('section', { id: 'sweep' });
    sec.append(el('h2', { text: 'The sweep: ' + pts.length + ' points over ' + pnames.join(', ') }));
    const grid = el('div', { class: 'cards' });
    sec.append(grid);
    root.append(sec);
    const groups = new Map();
    for (const x of pts) {
      const label = pnames.slice(1).map((n) => shortParam(n) + '=' + x.p[n]).join(', ') || M.title;
      if (!groups.has(label)) groups.set(label, []);
      groups.get(label).push(x);
    }
    for (const key of M.headline) {
      const datasets = [...groups.entries()].map(([label, xs], gi) => {
        xs.sort((a, b) => a.p[p0] - b.p[p0]);
        return {
          label,
          borderColor: colour(gi),
          backgroundColor: colour(gi),
          data: xs.map((x) => ({ x: x.p[p0], y: M.stats[key][x.i] ? M.stats[key][x.i][0] : null })),
          ci: xs.map((x) => (M.stats[key][x.i] ? [M.stats[key][x.i][1], M.stats[key][x.i][2]] : null)),
        };
      });
      figure(grid, withUnit(key) + ' over ' + shortParam(p0), 300, {
        type: 'line',
        data: { datasets },
        options: {
          plugins: { tooltip: ciTooltip(unitOf(key)) },
          scales: { x: { type: 'linear', title: { display: true, text: p0 } }, y: { title: { display: true, text: unitOf(key) } } },
        },
        plugins: [whiskers],
      });
    }
  }

  // ---- time series ----
  const DAY = 86400000;
  function niceTicks(min, max) {
    // calendar ticks at whole hours, days or month starts (UTC here is the file's local clock)
    const span = max - min;
    const steps = [3600e3, 3 * 3600e3, 6 * 3600e3, 12 * 3600e3, DAY, 2 * DAY, 7 * DAY];
    const out = [];
    const step = steps.find((s) => span / s <= 10);
    if (step) {
      let t = Math.ceil(min / step) * step;
      if (step === 7 * DAY) t = Math.ceil((min - 4 * DAY) / step) * step + 4 * DAY;  // Mondays
      for (; t <= max; t += step) out.push(t);
    } else {
      const d = new Date(min);
      let y = d.getUTCFullYear(), m = d.getUTCMonth() + 1;
      const months = span / (30 * DAY) > 14 ? 3 : 1;
      for (;;) {
        if (m > 11) { y += Math.floor(m / 12); m %= 12; }
        const t = Date.UTC(y, m, 1);
        if (t > max) break;
        if (m % months === 0) out.push(t);
        m += 1;
      }
    }
    return out;
  }
  function dateLabel(v, span) {
    const s = new Date(v).toISOString();
    if (span > 60 * DAY) return s.slice(0, 7);
    if (span > 3 * DAY) return s.slice(0, 10);
    return s.slice(0, 10) + ' ' + s.slice(11, 16);
  }

  function series() {
    if (!D.series.length) return;
    const sec = el('section', { id: 'series' });
    sec.append(el('h2', { text: 'Time series' }));
    root.append(sec);
    const cal = D.series.every((f) => f.calendar);
    const dur = Math.max(...D.series.map((f) => (f.t.length ? f.t[f.t.length - 1] : 0)));
    const unitX = cal ? null : dur > 3 * 86400 ? 'd' : dur > 3 * 3600 ? 'h' : 'min';
    const scaleX = { d: 86400, h: 3600, min: 60 }[unitX];
    const xOf = (f, t) => (cal ? f.t0_ms + t * 1000 : t / scaleX);
    let xmin = Infinity, xmax = -Infinity;
    for (const f of D.series) if (f.t.length) { xmin = Math.min(xmin, xOf(f, f.t[0])); xmax = Math.max(xmax, xOf(f, f.t[f.t.length - 1])); }
    if (!(xmax > xmin)) {  // no rows, or one (a --window narrower than the sample interval)
      sec.append(el('p', { class: 'note', text: 'The time series have fewer than two rows: nothing to draw.' }));
      return;
    }

    sec.append(el('p', { class: 'note', text: (cal ? 'Dates are the local time of the scenario\'s weather file. ' : '') + 'The first replication of each variant. Drag across a chart to zoom into a window, double-click to see the whole run; click a legend entry to show or hide a line.' }));
    if (M.omitted_series && M.omitted_series.length)
      sec.append(el('p', { class: 'note', text: M.omitted_series.length + ' columns left out to keep this file small (' + M.omitted_series.slice(0, 8).join(', ') + (M.omitted_series.length > 8 ? ', …' : '') + '): dtwin report --series PATTERN chooses them.' }));

    // the window, shared by every time-series chart
    const spanSel = el('select', { 'aria-label': 'window' });
    const spans = cal ? [['all', 0], ['1 day', DAY], ['1 week', 7 * DAY], ['4 weeks', 28 * DAY]] : [['all', 0], ['1 day', 86400 / scaleX], ['1 week', 7 * 86400 / scaleX]];
    for (const [label, w] of spans) if (w === 0 || w < xmax - xmin) spanSel.append(el('option', { value: String(w), text: label }));
    const from = cal ? el('input', { type: 'date', 'aria-label': 'from' }) : el('input', { type: 'number', step: 'any', 'aria-label': 'from' });
    const shown = el('span', { class: 'window' });
    const win = { min: xmin, max: xmax };
    // the points of a line inside the window, and one beyond each edge so the line reaches
    // the frame: Chart.js then scans and decimates a week's points, not the year's
    const inWindow = (all) => {
      let lo = 0, hi = all.length;
      while (lo < hi) { const m = (lo + hi) >> 1; if (all[m].x < win.min) lo = m + 1; else hi = m; }
      let a = lo;
      lo = a; hi = all.length;
      while (lo < hi) { const m = (lo + hi) >> 1; if (all[m].x <= win.max) lo = m + 1; else hi = m; }
      const b = Math.min(all.length, lo + 1);
      a = Math.max(0, a - 1);
      return a === 0 && b === all.length ? all : all.slice(a, b);
    };
    const apply = () => {
      for (const c of seriesCharts) {
        c.options.scales.x.min = win.min;
        c.options.scales.x.max = win.max;
        for (const ds of c.data.datasets) ds.data = inWindow(ds.$all);
        c.update('none');
      }
      shown.textContent = cal ? dateLabel(win.min, 0) + ' to ' + dateLabel(win.max, 0) : fmt(win.min) + ' to ' + fmt(win.max) + ' ' + unitX;
      from.value = cal ? new Date(win.min).toISOString().slice(0, 10) : String(Math.round(win.min * 100) / 100);
    };
    const setWindow = (a, b) => {
      const w = b - a;
      if (a < xmin) { a = xmin; b = Math.min(xmax, a + w); }
      if (b > xmax) { b = xmax; a = Math.max(xmin, b - w); }
      win.min = a; win.max = b;
      apply();
    };
    const step = (dir) => { const w = win.max - win.min; setWindow(win.min + dir * w, win.max + dir * w); };
    spanSel.addEventListener('change', () => { const w = Number(spanSel.value); if (w === 0) setWindow(xmin, xmax); else setWindow(win.min, win.min + w); });
    from.addEventListener('change', () => {
      const a = cal ? Date.parse(from.value + 'T00:00:00Z') : Number(from.value);
      if (isFinite(a)) setWindow(a, a + (win.max - win.min));
    });
    sec.append(el('div', { class: 'controls' },
      el('label', { class: 'control' }, 'window ', spanSel), el('label', { class: 'control' }, 'from ', from),
      el('button', { type: 'button', onclick: () => step(-1), text: '◀ earlier' }), el('button', { type: 'button', onclick: () => step(1), text: 'later ▶' }),
      el('button', { type: 'button', onclick: () => { spanSel.value = '0'; setWindow(xmin, xmax); }, text: 'whole run' }), shown));

    // the variants shown
    const on = D.series.map((_, i) => i === 0);
    if (D.series.length > 1) {
      const box = el('div', { class: 'controls' }, 'variants: ');
      D.series.forEach((f, i) => {
        const cb = el('input', { type: 'checkbox' });
        cb.checked = on[i];
        cb.addEventListener('change', () => { on[i] = cb.checked; rebuild(); });
        box.append(el('label', { class: 'control' }, cb, ' ' + f.variant));
      });
      sec.append(box);
    }

    // one chart per unit, the columns in file order
    const groups = new Map();
    for (const f of D.series)
      for (const c of f.columns) {
        const g = c.unit || c.name;
        if (!groups.has(g)) groups.set(g, []);
        if (!groups.get(g).includes(c.name)) groups.get(g).push(c.name);
      }
    const seriesCharts = [];
    const hidden = new Map();  // column -> hidden
    const datasets = (cols) => {
      const out = [];
      D.series.forEach((f, fi) => {
        if (!on[fi]) return;
        cols.forEach((name, ci) => {
          const c = f.columns.find((x) => x.name === name);
          if (!c) return;
          const pts = new Array(f.t.length);
          for (let i = 0; i < f.t.length; ++i) pts[i] = { x: xOf(f, f.t[i]), y: c.values[i] };
          if (!hidden.has(name)) hidden.set(name, ci >= 4);
          out.push({
            label: name + (on.filter(Boolean).length > 1 ? ' · ' + f.variant : ''),
            data: inWindow(pts),
            $all: pts,
            hidden: hidden.get(name),
            borderColor: colour(ci + fi * cols.length),
            backgroundColor: colour(ci + fi * cols.length),
            borderWidth: 1.25,
            borderDash: fi > 0 && on[0] ? [5, 3] : [],
            pointRadius: 0,
            spanGaps: true,
            parsing: false,
            normalized: true,
          });
        });
      });
      return out;
    };
    // a window in the address (report.html#from=2023-11-01&span=7d): a link to one week
    const hash = new URLSearchParams(location.hash.slice(1));
    let asked = null;
    if (hash.has('from') || hash.has('span')) {
      const spanText = hash.get('span') || '';
      const m = /^([0-9.]+)(h|d|w)$/.exec(spanText);
      const spanMs = m ? Number(m[1]) * { h: 3600e3, d: DAY, w: 7 * DAY }[m[2]] : 0;
      const span = cal ? spanMs : spanMs / 1000 / scaleX;
      const f = hash.get('from');
      const a = f == null ? xmin : cal ? Date.parse(f.length <= 10 ? f + 'T00:00:00Z' : f + 'Z') : Number(f);
      if (!isFinite(a) || (spanText && !m)) fail('the address asks for the window #' + location.hash.slice(1) + ': expected from=' + (cal ? 'YYYY-MM-DD' : 'a number of ' + unitX) + ' and span=7d (h, d or w)');
      else asked = [a, span > 0 ? a + span : xmax];
    }
    if (asked) {  // the charts start at the window asked for: drawn once, not twice
      win.min = Math.max(xmin, asked[0]);
      win.max = Math.min(xmax, asked[1]);
      for (const o of spanSel.options) if (Number(o.value) === asked[1] - asked[0]) spanSel.value = o.value;
    }
    const xScale = {
      type: 'linear',
      min: win.min,
      max: win.max,
      title: { display: true, text: cal ? 'date' : 'time since the start [' + unitX + ']' },
      afterBuildTicks: cal ? (axis) => { axis.ticks = niceTicks(axis.min, axis.max).map((v) => ({ value: v })); } : undefined,
      ticks: cal ? { callback: (v, i, ticks) => dateLabel(v, (ticks.length > 1 ? ticks[ticks.length - 1].value - ticks[0].value : 0) * 1.2), maxRotation: 0 } : { maxRotation: 0 },
    };
    for (const [unit, cols] of groups) {
      const title = (unit === cols[0] ? cols[0] : unit) + (cols.length > 1 ? ' — ' + cols.length + ' series' : ' — ' + cols[0]);
      const c = figure(sec, title, 300, {
        type: 'line',
        data: { datasets: datasets(cols) },
        options: {
          parsing: false,  // with the datasets' own: lets the decimation plugin work
          interaction: { mode: 'nearest', axis: 'x', intersect: false },
          plugins: {
            decimation: { enabled: true, algorithm: 'min-max' },
            legend: { onClick(e, item, legend) { Chart.defaults.plugins.legend.onClick.call(this, e, item, legend); const ds = legend.chart.data.datasets[item.datasetIndex]; hidden.set(ds.label.split(' · ')[0], !legend.chart.isDatasetVisible(item.datasetIndex)); } },
            tooltip: { callbacks: { title: (items) => (items.length ? (cal ? dateLabel(items[0].parsed.x, 0) : fmt(items[0].parsed.x) + ' ' + unitX) : '') } },
          },
          scales: { x: Object.assign({}, xScale), y: { title: { display: unit !== cols[0], text: unit } } },
        },
      });
      if (!c) continue;
      c.$cols = cols;
      seriesCharts.push(c);
      dragZoom(c, setWindow, () => { spanSel.value = '0'; setWindow(xmin, xmax); });
    }
    function rebuild() {
      for (const c of seriesCharts) c.data.datasets = datasets(c.$cols);
      apply();
    }
    if (asked) setWindow(asked[0], asked[1]);
    else apply();
    // bench/bench_report.sh: #...&bench=1 times 20 moves of the window (every chart redrawn),
    // after the first drawing is timed
    if (hash.has('bench'))
      benchmarks.push(() => {
        const t = performance.now();
        for (let i = 0; i < 20; ++i) step(i % 4 < 2 ? 1 : -1);
        document.body.dataset.windowMs = ((performance.now() - t) / 20).toFixed(1);
      });
  }
  const benchmarks = [];

  // drag across the plot area to choose the window
  function dragZoom(chart, setWindow, reset) {
    const canvas = chart.canvas;
    const band = el('div', { class: 'band', hidden: '' });
    canvas.parentNode.append(band);
    let x0 = null;
    canvas.addEventListener('mousedown', (e) => { x0 = e.offsetX; band.hidden = false; band.style.left = x0 + 'px'; band.style.width = '0px'; });
    canvas.addEventListener('mousemove', (e) => {
      if (x0 == null) return;
      band.style.left = Math.min(x0, e.offsetX) + 'px';
      band.style.width = Math.abs(e.offsetX - x0) + 'px';
    });
    window.addEventListener('mouseup', (e) => {
      if (x0 == null) return;
      band.hidden = true;
      const x1 = e.target === canvas ? e.offsetX : x0;
      if (Math.abs(x1 - x0) > 4) {
        const s = chart.scales.x;
        setWindow(s.getValueForPixel(Math.min(x0, x1)), s.getValueForPixel(Math.max(x0, x1)));
      }
      x0 = null;
    });
    canvas.addEventListener('dblclick', reset);
  }

  function scenario() {
    if (!M.scenario_json) return;
    root.append(el('details', null, el('summary', { text: 'The scenario as run (scenario.json)' }), el('pre', { class: 'scenario', text: M.scenario_json })));
  }

  // the charts drew: count the pixels each one painted
  function inked() {
    for (const c of charts) {
      const cv = c.canvas;
      let n = 0;
      if (!cv.width || !cv.height) { c.$figure.dataset.inked = '0'; continue; }
      try {
        const px = cv.getContext('2d').getImageData(0, 0, cv.width, cv.height).data;
        for (let i = 3; i < px.length; i += 4) if (px[i] !== 0) ++n;
      } catch (e) { fail('reading chart pixels: ' + e.message); }
      c.$figure.dataset.inked = String(n);
    }
  }

  try {
    header();
    verdicts();
    kpis();
    stations();
    sweep();
    series();
    scenario();
    root.append(el('footer', { text: 'dtwin ' + M.version + ' · charts drawn with Chart.js ' + Chart.version + ' (MIT licence), embedded in this file: it needs no network.' }));
    inked();
  } catch (e) {
    fail(e.stack || String(e));
  }
  document.body.dataset.charts = String(charts.length);
  document.body.dataset.drawMs = String(Math.round(performance.now() - started));
  for (const b of benchmarks) b();
  if (!errors.length) document.body.dataset.status = 'ok';
})();
