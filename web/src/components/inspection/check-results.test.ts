import { describe, expect, it } from 'vitest';
import { en } from '../../i18n/en.ts';
import { zh } from '../../i18n/zh.ts';
import { CHECK_RESULT_LABEL, CHECK_RESULTS } from './check-results.ts';

describe('check results', () => {
  it('reads 达标 / 不达标 / 严重不达标 (pass / fail / serious fail), in that order', () => {
    expect(CHECK_RESULTS.map((r) => zh[CHECK_RESULT_LABEL[r]])).toEqual(['达标', '不达标', '严重不达标']);
    expect(CHECK_RESULTS.map((r) => en[CHECK_RESULT_LABEL[r]])).toEqual(['Pass', 'Fail', 'Serious fail']);
  });

  it('has one set of labels: the field app keeps none of its own', () => {
    const keys = Object.keys(zh);
    expect(keys.filter((key) => /^field\.check\.(pass|fail|serious)$/.test(key))).toEqual([]);
    // no other label of the catalogue names a result differently (合格 / 不合格 / 严重 alone)
    expect(Object.values(zh).filter((text) => ['合格', '不合格', '严重'].includes(text))).toEqual([]);
  });
});
