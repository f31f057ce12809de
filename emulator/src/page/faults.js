// The page's fault control: queues a catalog 203 for the next uploads through
// /_emulator/api/faults, shows the pending queue (polled) and clears it. The choices come from
// the server's catalog (api/faults/catalog); the API's refusals are shown as text.
'use strict';

(function () {
  const FAULTS_URL = 'api/faults';
  const CATALOG_URL = 'api/faults/catalog';
  const POLL_MS = 1000;

  const form = document.getElementById('fault-form');
  const choice = document.getElementById('fault-id');
  const times = document.getElementById('fault-times');
  const prefix = document.getElementById('fault-prefix');
  const about = document.getElementById('fault-about');
  const error = document.getElementById('fault-error');
  const status = document.getElementById('fault-status');
  const none = document.getElementById('fault-none');
  const queue = document.getElementById('fault-queue');

  // The catalog's entries by id, once loaded.
  const entries = new Map();

  function el(tag, className, text) {
    const node = document.createElement(tag);
    node.className = className;
    node.textContent = text;
    return node;
  }

  function showError(text) {
    error.textContent = text;
    error.hidden = text === '';
  }

  /** The answer's JSON, or an Error saying what the API answered instead. */
  async function json(response) {
    const text = await response.text();
    let value = null;
    try {
      value = text === '' ? null : JSON.parse(text);
    } catch (_) {
      throw new Error(response.status + ' ' + response.statusText + ': ' + text);
    }
    if (!response.ok) {
      const reason = value && typeof value.error === 'string' ? value.error : text;
      throw new Error(response.status + ' ' + response.statusText + ': ' + reason);
    }
    return value;
  }

  function describe() {
    const entry = entries.get(choice.value);
    about.textContent = entry
      ? '"' + entry.message + '"' + (entry.ec ? ' · EC ' + entry.ec : '') + ' · ' + entry.cause
      : '';
  }

  async function loadCatalog() {
    try {
      const list = await json(await fetch(CATALOG_URL, { cache: 'no-store' }));
      entries.clear();
      choice.replaceChildren();
      for (const entry of list) {
        entries.set(entry.id, entry);
        const option = el('option', '', entry.id + ' — ' + entry.message);
        option.value = entry.id;
        choice.append(option);
      }
      describe();
    } catch (err) {
      showError('cannot load the catalog: ' + err.message);
    }
  }

  function showQueue(pending) {
    queue.replaceChildren();
    for (const fault of pending) {
      const entry = entries.get(fault.id);
      const item = el('li', 'fault', '');
      item.dataset.id = fault.id;
      item.dataset.times = String(fault.times);
      item.append(
        el('code', 'fault-id', fault.id),
        ' × ',
        el('span', 'fault-times', String(fault.times)),
        ' ',
        el('span', 'fault-scope muted', fault.key_prefix ? 'keys starting with ' + fault.key_prefix : 'any key'),
      );
      if (entry) {
        item.append(' ', el('span', 'muted', '"' + entry.message + '"'));
      }
      queue.append(item);
    }
    queue.dataset.count = String(pending.length);
    none.hidden = pending.length > 0;
  }

  async function refresh() {
    try {
      showQueue(await json(await fetch(FAULTS_URL, { cache: 'no-store' })));
      status.textContent = '';
    } catch (err) {
      status.textContent = 'cannot read the queue (' + err.message + ')';
    }
  }

  async function poll() {
    if (entries.size === 0) {
      await loadCatalog();
    }
    await refresh();
    setTimeout(poll, POLL_MS);
  }

  /** What the times field says: a number when it reads as one, else the text (refused). */
  function timesValue() {
    const raw = times.value.trim();
    const n = Number(raw);
    return raw !== '' && Number.isFinite(n) ? n : raw;
  }

  async function send(method, body) {
    showError('');
    try {
      const init = { method: method, cache: 'no-store' };
      if (body !== undefined) {
        init.headers = { 'Content-Type': 'application/json' };
        init.body = JSON.stringify(body);
      }
      const response = await fetch(FAULTS_URL, init);
      if (response.status === 204) {
        showQueue([]);
      } else {
        showQueue(await json(response));
      }
    } catch (err) {
      showError(err.message);
    }
  }

  form.addEventListener('submit', (submit) => {
    submit.preventDefault();
    const spec = { id: choice.value, times: timesValue() };
    if (prefix.value !== '') {
      spec.key_prefix = prefix.value;
    }
    send('POST', spec);
  });
  document.getElementById('fault-clear').addEventListener('click', () => send('DELETE'));
  choice.addEventListener('change', describe);
  poll();
})();
