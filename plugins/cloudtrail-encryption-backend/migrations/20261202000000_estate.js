// @ts-check

/**
 * The estate (which accounts are scanned and trusted) as last read, archived
 * reports of accounts that left it, and each run's per-account outcome so
 * that history can be counted over the accounts a caller may see.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('cloudtrail_encryption_estate', table => {
    table.comment('The last good estate read and the last read error');
    table.integer('id').primary().notNullable().comment('Always 1');
    table.text('estate').nullable().comment('The Estate as JSON');
    table.string('read_at', 32).nullable();
    table.text('error').nullable();
    table.string('error_at', 32).nullable();
  });

  await knex.schema.alterTable('cloudtrail_encryption_reports', table => {
    table
      .string('archived_at', 32)
      .nullable()
      .comment('Set when the account left the estate; deleted after retention');
    table
      .text('membership')
      .nullable()
      .comment("The account's AccountMembership as JSON");
    table.index(['archived_at'], 'cloudtrail_encryption_reports_archived_idx');
  });

  await knex.schema.alterTable('cloudtrail_encryption_scan_runs', table => {
    table
      .text('outcomes')
      .nullable()
      .comment(
        'JSON [accountId, status, scanStatus][] of the accounts the run covered',
      );
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.alterTable('cloudtrail_encryption_scan_runs', table => {
    table.dropColumn('outcomes');
  });
  await knex.schema.alterTable('cloudtrail_encryption_reports', table => {
    table.dropIndex(
      ['archived_at'],
      'cloudtrail_encryption_reports_archived_idx',
    );
    table.dropColumn('membership');
    table.dropColumn('archived_at');
  });
  await knex.schema.dropTable('cloudtrail_encryption_estate');
};
