// Uploads through `oss-callback emulate` with ali-oss (Node) and checks what the SDK sees.
//
// Environment: EMULATOR_URL, CALLBACK_URL, NODE_PATH (where ali-oss is installed).
// Each case prints `ok ali-oss <case>`; the first failed assertion exits non-zero.
'use strict';

const assert = require('assert');
const zlib = require('zlib');
const OSS = require('ali-oss');

const EMULATOR = process.env.EMULATOR_URL;
const CALLBACK = process.env.CALLBACK_URL;

// sldEnable: path style; without it an IP endpoint drops the bucket from the path.
const client = new OSS({
  accessKeyId: 'ak',
  accessKeySecret: 'sk',
  bucket: 'photos',
  endpoint: EMULATOR,
  sldEnable: true,
  secure: false,
  timeout: 20000,
});

const BODY = 'bucket=${bucket}&object=${object}&size=${size}&uid=${x:uid}';
const IMAGE_BODY = 'object=${object}&w=${imageInfo.width}&h=${imageInfo.height}&f=${imageInfo.format}';

function callback(path, body = BODY, url = CALLBACK + path) {
  return { url, body, customValue: { uid: '42' } };
}

function crc32(bytes) {
  let crc = 0xffffffff;
  for (const byte of bytes) {
    crc ^= byte;
    for (let k = 0; k < 8; k++) crc = (crc >>> 1) ^ (0xedb88320 & -(crc & 1));
  }
  return (crc ^ 0xffffffff) >>> 0;
}

function png(width, height) {
  const chunk = (kind, data) => {
    const head = Buffer.alloc(4);
    head.writeUInt32BE(data.length);
    const typed = Buffer.concat([Buffer.from(kind), data]);
    const tail = Buffer.alloc(4);
    tail.writeUInt32BE(crc32(typed));
    return Buffer.concat([head, typed, tail]);
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.set([8, 2, 0, 0, 0], 8);
  const row = Buffer.alloc(1 + 3 * width);
  const raw = Buffer.concat(Array.from({ length: height }, () => row));
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', zlib.deflateSync(raw)),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

async function failure(name, path, message, url) {
  let error;
  try {
    await client.put(`ali-oss/${name}.txt`, Buffer.from('data'), { callback: callback(path, BODY, url) });
  } catch (err) {
    error = err;
  }
  console.log(`  ${name}: ${error && error.name} ${error && error.status} ${error && error.message}`);
  assert(error, 'a 203 must not pass silently');
  assert.strictEqual(error.status, 203);
  assert.strictEqual(error.name, 'CallbackFailedError');
  assert(error.message.includes(message), error.message);
  const stored = await client.get(`ali-oss/${name}.txt`);
  assert.strictEqual(stored.content.toString(), 'data', 'the object stays stored after a 203');
}

const cases = {
  async success() {
    const result = await client.put('ali-oss/hello.txt', Buffer.from('hello world'), { callback: callback('/ok') });
    assert.strictEqual(result.res.status, 200);
    assert.strictEqual(result.data.verified, true, JSON.stringify(result.data));
    assert(result.data.received.includes('size=11&uid=42'), result.data.received);
    assert.strictEqual(result.data.request_id, result.res.headers['x-oss-request-id']);
  },
  status: () => failure('status', '/status500', 'Error status : 500.'),
  not_json: () => failure('not_json', '/notjson', 'Response body is not valid json format.'),
  chunked: () => failure('chunked', '/chunked', 'User server missing content-length.'),
  unreachable: () => failure('unreachable', '', 'OSS can not connect to your callbackUrl', 'http://127.0.0.1:1/x'),
  async invalid() {
    let error;
    try {
      await client.put('ali-oss/invalid.txt', Buffer.from('data'), {
        headers: { 'x-oss-callback': Buffer.from('not json').toString('base64') },
      });
    } catch (err) {
      error = err;
    }
    console.log(`  invalid: ${error && error.status} ${error && error.code}`);
    assert(error && error.status === 400 && error.code === 'InvalidArgument');
    await assert.rejects(client.get('ali-oss/invalid.txt'), err => err.code === 'NoSuchKey');
  },
  async multipart() {
    const data = Buffer.concat([Buffer.alloc(150 * 1024, 'a'), Buffer.alloc(1000, 'b')]);
    const result = await client.multipartUpload('ali-oss/big.bin', data, {
      partSize: 100 * 1024,
      parallel: 1,
      callback: callback('/ok'),
    });
    assert.strictEqual(result.res.status, 200);
    assert.strictEqual(result.data.verified, true, JSON.stringify(result.data));
    assert(result.data.received.includes(`size=${data.length}`), result.data.received);
    const stored = await client.get('ali-oss/big.bin');
    assert(stored.content.equals(data), 'the parts joined');
  },
  async image() {
    const result = await client.put('ali-oss/cat.png', png(3, 2), { callback: callback('/ok', IMAGE_BODY) });
    console.log(`  image: ${result.data.received}`);
    assert(result.data.received.includes('w=3&h=2&f=png'), result.data.received);
  },
};

(async () => {
  for (const [name, run] of Object.entries(cases)) {
    await run();
    console.log(`ok ali-oss ${name}`);
  }
})().catch(err => {
  console.log(`FAILED: ${err.stack || err}`);
  process.exit(1);
});
