// How deeply a parsed JSON value nests, measured without recursion. The card, lorebook and pack
// readers walk and clone JSON recursively; a file nested thousands of levels deep would overflow
// the call stack there (a RangeError that would be reported as the wrong reason), so readers refuse
// such values first, with reason 'too-deep'.

/** The most levels of lists and objects a card, lorebook or pack may nest (the top value is level 1). */
export const MAX_JSON_DEPTH = 1000;

/**
 * Whether `value` nests more than `limit` levels of arrays and objects. Iterative, so it is safe on
 * any depth; it stops at the first path that goes too deep.
 */
export function jsonTooDeep(value: unknown, limit: number = MAX_JSON_DEPTH): boolean {
  if (value === null || typeof value !== 'object') return false;
  const stack: Array<[object, number]> = [[value, 1]];
  while (stack.length > 0) {
    const [node, depth] = stack.pop() as [object, number];
    if (depth > limit) return true;
    const children = Array.isArray(node) ? node : Object.values(node);
    for (const child of children) {
      if (child !== null && typeof child === 'object') stack.push([child, depth + 1]);
    }
  }
  return false;
}

/** The English sentence for a refused value: "<what> is nested too deeply (over 1,000 levels …)". */
export function tooDeepMessage(what: string, limit: number = MAX_JSON_DEPTH): string {
  return `${what} is nested too deeply (over ${limit.toLocaleString('en-US')} levels of lists and objects), so it was refused.`;
}

/** True for the RangeError a JavaScript engine throws when recursion overflows the call stack. */
export function isStackOverflow(error: unknown): boolean {
  return error instanceof RangeError && /call stack|too much recursion/i.test(error.message);
}
