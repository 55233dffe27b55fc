// GPU reports the catalog and probe tests share: what real browsers were seen to report.

import type { GpuReport } from '../../../src/core/model-catalog';

export const GIB = 1024 ** 3;

/** What Debian's headless Chromium reports with --enable-unsafe-webgpu (probed in a real browser). */
export const SWIFTSHADER_REPORT: GpuReport = {
  webgpu: true,
  shaderF16: false,
  maxBufferSize: GIB,
  maxStorageBufferBindingSize: GIB,
  maxStorageBuffersPerShaderStage: 10,
  maxComputeWorkgroupStorageSize: 32768,
  vendor: 'google',
  architecture: 'swiftshader',
  description: '',
  isFallbackAdapter: true,
  deviceMemoryGB: 16,
  isMobile: false,
};
