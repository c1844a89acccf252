/** The scan role each sandbox account lets the scan assume (read-only). */
export const SCAN_ROLES = [{ name: 'TrailGuardReadOnly', readOnly: true }];

/** An administrator role: every action on every resource, by an inline policy. */
export const adminRole = {
  name: 'admin',
  inlinePolicies: [
    {
      name: 'everything',
      document: {
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }],
      },
    },
  ],
};
