// Finds out what this browser's GPU can do for web-llm (WebGPU, shader-f16, buffer limits, memory).

import type { GpuReport } from '../core/model-catalog';

// TypeScript's DOM lib has no WebGPU types (and @webgpu/types is not a dependency): only the
// members read here are declared.
interface ProbeAdapterInfo {
  vendor?: string;
  architecture?: string;
  description?: string;
  device?: string;
  isFallbackAdapter?: boolean;
}
interface ProbeAdapter {
  features: { has(name: string): boolean };
  limits: Record<string, number | undefined>;
  info?: ProbeAdapterInfo;
  /** Before Chrome 127 the info came from a method. */
  requestAdapterInfo?: () => Promise<ProbeAdapterInfo>;
  /** Older spelling, before it moved to info.isFallbackAdapter. */
  isFallbackAdapter?: boolean;
}
interface ProbeGpu {
  requestAdapter(options?: { powerPreference?: 'high-performance' | 'low-power' }): Promise<ProbeAdapter | null>;
}
interface ProbeNavigator {
  gpu?: ProbeGpu;
  deviceMemory?: number;
  userAgent?: string;
  userAgentData?: { mobile?: boolean };
}

const ADAPTER_TIMEOUT_MS = 5000;

function deviceFacts(nav: ProbeNavigator): Pick<GpuReport, 'deviceMemoryGB' | 'isMobile'> {
  const facts: Pick<GpuReport, 'deviceMemoryGB' | 'isMobile'> = {};
  if (typeof nav.deviceMemory === 'number' && nav.deviceMemory > 0) facts.deviceMemoryGB = nav.deviceMemory;
  const mobile = nav.userAgentData?.mobile;
  // iPadOS reports a desktop Safari UA; its 'Macintosh' with touch is not worth guessing at here.
  facts.isMobile = typeof mobile === 'boolean' ? mobile : /Android|iPhone|iPad|iPod|Mobile/i.test(nav.userAgent ?? '');
  return facts;
}

function unavailable(reason: string, nav: ProbeNavigator): GpuReport {
  return {
    webgpu: false,
    reason,
    shaderF16: false,
    maxBufferSize: 0,
    maxStorageBufferBindingSize: 0,
    vendor: '',
    architecture: '',
    ...deviceFacts(nav),
  };
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T | 'timeout'> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => resolve('timeout'), ms);
    promise.then(
      (value) => { clearTimeout(timer); resolve(value); },
      (error: unknown) => { clearTimeout(timer); reject(error); },
    );
  });
}

/**
 * Never throws: without WebGPU it answers webgpu:false with a reason. Asks for the
 * high-performance adapter, as web-llm itself does.
 */
export async function probeGpu(nav: ProbeNavigator = globalThis.navigator as unknown as ProbeNavigator): Promise<GpuReport> {
  if (!nav) return unavailable('navigator missing', {});
  if (!nav.gpu) {
    const secure = (globalThis as { isSecureContext?: boolean }).isSecureContext;
    return unavailable(secure === false ? 'navigator.gpu missing (page is not a secure context)' : 'navigator.gpu missing', nav);
  }
  try {
    const adapter = await withTimeout(nav.gpu.requestAdapter({ powerPreference: 'high-performance' }), ADAPTER_TIMEOUT_MS);
    if (adapter === 'timeout') return unavailable('requestAdapter timed out', nav);
    if (!adapter) return unavailable('no adapter', nav);
    let info: ProbeAdapterInfo = adapter.info ?? {};
    if (!adapter.info && typeof adapter.requestAdapterInfo === 'function') {
      try {
        info = await adapter.requestAdapterInfo();
      } catch {
        info = {};
      }
    }
    const limit = (name: string) => {
      const value = adapter.limits[name];
      return typeof value === 'number' ? value : 0;
    };
    const report: GpuReport = {
      webgpu: true,
      shaderF16: adapter.features.has('shader-f16'),
      maxBufferSize: limit('maxBufferSize'),
      maxStorageBufferBindingSize: limit('maxStorageBufferBindingSize'),
      maxStorageBuffersPerShaderStage: limit('maxStorageBuffersPerShaderStage'),
      maxComputeWorkgroupStorageSize: limit('maxComputeWorkgroupStorageSize'),
      vendor: info.vendor ?? '',
      architecture: info.architecture ?? '',
      description: info.description ?? '',
      isFallbackAdapter: info.isFallbackAdapter ?? adapter.isFallbackAdapter ?? false,
      ...deviceFacts(nav),
    };
    return report;
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return unavailable(`requestAdapter failed: ${message}`, nav);
  }
}
