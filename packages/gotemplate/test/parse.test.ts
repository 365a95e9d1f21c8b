import { describe, expect, it } from 'vitest';
import { parseTemplate, renderTemplate, TemplateSyntaxError, templateFields } from '../src/index.js';

function syntaxErrorOf(src: string): TemplateSyntaxError {
  try {
    parseTemplate(src);
  } catch (err) {
    if (err instanceof TemplateSyntaxError) return err;
    throw err;
  }
  throw new Error(`expected a syntax error for ${JSON.stringify(src)}`);
}

describe('parseTemplate syntax errors', () => {
  it('reports an unclosed action with its line and column', () => {
    const e = syntaxErrorOf('Bonjour\n  {{.Name');
    expect(e.message).toMatch(/unclosed action/);
    expect([e.line, e.column]).toEqual([2, 3]);
    expect(e.code).toBe('TEMPLATE_ERROR');
  });

  it('reports a block without {{end}} at its opening', () => {
    const e = syntaxErrorOf('a\n\nx {{if .X}}y{{range .L}}z{{end}}');
    expect(e.message).toMatch(/unclosed \{\{if\}\}/);
    expect([e.line, e.column]).toEqual([3, 3]);
    expect(syntaxErrorOf('{{with .X}}').message).toMatch(/unclosed \{\{with\}\}/);
  });

  it('reports an unmatched {{end}} or {{else}}', () => {
    expect(syntaxErrorOf('a{{end}}').message).toMatch(/unexpected \{\{end\}\}/);
    expect(syntaxErrorOf('{{else}}').message).toMatch(/unexpected \{\{else\}\}/);
    expect(syntaxErrorOf('{{if .A}}{{else}}{{else}}{{end}}').message).toMatch(/unexpected \{\{else\}\}/);
  });

  it('reports unknown keywords / functions and unsupported actions', () => {
    expect(syntaxErrorOf('{{iff .X}}').message).toMatch(/unknown keyword or function "iff"/);
    expect(syntaxErrorOf('{{template "x"}}').message).toMatch(/not supported/);
    expect(syntaxErrorOf('{{$x := 1}}').message).toMatch(/variables/);
  });

  it('reports empty actions, unclosed comments, stray arguments and bad parentheses', () => {
    expect(syntaxErrorOf('{{}}').message).toMatch(/missing value/);
    expect(syntaxErrorOf('{{if}}x{{end}}').message).toMatch(/missing value/);
    expect(syntaxErrorOf('{{/* open').message).toMatch(/unclosed comment/);
    expect(syntaxErrorOf('{{/* c */ .X}}').message).toMatch(/comment must end/);
    expect(syntaxErrorOf('{{.A .B}}').message).toMatch(/non-function/);
    expect(syntaxErrorOf('{{len (.A}}').message).toMatch(/unclosed \(/);
    expect(syntaxErrorOf('{{end .X}}').message).toMatch(/unexpected/);
    expect(syntaxErrorOf('{{"abc}}').message).toMatch(/unterminated string/);
    expect(syntaxErrorOf('{{.A | .B}}').message).toMatch(/only a function/);
  });

  it('accepts a }} inside a string literal', () => {
    expect(renderTemplate('{{"}}"}}', {})).toBe('}}');
  });

  it('accepts text with single braces', () => {
    expect(renderTemplate('{ a } {x}', {})).toBe('{ a } {x}');
  });
});

describe('templateFields', () => {
  it('lists root-level names, not fields of range/with elements', () => {
    const t = parseTemplate(
      '{{.Name}} {{if .Show}}{{.User.Email}}{{end}}{{range .Tasks}}{{.Title}}{{$.Footer}}{{end}}' +
        '{{with .Project}}{{.Name}}{{else}}{{.Fallback}}{{end}}{{.Name}}{{len .Count}}',
    );
    expect(templateFields(t)).toEqual([
      'Name',
      'Show',
      'User',
      'Tasks',
      'Footer',
      'Project',
      'Fallback',
      'Count',
    ]);
  });
});
