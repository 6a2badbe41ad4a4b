// The grammar's option classes must match the plan's option table: an option highlighted as a
// flag must be a flag to the helper too.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { before, describe, it } from 'node:test';
import * as oniguruma from 'vscode-oniguruma';
import * as textmate from 'vscode-textmate';
import { MOUNT_OPTIONS, NAMESPACE_TYPES } from '@bindery/plan';
import { MOUNT_TYPES } from '../src/docs/mountTypes';

const GRAMMAR = path.join(__dirname, '..', '..', 'syntaxes', 'oci-spec.tmLanguage.json');
const CLASS_SCOPE: Record<string, string> = {
  flag: 'keyword.other.option.flag.oci',
  propagation: 'keyword.other.option.propagation.oci',
  recursive: 'keyword.other.option.recursive.oci',
  special: 'keyword.other.option.special.oci',
};

describe('grammar agrees with the plan', () => {
  let grammar: textmate.IGrammar;
  before(async () => {
    const wasm = fs.readFileSync(require.resolve('vscode-oniguruma/release/onig.wasm')).buffer;
    await oniguruma.loadWASM(wasm);
    const registry = new textmate.Registry({
      onigLib: Promise.resolve({
        createOnigScanner: (sources) => new oniguruma.OnigScanner(sources),
        createOnigString: (s) => new oniguruma.OnigString(s),
      }),
      loadGrammar: async () => textmate.parseRawGrammar(fs.readFileSync(GRAMMAR, 'utf8'), GRAMMAR),
    });
    grammar = (await registry.loadGrammar('source.json.oci'))!;
  });

  /** Scopes of the token covering `needle` on the last line of `lines`. */
  function scopesOf(lines: string[], needle: string): string[] {
    let stack = textmate.INITIAL;
    let tokens: textmate.IToken[] = [];
    for (const line of lines) {
      const r = grammar.tokenizeLine(line, stack);
      stack = r.ruleStack;
      tokens = r.tokens;
    }
    const last = lines[lines.length - 1];
    const at = last.indexOf(needle);
    return tokens.find((t) => t.startIndex <= at && at < t.endIndex)!.scopes;
  }

  it('every option of the table gets the class it has in the plan', () => {
    for (const [option, info] of Object.entries(MOUNT_OPTIONS)) {
      const scopes = scopesOf(['{ "mounts": [ {', `"options": ["${option}"]`], option);
      assert.ok(
        scopes.includes(CLASS_SCOPE[info.kind]),
        `${option} (${info.kind}): ${scopes.join(' ')}`,
      );
    }
    const data = scopesOf(['{ "mounts": [ {', '"options": ["size=64m"]'], 'size');
    assert.ok(data.includes('variable.parameter.option.data.oci'), data.join(' '));
  });

  it('every mount type and namespace type the server documents is highlighted', () => {
    for (const type of Object.keys(MOUNT_TYPES)) {
      const scopes = scopesOf(['{ "mounts": [ {', `"type": "${type}",`], type);
      assert.ok(scopes.includes('support.constant.mount-type.oci'), `${type}: ${scopes.join(' ')}`);
    }
    for (const ns of NAMESPACE_TYPES) {
      const scopes = scopesOf(['{ "linux": { "namespaces": [', `{ "type": "${ns}" }`], ns);
      assert.ok(scopes.includes('support.constant.namespace.oci'), `${ns}: ${scopes.join(' ')}`);
    }
  });
});
