import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import type { Database } from '../db/database.ts';
import { health } from './health.ts';

const database = (works: boolean): Database => ({
  kind: 'postgres',
  description: 'test',
  transaction: async (fn) => {
    if (!works) throw new Error('connection refused');
    return fn({ query: async <Row,>() => ({ rows: [] as Row[], affectedRows: 0 }), exec: async () => {} });
  },
  close: async () => {},
});

describe('GET /api/health', () => {
  it.each([
    [true, 200, { status: 'ok', database: 'ok' }],
    [false, 503, { status: 'error', database: 'error' }],
  ])('database working: %s → %i', async (works, status, body) => {
    const app = new Hono().get('/api/health', (c) => health(c, database(works)));
    const response = await app.request('/api/health');
    expect(response.status).toBe(status);
    expect(await response.json()).toMatchObject(body);
  });
});
