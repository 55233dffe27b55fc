// Public surface of the character-card codecs (Character Card V1/V2/V3 as JSON, PNG/APNG, CHARX).

export { CardError, CARD_ERROR_REASONS, isCardError, type CardErrorReason } from './errors';
export {
  CARD_PRESERVED_KEY,
  HEARTH_EXTENSION_KEY,
  UNKNOWN_FIELDS_KEY,
  cardJsonBytes,
  exportCardV2,
  exportCardV3,
  exportPngCard,
  guessLanguage,
  parseCard,
  parseLorebook,
  stripDecorators,
  type CardCharacter,
  type CardExportOptions,
  type CardSources,
  type CardSpec,
  type ParsedCard,
  type PreservedCard,
} from './card';
export { exportCharx, importCharx, type CharxExportOptions, type CharxImportOptions } from './charx';
export {
  MAX_CARD_FILE_BYTES,
  importCardFile,
  importJsonCard,
  importPngCard,
  type CardFileFormat,
  type ImportOptions,
  type ImportResult,
} from './detect';
export {
  encodePng,
  encodeSolidPng,
  isPng,
  placeholderPng,
  readPngCard,
  readPngChunks,
  stripCardChunks,
  writePngCard,
  type PngChunk,
} from './png';
export { DEFAULT_ZIP_LIMITS, type ZipLimits } from './charx-archive';
export { fromDataUrl, toDataUrl, type ImageBytes } from './media';
