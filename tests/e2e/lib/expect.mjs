// A few assertions with readable failures, on top of node:assert.
import assert from 'node:assert/strict';

export function expect(actual, what = 'value') {
  return {
    toBe: (expected) => assert.equal(actual, expected, `${what}: expected ${expected}, got ${actual}`),
    toEqual: (expected) => assert.deepEqual(actual, expected, what),
    toBeTruthy: () => assert.ok(actual, `${what}: expected something, got ${actual}`),
    toContain: (part) => assert.ok(String(actual).includes(part), `${what}: "${actual}" lacks "${part}"`),
    notToContain: (part) => assert.ok(!String(actual).includes(part), `${what}: "${actual}" has "${part}"`),
  };
}
