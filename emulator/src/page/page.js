// The emulator's page: polls /_emulator/api/events and shows each upload and its callback, and
// performs a browser direct upload (PostObject). Everything that came from the network is put
// in the document with textContent: keys, headers and bodies stay text.
'use strict';

(function () {
  const EVENTS_URL = 'api/events';
  const POLL_MS = 1000;

  const list = document.getElementById('events');
  const empty = document.getElementById('empty');
  const live = document.getElementById('live');

  // The highest event number shown, and the request ids that have a callback card (their
  // plain request event would repeat it).
  let lastSeq = 0;
  const callbackIds = new Set();
  // CORS outcomes of requests whose card is not shown yet, by request id.
  const pendingCors = new Map();

  /** An element with an optional class and text. */
  function el(tag, className, text) {
    const node = document.createElement(tag);
    if (className) {
      node.className = className;
    }
    if (text !== undefined && text !== null) {
      node.textContent = String(text);
    }
    return node;
  }

  /** An element holding the given children (nodes or strings, as text). */
  function box(tag, className, children) {
    const node = el(tag, className);
    for (const child of children) {
      node.append(child);
    }
    return node;
  }

  function pre(text, className) {
    return el('pre', 'block' + (className ? ' ' + className : ''), text === '' ? '(empty)' : text);
  }

  function clock(ms) {
    const date = new Date(ms);
    return date.toLocaleTimeString([], { hour12: false }) + '.' + String(date.getMilliseconds()).padStart(3, '0');
  }

  function bytes(n) {
    return n === 1 ? '1 byte' : n + ' bytes';
  }

  /** An HTTP message split at its blank line: [head, body]. */
  function splitMessage(text) {
    const at = text.indexOf('\r\n\r\n');
    return at < 0 ? [text, ''] : [text.slice(0, at), text.slice(at + 4)];
  }

  function verdictOf(event) {
    if (event.http_status === 200) {
      return { name: 'accepted', label: '200 callback accepted', badge: 'ok' };
    }
    if (event.http_status === 203) {
      return { name: 'failed', label: '203 CallbackFailed', badge: 'bad' };
    }
    return { name: 'refused', label: event.http_status + ' upload refused', badge: 'bad' };
  }

  function summary(event, badge) {
    return box('div', 'summary', [
      badge,
      el('span', 'operation', event.operation),
      el('span', 'object mono', event.bucket + '/' + event.key),
      el('span', 'size muted', bytes(event.size)),
      el('span', 'time muted', clock(event.time_ms)),
      el('span', 'request-id muted mono', event.request_id),
    ]);
  }

  function failureBox(failure) {
    const solutions = box('ol', 'solutions', failure.solutions.map((s) => el('li', '', s)));
    return box('div', 'failure', [
      box('p', '', [
        'What the uploader got: ',
        el('span', 'message mono', failure.message),
      ]),
      box('p', 'muted', [
        'Catalog: ',
        el('code', 'failure-id', failure.id),
        failure.ec ? ' · EC ' + failure.ec : '',
      ]),
      box('p', 'cause', [el('strong', '', 'Cause: '), failure.cause]),
      el('strong', '', 'Solutions:'),
      solutions,
    ]);
  }

  function rulesTable(rules) {
    const table = el('table', 'rules');
    table.append(box('tr', '', [el('th', '', 'rule'), el('th', '', 'OSS requires'), el('th', '', 'result'), el('th', '', 'observed')]));
    for (const rule of rules) {
      const row = box('tr', 'rule ' + rule.status, [
        box('td', '', [el('code', '', rule.rule)]),
        el('td', '', rule.requirement),
        box('td', '', [el('span', 'badge ' + rule.status, rule.status)]),
        el('td', 'detail', rule.detail),
      ]);
      row.dataset.rule = rule.rule;
      row.dataset.status = rule.status;
      table.append(row);
    }
    return table;
  }

  function attemptView(attempt, index, count) {
    const [requestHead, requestBody] = splitMessage(attempt.request);
    const sent = box('div', 'sent', [
      el('h4', '', count > 1 ? 'Callback request ' + (index + 1) + ' of ' + count : 'Callback request, as sent'),
      box('div', 'url', ['POST ', el('code', 'callback-url', attempt.url)]),
      pre(requestHead, 'request-head'),
      pre(requestBody, 'request-body'),
    ]);
    const status = attempt.status === null ? 'no answer' : 'status ' + attempt.status;
    const answer = box('div', 'answer', [
      el('h4', '', "Server's answer"),
      box('div', '', [
        el('span', 'badge ' + (attempt.status === 200 ? 'ok' : 'bad'), status),
        ' ',
        el('span', 'muted', 'in ' + attempt.elapsed_ms + ' ms'),
      ]),
      pre(attempt.response_head, 'answer-head'),
      pre(attempt.body, 'answer-body'),
    ]);
    return box('div', 'attempt', [
      box('div', 'columns', [sent, answer]),
      el('h4', '', 'Verdict, rule by rule'),
      rulesTable(attempt.rules),
    ]);
  }

  function callbackCard(event) {
    const verdict = verdictOf(event);
    const card = el('li', 'event callback ' + verdict.name);
    card.dataset.kind = 'callback';
    card.dataset.verdict = verdict.name;
    card.dataset.requestId = event.request_id;
    card.dataset.failureId = event.failure_id || '';
    card.append(summary(event, el('span', 'badge verdict ' + verdict.badge, verdict.label)));
    if (event.failure) {
      card.append(failureBox(event.failure));
    }
    if (event.refused) {
      card.append(box('div', 'failure', [
        box('p', '', ['OSS refused the callback parameter: ', el('span', 'message mono', event.refused)]),
      ]));
    }
    if (event.warnings.length > 0) {
      card.append(box('ul', 'warnings', event.warnings.map((w) => el('li', '', 'Real OSS: ' + w))));
    }
    if (event.attempts.length === 0) {
      const [head, body] = splitMessage(event.request_preview);
      card.append(el('h4', '', 'Callback request (preview: not sent)'), pre(head), pre(body));
    }
    event.attempts.forEach((attempt, index) => {
      card.append(attemptView(attempt, index, event.attempts.length));
    });
    const got = el('details', 'uploader');
    got.append(el('summary', '', 'Body the uploader received (' + event.http_status + ')'), pre(event.uploader_body, 'uploader-body'));
    card.append(got);
    return card;
  }

  function requestRow(event) {
    const row = el('li', 'event request');
    row.dataset.kind = 'request';
    row.dataset.requestId = event.request_id;
    const ok = event.status < 300;
    row.append(summary(event, el('span', 'badge ' + (ok ? 'ok' : 'bad'), String(event.status))));
    return row;
  }

  function keyFetchRow(event) {
    const row = el('li', 'event key_fetch');
    row.dataset.kind = 'key_fetch';
    row.append(box('div', 'summary', [
      el('span', 'badge', 'key download'),
      el('span', 'mono', event.peer),
      el('span', 'time muted', clock(event.time_ms)),
    ]), el('p', 'muted', event.warning));
    return row;
  }

  /** A request's origin and what CORS made of it. */
  function corsLine(event) {
    return box('p', 'cors ' + (event.allowed ? 'allowed' : 'refused'), [
      el('span', 'badge ' + (event.allowed ? 'ok' : 'bad'), event.allowed ? 'CORS allowed' : 'CORS refused'),
      ' Origin ',
      el('code', 'origin', event.origin),
      ' ',
      el('span', 'cors-detail muted', event.detail),
    ]);
  }

  /** A preflight: it never reaches an operation, so it is a row of its own. */
  function preflightRow(event) {
    const row = el('li', 'event preflight ' + (event.allowed ? 'allowed' : 'refused'));
    row.dataset.kind = 'preflight';
    row.dataset.allowed = String(event.allowed);
    row.dataset.requestId = event.request_id;
    row.append(box('div', 'summary', [
      el('span', 'badge ' + (event.allowed ? 'ok' : 'bad'), String(event.status)),
      el('span', 'operation', 'Preflight OPTIONS for ' + event.method),
      el('span', 'object mono', event.bucket + '/' + event.key),
      el('span', 'time muted', clock(event.time_ms)),
      el('span', 'request-id muted mono', event.request_id),
    ]), corsLine(event));
    return row;
  }

  /** The shown card of request `id`, if any. */
  function cardOf(id) {
    return Array.from(list.children).find((node) => node.dataset.requestId === id && node.dataset.kind !== 'preflight');
  }

  /** The CORS line of an actual request, on its card (now, or when the card comes). */
  function attachCors(event) {
    const card = cardOf(event.request_id);
    if (card) {
      card.append(corsLine(event));
    } else {
      pendingCors.set(event.request_id, event);
    }
  }

  /** `node` with the CORS line waiting for it. */
  function withCors(node, id) {
    const waiting = pendingCors.get(id);
    if (node && waiting) {
      pendingCors.delete(id);
      node.append(corsLine(waiting));
    }
    return node;
  }

  function render(event) {
    switch (event.kind) {
      case 'callback':
        callbackIds.add(event.request_id);
        return withCors(callbackCard(event), event.request_id);
      case 'request':
        return callbackIds.has(event.request_id) ? null : withCors(requestRow(event), event.request_id);
      case 'cors':
        if (event.preflight) {
          return preflightRow(event);
        }
        attachCors(event);
        return null;
      case 'key_fetch':
        return keyFetchRow(event);
      default:
        return null;
    }
  }

  function show(events) {
    const newest = events.length > 0 ? events[events.length - 1].seq : 0;
    if (newest < lastSeq) {
      // Another emulator answers now: start over.
      list.replaceChildren();
      callbackIds.clear();
      pendingCors.clear();
      lastSeq = 0;
    }
    for (const event of events) {
      if (event.seq <= lastSeq) {
        continue;
      }
      lastSeq = event.seq;
      const node = render(event);
      if (node) {
        node.dataset.seq = String(event.seq);
        list.prepend(node);
      }
    }
    // Drop what the emulator no longer keeps.
    const oldest = events.length > 0 ? events[0].seq : lastSeq + 1;
    for (const node of Array.from(list.children)) {
      if (Number(node.dataset.seq) < oldest) {
        node.remove();
      }
    }
    empty.hidden = list.children.length > 0;
  }

  async function poll() {
    try {
      const response = await fetch(EVENTS_URL, { cache: 'no-store' });
      if (!response.ok) {
        throw new Error('status ' + response.status);
      }
      show(await response.json());
      live.textContent = 'live · updated ' + clock(Date.now());
      live.classList.remove('down');
    } catch (error) {
      live.textContent = 'cannot reach the emulator (' + error.message + ')';
      live.classList.add('down');
    }
    setTimeout(poll, POLL_MS);
  }

  // The direct upload.

  function base64Json(value) {
    const utf8 = new TextEncoder().encode(JSON.stringify(value));
    let binary = '';
    for (const byte of utf8) {
      binary += String.fromCharCode(byte);
    }
    return btoa(binary);
  }

  /** `x:name=value` lines as [name, value] pairs; the `x:` is added when missing. */
  function customVariables(text) {
    const pairs = [];
    for (const line of text.split('\n')) {
      const trimmed = line.trim();
      if (trimmed === '') {
        continue;
      }
      const at = trimmed.indexOf('=');
      const name = at < 0 ? trimmed : trimmed.slice(0, at);
      const value = at < 0 ? '' : trimmed.slice(at + 1);
      pairs.push([name.startsWith('x:') ? name : 'x:' + name, value]);
    }
    return pairs;
  }

  async function upload(submit) {
    submit.preventDefault();
    const value = (id) => document.getElementById(id).value;
    const file = document.getElementById('file').files[0];
    const bucket = value('bucket').trim();
    const button = document.getElementById('upload-button');
    const result = document.getElementById('upload-result');
    const status = document.getElementById('result-status');
    const requestId = document.getElementById('result-request-id');
    const body = document.getElementById('result-body');
    if (!file) {
      return;
    }
    const policy = {
      expiration: new Date(Date.now() + 3600 * 1000).toISOString(),
      conditions: [{ bucket: bucket }, ['content-length-range', 0, 1024 * 1024 * 1024]],
    };
    const callback = {
      callbackUrl: value('callback-url').trim(),
      callbackBody: value('callback-body'),
      callbackBodyType: value('callback-body-type'),
    };
    // PostObject: the fields OSS reads come before the file, which comes last.
    const form = new FormData();
    form.append('key', value('key'));
    form.append('policy', base64Json(policy));
    // No OSSAccessKeyId or Signature: an anonymous form, as to a public-read-write bucket,
    // which the emulator takes with or without --access-key; the page never holds a secret.
    form.append('success_action_status', '200');
    form.append('callback', base64Json(callback));
    for (const [name, v] of customVariables(value('custom-vars'))) {
      form.append(name, v);
    }
    form.append('file', file, file.name);
    button.disabled = true;
    result.hidden = false;
    status.className = 'badge';
    status.textContent = 'uploading…';
    requestId.textContent = '';
    body.textContent = '';
    try {
      const response = await fetch('/' + encodeURIComponent(bucket), { method: 'POST', body: form });
      const text = await response.text();
      status.textContent = response.status + ' ' + response.statusText;
      status.className = 'badge ' + (response.status === 200 ? 'ok' : 'bad');
      requestId.textContent = 'x-oss-request-id: ' + (response.headers.get('x-oss-request-id') || '(none)');
      body.textContent = text === '' ? '(empty)' : text;
      result.dataset.status = String(response.status);
    } catch (error) {
      status.textContent = 'the upload failed: ' + error.message;
      status.className = 'badge bad';
      result.dataset.status = 'error';
    } finally {
      button.disabled = false;
    }
  }

  document.getElementById('upload-form').addEventListener('submit', upload);
  poll();
})();
