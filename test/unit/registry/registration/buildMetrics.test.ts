import assert from 'node:assert/strict';
import { buildMetrics } from '../../../../src/registry/registration/registerInput';
import { isRegistryError } from '../../../../src/core/registryError';

describe('buildMetrics', () => {
  it('stores metrics named like built-in properties as metrics, with their own directions only', () => {
    // JSON.parse makes `__proto__` an own key, as a metrics file or a library caller would give it.
    const values = JSON.parse('{"__proto__": 0.1, "constructor": 0.2, "toString": 0.3, "hasOwnProperty": 0.4}') as Record<string, number>;
    const metrics = buildMetrics(values, JSON.parse('{"__proto__": "min"}') as Record<string, 'min'>);
    assert.deepEqual(Object.keys(metrics).sort(), ['__proto__', 'constructor', 'hasOwnProperty', 'toString']);
    assert.deepEqual(Object.getOwnPropertyDescriptor(metrics, '__proto__')?.value, { value: 0.1, direction: 'min' });
    assert.deepEqual(Object.getOwnPropertyDescriptor(metrics, 'constructor')?.value, { value: 0.2 });
    assert.deepEqual(Object.getOwnPropertyDescriptor(metrics, 'toString')?.value, { value: 0.3 });
    assert.equal(JSON.stringify(metrics).includes('"__proto__":{"value":0.1,"direction":"min"}'), true);
  });

  it('refuses a direction for a metric without a value, whatever its name', () => {
    for (const name of ['toString', 'constructor', '__proto__', 'auc']) {
      assert.throws(
        () => buildMetrics({ loss: 1 }, JSON.parse(`{"${name}": "max"}`) as Record<string, 'max'>),
        (error) => isRegistryError(error, 'INVALID_INPUT') && error.message.includes(`metric '${name}', but no value`),
      );
    }
  });
});
