import { afterEach, describe, expect, it, vi } from 'vitest';
import { probeGpu } from '../../../src/engines/gpu-probe';
import { GIB, SWIFTSHADER_REPORT } from '../helpers/gpu-reports';


function adapter(features: string[], info: Record<string, unknown> | undefined, limits: Record<string, number> = {}) {
  return {
    features: new Set(features),
    limits: {
      maxBufferSize: GIB,
      maxStorageBufferBindingSize: GIB,
      maxStorageBuffersPerShaderStage: 10,
      maxComputeWorkgroupStorageSize: 32768,
      ...limits,
    },
    info,
  };
}

afterEach(() => {
  vi.useRealTimers();
});

describe('probeGpu', () => {
  it('reports a missing navigator.gpu without throwing', async () => {
    const report = await probeGpu({ userAgent: 'Mozilla/5.0 (X11; Linux x86_64) Firefox/140.0' });
    expect(report).toMatchObject({ webgpu: false, reason: 'navigator.gpu missing', shaderF16: false, isMobile: false });
  });

  it('reports "no adapter" when requestAdapter gives null (headless Chromium without the flag)', async () => {
    const report = await probeGpu({ gpu: { requestAdapter: async () => null }, deviceMemory: 8 });
    expect(report).toMatchObject({ webgpu: false, reason: 'no adapter', deviceMemoryGB: 8 });
  });

  it('reports a throwing requestAdapter', async () => {
    const report = await probeGpu({
      gpu: {
        requestAdapter: async () => {
          throw new Error('boom');
        },
      },
    });
    expect(report).toMatchObject({ webgpu: false, reason: 'requestAdapter failed: boom' });
  });

  it('gives up on an adapter request that never answers', async () => {
    vi.useFakeTimers();
    const pending = probeGpu({ gpu: { requestAdapter: () => new Promise(() => {}) } });
    await vi.advanceTimersByTimeAsync(6000);
    expect(await pending).toMatchObject({ webgpu: false, reason: 'requestAdapter timed out' });
  });

  it('reads features, limits and adapter.info (SwiftShader as Chromium 156 reports it)', async () => {
    const report = await probeGpu({
      gpu: { requestAdapter: async () => adapter([], { vendor: 'google', architecture: 'swiftshader', description: '', isFallbackAdapter: true }) },
      deviceMemory: 16,
      userAgentData: { mobile: false },
    });
    expect(report).toEqual(SWIFTSHADER_REPORT);
  });

  it('sees shader-f16, falls back to requestAdapterInfo(), and spots phones by user agent', async () => {
    const old = {
      ...adapter(['shader-f16'], undefined, { maxStorageBufferBindingSize: 128 * 1024 * 1024 }),
      requestAdapterInfo: async () => ({ vendor: 'qualcomm', architecture: 'adreno-7xx' }),
    };
    const report = await probeGpu({
      gpu: { requestAdapter: async () => old },
      userAgent: 'Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 Chrome/140.0 Mobile Safari/537.36',
    });
    expect(report).toMatchObject({
      webgpu: true,
      shaderF16: true,
      maxStorageBufferBindingSize: 128 * 1024 * 1024,
      vendor: 'qualcomm',
      architecture: 'adreno-7xx',
      isMobile: true,
      isFallbackAdapter: false,
    });
    expect(report.deviceMemoryGB).toBeUndefined();
  });
});
