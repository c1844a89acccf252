import Tooltip from '@material-ui/core/Tooltip';

const UNITS: Array<[Intl.RelativeTimeFormatUnit, number]> = [
  ['year', 365 * 24 * 3600],
  ['month', 30 * 24 * 3600],
  ['week', 7 * 24 * 3600],
  ['day', 24 * 3600],
  ['hour', 3600],
  ['minute', 60],
];

const relativeFormat = new Intl.RelativeTimeFormat('en', { numeric: 'auto' });

/** "3 hours ago"; anything under a minute reads "just now". */
export function formatRelativeTime(iso: string, now = Date.now()): string {
  const time = Date.parse(iso);
  if (Number.isNaN(time)) return iso;
  const seconds = Math.round((time - now) / 1000);
  for (const [unit, size] of UNITS) {
    if (Math.abs(seconds) >= size) {
      return relativeFormat.format(Math.trunc(seconds / size), unit);
    }
  }
  return 'just now';
}

/** The exact time, unambiguous across time zones (UTC). */
export function formatExactTime(iso: string): string {
  const time = Date.parse(iso);
  if (Number.isNaN(time)) return iso;
  return `${new Date(time).toISOString().replace('T', ' ').slice(0, 19)} UTC`;
}

/** Relative time, with the exact time on hover. */
export function RelativeTime(props: { iso: string }) {
  const { iso } = props;
  return (
    <Tooltip title={formatExactTime(iso)}>
      <time dateTime={iso}>{formatRelativeTime(iso)}</time>
    </Tooltip>
  );
}
