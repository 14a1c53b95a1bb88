/**
 * JSON that carries byte arrays (as `{ "$bytes": base64 }`), for the test
 * protocol between Node and the storage object in workerd. Runs on both.
 */

function toBase64(bytes: Uint8Array): string {
  let binary = '';
  for (let i = 0; i < bytes.length; i += 0x8000) {
    binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  }
  return btoa(binary);
}

function fromBase64(text: string): Uint8Array {
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

/** Encodes a value whose leaves may be byte arrays. */
export function encodeWire(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => (v instanceof Uint8Array ? { $bytes: toBase64(v) } : v));
}

/** Decodes what {@link encodeWire} made. */
export function decodeWire<T>(text: string): T {
  return JSON.parse(text, (_key, v: unknown) => {
    if (v !== null && typeof v === 'object' && typeof (v as { $bytes?: unknown }).$bytes === 'string') {
      return fromBase64((v as { $bytes: string }).$bytes);
    }
    return v;
  }) as T;
}
