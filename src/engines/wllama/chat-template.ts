// A GGUF's chat template rendered on the page with a work budget.
//
// The template comes from the model file, i.e. from whoever made the GGUF a link pointed to, and it
// is rendered on the main thread at every prompt build (gguf-prompt-count.ts). @huggingface/jinja
// is an interpreter (no eval), but `range(10**9)` or loops nested over the messages or their words
// would freeze the tab for minutes. So the interpreter here counts its steps (every expression
// and every loop pass) and gives up past a budget that grows with the number of messages, far
// above what real templates need (30-40 steps a message); `range()` refuses huge lengths before
// building them. A template that gives up throws TemplateTooCostly; the caller counts with ChatML.

import { Environment, Interpreter, Template } from '@huggingface/jinja';

/** Steps (expressions evaluated plus loop passes) one render may take, plus STEPS_PER_MESSAGE each. */
export const MAX_TEMPLATE_STEPS = 50_000;
/** Real templates spend 30-40 steps a message; a long chat must not fall back, a loop over pairs must. */
export const STEPS_PER_MESSAGE = 100;
/** The longest list `range()` may build. */
export const MAX_TEMPLATE_RANGE = 10_000;

export class TemplateTooCostly extends Error {
  constructor() {
    super('The chat template does too much work to render');
    this.name = 'TemplateTooCostly';
  }
}

/** @huggingface/jinja's Interpreter with a step counter on its two dispatch points (not in its typings). */
class BudgetedInterpreter extends Interpreter {
  #steps = 0;
  readonly #limit: number;

  #step(): void {
    if (++this.#steps > this.#limit) throw new TemplateTooCostly();
  }

  constructor(env: Environment, limit: number) {
    super(env);
    this.#limit = limit;
    const self = this as unknown as Record<'evaluate' | 'evaluateBlock', (...args: unknown[]) => unknown>;
    const proto = Interpreter.prototype as unknown as typeof self;
    // evaluate: every expression and statement; evaluateBlock: every pass of a loop, even one with an empty body.
    for (const name of ['evaluate', 'evaluateBlock'] as const) {
      const original = proto[name];
      if (typeof original !== 'function') throw new Error(`@huggingface/jinja has no Interpreter.${name}`);
      self[name] = (...args: unknown[]) => {
        this.#step();
        return original.apply(this, args);
      };
    }
  }
}

function range(start: number, stop?: number, step = 1): number[] {
  if (stop === undefined) [start, stop] = [0, start];
  if (step === 0) throw new Error('range() step must not be zero');
  const length = Math.max(0, Math.ceil((stop - start) / step));
  if (!Number.isFinite(length) || length > MAX_TEMPLATE_RANGE) throw new TemplateTooCostly();
  return Array.from({ length }, (_, i) => start + i * step);
}

const pad2 = (n: number) => String(n).padStart(2, '0');

/** strftime_now for the codes chat templates use (Llama 3's "%d %b %Y"). */
function strftimeNow(format: string): string {
  const now = new Date();
  const month = (style: 'long' | 'short') => new Intl.DateTimeFormat('en', { month: style }).format(now);
  return String(format).replace(/%[YmdbBHM%]/g, (code) => {
    switch (code) {
      case '%Y': return String(now.getFullYear());
      case '%m': return pad2(now.getMonth() + 1);
      case '%d': return pad2(now.getDate());
      case '%b': return month('short');
      case '%B': return month('long');
      case '%H': return pad2(now.getHours());
      case '%M': return pad2(now.getMinutes());
      default: return '%';
    }
  });
}

/** The globals Jinja chat templates expect (as @huggingface/jinja sets them), with a bounded range(). */
function globalsFor(items: Record<string, unknown>): Environment {
  const env = new Environment();
  const globals: Record<string, unknown> = {
    false: false,
    true: true,
    none: null,
    False: false,
    True: true,
    None: null,
    raise_exception: (message: unknown) => {
      throw new Error(String(message));
    },
    range,
    strftime_now: strftimeNow,
    ...items,
  };
  for (const [key, value] of Object.entries(globals)) env.set(key, value);
  return env;
}

/** A parsed chat template; render() throws TemplateTooCostly past the work budget. */
export class ChatTemplate {
  readonly #template: Template;

  /** Throws when the source is not a template @huggingface/jinja can read. */
  constructor(source: string) {
    this.#template = new Template(source);
  }

  render(items: Record<string, unknown>): string {
    const messages = Array.isArray(items.messages) ? items.messages.length : 0;
    const interpreter = new BudgetedInterpreter(globalsFor(items), MAX_TEMPLATE_STEPS + STEPS_PER_MESSAGE * messages);
    const result = interpreter.run(this.#template.parsed);
    return String(result.value);
  }
}
