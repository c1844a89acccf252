/**
 * The TrailGuard scan engine: AWS readers, key-policy evaluation, findings
 * and the CLI's building blocks.
 *
 * @packageDocumentation
 */
export * from './analysis';
export * from './aws';
export {
  EstateReader,
  type Estate,
  type EstateAccount,
  type EstateReaderOptions,
} from './estate/EstateReader';
export { readEstateSettings, type EstateSettings } from './estate/settings';
export * from './policy';
export * from './readers';
export {
  ScanEngine,
  type ScanAccount,
  type ScanEngineOptions,
  type ScanOptions,
  type ScanProgress,
  type KeyFacts,
  type TrailFacts,
} from './scan/ScanEngine';
export type { Outcome } from './scan/ScanCache';
export type { GrantRecord, KeyMetadataRecord } from './aws/KeyReader';
export type {
  TrailRecord,
  TrailStatusRecord,
  TrailSummaryRecord,
} from './aws/TrailReader';
export {
  createScanEngineFromConfig,
  readScanSettings,
  type ScanSettings,
} from './scan/config';
