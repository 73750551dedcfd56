/**
 * npm run bench:ack — how fast a Slack button click is acknowledged: signed block_actions
 * payloads (v0 HMAC-SHA256 with the signing secret, as Slack signs them) posted over HTTP at
 * CLICKS_PER_S to our running bot (our HTTP server, our request guard, the real Bolt
 * ExpressReceiver and the click pipeline, which runs after the ack) and, in the same run and
 * at the same rate, to a bare Bolt app whose listener only acks: the floor. Each server runs in
 * its own process (bench/ack-server.ts); the fake Slack API the bot answers through
 * (users.info, response_url) runs here. Prints one table, p50 and p99 of both and the ratio,
 * and a closing `ratio p99=… p50=…` line for scripts.
 *
 *   npm run bench:ack
 *   CLICKS=1000 CLICKS_PER_S=100 WARMUP=100 ACK_DB=postgres|embedded npm run bench:ack
 */
import { spawn, type ChildProcess } from "node:child_process";
import { Agent, request } from "node:http";
import { buttonKind } from "../src/channels/slack/inbound.js";
import { projectPath } from "../src/paths.js";
import { buttonPress, interactionBody, slackSignature, startFakeSlack } from "../test/support/fake-slack.js";
import { buttons } from "../test/support/slack-blocks.js";

const CLICKS = Number(process.env.CLICKS ?? 1000);
const RATE = Number(process.env.CLICKS_PER_S ?? 100);
const WARMUP = Number(process.env.WARMUP ?? 100);
const SECRET = "bench-signing-secret-4e2a91";
const BOT_TOKEN = "xoxb-bench-token";

const fake = await startFakeSlack();
fake.users.set("U0ANNA", { id: "U0ANNA", email: "anna.petrova@partner.example", locale: "en-US", name: "Anna Petrova" });

interface Server {
  child: ChildProcess;
  url: string;
  message?: string;
}

function startServer(mode: "bot" | "bare"): Promise<Server> {
  // e.g. ACK_SERVER_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof" to profile both servers.
  const nodeArgs = (process.env.ACK_SERVER_NODE_ARGS ?? "").split(" ").filter(Boolean);
  const child = spawn(process.execPath, [...nodeArgs, "--import", "tsx", projectPath("bench", "ack-server.ts"), mode], {
    cwd: projectPath(),
    env: { ...process.env, SLACK_SIGNING_SECRET: SECRET, SLACK_BOT_TOKEN: BOT_TOKEN, SLACK_API_URL: fake.apiUrl, NO_PROXY: "127.0.0.1,localhost" },
    stdio: ["ignore", "pipe", "inherit"],
  });
  return new Promise((resolve, reject) => {
    let out = "";
    child.stdout!.on("data", (d: Buffer) => {
      out += d.toString();
      const line = out.split("\n").find((l) => l.startsWith("{"));
      if (line) resolve({ child, ...(JSON.parse(line) as { url: string; message?: string }) });
    });
    child.once("exit", (code) => reject(new Error(`ack-server ${mode} exited (${code}) before it was ready`)));
  });
}

const [bot, bare] = await Promise.all([startServer("bot"), startServer("bare")]);
const message = fake.messages.get(bot.message!)!;
const button = buttons(message.blocks).find((b) => buttonKind(b.action_id) === "submit")!;
const agent = new Agent({ keepAlive: true, maxSockets: 256 });
let seq = 0;

/** One signed click; resolves with the milliseconds until the answer's last byte, and its status. */
function click(url: string): Promise<{ ms: number; status: number }> {
  const n = ++seq;
  const payload = buttonPress({ userId: "U0ANNA", message, button, triggerId: `trigger-${n}`, responseUrl: fake.responseUrl(`click-${n}`) });
  (payload.actions as { action_ts: string }[])[0]!.action_ts = `${Date.now() / 1000}.${n}`;
  const body = interactionBody(payload);
  const timestamp = Math.floor(Date.now() / 1000);
  const headers = { "content-type": "application/x-www-form-urlencoded", "content-length": Buffer.byteLength(body), "x-slack-request-timestamp": String(timestamp), "x-slack-signature": slackSignature(SECRET, timestamp, body) };
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const req = request(url, { method: "POST", agent, headers }, (res) => {
      res.resume();
      res.on("end", () => resolve({ ms: performance.now() - started, status: res.statusCode ?? 0 }));
    });
    req.on("error", reject);
    req.end(body);
  });
}

/** `count` clicks to each server, both at `RATE` per second, interleaved: the same moments, the same machine. */
async function run(count: number): Promise<{ bot: number[]; bare: number[]; failed: number }> {
  const times = { bot: [] as number[], bare: [] as number[] };
  let failed = 0;
  const pending: Promise<void>[] = [];
  const start = performance.now();
  for (let i = 0; i < count; i++) {
    const due = start + (i * 1000) / RATE;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    for (const [name, server] of [["bot", bot], ["bare", bare]] as const) {
      pending.push(
        click(server.url).then(
          (r) => {
            if (r.status === 200) times[name].push(r.ms);
            else failed++;
          },
          () => void failed++,
        ),
      );
    }
  }
  await Promise.all(pending);
  return { ...times, failed };
}

const pct = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
try {
  await run(WARMUP);
  const result = await run(CLICKS);
  const bots = [...result.bot].sort((a, b) => a - b);
  const bares = [...result.bare].sort((a, b) => a - b);
  console.log(`bench:ack — ${CLICKS} signed Slack button clicks (block_actions, "${button.action_id}") to each server at ${RATE}/s, interleaved, after ${WARMUP} to warm up`);
  console.log(`ours: our HTTP server + request guard + Bolt ExpressReceiver + the click pipeline after the ack (${process.env.ACK_DB ?? "postgres"}); floor: a bare Bolt app whose listener only acks\n`);
  const table = [
    ["figure", "ours ms", "floor ms", "ratio"],
    ["p50", pct(bots, 50).toFixed(1), pct(bares, 50).toFixed(1), (pct(bots, 50) / pct(bares, 50)).toFixed(2)],
    ["p99", pct(bots, 99).toFixed(1), pct(bares, 99).toFixed(1), (pct(bots, 99) / pct(bares, 99)).toFixed(2)],
    ["max", (bots.at(-1) ?? NaN).toFixed(1), (bares.at(-1) ?? NaN).toFixed(1), ((bots.at(-1) ?? NaN) / (bares.at(-1) ?? NaN)).toFixed(2)],
  ];
  for (const row of table) console.log(row.map((cell, c) => (c === 0 ? cell.padEnd(6) : cell.padStart(9))).join("  "));
  console.log(`answered 200: ours ${bots.length}, floor ${bares.length}; refused or failed ${result.failed}`);
  console.log(`ratio p99=${(pct(bots, 99) / pct(bares, 99)).toFixed(2)} p50=${(pct(bots, 50) / pct(bares, 50)).toFixed(2)}`);
} finally {
  for (const s of [bot, bare]) s.child.kill("SIGTERM");
  await Promise.all([bot, bare].map((s) => new Promise((r) => (s.child.exitCode !== null ? r(null) : s.child.once("exit", r)))));
  agent.destroy();
  await fake.close();
}
