import assert from 'node:assert/strict';
import { actorOf, assertAuthorized, assertBindAllowed, isLoopbackHost } from '../../../src/serve/accessControl';
import { MlflowError } from '../../../src/serve/mlflowErrors';

const TOKEN = '0123456789abcdef0123456789abcdef';

describe('who may talk to mreg serve', () => {
  it('knows the loopback addresses, however written, and nothing else as loopback', () => {
    for (const host of ['127.0.0.1', '127.8.9.10', 'localhost', 'LOCALHOST', '::1', '[::1]', '::ffff:127.0.0.1']) assert.ok(isLoopbackHost(host), host);
    for (const host of ['0.0.0.0', '::', '[::]', '10.0.0.1', '128.0.0.1', 'example.com', '127.0.0.1.example.com', '::2', '']) assert.ok(!isLoopbackHost(host), host);
  });

  it('listens beyond loopback only with a token of at least 16 characters', () => {
    assert.doesNotThrow(() => assertBindAllowed('127.0.0.1', undefined));
    assert.doesNotThrow(() => assertBindAllowed('0.0.0.0', TOKEN));
    assert.throws(() => assertBindAllowed('0.0.0.0', undefined), /Refusing to listen on 0\.0\.0\.0 without a token/);
    assert.throws(() => assertBindAllowed('::', undefined), /without a token/);
    assert.throws(() => assertBindAllowed('127.0.0.1', 'fifteen-chars!!'), /at least 16/);
  });

  it('accepts exactly the bearer token, refusing any other form or value with UNAUTHENTICATED', () => {
    assert.doesNotThrow(() => assertAuthorized({}, undefined));
    assert.doesNotThrow(() => assertAuthorized({ authorization: `Bearer ${TOKEN}` }, TOKEN));
    assert.doesNotThrow(() => assertAuthorized({ authorization: `bearer ${TOKEN}` }, TOKEN), 'the scheme is case-insensitive (RFC 7235)');
    for (const authorization of [undefined, '', 'Bearer', `Bearer ${TOKEN.slice(1)}`, `Bearer ${TOKEN}x`, `Bearer ${TOKEN.toUpperCase()}`, `Basic ${TOKEN}`, `Bearer ${TOKEN} extra`, TOKEN]) {
      assert.throws(
        () => assertAuthorized(authorization === undefined ? {} : { authorization }, TOKEN),
        (error: unknown) => error instanceof MlflowError && error.errorCode === 'UNAUTHENTICATED' && error.status === 401,
        String(authorization),
      );
    }
  });

  it('takes the acting caller from X-Model-Registry-Actor, refusing empty, control-character and overlong names', () => {
    assert.equal(actorOf({}), undefined);
    assert.equal(actorOf({ 'x-model-registry-actor': '  ci@example.com ' }), 'ci@example.com');
    for (const bad of ['', '   ', 'a\nb', 'tab\there', 'x'.repeat(201)]) assert.throws(() => actorOf({ 'x-model-registry-actor': bad }), /X-Model-Registry-Actor|x-model-registry-actor/i, JSON.stringify(bad));
  });
});
