import { configApiRef } from '@backstage/core-plugin-api';
import {
  mockApis,
  renderInTestApp,
  TestApiProvider,
} from '@backstage/test-utils';
import { screen } from '@testing-library/react';
import {
  FindingName,
  findingDocsHref,
  findingOptionLabel,
  findingTitleOf,
} from './findings';

describe('finding names', () => {
  it('shows the title and the code, unlinked when no docs URL is configured', async () => {
    await renderInTestApp(<FindingName code="KMS_KEY_REGION_MISMATCH" />);
    expect(
      screen.getByText('KMS key and bucket in different Regions'),
    ).toBeInTheDocument();
    expect(screen.getByText('KMS_KEY_REGION_MISMATCH')).toBeInTheDocument();
    expect(screen.queryByRole('link')).not.toBeInTheDocument();
  });

  it('links to the configured docs URL', async () => {
    await renderInTestApp(
      <TestApiProvider
        apis={[
          [
            configApiRef,
            mockApis.config({
              data: {
                cloudtrailEncryption: {
                  docsUrl: 'https://docs.example.com/trailguard/findings#top',
                },
              },
            }),
          ],
        ]}
      >
        <FindingName code="TRAIL_NOT_LOGGING" />
      </TestApiProvider>,
    );
    expect(
      screen.getByRole('link', { name: 'TRAIL_NOT_LOGGING' }),
    ).toHaveAttribute(
      'href',
      'https://docs.example.com/trailguard/findings#trail_not_logging',
    );
  });

  it('never breaks a code inside a word', async () => {
    await renderInTestApp(<FindingName code="KMS_KEY_REGION_MISMATCH" />);
    const code = screen.getByText('KMS_KEY_REGION_MISMATCH');
    expect(code).toHaveStyle({ whiteSpace: 'nowrap', wordBreak: 'keep-all' });
  });

  it('reads "Title (CODE)" in option lists and keeps unknown codes readable', () => {
    expect(findingOptionLabel('KMS_KEY_PENDING_DELETION')).toBe(
      'KMS key pending deletion (KMS_KEY_PENDING_DELETION)',
    );
    expect(findingTitleOf('SOME_NEWER_CODE' as never)).toBe('SOME_NEWER_CODE');
    expect(
      findingDocsHref('https://x.test/f.md', 'KEY_ROTATION_DISABLED'),
    ).toBe('https://x.test/f.md#key_rotation_disabled');
  });
});
