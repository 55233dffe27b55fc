// Character-pack corpora and the app's own pack format: one import point for the importer.

export * from './common';
export * from './vectors';
export * from './pack-archive';
export * from './chatharuhi';
export * from './rolellm';
export * from './hearth-pack';
