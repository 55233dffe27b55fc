// GGUF files wllama downloaded from URLs and keeps in its own OPFS cache: listing and deleting them.

import type { CachedDownload } from '../../core/model-storage';

/** wllama's ModelManager, loaded only when the model manager opens (the library is large). */
async function modelManager() {
  const { ModelManager } = await import('@wllama/wllama/esm/index.js');
  return new ModelManager();
}

export class WllamaDownloads {
  async list(): Promise<CachedDownload[]> {
    try {
      const models = await (await modelManager()).getModels({ includeInvalid: true });
      return models.map((model) => ({ url: model.url, size: model.size }));
    } catch {
      return []; // no OPFS here: nothing was downloaded
    }
  }

  async remove(url: string): Promise<void> {
    const models = await (await modelManager()).getModels({ includeInvalid: true });
    await Promise.all(models.filter((model) => model.url === url).map((model) => model.remove()));
  }
}

/** The first file of a GGUF wllama downloaded from `url` (absolute), or null when it is not cached. */
export async function openCachedGguf(url: string): Promise<Blob | null> {
  try {
    const models = await (await modelManager()).getModels();
    const model = models.find((m) => m.url === url);
    return model ? ((await model.open())[0] ?? null) : null;
  } catch {
    return null; // no OPFS here
  }
}
