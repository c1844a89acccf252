/**
 * Effective readers of a trail's log files: the pure analysis (no SDK, no
 * I/O). The scan engine reads the documents (IAM authorization details,
 * bucket policy, SCPs/RCPs) and hands them here.
 */
export { analyzeReaders } from './analyze';
export { readerAccountsFor } from './accounts';
export { READER_FINDING_CODES } from './findings';
export {
  accountIdOfDetails,
  decodePolicyDocument,
  principalsOf,
} from './authorizationDetails';
export type { IamPrincipal, IdentityPolicy } from './authorizationDetails';
export { permissionSetOf } from './trust';
export type {
  AuthorizationDetails,
  OrganizationPolicies,
  OrganizationPolicy,
  ReaderAccountInput,
  ReaderAccountsInput,
  ReaderAccountsPlan,
  ReaderAnalysisInput,
  ReaderTrailInput,
} from './types';
