import assert from 'node:assert/strict';
import { compileQuery, likeToGlob, parseOrderBy } from '../../../../src/core/search/queryCompiler';
import { completeQuery } from '../../../../src/core/search/queryCompletion';
import { parseQuery, QueryError, type QueryNode } from '../../../../src/core/search/queryParser';
import { semverOrderKey, type QueryVocabulary } from '../../../../src/core/search/versionSearch';

/** The tree as a compact string: (a AND b), fields by name, values by text. */
function shape(node: QueryNode | undefined): string {
  if (!node) return '';
  switch (node.kind) {
    case 'and':
    case 'or':
      return `(${shape(node.left)} ${node.kind.toUpperCase()} ${shape(node.right)})`;
    case 'not':
      return `NOT ${shape(node.operand)}`;
    case 'compare':
      return `${node.field.text}${node.op}${node.value.text}`;
    case 'in':
      return `${node.field.text} ${node.negated ? 'NOT IN' : 'IN'} [${node.values.map((value) => value.text).join(',')}]`;
    case 'like':
      return `${node.field.text} ${node.negated ? 'NOT ' : ''}${node.caseInsensitive ? 'ILIKE' : 'LIKE'} ${node.pattern.text}`;
  }
}

function queryError(query: string): QueryError {
  try {
    compileQuery(query, parseQuery(query, { metrics: ['accuracy', 'latency_ms'], tags: ['team'] }));
  } catch (error) {
    assert.ok(error instanceof QueryError, `expected a QueryError, got ${String(error)}`);
    assert.equal(error.code, 'INVALID_INPUT');
    return error;
  }
  assert.fail(`expected '${query}' to be refused`);
}

describe('search query language', () => {
  describe('parsing', () => {
    it('binds NOT tighter than AND, and AND tighter than OR; parentheses override', () => {
      assert.equal(shape(parseQuery('name = a OR name = b AND NOT stage = None')), '(name=a OR (name=b AND NOT stage=None))');
      assert.equal(shape(parseQuery('(name = a OR name = b) AND stage = None')), '((name=a OR name=b) AND stage=None)');
      assert.equal(shape(parseQuery('name = a AND name = b AND name = c')), '((name=a AND name=b) AND name=c)');
      assert.equal(shape(parseQuery('NOT (name = a OR name = b)')), 'NOT (name=a OR name=b)');
    });

    it('reads every operator, keywords in any case, and quoted keys', () => {
      assert.equal(
        shape(parseQuery(`version >= 2 and version <> 3 and alias not in ('a', "b") and name ilike 'F%' and name not like 'x%' and tags."cost center" == 'r&d'`)),
        "(((((version>=2 AND version!=3) AND alias NOT IN [a,b]) AND name ILIKE F%) AND name NOT LIKE x%) AND tags.cost center=r&d)",
      );
      assert.equal(parseQuery("description = 'it''s'")?.kind === 'compare' && (parseQuery("description = 'it''s'") as { value: { text: string } }).value.text, "it's");
      assert.equal(parseQuery('   '), undefined);
    });

    it('points at the offending character with a column and a caret line', () => {
      const unclosed = queryError("name = 'fraud");
      assert.equal(unclosed.column, 8);
      assert.match(unclosed.message, /column 8: this single quote is never closed/);
      assert.equal(unclosed.message.split('\n')[2], `  ${' '.repeat(7)}^`);

      const missingValue = queryError('metrics.accuracy > AND name = x');
      assert.equal(missingValue.start, 19);
      assert.match(missingValue.detail, /expected a value .* found 'AND'/);

      const stray = queryError('name = a name = b');
      assert.deepEqual([stray.start, stray.end], [9, 13]);
      assert.match(stray.detail, /expected AND or OR, found 'name'/);

      assert.equal(queryError('(name = a').start, 9);
      assert.match(queryError('(name = a').detail, /the '\(' at column 1 is never closed/);
      assert.match(queryError('name = a)').detail, /a '\)' without its '\('/);
      assert.match(queryError('name ; DROP TABLE models').detail, /unexpected character ';'/);
      assert.match(queryError('name IN a').detail, /IN takes a list in parentheses/);
    });

    it('suggests the nearest field for an unknown one', () => {
      assert.match(queryError('metric.accuracy > 0.9').detail, /unknown field 'metric.accuracy'; did you mean 'metrics.accuracy'\?/);
      assert.match(queryError('crated_by = a').detail, /did you mean 'created_by'/);
      assert.match(queryError('git.brnch = main').detail, /did you mean 'git.branch'/);
      // Keys are open-ended (a metric nobody recorded yet matches nothing); only what follows is wrong here.
      assert.equal(queryError('metrics.acuracy > 1 OR x').start, 23);
      const farOff = queryError('zzzzzzzzzzzz = 1');
      assert.match(farOff.detail, /unknown field 'zzzzzzzzzzzz'\. Fields: name, version/);
      assert.deepEqual([farOff.start, farOff.end], [0, 12]);
    });
  });

  describe('compiling', () => {
    const now = new Date('2026-03-01T00:00:00.000Z');
    const compile = (query: string): { where: string; params: (string | number)[] } => compileQuery(query, parseQuery(query), now);

    it('binds every value and key as a parameter, never as SQL text', () => {
      const hostile = `x'); DROP TABLE models; --`;
      const compiled = compile(`name = '${hostile.replace(/'/g, "''")}' AND tags."k'); DELETE FROM aliases; --" = 'v' OR description LIKE '%/* */%'`);
      assert.deepEqual(compiled.params, [hostile, "k'); DELETE FROM aliases; --", 'v', '*/[*] [*]/*']);
      for (const fragment of ['DROP', 'DELETE', '--', '/*']) assert.ok(!compiled.where.includes(fragment), `${fragment} in ${compiled.where}`);
      assert.equal((compiled.where.match(/\?/g) ?? []).length, compiled.params.length);
    });

    it('reads relative times and dates against now, as stored ISO text', () => {
      assert.deepEqual(compile('created_at > now-30d').params, ['2026-01-30T00:00:00.000Z']);
      assert.deepEqual(compile('created_at >= now-12h').params, ['2026-02-28T12:00:00.000Z']);
      assert.deepEqual(compile('created_at < now').params, ['2026-03-01T00:00:00.000Z']);
      assert.deepEqual(compile('created_at = 2026-02-03').params, ['2026-02-03T00:00:00.000Z', '2026-02-04T00:00:00.000Z']);
      assert.deepEqual(compile("created_at <= '2026-02-03'").params, ['2026-02-04T00:00:00.000Z']);
      assert.deepEqual(compile('created_at > 2026-02-03T10:00:00+02:00').params, ['2026-02-03T08:00:00.000Z']);
      assert.match(queryError('created_at > yesterday').detail, /'yesterday' is not a time; .*now-30d/);
    });

    it('checks values against the field type, pointing at the value', () => {
      const number = queryError('metrics.accuracy > high');
      assert.equal(number.start, 19);
      assert.match(number.detail, /metrics.accuracy is a number; 'high' is not/);
      assert.match(queryError('stage = live').detail, /'live' is not a stage; stages are None, Staging, Production, Archived/);
      assert.match(queryError('stage > None').detail, /stages have no order/);
      assert.match(queryError('semver > 1.x').detail, /'1.x' is not a semver label/);
      assert.deepEqual(compile('stage IN (production, "staging")').params, ['Production', 'Staging']);
    });

    it('makes LIKE case-sensitive (GLOB) and ILIKE not, with \\ escaping % and _', () => {
      assert.equal(likeToGlob('fraud%'), 'fraud*');
      assert.equal(likeToGlob('a_b\\%c*?[x]'), 'a?b%c[*][?][[]x]');
      assert.match(compile("name ILIKE 'F%'").where, /LIKE \? ESCAPE/);
    });

    it('orders only by single-valued fields', () => {
      assert.deepEqual(parseOrderBy('metrics.accuracy DESC').descending, true);
      assert.equal(parseOrderBy('created_at').descending, false);
      assert.throws(() => parseOrderBy('alias'), /cannot order by 'alias'/);
      assert.throws(() => parseOrderBy('metrics.accuracy; DROP TABLE models'), /cannot order by/);
    });

    it('gives semver labels a key in semver precedence order', () => {
      const labels = ['1.0.0-alpha', '1.0.0-alpha.1', '1.0.0-alpha.beta', '1.0.0-beta', '1.0.0-beta.2', '1.0.0-beta.11', '1.0.0-rc.1', '1.0.0', '1.2.0', '1.10.0', '10.0.0'];
      const sorted = [...labels].sort((a, b) => (semverOrderKey(a)! < semverOrderKey(b)! ? -1 : 1));
      assert.deepEqual(sorted, labels);
    });
  });

  describe('completion', () => {
    const vocabulary: QueryVocabulary = {
      models: ['churn', 'fraud-detector'],
      stages: ['None', 'Staging', 'Production', 'Archived'],
      aliases: ['champion'],
      actors: ['alice@example.com'],
      branches: ['main'],
      formats: ['onnx'],
      metrics: ['accuracy'],
      tags: ['team'],
      params: ['lr'],
    };
    const labels = (text: string, cursor = text.length): string[] => completeQuery(text, cursor, vocabulary).items.map((item) => item.label);

    it('suggests fields, then operators, then known values, then AND / OR', () => {
      assert.ok(labels('').includes('name') && labels('').includes('metrics.accuracy') && labels('').includes('NOT'));
      assert.deepEqual(labels('met'), ['metrics.', 'metrics.accuracy']);
      assert.ok(labels('stage ').includes('IN') && labels('stage ').includes('='));
      assert.deepEqual(labels('stage = '), ['None', 'Staging', 'Production', 'Archived']);
      assert.deepEqual(labels('stage = Pro'), ['Production']);
      assert.deepEqual(labels("name = 'fr"), ['fraud-detector']);
      assert.deepEqual(labels('name = churn '), ['AND', 'OR']);
      assert.deepEqual(labels('(name = churn '), ['AND', 'OR', ')']);
      assert.deepEqual(labels("alias IN ('champion', "), ['champion']);
      assert.deepEqual(labels('name = churn AND created_'), ['created_by', 'created_at']);
    });

    it('replaces the word being typed and looks only left of the cursor', () => {
      const completion = completeQuery("stage = 'Pro AND name = x", 12, vocabulary);
      assert.deepEqual([completion.from, completion.to], [8, 12]);
      assert.equal(completion.items[0].insertText, "'Production' ");
      assert.deepEqual(labels('name = churn AND x', 5), ['=', '!=', '<', '<=', '>', '>=', 'LIKE', 'ILIKE', 'IN', 'NOT IN', 'NOT LIKE']);
    });
  });
});
