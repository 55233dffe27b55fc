// CPU time per thread from a Chromium trace, between two User Timing marks: figures that a busy,
// shared machine moves far less than wall-clock rates (a thread waiting for a core has no CPU time).
// The trace needs the categories in TRACE_CATEGORIES; the page sets the marks (bench/page.ts).

/** Top-level tasks with their thread CPU time (tdur), thread names, and the marks. */
export const TRACE_CATEGORIES = ['toplevel', '__metadata', 'blink.user_timing'];

interface TraceEvent {
  ph: string;
  name: string;
  cat?: string;
  pid: number;
  tid: number;
  ts: number;
  dur?: number;
  tdur?: number;
  args?: { name?: string; src_func?: string };
}

/** CPU and wall time of the streaming window, by the role a thread plays. */
export interface StreamCpu {
  windowMs: number;
  /** The page's main thread (where the marks were set): rendering, storage, app code. */
  mainMs: number;
  /** The busiest worker of the page: llama.cpp decoding. */
  engineMs: number;
  /** Wall time of the engine thread's tasks: above engineMs when it waited for a core. */
  engineWallMs: number;
  /** Every other thread of the browser (other workers, compositor, GPU and browser processes). */
  otherMs: number;
  /** Tasks the main thread ran: counts that a busy machine does not move. */
  mainTasks: number;
  /** Of them, rendering passes (style, layout, paint of one frame). */
  frames: number;
}

const RUN_TASK = 'ThreadControllerImpl::RunTask';

/** The CPU time each thread spent between the marks `stream:first` and `stream:last`. */
export function streamCpu(trace: string | Buffer): StreamCpu {
  const parsed = JSON.parse(trace.toString()) as { traceEvents?: TraceEvent[] } | TraceEvent[];
  const events = Array.isArray(parsed) ? parsed : (parsed.traceEvents ?? []);
  const mark = (name: string) => events.find((e) => e.name === name && e.cat?.includes('blink.user_timing'));
  const first = mark('stream:first');
  const last = mark('stream:last');
  if (!first || !last) throw new Error('The trace has no stream:first / stream:last marks');
  const names = new Map<string, string>();
  for (const e of events) if (e.ph === 'M' && e.name === 'thread_name') names.set(`${e.pid}:${e.tid}`, e.args?.name ?? '');

  const mainKey = `${first.pid}:${first.tid}`;
  let mainTasks = 0;
  let frames = 0;
  const perThread = new Map<string, { cpu: number; wall: number }>();
  const tasks = events.filter((e) => e.ph === 'X' && e.name === RUN_TASK && e.dur).sort((a, b) => a.ts - b.ts);
  const endOf = new Map<string, number>();
  for (const task of tasks) {
    const key = `${task.pid}:${task.tid}`;
    const end = task.ts + task.dur!;
    // A task run inside another (a nested loop) is already in its parent's time.
    if (task.ts < (endOf.get(key) ?? -Infinity)) continue;
    endOf.set(key, end);
    const from = Math.max(task.ts, first.ts);
    const to = Math.min(end, last.ts);
    if (to <= from) continue;
    const share = (to - from) / task.dur!;
    if (key === mainKey) {
      mainTasks += 1;
      if (task.args?.src_func === 'ScheduledActionSendBeginMainFrame') frames += 1;
    }
    const sums = perThread.get(key) ?? { cpu: 0, wall: 0 };
    sums.cpu += ((task.tdur ?? 0) * share) / 1000;
    sums.wall += (to - from) / 1000;
    perThread.set(key, sums);
  }

  const workers = [...perThread].filter(([key]) => key.startsWith(`${first.pid}:`) && names.get(key)?.startsWith('DedicatedWorker'));
  const engineKey = workers.sort((a, b) => b[1].cpu - a[1].cpu)[0]?.[0];
  let otherMs = 0;
  for (const [key, sums] of perThread) if (key !== mainKey && key !== engineKey) otherMs += sums.cpu;
  return {
    windowMs: (last.ts - first.ts) / 1000,
    mainMs: perThread.get(mainKey)?.cpu ?? 0,
    engineMs: engineKey ? perThread.get(engineKey)!.cpu : 0,
    engineWallMs: engineKey ? perThread.get(engineKey)!.wall : 0,
    otherMs,
    mainTasks,
    frames,
  };
}
