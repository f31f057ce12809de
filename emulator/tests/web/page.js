// The page's uploads, each a step the test runs (`window.steps`) and the page lists.
'use strict';

(function () {
  document.getElementById('origin').textContent = location.origin;
  let config = null;

  async function json(url) {
    const response = await fetch(url);
    return response.json();
  }

  async function setup() {
    if (!config) {
      config = await json('/api/config');
    }
    return config;
  }

  function client(bucket) {
    // sldEnable: path style (the emulator's address is an IP).
    return new OSS({
      accessKeyId: config.accessKeyId,
      accessKeySecret: config.accessKeySecret,
      bucket,
      endpoint: config.emulator,
      sldEnable: true,
      secure: false,
      timeout: 20000,
    });
  }

  function callback(via) {
    return {
      url: config.callback,
      body: 'bucket=${bucket}&object=${object}&size=${size}&mimeType=${mimeType}&via=' + via,
      contentType: 'application/x-www-form-urlencoded',
    };
  }

  function failure(error) {
    return { ok: false, error: String((error && error.message) || error), status: error && error.status };
  }

  const steps = {
    // ali-oss's put with a callback.
    async put(bucket, key) {
      const body = new Blob(['put from the browser'], { type: 'text/plain' });
      const result = await client(bucket).put(key, body, { callback: callback('ali-oss-put') });
      return { ok: true, status: result.res.status, data: result.data };
    },
    // ali-oss's multipartUpload (three parts) with a callback.
    async multipart(bucket, key) {
      const body = new Blob([new Uint8Array(250 * 1024).fill(97)], { type: 'application/octet-stream' });
      const result = await client(bucket).multipartUpload(key, body, {
        partSize: 100 * 1024,
        callback: callback('ali-oss-multipart'),
      });
      return { ok: true, status: result.res.status, data: result.data };
    },
    // A plain PostObject form with the backend's policy and callback.
    async form(bucket, key) {
      const policy = await json('/api/policy?dir=' + encodeURIComponent(key.slice(0, key.lastIndexOf('/') + 1)));
      const form = new FormData();
      form.append('key', key);
      form.append('OSSAccessKeyId', policy.OSSAccessKeyId);
      form.append('policy', policy.policy);
      form.append('Signature', policy.Signature);
      form.append('callback', policy.callback);
      form.append('success_action_status', '200');
      form.append('file', new Blob(['posted by a form'], { type: 'text/plain' }), 'form.txt');
      const response = await fetch(config.emulator + '/' + bucket, { method: 'POST', body: form });
      const text = await response.text();
      return { ok: response.ok, status: response.status, data: text.startsWith('{') ? JSON.parse(text) : text };
    },
    // A PUT through a URL the backend signed with a callback parameter (a Blob without a type:
    // no Content-Type, as signed).
    async signedPut(bucket, key) {
      const signed = await json('/api/sign?method=PUT&callback=1&bucket=' + encodeURIComponent(bucket) + '&key=' + encodeURIComponent(key));
      const response = await fetch(signed.url, { method: 'PUT', body: new Blob(['put through a signed URL']) });
      const text = await response.text();
      return { ok: response.ok, status: response.status, data: text.startsWith('{') ? JSON.parse(text) : text };
    },
    // The object read back through a URL the backend signed.
    async read(bucket, key) {
      const signed = await json('/api/sign?bucket=' + encodeURIComponent(bucket) + '&key=' + encodeURIComponent(key));
      const response = await fetch(signed.url);
      return { ok: response.ok, status: response.status, text: await response.text() };
    },
  };

  /** Runs step `name` and lists its outcome; never throws. */
  window.run = async function (name, bucket, key) {
    await setup();
    let outcome;
    try {
      outcome = await steps[name](bucket, key);
    } catch (error) {
      outcome = failure(error);
    }
    const item = document.createElement('li');
    item.dataset.ok = String(outcome.ok);
    // A long body is listed by its size.
    const shown = JSON.stringify(outcome, (field, value) =>
      field === 'text' && value.length > 100 ? value.length + ' bytes' : value);
    item.textContent = name + ' ' + bucket + '/' + key + ': ' + shown;
    document.getElementById('results').append(item);
    return outcome;
  };
})();
