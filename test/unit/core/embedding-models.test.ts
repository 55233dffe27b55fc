// Picking a model folder: which weights are used, which id the vectors get, and what is missing.

import { describe, expect, it } from 'vitest';
import { DEFAULT_EMBEDDING_MODELS, defaultSource, folderModelId, planModelFolder } from '../../../src/core/embedding-models';
import { CHATHARUHI_EMBEDDING_MODELS } from '../../../src/core/packs/chatharuhi';

describe('default embedding models', () => {
  it('are the bge-small models ChatHaruhi packs carry vectors for, so imported vectors are used as they are', () => {
    expect(DEFAULT_EMBEDDING_MODELS.zh).toMatchObject({ modelId: CHATHARUHI_EMBEDDING_MODELS.bge_zh_s15.model, dim: 512 });
    expect(DEFAULT_EMBEDDING_MODELS.en).toMatchObject({ modelId: CHATHARUHI_EMBEDDING_MODELS.bge_en_s15.model, dim: 384 });
    expect(defaultSource('zh')).toEqual({ kind: 'hub', modelId: 'Xenova/bge-small-zh-v1.5', dtype: 'q8' });
  });
});

describe('planModelFolder', () => {
  const folder = (name: string, files: string[]) => files.map((f) => `${name}/${f}`);

  it('prefers the quantised weights and keeps only the files the model needs', () => {
    const plan = planModelFolder(folder('my-model', ['config.json', 'tokenizer.json', 'tokenizer_config.json', 'README.md', 'onnx/model.onnx', 'onnx/model_quantized.onnx', 'onnx/model_fp16.onnx']));
    expect(plan).toEqual({
      folderName: 'my-model',
      modelId: 'local/my-model',
      dtype: 'q8',
      paths: ['config.json', 'onnx/model_quantized.onnx', 'tokenizer.json', 'tokenizer_config.json'],
    });
  });

  it('uses fp32 weights when those are all there is, with their external data file', () => {
    const plan = planModelFolder(folder('m', ['config.json', 'tokenizer.json', 'onnx/model.onnx', 'onnx/model.onnx_data']));
    expect(plan).toMatchObject({ dtype: 'fp32', paths: ['config.json', 'onnx/model.onnx', 'onnx/model.onnx_data', 'tokenizer.json'] });
  });

  it('keeps the hub id for a folder named like a default model, so its stored vectors stay valid', () => {
    const plan = planModelFolder(folder('bge-small-zh-v1.5', ['config.json', 'tokenizer.json', 'onnx/model_quantized.onnx']));
    expect(plan).toMatchObject({ modelId: 'Xenova/bge-small-zh-v1.5' });
  });

  it('names what is missing', () => {
    expect(planModelFolder(folder('x', ['tokenizer.json', 'onnx/model.onnx']))).toEqual({ problem: 'no-config' });
    expect(planModelFolder(folder('x', ['config.json', 'onnx/model.onnx']))).toEqual({ problem: 'no-tokenizer' });
    expect(planModelFolder(folder('x', ['config.json', 'tokenizer.json', 'model.safetensors']))).toEqual({ problem: 'no-weights' });
    expect(planModelFolder([])).toEqual({ problem: 'no-config' });
  });

  it('turns any folder name into an id transformers.js accepts', () => {
    expect(folderModelId('My Model (v2)')).toBe('local/My-Model-v2');
    expect(folderModelId('模型')).toBe('local/model');
    expect(folderModelId('a--b')).toBe('local/a-b');
  });
});
