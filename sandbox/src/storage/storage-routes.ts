/**
 * Supabase Storage at /storage/v1 (supabase-wire.md §5): buckets, object upload (raw or multipart), download
 * (authenticated, public, signed URL), list and remove. Object rows live in `storage.objects` and every request
 * touches them as its JWT's role, so the bucket policies in domain.sql decide; the bytes sit in
 * `storage.object_data`, which only the sandbox itself reads.
 */
import { createHash, randomBytes } from 'node:crypto';
import { Hono, type Context } from 'hono';
import { jwtVerify, SignJWT } from 'jose';
import { asIdentity, type Database, type RequestIdentity, type Sql } from '../db/database.ts';
import type { ActiveFaults } from '../faults.ts';
import { apiKey, bearerToken, requireApiKey } from '../http/gateway.ts';
import type { KeyRing } from '../keys.ts';
import { isDatabaseError } from '../rest/postgrest-error.ts';
import { bucketNotFound, objectNotFound, policyViolation, StorageError } from './storage-error.ts';

export interface StorageDependencies {
  db: Database;
  keys: KeyRing;
  faults: ActiveFaults;
  log: (line: string) => void;
}

interface StoredObject {
  id: string;
  metadata: { mimetype?: string; cacheControl?: string; size?: number; eTag?: string } | null;
  updated_at: string;
}

interface Upload {
  bytes: Uint8Array;
  contentType: string;
  cacheControl: string;
}

/** The decoded segments after `/object/` (and `public/`, `sign/`, …) → [bucket, object name]. */
function bucketAndPath(segments: string[]): [string, string] {
  const [bucket = '', ...rest] = segments;
  return [bucket, rest.join('/')];
}

async function identify(c: Context, keys: KeyRing): Promise<RequestIdentity> {
  const token = bearerToken(c) ?? apiKey(c);
  if (!token) return { role: 'anon', claims: { role: 'anon' } };
  const verified = await keys.verify(token);
  if (!verified.ok) throw new StorageError(400, 'Unauthorized', verified.message, '403');
  return { role: verified.role, claims: verified.claims };
}

async function readUpload(c: Context): Promise<Upload> {
  const type = c.req.header('content-type') ?? 'text/plain;charset=UTF-8';
  if (type.toLowerCase().startsWith('multipart/form-data')) {
    const form = await c.req.formData();
    let file: File | undefined;
    for (const value of form.values()) if (typeof value !== 'string' && !file) file = value;
    if (!file) throw new StorageError(400, 'Invalid Request', 'No file in the multipart body');
    const cacheControl = form.get('cacheControl');
    return {
      bytes: new Uint8Array(await file.arrayBuffer()),
      contentType: file.type || 'application/octet-stream',
      cacheControl: typeof cacheControl === 'string' ? `max-age=${cacheControl}` : 'max-age=3600',
    };
  }
  return {
    bytes: new Uint8Array(await c.req.arrayBuffer()),
    contentType: type,
    cacheControl: c.req.header('cache-control') ?? 'max-age=3600',
  };
}

/** The storage policies' errors as Storage reports them. */
function storageErrorOf(error: unknown): StorageError | undefined {
  if (error instanceof StorageError) return error;
  if (!isDatabaseError(error)) return undefined;
  if (error.code === '42501') return policyViolation();
  if (error.code === '23505') return new StorageError(400, 'Duplicate', 'The resource already exists', '409');
  return new StorageError(500, 'internal', error.message);
}

export function storageRoutes({ db, keys, faults, log }: StorageDependencies): Hono {
  const app = new Hono();
  const signingSecret = new Uint8Array(randomBytes(32));
  const gateway = requireApiKey(keys);

  app.onError((error, c) => {
    const problem = storageErrorOf(error);
    if (!problem) log(`storage: unexpected error: ${error.stack ?? error.message}`);
    const answer = problem ?? new StorageError(500, 'internal', 'Internal Server Error');
    return c.json(answer.toJSON(), answer.status as 400);
  });

  // Public and signed URLs are fetched without any key (an <img src>), everything else passes the gateway.
  app.use('*', async (c, next) => {
    const open = c.req.method === 'GET' || c.req.method === 'HEAD';
    if (open && (c.req.path.includes('/object/public/') || c.req.path.includes('/object/sign/'))) return next();
    return gateway(c, next);
  });

  /** storage_denied: the broken policy refuses the API roles; the service role bypasses policies anyway. */
  const denied = (who: RequestIdentity) => faults.isOn('storage_denied') && who.role !== 'service_role';

  async function bucketOf(sql: Sql, bucket: string) {
    const { rows } = await sql.query<{ id: string; public: boolean; file_size_limit: string | null; allowed_mime_types: string[] | null }>(
      `select id, public, file_size_limit, allowed_mime_types from storage.buckets where id = $1`,
      [bucket],
    );
    if (!rows[0]) throw bucketNotFound();
    return rows[0];
  }

  /** The object as `who` may see it (row-level security), and its bytes, which only the sandbox reads. */
  async function readObject(who: RequestIdentity | 'owner', bucket: string, path: string) {
    const find = async (sql: Sql) => {
      const { rows } = await sql.query<StoredObject>(
        `select id, metadata, updated_at from storage.objects where bucket_id = $1 and name = $2`,
        [bucket, path],
      );
      if (!rows[0]) throw objectNotFound();
      await sql.query(`reset role`);
      const data = await sql.query<{ bytes: Uint8Array }>(`select bytes from storage.object_data where object_id = $1`, [rows[0].id]);
      return { object: rows[0], bytes: data.rows[0]?.bytes ?? new Uint8Array() };
    };
    return who === 'owner' ? db.transaction(find) : asIdentity(db, who, find);
  }

  function sendObject(c: Context, { object, bytes }: Awaited<ReturnType<typeof readObject>>, download?: string) {
    const meta = object.metadata ?? {};
    const headers: Record<string, string> = {
      'Content-Type': meta.mimetype ?? 'application/octet-stream',
      'Content-Length': String(bytes.byteLength),
      'Cache-Control': meta.cacheControl ?? 'max-age=3600',
      'Last-Modified': new Date(object.updated_at).toUTCString(),
    };
    if (meta.eTag) headers['ETag'] = meta.eTag;
    if (download !== undefined) headers['Content-Disposition'] = `attachment; filename="${download}"`;
    if (c.req.method === 'HEAD') return c.body(null, 200, headers);
    return c.body(Buffer.from(bytes), 200, headers);
  }

  async function upload(c: Context, bucket: string, path: string, mode: 'create' | 'update') {
    const who = await identify(c, keys);
    if (denied(who)) throw policyViolation();
    if (!path) throw new StorageError(400, 'Invalid Key', 'The object name is empty');
    const body = await readUpload(c);
    const upsert = mode === 'create' && c.req.header('x-upsert') === 'true';
    const metadata = {
      mimetype: body.contentType,
      cacheControl: body.cacheControl,
      size: body.bytes.byteLength,
      contentLength: body.bytes.byteLength,
      eTag: `"${createHash('md5').update(body.bytes).digest('hex')}"`,
      lastModified: new Date().toUTCString(),
      httpStatusCode: 200,
    };
    const id = await asIdentity(db, who, async (sql) => {
      const limits = await bucketOf(sql, bucket);
      if (limits.file_size_limit !== null && body.bytes.byteLength > Number(limits.file_size_limit)) {
        throw new StorageError(413, 'Payload too large', 'The object exceeded the maximum allowed size', '413');
      }
      const written =
        mode === 'update'
          ? await sql.query<{ id: string }>(
              `update storage.objects set metadata = $3, updated_at = now(), owner = auth.uid()
                where bucket_id = $1 and name = $2 returning id`,
              [bucket, path, metadata],
            )
          : await sql.query<{ id: string }>(
              `insert into storage.objects (bucket_id, name, owner, metadata) values ($1, $2, auth.uid(), $3)
               ${upsert ? 'on conflict (bucket_id, name) do update set metadata = excluded.metadata, owner = excluded.owner, updated_at = now()' : ''}
               returning id`,
              [bucket, path, metadata],
            );
      const objectId = written.rows[0]?.id;
      if (!objectId) throw objectNotFound();
      await sql.query(`reset role`);
      await sql.query(
        `insert into storage.object_data (object_id, bytes) values ($1, $2)
         on conflict (object_id) do update set bytes = excluded.bytes`,
        [objectId, body.bytes],
      );
      return objectId;
    });
    return c.json({ Key: `${bucket}/${path}`, Id: id });
  }

  async function sign(bucket: string, path: string, expiresIn: number): Promise<string> {
    const now = Math.floor(Date.now() / 1000);
    const token = await new SignJWT({ url: `${bucket}/${path}` })
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .setIssuedAt(now)
      .setExpirationTime(now + expiresIn)
      .sign(signingSecret);
    // The raw path: the client runs the whole URL through encodeURI.
    return `/object/sign/${bucket}/${path}?token=${token}`;
  }

  const expiresInOf = (body: Record<string, unknown>) => {
    const expiresIn = Number(body['expiresIn']);
    if (!Number.isInteger(expiresIn) || expiresIn < 1) throw new StorageError(400, 'Invalid Request', 'expiresIn must be a positive integer');
    return expiresIn;
  };

  // ---- buckets
  app.get('/bucket', async (c) => {
    const who = await identify(c, keys);
    const { rows } = await asIdentity(db, who, (sql) => sql.query(`select * from storage.buckets order by id`));
    return c.json(rows);
  });
  app.get('/bucket/:id', async (c) => {
    const who = await identify(c, keys);
    const { rows } = await asIdentity(db, who, (sql) => sql.query(`select * from storage.buckets where id = $1`, [c.req.param('id')]));
    if (!rows[0]) throw bucketNotFound();
    return c.json(rows[0]);
  });
  app.post('/bucket', async (c) => {
    const who = await identify(c, keys);
    const body = (await c.req.json().catch(() => ({}))) as Record<string, unknown>;
    const id = String(body['id'] ?? body['name'] ?? '');
    if (!id) throw new StorageError(400, 'Invalid Request', 'A bucket needs a name');
    if (who.role !== 'service_role') throw policyViolation();
    await db.transaction((sql) =>
      sql.query(`insert into storage.buckets (id, name, public, file_size_limit, allowed_mime_types) values ($1, $1, $2, $3, $4)`, [
        id, body['public'] === true, body['file_size_limit'] ?? null, body['allowed_mime_types'] ?? null,
      ]),
    );
    return c.json({ name: id });
  });

  // ---- objects: one handler per method, dispatching on the path after /object/
  app.all('/object/*', async (c) => {
    const segments = new URL(c.req.url).pathname.split('/').slice(4).filter(Boolean).map(decodeURIComponent);
    const method = c.req.method;
    const [first = '', ...rest] = segments;

    if (first === 'public' && (method === 'GET' || method === 'HEAD')) {
      const [bucket, path] = bucketAndPath(rest);
      const found = await db.transaction((sql) => sql.query<{ public: boolean }>(`select public from storage.buckets where id = $1`, [bucket]));
      if (!found.rows[0]?.public) throw bucketNotFound();
      return sendObject(c, await readObject('owner', bucket, path), c.req.query('download'));
    }

    if (first === 'sign') {
      const [bucket, path] = bucketAndPath(rest);
      if (method === 'GET' || method === 'HEAD') {
        const token = c.req.query('token') ?? '';
        let url: unknown;
        try {
          url = (await jwtVerify(token, signingSecret, { algorithms: ['HS256'] })).payload['url'];
        } catch (error) {
          const expired = (error as { code?: string }).code === 'ERR_JWT_EXPIRED';
          throw new StorageError(400, expired ? 'InvalidJWT' : 'InvalidSignature', expired ? '"exp" claim timestamp check failed' : 'invalid signature', '400');
        }
        if (url !== `${bucket}/${path}`) throw new StorageError(400, 'InvalidSignature', 'The url does not match the signature', '400');
        return sendObject(c, await readObject('owner', bucket, path), c.req.query('download'));
      }
      if (method === 'POST') {
        const who = await identify(c, keys);
        if (denied(who)) throw policyViolation();
        const body = (await c.req.json().catch(() => ({}))) as Record<string, unknown>;
        const expiresIn = expiresInOf(body);
        if (!path && Array.isArray(body['paths'])) {
          const paths = body['paths'].map(String);
          const { rows } = await asIdentity(db, who, (sql) =>
            sql.query<{ name: string }>(`select name from storage.objects where bucket_id = $1 and name = any ($2::text[])`, [bucket, paths]),
          );
          const visible = new Set(rows.map((r) => r.name));
          return c.json(
            await Promise.all(
              paths.map(async (p) => (visible.has(p) ? { error: null, path: p, signedURL: await sign(bucket, p, expiresIn) } : { error: 'Either the object does not exist or you do not have access to it', path: p, signedURL: null })),
            ),
          );
        }
        const { rows } = await asIdentity(db, who, (sql) =>
          sql.query(`select id from storage.objects where bucket_id = $1 and name = $2`, [bucket, path]),
        );
        if (!rows[0]) throw objectNotFound();
        return c.json({ signedURL: await sign(bucket, path, expiresIn) });
      }
    }

    if (first === 'list' && method === 'POST') {
      const [bucket] = bucketAndPath(rest);
      const who = await identify(c, keys);
      const body = (await c.req.json().catch(() => ({}))) as Record<string, unknown>;
      return c.json(await list(who, bucket, body));
    }

    const [bucket, path] = bucketAndPath(first === 'authenticated' ? rest : segments);
    if (method === 'GET' || method === 'HEAD') {
      const who = await identify(c, keys);
      if (denied(who)) throw policyViolation();
      return sendObject(c, await readObject(who, bucket, path), c.req.query('download'));
    }
    if (method === 'POST') return upload(c, bucket, path, 'create');
    if (method === 'PUT') return upload(c, bucket, path, 'update');
    if (method === 'DELETE' && !path) {
      const who = await identify(c, keys);
      const body = (await c.req.json().catch(() => ({}))) as Record<string, unknown>;
      const prefixes = Array.isArray(body['prefixes']) ? body['prefixes'].map(String) : [];
      const { rows } = await asIdentity(db, who, async (sql) => {
        await bucketOf(sql, bucket);
        return sql.query(
          `delete from storage.objects where bucket_id = $1 and name = any ($2::text[])
           returning bucket_id, name, id, owner, metadata, created_at, updated_at, last_accessed_at`,
          [bucket, prefixes],
        );
      });
      return c.json(rows);
    }
    return c.json(new StorageError(404, 'not_found', 'Route not found').toJSON(), 404);
  });

  /** Files directly under the prefix, and its sub-folders (id null), as Storage's list answers. */
  async function list(who: RequestIdentity, bucket: string, body: Record<string, unknown>) {
    const prefix = String(body['prefix'] ?? '').replace(/^\/+|\/+$/g, '');
    const under = prefix ? `${prefix}/` : '';
    const search = String(body['search'] ?? '');
    const limit = Number(body['limit'] ?? 100);
    const offset = Number(body['offset'] ?? 0);
    const sortBy = (body['sortBy'] ?? {}) as { column?: string; order?: string };
    const { rows } = await asIdentity(db, who, async (sql) => {
      await bucketOf(sql, bucket);
      return sql.query<{ name: string; id: string; updated_at: string; created_at: string; last_accessed_at: string; metadata: unknown }>(
        `select name, id, updated_at, created_at, last_accessed_at, metadata from storage.objects
          where bucket_id = $1 and starts_with(name, $2)`,
        [bucket, under],
      );
    });
    const entries = new Map<string, Record<string, unknown>>();
    for (const row of rows) {
      const rest = row.name.slice(under.length);
      const slash = rest.indexOf('/');
      const name = slash === -1 ? rest : rest.slice(0, slash);
      if (search && !name.toLowerCase().includes(search.toLowerCase())) continue;
      if (slash === -1) entries.set(name, { ...row, name });
      else if (!entries.has(name)) entries.set(name, { name, id: null, updated_at: null, created_at: null, last_accessed_at: null, metadata: null });
    }
    const column = sortBy.column === 'created_at' || sortBy.column === 'updated_at' ? sortBy.column : 'name';
    const sorted = [...entries.values()].sort((a, b) => String(a[column] ?? '').localeCompare(String(b[column] ?? '')));
    if (sortBy.order === 'desc') sorted.reverse();
    return sorted.slice(offset, offset + limit);
  }

  return app;
}
