/* global AbortController, fetch, TextDecoder, performance */
// The stream clients of the live-fanout bench, in their own process (so the master's CPU is its own): opens N
// streams of GET /api/v1/events with the admin token, prints `ready` once all are live, then counts the events
// each receives and prints `{"counts":[…],"resets":k,"ms":…}` once every stream has `expect` events (or after
// `timeoutMs`). Usage: node live-clients.mjs URL TOKEN N EXPECT TIMEOUT_MS
const [url, token, n, expect, timeoutMs] = process.argv.slice(2);
const counts = new Array(Number(n)).fill(0);
let resets = 0;
let ready = 0;
let first = 0;
let last = 0;
const controller = new AbortController();

async function stream(i) {
  const res = await fetch(`${url}/api/v1/events?types=job`, {
    headers: { authorization: `Bearer ${token}`, accept: 'text/event-stream' },
    signal: controller.signal,
  });
  if (res.status !== 200) throw new Error(`stream ${i}: ${res.status} ${await res.text()}`);
  const decoder = new TextDecoder();
  let buf = '';
  for await (const chunk of res.body) {
    buf += decoder.decode(chunk, { stream: true });
    let end;
    while ((end = buf.indexOf('\n\n')) !== -1) {
      const block = buf.slice(0, end);
      buf = buf.slice(end + 2);
      const event = /^event: (.*)$/m.exec(block)?.[1];
      if (event === 'ready') {
        if (++ready === counts.length) console.log('ready');
      } else if (event === 'reset') resets++;
      else if (event !== undefined) {
        if (first === 0) first = performance.now();
        last = performance.now();
        counts[i]++;
      }
    }
    if (counts.every((c) => c >= Number(expect))) done();
  }
}

let finished = false;
function done() {
  if (finished) return;
  finished = true;
  console.log(JSON.stringify({ counts, resets, ms: last - first }));
  controller.abort();
  setTimeout(() => process.exit(0), 100);
}

setTimeout(done, Number(timeoutMs));
for (let i = 0; i < counts.length; i++) stream(i).catch((e) => finished || console.error(String(e)));
