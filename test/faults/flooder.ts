/**
 * Flooding client for flood.test.ts, in its own process so its CPU does not skew the latency the
 * test measures. Usage: node --import tsx test/faults/flooder.ts <url> <token> <payload.json> <rate>
 * stdin commands: "start" / "stop" (flooding phases), "exit" (print counters as JSON and exit).
 * Emits `send` events at <rate>/s with an ack; when the server disconnects it, reconnects at once.
 */
import fs from 'node:fs';
import { io as ioClient, type Socket } from 'socket.io-client';

const [url, token, payloadFile, rateArg] = process.argv.slice(2) as [string, string, string, string];
const payload: unknown = JSON.parse(fs.readFileSync(payloadFile, 'utf8'));
const rate = Number(rateArg);
const counts = { emitted: 0, acksOk: 0, rateLimited: 0, otherErrors: 0, disconnects: 0, connects: 0, connectErrors: 0 };
let flooding = false;
let socket: Socket | null = null;

function open(): void {
  const s = ioClient(url, { path: '/socket.io', transports: ['websocket'], auth: { token }, reconnection: false, forceNew: true });
  socket = s;
  s.on('connect', () => counts.connects++);
  s.on('connect_error', () => {
    counts.connectErrors++;
    setTimeout(open, 50);
  });
  s.on('disconnect', () => {
    counts.disconnects++;
    if (socket === s) setTimeout(open, 0);
  });
}

open();
const start = performance.now();
let due = 0;
setInterval(() => {
  if (!flooding || !socket?.connected) return;
  const target = Math.floor(((performance.now() - start) / 1000) * rate);
  // Catch up to the schedule, at most 100 per tick.
  for (let n = 0; due < target && n < 100; n++, due++) {
    counts.emitted++;
    socket.emit('send', payload, (res: { ok: boolean; error?: { code: string } }) => {
      if (res.ok) counts.acksOk++;
      else if (res.error?.code === 'rate_limited') counts.rateLimited++;
      else counts.otherErrors++;
    });
  }
  if (due < target - rate) due = target; // do not build a backlog while disconnected
}, 5);

process.stdin.on('data', (d: Buffer) => {
  for (const cmd of d.toString().split('\n')) {
    if (cmd === 'start') {
      flooding = true;
      due = Math.floor(((performance.now() - start) / 1000) * rate);
    } else if (cmd === 'stop') flooding = false;
    else if (cmd === 'exit') {
      process.stdout.write(JSON.stringify(counts) + '\n');
      socket?.close();
      process.exit(0);
    }
  }
});
process.stdout.write('ready\n');
setTimeout(() => process.exit(2), 300_000).unref();
