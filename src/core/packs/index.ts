// Character-pack corpora and the app's own pack format: one import point for the importer.

export * from './common';
export * from './base64';
export * from './zip';
export * from './chatharuhi';
export * from './rolellm';
export * from './hearth-pack';
