// The dashboard: reads this service's About and walks the graph through traverse, as any
// caller of the Health Checks API does. Every text a service supplies goes into the page
// through textContent or setAttribute, never as markup. The token lives in this page's memory
// only (no storage, no cookie, no URL) and goes to this service as a bearer token.
(function () {
  'use strict';

  const REFRESH_MS = 5000;
  const LEVELS = ['OK', 'WARN', 'CRIT'];
  const SVG = 'http://www.w3.org/2000/svg';
  const SLUG = /^[A-Za-z0-9._-]+$/;

  const state = {
    token: '',
    paused: false,
    path: [],             // the slugs walked from this service to the one shown
    seq: 0,               // answers to requests older than the last navigation are dropped
    loading: false,
    updated: null,
    about: new Map(),     // path key -> the last About read there
    errors: new Map(),    // path key -> why walking there failed
  };

  const $ = (id) => document.getElementById(id);

  function el(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }

  function svg(tag, attributes) {
    const node = document.createElementNS(SVG, tag);
    for (const [name, value] of Object.entries(attributes || {})) {
      node.setAttribute(name, String(value));
    }
    return node;
  }

  const str = (value) => (typeof value === 'string' ? value : '');
  const known = (value) => typeof value === 'string' && value !== '' && value !== 'N/A';
  const pathKey = (path) => path.join(',');
  const pad = (n) => String(n).padStart(2, '0');
  const clock = (date) => pad(date.getHours()) + ':' + pad(date.getMinutes()) + ':' +
      pad(date.getSeconds());

  function levelOf(status) {
    const level = Array.isArray(status) ? status[0] : status && status.result;
    return LEVELS.includes(level) ? level : 'UNKNOWN';
  }

  function levelClass(level) {
    return 'level-' + (LEVELS.includes(level) ? level.toLowerCase() : 'unknown');
  }

  function worst(levels) {
    let rank = -1;
    for (const level of levels) rank = Math.max(rank, LEVELS.indexOf(level));
    return rank < 0 ? 'UNKNOWN' : LEVELS[rank];
  }

  function badge(level) {
    return el('span', 'level ' + levelClass(level), level);
  }

  function statusText(status) {
    const details = Array.isArray(status) ? status[1] : status;
    if (!details || typeof details !== 'object') return '';
    return [str(details.description), str(details.details)].filter((s) => s !== '').join(': ');
  }

  function seconds(value) {
    if (typeof value !== 'number' || !isFinite(value)) return '';
    const ms = value * 1000;
    if (ms >= 1000) return value.toFixed(2) + ' s';
    return ms.toFixed(ms < 10 ? 1 : 0) + ' ms';
  }

  // A link only for http(s) URLs; anything else (javascript:, data:) stays text.
  function link(text) {
    let url = null;
    try {
      url = new URL(text);
    } catch (e) {
      url = null;
    }
    if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:')) return el('span', '', text);
    const a = el('a', '', text);
    a.setAttribute('href', url.href);
    a.setAttribute('rel', 'noopener noreferrer nofollow');
    a.setAttribute('target', '_blank');
    return a;
  }

  // Relative to this page, so the dashboard works under any base path.
  function apiUrl(path) {
    const target = path.length === 0 ? 'about' :
        'traverse?dependencies=' + path.map(encodeURIComponent).join(',') + '&action=about';
    return new URL(target, document.baseURI).href;
  }

  // Resolves to {about} or {error}; never throws.
  async function fetchAbout(path) {
    const headers = { Accept: 'application/json' };
    if (state.token) headers.Authorization = 'Bearer ' + state.token;
    let response;
    let text;
    try {
      response = await fetch(apiUrl(path), {
        headers: headers, cache: 'no-store', credentials: 'omit', redirect: 'error',
      });
      text = await response.text();
    } catch (e) {
      return { error: 'no answer (' + (e && e.message ? e.message : 'network error') + ')' };
    }
    let body;
    try {
      body = JSON.parse(text);
    } catch (e) {
      return { error: 'HTTP ' + response.status + ', not JSON: ' + text.slice(0, 200) };
    }
    if (Array.isArray(body)) {  // a status array: the walk failed there
      const why = statusText(body) || levelOf(body);
      if (response.status === 403) return { error: 'needs a token (HTTP 403): ' + why };
      return { error: levelOf(body) + ': ' + why };
    }
    if (body && typeof body === 'object' && Array.isArray(body.dependencies)) {
      body.dependencies = body.dependencies.filter((d) => d && typeof d === 'object');
      return { about: body };
    }
    return { error: 'HTTP ' + response.status + ', an answer that is not an About object' };
  }

  function record(path, result) {
    const key = pathKey(path);
    if (result.about) {
      state.about.set(key, result.about);
      state.errors.delete(key);
    } else {
      state.about.delete(key);
      state.errors.set(key, result.error);
    }
  }

  async function load() {
    const seq = ++state.seq;
    const path = state.path.slice();
    state.loading = true;
    try {
      // The steps on the way here first (a link may lead deep), so the graph knows the way.
      for (let i = 0; i < path.length; ++i) {
        const prefix = path.slice(0, i);
        if (state.about.has(pathKey(prefix))) continue;
        const result = await fetchAbout(prefix);
        if (seq !== state.seq) return;
        record(prefix, result);
        if (result.error) {
          state.updated = new Date();
          render();
          return;
        }
      }
      const result = await fetchAbout(path);
      if (seq !== state.seq) return;
      record(path, result);
      state.updated = new Date();
      render();
    } finally {
      if (seq === state.seq) state.loading = false;
    }
  }

  function pathFromHash() {
    const match = /^#walk=(.*)$/.exec(location.hash);
    if (!match) return [];
    const path = match[1].split(',').map((s) => {
      try {
        return decodeURIComponent(s);
      } catch (e) {
        return '';
      }
    });
    return path.every((s) => SLUG.test(s)) ? path : [];
  }

  function hashOf(path) {
    return path.length === 0 ? '#' : '#walk=' + path.map(encodeURIComponent).join(',');
  }

  function navigate(path) {
    const hash = hashOf(path);
    if (location.hash === hash || (hash === '#' && location.hash === '')) {
      show(path);
    } else {
      location.hash = hash;  // hashchange shows it, and the back button returns
    }
  }

  function show(path) {
    state.path = path;
    render();
    load();
  }

  // What to call the service at `path`: its own name once read, else its parent's name for it.
  function label(path) {
    const about = state.about.get(pathKey(path));
    if (about && known(about.name)) return about.name;
    if (path.length > 0) {
      const parent = state.about.get(pathKey(path.slice(0, -1)));
      const slug = path[path.length - 1];
      const dep = parent && parent.dependencies.find((d) => d.statusPath === slug);
      if (dep && str(dep.name)) return dep.name;
      return slug;
    }
    return about ? str(about.id) || 'this service' : 'this service';
  }

  function renderBreadcrumb() {
    const nav = $('breadcrumb');
    const list = el('ol');
    for (let i = 0; i <= state.path.length; ++i) {
      const prefix = state.path.slice(0, i);
      const item = el('li');
      if (i === state.path.length) {
        const here = el('span', '', label(prefix));
        here.setAttribute('aria-current', 'page');
        item.appendChild(here);
      } else {
        const a = el('a', '', label(prefix));
        a.setAttribute('href', hashOf(prefix));
        item.appendChild(a);
      }
      list.appendChild(item);
    }
    nav.replaceChildren(list);
  }

  function fact(list, name, values) {
    const items = values.filter((v) => known(v));
    if (items.length === 0) return;
    list.appendChild(el('dt', '', name));
    const dd = el('dd');
    for (const item of items) dd.appendChild(name === 'Owners' ? el('span', '', item) : link(item));
    list.appendChild(dd);
  }

  function textFact(list, name, value) {
    if (!known(value)) return;
    list.appendChild(el('dt', '', name));
    list.appendChild(el('dd', '', value));
  }

  // The change history: customData.statusChanges (the default key), or another list of
  // {time, from, to} entries if the service chose another key.
  function historyOf(about) {
    const custom = about.customData;
    if (!custom || typeof custom !== 'object') return null;
    const isHistory = (v) => Array.isArray(v) &&
        v.every((c) => c && typeof c === 'object' && 'from' in c && 'to' in c);
    if (isHistory(custom.statusChanges)) return { key: 'statusChanges', list: custom.statusChanges };
    for (const [key, value] of Object.entries(custom)) {
      if (isHistory(value) && value.length > 0) return { key: key, list: value };
    }
    return null;
  }

  function renderAbout(about, history) {
    $('service-name').textContent = known(about.name) ? about.name : str(about.id) || 'Service';
    const level = worst(about.dependencies.map((d) => levelOf(d.status)));
    const levelNode = $('service-level');
    levelNode.className = 'level ' + levelClass(level);
    levelNode.textContent = about.dependencies.length ? level : '';
    $('service-description').textContent = known(about.description) ? about.description : '';
    const hidden = !known(about.description) && !known(about.version) && !known(about.host) &&
        !(Array.isArray(about.owners) && about.owners.length);
    $('redacted').hidden = !(hidden && state.token === '');

    const facts = el('dl', 'facts');
    facts.id = 'service-facts';
    textFact(facts, 'ID', str(about.id));
    textFact(facts, 'Version', str(about.version));
    textFact(facts, 'Host', str(about.host));
    const list = (v) => (Array.isArray(v) ? v.map(str) : []);
    fact(facts, 'Owners', list(about.owners));
    fact(facts, 'Project', [str(about.projectRepo), str(about.projectHome)]
        .filter((v, i, all) => all.indexOf(v) === i));
    fact(facts, 'Logs', list(about.logsLinks));
    fact(facts, 'Stats', list(about.statsLinks));
    const custom = about.customData;
    if (custom && typeof custom === 'object') {
      for (const [key, value] of Object.entries(custom)) {
        if (history && key === history.key) continue;
        const text = typeof value === 'string' ? value : JSON.stringify(value);
        textFact(facts, key, text.length > 300 ? text.slice(0, 300) + '\u2026' : text);
      }
    }
    $('service-facts').replaceWith(facts);
  }

  function renderDependencies(about) {
    const body = el('tbody');
    for (const dep of about ? about.dependencies : []) {
      const level = levelOf(dep.status);
      const row = el('tr', level === 'WARN' ? 'row-warn' : level === 'CRIT' ? 'row-crit' : '');
      const slug = str(dep.statusPath);
      row.setAttribute('data-slug', slug);
      const childPath = state.path.concat(slug);

      const name = el('td', 'name');
      if (dep.isTraversable === true && SLUG.test(slug)) {
        const walk = el('button', 'walk', str(dep.name) || slug);
        walk.type = 'button';
        walk.setAttribute('aria-label', 'Walk into ' + (str(dep.name) || slug));
        walk.addEventListener('click', () => navigate(childPath));
        name.appendChild(walk);
      } else {
        name.appendChild(el('span', '', str(dep.name) || slug));
      }
      name.appendChild(el('div', 'sub', slug));
      row.appendChild(name);

      const levelCell = el('td', 'level-cell');
      levelCell.appendChild(badge(level));
      if (dep.critical === false) levelCell.appendChild(el('div', 'sub', 'not critical'));
      if (typeof dep.statusAge === 'number') {
        levelCell.appendChild(el('div', 'sub', 'from memory, ' + seconds(dep.statusAge) + ' old'));
      }
      row.appendChild(levelCell);
      row.appendChild(el('td', 'took', seconds(dep.statusDuration)));
      row.appendChild(el('td', 'type', str(dep.type)));
      const details = el('td', 'details', statusText(dep.status));
      const walkError = state.errors.get(pathKey(childPath));
      if (walkError) details.appendChild(el('div', 'sub walk-error', 'walk: ' + walkError));
      row.appendChild(details);
      body.appendChild(row);
    }
    $('dependencies').querySelector('tbody').replaceWith(body);
    $('dependencies').hidden = !about;  // no empty table under an error
  }

  function renderHistory(history) {
    const section = $('history-section');
    const list = el('ol', 'history');
    list.id = 'history';
    if (history && history.list.length > 0) {
      for (const change of history.list.slice(-10).reverse()) {
        const item = el('li');
        const when = new Date(str(change.time));
        const time = el('time', '', isNaN(when) ? str(change.time) : clock(when));
        time.setAttribute('datetime', str(change.time));
        item.appendChild(time);
        item.appendChild(el('span', '', (str(change.name) || str(change.slug)) + ': '));
        item.appendChild(badge(LEVELS.includes(change.from) ? change.from : 'UNKNOWN'));
        item.appendChild(document.createTextNode(' \u2192 '));
        item.appendChild(badge(LEVELS.includes(change.to) ? change.to : 'UNKNOWN'));
        if (str(change.details)) item.appendChild(el('span', 'sub', ' ' + change.details));
        list.appendChild(item);
      }
    }
    $('history').replaceWith(list);
    section.hidden = list.children.length === 0;
  }

  // The graph of every service read so far: services by id (one node however it was reached),
  // other dependencies under the service that has them; edges coloured by the level the
  // parent reads.
  function buildGraph() {
    const walked = [...state.about.entries()]
        .map(([key, about]) => ({ path: key === '' ? [] : key.split(','), about: about }))
        .sort((a, b) => a.path.length - b.path.length);
    const keyOf = new Map();
    for (const w of walked) {
      keyOf.set(pathKey(w.path), known(w.about.id) ? 'svc:' + w.about.id : 'path:' + pathKey(w.path));
    }
    const nodes = new Map();
    const edges = new Map();
    const node = (key, fields) => {
      let n = nodes.get(key);
      if (!n) {
        n = { key: key, name: fields.name, path: fields.path, depth: fields.depth,
              levels: [], error: null, walked: false };
        nodes.set(key, n);
      }
      if (fields.depth < n.depth) n.depth = fields.depth;
      if (!n.path && fields.path) n.path = fields.path;
      return n;
    };
    for (const w of walked) {
      const from = keyOf.get(pathKey(w.path));
      const service = node(from, { name: label(w.path), path: w.path, depth: w.path.length });
      service.walked = true;
      service.own = worst(w.about.dependencies.map((d) => levelOf(d.status)));
      for (const dep of w.about.dependencies) {
        const slug = str(dep.statusPath);
        const childPath = w.path.concat(slug);
        const to = keyOf.get(pathKey(childPath)) || 'dep:' + from + '|' + slug;
        const walkable = dep.isTraversable === true && SLUG.test(slug);
        const child = node(to, { name: str(dep.name) || slug, path: walkable ? childPath : null,
                                 depth: childPath.length });
        const level = levelOf(dep.status);
        child.levels.push(level);
        const error = state.errors.get(pathKey(childPath));
        if (error) child.error = error;
        edges.set(from + '\n' + to, { from: from, to: to, level: level });
      }
    }
    for (const n of nodes.values()) {
      n.level = n.levels.length ? worst(n.levels) : n.own || 'UNKNOWN';
    }
    return { nodes: nodes, edges: edges, current: keyOf.get(pathKey(state.path)) };
  }

  function renderGraph() {
    const graph = buildGraph();
    const container = $('graph');
    if (graph.nodes.size === 0) {
      container.replaceChildren(el('p', 'hint', 'Nothing read yet.'));
      return;
    }
    const W = 200, H = 50, GAP_X = 80, GAP_Y = 16, M = 12;
    const columns = [];
    for (const n of graph.nodes.values()) {
      (columns[n.depth] = columns[n.depth] || []).push(n);
    }
    let rows = 0;
    columns.forEach((column, depth) => {
      (column || []).forEach((n, row) => {
        n.x = M + depth * (W + GAP_X);
        n.y = M + row * (H + GAP_Y);
      });
      rows = Math.max(rows, column ? column.length : 0);
    });
    const width = M * 2 + columns.length * W + (columns.length - 1) * GAP_X;
    const height = M * 2 + rows * H + (rows - 1) * GAP_Y + 24;
    const root = svg('svg', { width: width, height: height, viewBox: '0 0 ' + width + ' ' + height,
                              role: 'group', 'aria-label': 'Services and dependencies walked' });
    const defs = svg('defs');
    for (const level of LEVELS.concat('UNKNOWN')) {
      const name = levelClass(level).replace('level-', '');
      const marker = svg('marker', { id: 'arrow-' + name, viewBox: '0 0 10 10', refX: 9, refY: 5,
                                     markerWidth: 7, markerHeight: 7, orient: 'auto-start-reverse' });
      marker.appendChild(svg('path', { d: 'M0,0 L10,5 L0,10 z', class: 'arrow-' + name }));
      defs.appendChild(marker);
    }
    root.appendChild(defs);
    for (const edge of graph.edges.values()) {
      const a = graph.nodes.get(edge.from);
      const b = graph.nodes.get(edge.to);
      const x1 = a.x + W, y1 = a.y + H / 2;
      let d;
      if (b.x > a.x) {
        const x2 = b.x, y2 = b.y + H / 2, bend = (x2 - x1) / 2;
        d = 'M' + x1 + ',' + y1 + ' C' + (x1 + bend) + ',' + y1 + ' ' + (x2 - bend) + ',' + y2 +
            ' ' + x2 + ',' + y2;
      } else {  // back to a service already drawn (a cycle): round below
        const x2 = b.x + W / 2, y2 = b.y + H, low = Math.max(a.y, b.y) + H + 22;
        d = 'M' + x1 + ',' + y1 + ' C' + (x1 + 40) + ',' + low + ' ' + x2 + ',' + low + ' ' +
            x2 + ',' + y2;
      }
      const name = levelClass(edge.level);
      root.appendChild(svg('path', { d: d, class: 'edge ' + name,
                                     'marker-end': 'url(#arrow-' + name.replace('level-', '') + ')' }));
    }
    for (const n of graph.nodes.values()) {
      const classes = ['node', levelClass(n.level)];
      if (n.key === graph.current) classes.push('current');
      if (n.error) classes.push('walk-error');
      if (n.path) classes.push('walkable');
      const g = svg('g', { class: classes.join(' '), transform: 'translate(' + n.x + ',' + n.y + ')',
                           'data-level': n.level });
      const title = svg('title');
      title.textContent = n.name + ': ' + n.level + (n.error ? ' (walk: ' + n.error + ')' : '');
      g.appendChild(title);
      g.appendChild(svg('rect', { width: W, height: H, rx: 8, ry: 8 }));
      const name = svg('text', { x: 10, y: 20, class: 'name' });
      name.textContent = n.name.length > 24 ? n.name.slice(0, 23) + '\u2026' : n.name;
      g.appendChild(name);
      const detail = svg('text', { x: 10, y: 38, class: 'state' });
      let note = n.level;
      if (n.error) note += ' \u00b7 walk failed';
      else if (n.key === graph.current) note += ' \u00b7 shown';
      else if (n.path && !n.walked) note += ' \u00b7 select to walk';
      detail.textContent = note;
      g.appendChild(detail);
      if (n.path) {
        const path = n.path;
        g.setAttribute('tabindex', '0');
        g.setAttribute('role', 'link');
        g.setAttribute('aria-label', 'Walk to ' + n.name + ' (' + n.level + ')');
        g.addEventListener('click', () => navigate(path));
        g.addEventListener('keydown', (event) => {
          if (event.key === 'Enter' || event.key === ' ') {
            event.preventDefault();
            navigate(path);
          }
        });
      }
      root.appendChild(g);
    }
    container.replaceChildren(root);
  }

  function renderUpdated() {
    const text = state.updated ? 'updated ' + clock(state.updated) : 'not loaded yet';
    $('updated').textContent = text + (state.paused ? ' (paused)' : '');
  }

  function render() {
    renderBreadcrumb();
    const key = pathKey(state.path);
    const about = state.about.get(key);
    const error = state.errors.get(key);
    const errorBox = $('error');
    // A step on the way may have failed before this one was asked for.
    let failed = error ? { path: state.path, error: error } : null;
    for (let i = 0; !failed && !about && i < state.path.length; ++i) {
      const prefix = state.path.slice(0, i);
      if (state.errors.has(pathKey(prefix))) failed = { path: prefix, error: state.errors.get(pathKey(prefix)) };
    }
    errorBox.hidden = !failed;
    errorBox.textContent = failed ? 'Could not read ' + label(failed.path) + ': ' + failed.error : '';
    if (about) {
      const history = historyOf(about);
      renderAbout(about, history);
      renderDependencies(about);
      renderHistory(history);
    } else {
      $('service-name').textContent = failed ? label(state.path) : 'Loading\u2026';
      $('service-level').textContent = '';
      $('service-description').textContent = '';
      $('redacted').hidden = true;
      const facts = el('dl', 'facts');
      facts.id = 'service-facts';
      $('service-facts').replaceWith(facts);
      renderDependencies(null);
      renderHistory(null);
    }
    document.title = label(state.path) + ' \u2014 Health checks';
    renderGraph();
    renderUpdated();
  }

  function useToken(token) {
    state.token = token;
    state.about.clear();  // what was read without it (or with another) is read again
    state.errors.clear();
    show(state.path);
  }

  $('token-form').addEventListener('submit', (event) => {
    event.preventDefault();  // nothing is submitted anywhere
    useToken($('token').value);
  });
  $('token-clear').addEventListener('click', () => {
    $('token').value = '';
    useToken('');
  });
  $('pause').addEventListener('click', () => {
    state.paused = !state.paused;
    $('pause').setAttribute('aria-pressed', String(state.paused));
    $('pause').textContent = state.paused ? 'Resume' : 'Pause';
    renderUpdated();
    if (!state.paused) load();
  });
  window.addEventListener('hashchange', () => show(pathFromHash()));
  setInterval(() => {
    if (!state.paused && !state.loading && !document.hidden) load();
  }, REFRESH_MS);
  show(pathFromHash());
})();
