// @ts-check

/**
 * Scan runs record who asked for them and their progress while they run;
 * on-demand full scans are requested per shard so that whichever replica
 * runs a shard records it as on demand, not as scheduled.
 *
 * @param {import('knex').Knex} knex
 */
exports.up = async function up(knex) {
  await knex.schema.alterTable('cloudtrail_encryption_scan_runs', table => {
    table
      .string('requested_by', 255)
      .nullable()
      .comment('Entity ref (or service) that asked for an on-demand run');
    table
      .string('request_id', 36)
      .nullable()
      .comment('The on-demand full scan this shard run belongs to');
    table
      .integer('planned_count')
      .nullable()
      .comment('Accounts the run set out to scan');
    table
      .string('updated_at', 32)
      .nullable()
      .comment('Last progress recorded while running');
    table.index(['request_id'], 'cloudtrail_encryption_scan_runs_request_idx');
  });

  await knex.schema.createTable(
    'cloudtrail_encryption_scan_requests',
    table => {
      table.comment(
        'On-demand full scans, one row per shard task, until a run claims it',
      );
      table.string('request_id', 36).notNullable();
      table.string('task_id', 100).notNullable();
      table.string('requested_by', 255).nullable();
      table.string('requested_at', 32).notNullable();
      table.string('claimed_at', 32).nullable();
      table
        .string('run_id', 36)
        .nullable()
        .comment('The run that claimed this shard of the request');
      table.primary(['request_id', 'task_id']);
      table.index(
        ['task_id', 'claimed_at'],
        'cloudtrail_encryption_scan_requests_task_idx',
      );
    },
  );
};

/** @param {import('knex').Knex} knex */
exports.down = async function down(knex) {
  await knex.schema.dropTable('cloudtrail_encryption_scan_requests');
  await knex.schema.alterTable('cloudtrail_encryption_scan_runs', table => {
    table.dropIndex(
      ['request_id'],
      'cloudtrail_encryption_scan_runs_request_idx',
    );
    table.dropColumn('updated_at');
    table.dropColumn('planned_count');
    table.dropColumn('request_id');
    table.dropColumn('requested_by');
  });
};
