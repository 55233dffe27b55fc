import { describe, expect, it } from 'vitest';
import { CPU_MODELS, offerCpuModels } from '../../../src/core/cpu-models';

describe('offerCpuModels: the GGUF offered without WebGPU', () => {
  it('offers a model that speaks Chinese to a Chinese interface, whatever the memory', () => {
    for (const memory of [0.5, 2, 4, 8, undefined]) {
      const offer = offerCpuModels('zh', memory);
      expect(offer.recommended.languages).toContain('zh');
      expect(offer.models.every((entry) => entry.model.languages.includes('zh'))).toBe(true);
    }
  });

  it('offers the larger model on a roomy device and a smaller one on a 2 GB device', () => {
    const roomy = offerCpuModels('en', 8).recommended;
    const small = offerCpuModels('en', 2).recommended;
    expect(roomy.sizeMB).toBeGreaterThan(small.sizeMB);
    expect(offerCpuModels('zh', 2).recommended.id).toBe('qwen2.5-0.5b-instruct-q4_k_m');
    expect(offerCpuModels('zh', 8).recommended.id).toBe('qwen2.5-1.5b-instruct-q4_k_m');
  });

  it('marks what does not fit and, when nothing fits, still offers the smallest model', () => {
    const offer = offerCpuModels('en', 0.5);
    expect(offer.models.every((entry) => !entry.fits)).toBe(true);
    expect(offer.recommended.sizeMB).toBe(Math.min(...offer.models.map((entry) => entry.model.sizeMB)));
  });

  it('assumes a middling device when the browser does not tell its memory', () => {
    expect(offerCpuModels('en', undefined).recommended).toEqual(offerCpuModels('en', 4).recommended);
  });

  it('lists only Hugging Face resolve URLs of GGUF files, each with a licence and a size', () => {
    for (const model of CPU_MODELS) {
      expect(model.url).toMatch(/^https:\/\/huggingface\.co\/[^/]+\/[^/]+\/resolve\/main\/[^/]+\.gguf$/);
      expect(model.licence).not.toBe('');
      expect(model.sizeMB).toBeGreaterThan(100);
    }
  });
});
