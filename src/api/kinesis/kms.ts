import { ApiError } from '../errors.js';

/** The states of a key the local KMS stand-in knows, and the Kinesis error each gives. */
export type KmsKeyState = 'Enabled' | 'Disabled' | 'PendingDeletion' | 'NotFound' | 'OptInRequired' | 'Throttled' | 'AccessDenied';

/**
 * Reserved key aliases: a stream encrypted (StartStreamEncryption) with one of these behaves as AWS does when its key is
 * in that state. Any other KeyId is an enabled key.
 */
export const RESERVED_KMS_ALIASES: Readonly<Record<string, KmsKeyState>> = {
  'alias/sluice-disabled': 'Disabled',
  'alias/sluice-pending-deletion': 'PendingDeletion',
  'alias/sluice-not-found': 'NotFound',
  'alias/sluice-opt-in-required': 'OptInRequired',
  'alias/sluice-throttled': 'Throttled',
  'alias/sluice-access-denied': 'AccessDenied',
};

/**
 * A local stand-in for AWS KMS: nothing is encrypted, but each key has a state, which StartStreamEncryption checks and
 * which PutRecord, PutRecords and GetRecords check on an encrypted stream. Keys start Enabled unless reserved
 * (RESERVED_KMS_ALIASES) or registered (`keys`); `setKeyState` is KMS's DisableKey/EnableKey/ScheduleKeyDeletion, so a
 * key can go bad after a stream was encrypted with it.
 */
export class LocalKms {
  private readonly states = new Map<string, KmsKeyState>(Object.entries(RESERVED_KMS_ALIASES));

  constructor(keys: Readonly<Record<string, KmsKeyState>> = {}) {
    for (const [id, state] of Object.entries(keys)) this.states.set(id, state);
  }

  setKeyState(keyId: string, state: KmsKeyState): void {
    this.states.set(keyId, state);
  }

  keyState(keyId: string): KmsKeyState {
    return this.states.get(keyId) ?? 'Enabled';
  }

  /** Throws the Kinesis error for using `keyId` unless the key is enabled. */
  check(keyId: string): void {
    const state = this.keyState(keyId);
    switch (state) {
      case 'Enabled':
        return;
      case 'Disabled':
        throw new ApiError('KMSDisabledException', `The KMS key ${keyId} is disabled`);
      case 'PendingDeletion':
        throw new ApiError('KMSInvalidStateException', `The KMS key ${keyId} is pending deletion`);
      case 'NotFound':
        throw new ApiError('KMSNotFoundException', `The KMS key ${keyId} was not found`);
      case 'OptInRequired':
        throw new ApiError('KMSOptInRequired', `The AWS access key id needs a subscription for KMS (key ${keyId})`);
      case 'Throttled':
        throw new ApiError('KMSThrottlingException', `The request for KMS key ${keyId} was throttled by KMS`);
      case 'AccessDenied':
        throw new ApiError('KMSAccessDeniedException', `Access to the KMS key ${keyId} is denied`);
    }
  }
}
