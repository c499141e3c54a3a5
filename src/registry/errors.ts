/**
 * The OCI distribution error vocabulary (distribution-spec v1.1 "Error Codes", plus Docker's TAG_INVALID
 * that ECR also sends), each with the HTTP status the reference registry answers with. A closed set:
 * `RegistryError` takes only these codes, so a handler cannot send a code a client will not recognise.
 * Bodies are `{"errors":[{"code","message","detail"}]}`.
 */
export const REGISTRY_ERRORS = {
  BLOB_UNKNOWN: 404,
  BLOB_UPLOAD_INVALID: 400,
  BLOB_UPLOAD_UNKNOWN: 404,
  DIGEST_INVALID: 400,
  MANIFEST_BLOB_UNKNOWN: 400,
  MANIFEST_INVALID: 400,
  MANIFEST_UNKNOWN: 404,
  NAME_INVALID: 400,
  NAME_UNKNOWN: 404,
  SIZE_INVALID: 400,
  TAG_INVALID: 400,
  UNAUTHORIZED: 401,
  DENIED: 403,
  UNSUPPORTED: 405,
  TOOMANYREQUESTS: 429,
} as const satisfies Record<string, number>;

export type RegistryErrorCode = keyof typeof REGISTRY_ERRORS;

export class RegistryError extends Error {
  constructor(
    readonly code: RegistryErrorCode,
    message: string,
    readonly detail?: unknown,
    /** Overrides the code's usual status (416 for an out-of-order chunk is BLOB_UPLOAD_INVALID). */
    readonly statusOverride?: number,
  ) {
    super(message);
    this.name = 'RegistryError';
  }
  get status(): number {
    return this.statusOverride ?? REGISTRY_ERRORS[this.code];
  }
  body(): string {
    return JSON.stringify({ errors: [{ code: this.code, message: this.message, ...(this.detail !== undefined ? { detail: this.detail } : {}) }] });
  }
}
