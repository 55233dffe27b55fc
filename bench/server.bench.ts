// `npx tsx bench/server.bench.ts`: a reply streamed from a model server (real llama.cpp through
// node-llama-cpp, test/e2e/llama-test-server.ts, serving the tiny GGUF): tokens per second as the
// app's server engine hands them on (what the chat shows as it streams), against the rate the
// server reports for its own decoding (llama-server's timings.predicted_per_second). The gap is what
// HTTP, SSE parsing and the engine cost. Measured in Node with the app's ServerEngine, not in
// Chromium's rendering. Prints a table; the target is reported, never asserted.

import { ServerEngine } from '../src/engines/server/server-engine';
import { makeTinyGguf } from '../test/fixtures/make-tiny-gguf';
import { startLlamaTestServer } from '../test/e2e/llama-test-server';
import { median, rowsTable, type Row } from './common';

const RUNS = 5;
const REPLY_TOKENS = 256;
const TARGET = 0.95;

async function main(): Promise<void> {
  const server = await startLlamaTestServer({ modelPath: makeTinyGguf().path, contextSize: 2048 });
  const engine = new ServerEngine({ pageProtocol: 'http:' });
  try {
    await engine.load({ kind: 'server', server: { baseUrl: server.url, model: server.modelId } }, () => {});
    const seen: number[] = [];
    const reported: number[] = [];
    for (let run = 0; run < RUNS; run++) {
      let first = 0;
      let last = 0;
      let deltas = 0;
      let serverRate = 0;
      const messages = [{ role: 'user' as const, content: `Tell me a long story, part ${run + 1}.` }];
      for await (const event of engine.chat(messages, { maxTokens: REPLY_TOKENS, temperature: 0.8, topP: 0.95, seed: run })) {
        if (event.type === 'delta') {
          const now = performance.now();
          if (deltas === 0) first = now;
          last = now;
          deltas++;
        } else {
          serverRate = event.usage.tokensPerSecond ?? 0;
        }
      }
      if (deltas > 1 && last > first && serverRate > 0) {
        seen.push((deltas - 1) / ((last - first) / 1000));
        reported.push(serverRate);
      }
    }
    const ratio = median(seen.map((rate, i) => rate / reported[i]));
    const rows: Row[] = [
      { figure: `server's own decode rate (median of ${reported.length})`, value: `${median(reported).toFixed(0)} tok/s`, target: '—', verdict: '—' },
      { figure: 'tokens per second seen through the server engine', value: `${median(seen).toFixed(0)} tok/s`, target: '—', verdict: '—' },
      { figure: 'seen / reported', value: ratio.toFixed(3), target: `>= ${TARGET}`, verdict: ratio >= TARGET ? 'ok' : 'MISSED' },
    ];
    console.log(rowsTable(rows));
  } finally {
    await engine.unload();
    await server.close();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
