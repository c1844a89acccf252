import { createExtensionTester } from '@backstage/frontend-test-utils';
import { FormFieldBlueprint } from '@backstage/plugin-scaffolder-react/alpha';
import plugin, { cloudtrailEncryptionRemediationPreviewField } from './index';

describe('the remediation preview form field', () => {
  it('is an extension of the plugin, attached to the scaffolder form fields', async () => {
    expect(
      plugin.getExtension(
        'scaffolder-form-field:cloudtrail-encryption/remediation-preview',
      ),
    ).toBeDefined();
    const tester = createExtensionTester(
      cloudtrailEncryptionRemediationPreviewField,
    );
    const load = tester.get(FormFieldBlueprint.dataRefs.formFieldLoader);
    const field = await load();
    expect(field.$$type).toBe('@backstage/scaffolder/FormField');
  });
});
