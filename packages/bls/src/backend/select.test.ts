import { afterEach, describe, expect, it, vi } from 'vitest';

// A fresh copy of the package per test: the active backend is module state.
async function freshSelect() {
  vi.resetModules();
  return import('./select.js');
}

describe('initBls', () => {
  afterEach(() => {
    vi.unstubAllGlobals();
  });

  it('starts on noble without any call (sync use works before or without init)', async () => {
    const { blsBackendName } = await freshSelect();
    expect(blsBackendName()).toBe('noble');
  });

  it('picks mcl-wasm where WebAssembly loads, and can switch back to noble', async () => {
    const { blsBackendName, initBls } = await freshSelect();
    expect(await initBls()).toBe('mcl-wasm');
    expect(blsBackendName()).toBe('mcl-wasm');
    expect(await initBls({ backend: 'noble' })).toBe('noble');
    expect(blsBackendName()).toBe('noble');
  });

  it('the latest call decides, even when an earlier load finishes after it', async () => {
    const { blsBackendName, initBls } = await freshSelect();
    const loading = initBls({ backend: 'mcl-wasm' });
    expect(await initBls({ backend: 'noble' })).toBe('noble');
    expect(await loading).toBe('noble');
    expect(blsBackendName()).toBe('noble');
  });

  it('refuses to compute if other code re-initialises mcl with another curve', async () => {
    const { activeBackend, initBls } = await freshSelect();
    expect(await initBls({ backend: 'mcl-wasm' })).toBe('mcl-wasm');
    const mcl = await import('mcl-wasm');
    const { G1 } = await import('../curve.js');
    await mcl.init(mcl.BLS12_381);
    expect(() => activeBackend().g1Mul(G1.BASE, 5n)).toThrow(/another curve/);
  });

  it('falls back to noble where WebAssembly is refused, and reports it when mcl-wasm was required', async () => {
    const { blsBackendName, initBls } = await freshSelect();
    vi.stubGlobal('WebAssembly', undefined);
    expect(await initBls()).toBe('noble');
    expect(blsBackendName()).toBe('noble');
    await expect(initBls({ backend: 'mcl-wasm' })).rejects.toMatchObject({
      name: 'BackendUnavailableError',
      code: 'BACKEND_UNAVAILABLE',
    });
    expect(blsBackendName()).toBe('noble');
  });
});
