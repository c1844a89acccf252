// @ts-check

/**
 * The fleet list is ordered worst first, then by account id; an index in
 * that order lets a page be read without sorting (or reading) every report.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.alterTable('cloudtrail_encryption_reports', table => {
    table.index(
      ['worst_rank', 'account_id'],
      'cloudtrail_encryption_reports_fleet_order_idx',
    );
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.alterTable('cloudtrail_encryption_reports', table => {
    table.dropIndex(
      ['worst_rank', 'account_id'],
      'cloudtrail_encryption_reports_fleet_order_idx',
    );
  });
};
