/** An error as Supabase Storage answers it: `{statusCode, error, message}` (storage-js reads all three). */
export class StorageError extends Error {
  constructor(
    readonly status: number,
    readonly error: string,
    message: string,
    /** the body's statusCode; legacy Storage answers some errors with HTTP 400 and the real code here */
    readonly statusCode: string = String(status),
  ) {
    super(message);
  }

  toJSON() {
    return { statusCode: this.statusCode, error: this.error, message: this.message };
  }
}

export const objectNotFound = () => new StorageError(404, 'not_found', 'Object not found');
export const bucketNotFound = () => new StorageError(404, 'Bucket not found', 'Bucket not found');
/** What a storage policy that refuses answers, on writes and (fault storage_denied) reads. */
export const policyViolation = () => new StorageError(403, 'Unauthorized', 'new row violates row-level security policy');
