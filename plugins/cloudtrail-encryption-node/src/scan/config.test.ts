import { ConfigReader } from '@backstage/config';
import type { JsonObject } from '@backstage/types';
import { readScanSettings } from './config';

const settings = (aws: JsonObject) =>
  readScanSettings(new ConfigReader({ cloudtrailEncryption: { aws } }));

describe('readScanSettings: AWS timeouts', () => {
  it('reads milliseconds or a duration, with 10 s and 60 s by default', () => {
    expect(settings({})).toMatchObject({
      requestTimeoutMs: 10_000,
      callTimeoutMs: 60_000,
    });
    expect(
      settings({ requestTimeout: 2500, callTimeout: { minutes: 2 } }),
    ).toMatchObject({ requestTimeoutMs: 2500, callTimeoutMs: 120_000 });
  });

  it.each([0, -1, { seconds: -5 }])(
    'refuses a callTimeout of %j: every call would be aborted as it starts',
    value => {
      expect(() => settings({ callTimeout: value })).toThrow(
        `cloudtrailEncryption.aws.callTimeout must be a positive duration, not ${JSON.stringify(
          value,
        )}`,
      );
    },
  );
});
