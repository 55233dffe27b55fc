// A RoleBench file with thousands of roles becomes one corpus character per role, reading the file
// once: work grows with the rows, not rows x roles.

import { afterEach, describe, expect, it, vi } from 'vitest';
import { readImportFile } from '../../../../src/core/import/read-file';

afterEach(() => vi.restoreAllMocks());

describe('RoleBench with many roles', () => {
  it('parses each row once, however many roles the file holds', () => {
    const roles = 3000;
    const lines: string[] = [];
    for (let r = 0; r < roles; r++) {
      for (let q = 0; q < 2; q++) lines.push(JSON.stringify({ role: `Role ${r}`, question: `Question ${q} for ${r}?`, generated: [`Answer ${q} of role ${r}.`] }));
    }
    const bytes = new TextEncoder().encode(lines.join('\n'));
    const parse = vi.spyOn(JSON, 'parse');
    const result = readImportFile({ name: 'rolebench.jsonl', bytes });
    const rowParses = parse.mock.calls.filter(([text]) => typeof text === 'string' && text.startsWith('{"role"')).length;
    expect(rowParses).toBeLessThanOrEqual(lines.length * 2); // sniffing may read a row again; never once per role
    expect(result.characters).toHaveLength(roles);
    const role7 = result.characters.find((c) => c.character.name === 'Role 7')!;
    expect(role7.scenes.map((s) => s.lines[1].text)).toEqual(['Answer 0 of role 7.', 'Answer 1 of role 7.']);
  });
});
