// @ts-check

/**
 * Reports (the latest per account) and scan-run history.
 * Times are ISO 8601 strings so that SQLite and PostgreSQL sort them alike.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.createTable('cloudtrail_encryption_reports', table => {
    table.comment(
      'The latest CloudTrail encryption report of each AWS account',
    );
    table.string('account_id', 12).primary().notNullable();
    table.string('account_name', 255).nullable();
    table.string('status', 20).notNullable();
    table.string('scan_status', 10).notNullable();
    table.string('scanned_at', 32).notNullable();
    table.string('last_success_at', 32).nullable();
    table.text('error').nullable();
    table.integer('trail_count').notNullable().defaultTo(0);
    table.string('worst_code', 64).nullable();
    table.string('worst_severity', 10).nullable();
    table
      .integer('worst_rank')
      .notNullable()
      .defaultTo(9)
      .comment('0 = critical … 4 = info, 9 = no finding: for sorting');
    table
      .text('finding_codes')
      .notNullable()
      .defaultTo('')
      .comment(
        'Comma-delimited, with leading and trailing commas, for filtering',
      );
    table.text('report').notNullable().comment('The AccountReport as JSON');
    table.index(['status'], 'cloudtrail_encryption_reports_status_idx');
  });

  await knex.schema.createTable('cloudtrail_encryption_scan_runs', table => {
    table.comment('One row per scan run (or shard of a scheduled scan)');
    table.string('id', 36).primary().notNullable();
    table.string('trigger', 16).notNullable();
    table.string('shard', 16).nullable();
    table.string('started_at', 32).notNullable();
    table.string('finished_at', 32).nullable();
    table.integer('account_count').notNullable().defaultTo(0);
    table.integer('error_count').notNullable().defaultTo(0);
    table
      .text('counts_by_status')
      .notNullable()
      .defaultTo('{}')
      .comment('Fleet-wide counts by status when the run finished (JSON)');
    table.index(['started_at'], 'cloudtrail_encryption_scan_runs_started_idx');
  });
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.dropTable('cloudtrail_encryption_scan_runs');
  await knex.schema.dropTable('cloudtrail_encryption_reports');
};
