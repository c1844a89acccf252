import { globCovers, globsIntersect, relatePattern } from './patterns';

const LOGS = 'arn:aws:s3:::logs/AWSLogs/111111111111/CloudTrail/*';

describe('relatePattern', () => {
  it.each<[string, boolean, string]>([
    ['arn:aws:s3:::logs/*', true, 'covers'],
    ['arn:aws:s3:::logs/AWSLogs/*/CloudTrail/*', true, 'covers'],
    ['*', true, 'covers'],
    ['arn:aws:s3:::other/*', true, 'disjoint'],
    ['arn:aws:s3:::logs', true, 'disjoint'],
    ['arn:aws:s3:::logs/AWSLogs/222222222222/*', true, 'disjoint'],
    [
      'arn:aws:s3:::logs/AWSLogs/111111111111/CloudTrail/eu-west-1/*',
      true,
      'overlaps',
    ],
    ['arn:aws:s3:::logs/AWSLogs/111111111111/CloudTrail/?', true, 'overlaps'],
    // A literal names one object at most.
    [
      'arn:aws:s3:::logs/AWSLogs/111111111111/CloudTrail/x.json.gz',
      false,
      'overlaps',
    ],
    ['arn:aws:s3:::logs/elsewhere/x', false, 'disjoint'],
    ['arn:aws:s3:::logs/*', false, 'disjoint'],
  ])('%s (wildcards %s) %s the log objects', (policy, wildcards, relation) => {
    expect(relatePattern(policy, LOGS, wildcards)).toBe(relation);
  });

  it('compares literals exactly when the request is one value', () => {
    expect(relatePattern('a', 'a', false)).toBe('covers');
    expect(relatePattern('a', 'b', false)).toBe('disjoint');
    expect(relatePattern('a*', 'ab', true)).toBe('covers');
  });
});

describe('glob set operations', () => {
  it('never lets ? stand for a run of the request pattern', () => {
    expect(globCovers('a?c', 'a*c')).toBe(false);
    expect(globCovers('a*c', 'a?c')).toBe(true);
    expect(globCovers('a*', 'ab*')).toBe(true);
    expect(globCovers('ab*', 'a*')).toBe(false);
  });

  it('finds a common value when there is one', () => {
    expect(globsIntersect('a*z', '*b*')).toBe(true);
    expect(globsIntersect('a*', 'b*')).toBe(false);
    expect(globsIntersect('*x', '*y')).toBe(false);
    expect(globsIntersect('a?', 'ab')).toBe(true);
    expect(globsIntersect('a?', 'abc')).toBe(false);
  });
});
