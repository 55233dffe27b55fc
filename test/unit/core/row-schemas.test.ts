// Every table's row schema: whole rows pass untouched, each kind of damage is refused naming table, row and field.
import { describe, expect, it } from 'vitest';
import { BACKUP_TABLES, readBackup, writeBackup } from '../../../src/core/backup';
import { checkRows, DamagedRowError, rowProblem, type RowTable } from '../../../src/core/row-schemas';
import { makeModel } from '../storage/helpers';
import { fullRows, HOSTILE, hostileRows, backupRejection } from '../helpers/backup-rows';

const META = { appVersion: '0.1.0', databaseVersion: 3, createdAt: Date.UTC(2026, 10, 22, 10, 0) };

const rejection = backupRejection;

describe('row schemas', () => {
  it('pass whole rows of every table, every optional field set, and a backup of them reads back equal', () => {
    const rows = fullRows();
    for (const table of BACKUP_TABLES) expect(checkRows(table, rows[table]), table).toBeNull();
    expect(checkRows('models', [makeModel(), makeModel({ source: 'url', url: 'https://x/m.gguf', stored: 'opfs', modelUrl: 'a', modelLibUrl: 'b' })])).toBeNull();
    expect(readBackup(writeBackup(rows, META).bytes).rows).toEqual(rows);
  });

  it('keep unknown fields and unknown settings as they are', () => {
    const rows = fullRows();
    const odd = { ...rows.characters[0], addedByAFutureVersion: { deep: [1] } };
    expect(checkRows('characters', [odd])).toBeNull();
    const back = readBackup(writeBackup({ ...rows, characters: [odd] }, META).bytes);
    expect(back.rows.characters[0]).toEqual(odd);
    expect(back.rows.settings.find((s) => s.key === 'some.future.setting')?.value).toEqual({ anything: [1, 'goes', { here: null }] });
  });

  it('refuse a field that is only inherited, and a row that is not an object', () => {
    const row = Object.create(fullRows().personas[0]);
    expect(rowProblem('personas', row, 4)).toMatchObject({ table: 'personas', row: 5, field: 'id', id: '?' });
    expect(rowProblem('personas', 'text', 0)).toMatchObject({ table: 'personas', row: 1, field: '(row)' });
    expect(rowProblem('personas', null, 0)).toMatchObject({ field: '(row)' });
    expect(rowProblem('models', { ...makeModel(), sizeBytes: -1 }, 0)).toMatchObject({ table: 'models', field: 'sizeBytes' });
  });

  it('give a start-up error that names table, row and field', () => {
    const error = new DamagedRowError(rowProblem('characters', { ...fullRows().characters[0], tags: 'x' }, 2)!);
    expect(error.message).toMatch(/row 3 of characters \(id alice\): tags should be/);
    expect(error.details).toMatchObject({ table: 'characters', row: 3, id: 'alice', field: 'tags' });
  });

  for (const test of HOSTILE) {
    it(`refuse ${test.name}, naming ${test.table} row ${test.row + 1} field ${test.field}`, () => {
      const rows = hostileRows(test);
      const problem = checkRows(test.table as RowTable, rows[test.table]);
      expect(problem).toMatchObject({ table: test.table, row: test.row + 1, field: test.field });
      const error = rejection(() => readBackup(writeBackup(rows, META).bytes));
      expect(error.reason).toBe('invalid-row');
      expect(error.details).toMatchObject({ table: test.table, row: test.row + 1, field: test.field });
      expect(error.message).toContain(`row ${test.row + 1} of ${test.table}`);
      expect(error.message).toContain(test.field);
    });
  }
});
