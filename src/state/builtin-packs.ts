// The built-in characters shipped in characters/, loaded lazily so they stay out of the app shell.

import type { BuiltinPack } from '../core/builtin-characters';

const packLoaders = import.meta.glob<BuiltinPack>('/characters/*/character.json', { import: 'default' });
const avatarLoaders = import.meta.glob<string>('/characters/*/avatar.svg', { query: '?raw', import: 'default' });

export interface LoadedPack {
  pack: BuiltinPack;
  /** The avatar as a data: URL, so it stays valid across app versions (asset file names change). */
  avatar: string;
}

export async function loadBuiltinPacks(): Promise<LoadedPack[]> {
  return Promise.all(
    Object.entries(packLoaders).map(async ([path, load]) => {
      const avatarPath = path.replace(/character\.json$/, 'avatar.svg');
      const svg = avatarLoaders[avatarPath] ? await avatarLoaders[avatarPath]() : '';
      return { pack: await load(), avatar: svg ? `data:image/svg+xml;charset=utf-8,${encodeURIComponent(svg)}` : '' };
    }),
  );
}
