import { Content, Header, Page } from '@backstage/core-components';
import { FleetOverview } from './FleetOverview';

/** The page body, for the new frontend system whose page supplies the header. */
export function CloudTrailEncryptionPageContent() {
  return (
    <Content>
      <FleetOverview />
    </Content>
  );
}

/** The fleet page with its own header, for the legacy frontend system. */
export function CloudTrailEncryptionPage() {
  return (
    <Page themeId="tool">
      <Header
        title="CloudTrail encryption"
        subtitle="SSE-KMS encryption of every AWS account's CloudTrail logs"
      />
      <CloudTrailEncryptionPageContent />
    </Page>
  );
}
