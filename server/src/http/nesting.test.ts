import { describe, expect, it } from 'vitest';
import { AppError } from './errors.ts';
import { checkJsonText, checkXmlText } from './nesting.ts';

const limits = { maxDepth: 4, maxNodes: 10 };
const refusal = (check: () => void): string | null => {
  try {
    check();
    return null;
  } catch (error) {
    if (error instanceof AppError) return `${error.status} ${error.code}`;
    throw error;
  }
};

describe('checkJsonText', () => {
  it('counts the depth of arrays and objects, not of brackets inside strings', () => {
    expect(refusal(() => checkJsonText('[[[[1]]]]', limits))).toBeNull();
    expect(refusal(() => checkJsonText('[[[[[1]]]]]', limits))).toBe('422 too_deeply_nested');
    expect(refusal(() => checkJsonText('{"a":{"b":{"c":{"d":{}}}}}', limits))).toBe('422 too_deeply_nested');
    expect(refusal(() => checkJsonText('["[[[[[[", "{{{{{{{"]', limits))).toBeNull();
    // an escaped quote does not end the string
    expect(refusal(() => checkJsonText('["\\"[[[[[[\\\\", 1]', limits))).toBeNull();
    // siblings do not add up: depth returns after each close
    expect(refusal(() => checkJsonText('[[[1]],[[2]],[[3]]]', limits))).toBeNull();
  });

  it('counts arrays and objects in all', () => {
    expect(refusal(() => checkJsonText(`[${'{},'.repeat(8)}{}]`, limits))).toBeNull();
    expect(refusal(() => checkJsonText(`[${'{},'.repeat(9)}{}]`, limits))).toBe('413 too_many_values');
  });

  it('scans 100,000 levels without recursion', () => {
    const deep = `${'['.repeat(100_000)}${']'.repeat(100_000)}`;
    expect(refusal(() => checkJsonText(deep, { maxDepth: 64, maxNodes: 1e6 }))).toBe('422 too_deeply_nested');
  });
});

describe('checkXmlText', () => {
  it('counts nested elements; self-closing ones, end tags, comments, CDATA, declarations and quoted ">" do not nest', () => {
    expect(refusal(() => checkXmlText('<?xml version="1.0"?><a><b><c><d/></c></b></a>', limits))).toBeNull();
    expect(refusal(() => checkXmlText('<a><b><c><d><e/></d></c></b></a>', limits))).toBe('422 too_deeply_nested');
    expect(refusal(() => checkXmlText('<a><!-- <b><c><d><e> --><b x="1 > 2" y=\'<c>\'><![CDATA[<c><d><e><f>]]></b></a>', limits))).toBeNull();
    expect(refusal(() => checkXmlText('<!DOCTYPE kml [<!ENTITY x "y">]><a><b/><b/></a>', limits))).toBeNull();
    expect(refusal(() => checkXmlText('<a><b></b><b></b><b></b><b></b></a>', limits))).toBeNull();
  });

  it('counts elements in all', () => {
    expect(refusal(() => checkXmlText(`<a>${'<b/>'.repeat(9)}</a>`, limits))).toBeNull();
    expect(refusal(() => checkXmlText(`<a>${'<b/>'.repeat(10)}</a>`, limits))).toBe('413 too_many_values');
  });
});
